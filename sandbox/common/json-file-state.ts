import { existsSync, mkdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { dirname } from 'node:path';

/**
 * One emulator's memory persisted as a single JSON file, so a restart keeps what it held. Writes
 * are coalesced: all changes within SAVE_DELAY_MS cost one atomic write-then-rename, and flush()
 * (on close) writes what is pending. Fields missing from an older file take their empty value.
 */

const SAVE_DELAY_MS = 25;

export class JsonFileState<T extends object> {
  readonly data: T;
  private pending = false;
  private timer: NodeJS.Timeout | undefined;

  /** `label` names the emulator in the error for an unreadable file. */
  constructor(private readonly file: string, empty: () => T, label: string) {
    this.data = existsSync(file) ? { ...empty(), ...load<T>(file, label) } : empty();
  }

  /** Marks the state dirty; written once SAVE_DELAY_MS later. */
  changed(): void {
    if (this.pending) return;
    this.pending = true;
    this.timer = setTimeout(() => this.flush(), SAVE_DELAY_MS);
  }

  flush(): void {
    if (!this.pending) return;
    this.pending = false;
    if (this.timer) clearTimeout(this.timer);
    this.timer = undefined;
    mkdirSync(dirname(this.file), { recursive: true });
    const tmp = `${this.file}.${process.pid}.tmp`;
    writeFileSync(tmp, JSON.stringify(this.data));
    renameSync(tmp, this.file);
  }
}

function load<T>(file: string, label: string): Partial<T> {
  try {
    return JSON.parse(readFileSync(file, 'utf8')) as Partial<T>;
  } catch (err) {
    throw new Error(`${label} ${file} is unreadable (${(err as Error).message}); move it away to start afresh`);
  }
}
