import { existsSync, mkdirSync, readFileSync, renameSync, rmSync, writeFile, writeFileSync } from 'node:fs';
import { dirname } from 'node:path';

/**
 * One emulator's memory persisted as a single JSON file, so a restart keeps what it held. Writes
 * are coalesced: all changes within SAVE_DELAY_MS cost one atomic write-then-rename, written off
 * the event loop (the file grows with every order, and a synchronous write of it stalled every
 * request the emulator was serving); changes made while a write is in flight are written once it
 * ends. flush() (on close) writes what is pending synchronously, and an older background write
 * finishing after it never replaces it. Fields missing from an older file take their empty value.
 */

const SAVE_DELAY_MS = 25;

/**
 * The file is rewritten whole, and its JSON (stringified and encoded on the event loop) grows
 * with every order: after a write that cost `lastCostMs` of the event loop, the next waits
 * WRITE_COST_FACTOR times as long, so persisting takes at most ~1/WRITE_COST_FACTOR of the
 * emulator's time whatever the file's size (up to MAX_DELAY_MS between writes; close flushes).
 * Each write stalls every request in flight for its whole cost (8.7 ms at 680 KB, ~420 paid
 * orders): at 1/20 of the time, those stalls were the slowest 5–8 % of create → PAID cycles in
 * the bench (p95 16.4 ms; 1/100: 14.4–14.7 ms, issue 16). A crash (not a close) still loses at
 * most MAX_DELAY_MS of changes.
 */
const WRITE_COST_FACTOR = 100;
const MAX_DELAY_MS = 2000;

export function nextWriteDelay(lastCostMs: number, minDelayMs: number): number {
  return Math.max(minDelayMs, Math.min(MAX_DELAY_MS, Math.ceil(lastCostMs * WRITE_COST_FACTOR)));
}

export class JsonFileState<T extends object> {
  readonly data: T;
  /** Changes not yet handed to a write. */
  private pending = false;
  private timer: NodeJS.Timeout | undefined;
  /** The background write in flight, if any. */
  private writing: Promise<void> | undefined;
  /** Bumped by every write started: a background write renames its file only if it is still the newest. */
  private generation = 0;
  /** Event-loop time the last background write took (stringify, encoding), ms. */
  private lastCostMs = 0;

  /** `label` names the emulator in the error for an unreadable file. */
  constructor(
    private readonly file: string,
    empty: () => T,
    private readonly label: string,
    private readonly delayMs = SAVE_DELAY_MS,
  ) {
    this.data = existsSync(file) ? { ...empty(), ...load<T>(file, label) } : empty();
  }

  /** Marks the state dirty; written once `delayMs` later (or after the write in flight). */
  changed(): void {
    if (this.pending) return;
    this.pending = true;
    if (!this.writing) this.schedule();
  }

  /** Writes what is pending now, synchronously (on close: the next start reads it). */
  flush(): void {
    if (this.timer) clearTimeout(this.timer);
    this.timer = undefined;
    // A background write in flight may hold older data than the memory now: write anyway.
    if (!this.pending && !this.writing) return;
    this.pending = false;
    const tmp = this.tmpFile(++this.generation);
    mkdirSync(dirname(this.file), { recursive: true });
    writeFileSync(tmp, JSON.stringify(this.data));
    renameSync(tmp, this.file);
  }

  /** Resolves once no background write is in flight (close awaits it before the folder may go). */
  async idle(): Promise<void> {
    while (this.writing) await this.writing;
  }

  private schedule(): void {
    this.timer = setTimeout(() => this.writeInBackground(), nextWriteDelay(this.lastCostMs, this.delayMs));
  }

  private writeInBackground(): void {
    this.timer = undefined;
    if (!this.pending) return;
    this.pending = false;
    const generation = ++this.generation;
    const tmp = this.tmpFile(generation);
    const started = performance.now();
    const text = JSON.stringify(this.data);
    mkdirSync(dirname(this.file), { recursive: true });
    this.writing = new Promise<void>((resolve) => {
      writeFile(tmp, text, (error) => {
        if (error) {
          this.reportFailure(error);
        } else if (generation === this.generation) {
          try {
            renameSync(tmp, this.file);
          } catch (renameError) {
            this.reportFailure(renameError as NodeJS.ErrnoException);
          }
        } else {
          rmSync(tmp, { force: true }); // flush() wrote newer data meanwhile
        }
        this.writing = undefined;
        resolve();
        if (this.pending && !this.timer) this.schedule();
      });
    });
    // The string's encoding happens inside writeFile's call, on this thread: counted too.
    this.lastCostMs = performance.now() - started;
  }

  /** The data folder gone (a test's cleanup after close) leaves nothing to persist into; anything else is said. */
  private reportFailure(error: NodeJS.ErrnoException): void {
    if (error.code !== 'ENOENT') console.error(`${this.label} ${this.file}: write failed (${error.message}); written again with the next change`);
  }

  private tmpFile(generation: number): string {
    return `${this.file}.${process.pid}.${generation}.tmp`;
  }
}

function load<T>(file: string, label: string): Partial<T> {
  try {
    return JSON.parse(readFileSync(file, 'utf8')) as Partial<T>;
  } catch (err) {
    throw new Error(`${label} ${file} is unreadable (${(err as Error).message}); move it away to start afresh`);
  }
}
