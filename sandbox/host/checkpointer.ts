/**
 * Checkpoints the store file's write-ahead log in a thread of its own, so that no request waits
 * for one (issue 16).
 *
 * In WAL mode every commit appends its pages to the log, and SQLite's automatic checkpoint copies
 * them back into the database file — and fsyncs both files, the only fsyncs with
 * `synchronous = NORMAL` — inside the COMMIT of whichever write crosses 1,000 pages. Measured on
 * the notification path: a write transaction took a median 0.16 ms but 9 ms at p99 and 0.29 ms on
 * average, the difference being those checkpoints, on the event loop of the function that
 * happened to commit — and, with instances (instances.ts), inside the write gate every other
 * instance waits on.
 *
 * Here a worker thread with its own connection runs `PRAGMA wal_checkpoint(PASSIVE)` once
 * `passEveryWrites` writes went through the process's write gate since its last pass (it looks
 * every `intervalMs`): it copies what is committed without taking the write lock, so writers go
 * on meanwhile. SQLite starts the log over only when a transaction begins on a completely
 * checkpointed log, which a pass racing a steady stream of commits never leaves behind; so once
 * the log passes `completeAbovePages` the thread takes the process's write gate
 * (store/sqlite/write-gate.ts) for one more pass — short, most pages are copied already — and the
 * next commit starts the log from its beginning. Durability is unchanged: the same checkpoint and
 * fsyncs, on another thread (https://www.sqlite.org/wal.html#application_initiated_checkpoints,
 * https://www.sqlite.org/c3ref/wal_checkpoint_v2.html). The store's connections keep SQLite's own
 * automatic checkpoint, far above what this thread lets the log reach, as the fallback should the
 * thread stop (`FALLBACK_AUTOCHECKPOINT_PAGES`).
 */
import { hostWorker } from './ts-worker';

export interface CheckpointerOptions {
  /** How often the thread looks (ms). */
  intervalMs: number;
  /**
   * Writes through the gate between passes: a pass fsyncs both files, so it waits for about as much
   * log as SQLite's own checkpoint would (1,000 pages ≈ 100 of the notification path's commits).
   */
  passEveryWrites: number;
  /** Log size (pages) above which a pass is completed under the write gate. */
  completeAbovePages: number;
}

export const CHECKPOINTER_DEFAULTS: CheckpointerOptions = { intervalMs: 25, passEveryWrites: 100, completeAbovePages: 4000 };

export interface CheckpointerData extends CheckpointerOptions {
  file: string;
  gate: SharedArrayBuffer;
}

export interface Checkpointer {
  /** Settles once the thread runs (until then SQLite's fallback checkpoint is the only one). */
  ready: Promise<void>;
  close(): Promise<void>;
}

/** Starts checkpointing `file` (a SQLite store in WAL mode) until `close`. */
export function startCheckpointer(file: string, gate: SharedArrayBuffer, options: CheckpointerOptions = CHECKPOINTER_DEFAULTS): Checkpointer {
  const workerData: CheckpointerData = { ...options, file, gate };
  const worker = hostWorker(__dirname, 'checkpointer-thread', { workerData, env: {} });
  // Never what keeps the process alive.
  worker.unref();
  const exited = new Promise<void>((ok) => worker.once('exit', () => ok()));
  const ready = new Promise<void>((ok, fail) => {
    worker.once('message', () => ok());
    worker.once('error', fail);
  });
  // A thread that cannot start leaves SQLite's own checkpoint in charge: not a reason to fail the host.
  ready.catch(() => undefined);
  return {
    ready,
    async close() {
      worker.postMessage('stop');
      await exited;
    },
  };
}
