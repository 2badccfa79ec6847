/**
 * The API calls an emulator answered, kept in memory for the sandbox console's order timelines:
 * method, path, status, request and response bodies, and which orders they were about (the
 * emulator says, through its `subjectsOf`). Bounded (the oldest go first); a restart or a reset
 * forgets them — the state file keeps the orders.
 */

export interface LoggedRequest {
  seq: number;
  at: number;
  method: string;
  path: string;
  status: number;
  request?: unknown;
  response?: unknown;
  /** The order / refund numbers this call concerned. */
  subjects: string[];
}

export type RequestEntry = Omit<LoggedRequest, 'seq' | 'subjects'>;

const MAX_REQUESTS = 2000;

export class RequestLog {
  private entries: LoggedRequest[] = [];
  private seq = 0;
  private readonly listeners = new Set<() => void>();

  constructor(private readonly subjectsOf: (entry: RequestEntry) => string[]) {}

  record(entry: RequestEntry): LoggedRequest {
    const logged = { ...entry, seq: ++this.seq, subjects: this.subjectsOf(entry) };
    this.entries.push(logged);
    if (this.entries.length > MAX_REQUESTS) this.entries.splice(0, this.entries.length - MAX_REQUESTS);
    for (const listener of this.listeners) listener();
    return logged;
  }

  about(subjects: ReadonlySet<string>): LoggedRequest[] {
    return this.entries.filter((e) => e.subjects.some((s) => subjects.has(s)));
  }

  onRecord(listener: () => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  clear(): void {
    this.entries = [];
  }
}
