/**
 * One SQLite writer at a time across the threads of this process, without SQLite's busy handler.
 *
 * Two connections to one file that write at once make the second get SQLITE_BUSY, and SQLite's
 * busy handler then *sleeps* (1, 2, 5, 10 … ms) before trying again — on the event loop, since
 * better-sqlite3 is synchronous. Measured (issue 16): two processes each committing ~2,000
 * write transactions/s on one file reach only 1.2× one process, with 15–44 ms stalls. When the
 * function host runs a function in several worker threads (sandbox/host/instances.ts), every
 * connection of the process takes this gate around its writes instead: a waiting thread blocks on
 * a futex (`Atomics.wait`) and wakes the moment the writer before it is done.
 *
 * Writers take it as they come (no queue: a thread that commits again right away keeps its core
 * instead of handing the gate over with a context switch each time — measured faster than a
 * ticket lock on two cores); the host's checkpointer asks with priority, so a stream of writers
 * never keeps it out. The gate is process-wide and exists only where the host installed it (its
 * threads share one SharedArrayBuffer); elsewhere writes go straight to SQLite as before. Other
 * processes on the same file still meet SQLite's own locking and busy timeout, which stays the
 * correctness bound.
 */
import { threadId } from 'node:worker_threads';

const GATE = Symbol.for('pay.sqlite.writeGate');
/** Cells: the holder (its thread id + 1, 0 when free), a priority request pending (0/1), writes so far. */
const HOLDER = 0;
const PRIORITY = 1;
const WRITES = 2;

type Gate = { buffer: SharedArrayBuffer; cells: Int32Array; depth: number; checkpointedElsewhere: boolean };
type GateHolder = { [GATE]?: Gate };

export function createWriteGateBuffer(): SharedArrayBuffer {
  return new SharedArrayBuffer(3 * Int32Array.BYTES_PER_ELEMENT);
}

/**
 * This thread's SQLite writes go through the gate over `buffer` (every thread of the host installs
 * the same one). `realm`: the global object the bundles run in (the host's tests run in a jest
 * context, the bundles in Node's main realm). Returns the buffer in force: one installed before
 * in that realm stays, so two hosts of one process share one gate.
 */
export function installWriteGate(buffer: SharedArrayBuffer, realm: object = globalThis, opts: { checkpointedElsewhere?: boolean } = {}): SharedArrayBuffer {
  const holder = realm as GateHolder;
  holder[GATE] ??= { buffer, cells: new Int32Array(buffer), depth: 0, checkpointedElsewhere: false };
  if (opts.checkpointedElsewhere) holder[GATE].checkpointedElsewhere = true;
  return holder[GATE].buffer;
}

/** The host runs a checkpointer thread for its store (sandbox/host/checkpointer.ts): connections leave checkpoints to it. */
export function logCheckpointedElsewhere(): boolean {
  return (globalThis as GateHolder)[GATE]?.checkpointedElsewhere === true;
}

/**
 * `write` holding the gate (re-entrant within a thread); straight through where none is installed.
 * `priority`: ahead of every writer not already holding it (the checkpointer's completing pass).
 */
export function withWriteGate<R>(write: () => R, opts: { priority?: boolean } = {}): R {
  const gate = (globalThis as GateHolder)[GATE];
  if (!gate) return write();
  if (gate.depth > 0) return write();
  const { cells } = gate;
  const me = threadId + 1;
  if (opts.priority) Atomics.store(cells, PRIORITY, 1);
  for (;;) {
    // Bounded wait: a priority request left behind by a thread that ended cannot hold writers off.
    if (!opts.priority && Atomics.load(cells, PRIORITY) === 1) {
      Atomics.wait(cells, PRIORITY, 1, 5);
      continue;
    }
    const holder = Atomics.compareExchange(cells, HOLDER, 0, me);
    if (holder === 0) break;
    Atomics.wait(cells, HOLDER, holder);
  }
  gate.depth = 1;
  try {
    return write();
  } finally {
    gate.depth = 0;
    Atomics.add(cells, WRITES, 1);
    Atomics.store(cells, HOLDER, 0);
    if (opts.priority) {
      Atomics.store(cells, PRIORITY, 0);
      Atomics.notify(cells, PRIORITY);
    }
    // Everyone waiting (a handful of threads): the priority asker among them must not sleep on.
    Atomics.notify(cells, HOLDER);
  }
}

/** How many writes have gone through the gate over `buffer` (wraps at 2³²: compare differences). */
export function writesThroughGate(buffer: SharedArrayBuffer): number {
  return Atomics.load(new Int32Array(buffer), WRITES);
}

/**
 * Passes the gate on if the thread `deadThreadId` died holding it (a worker that ended in the
 * middle of a write: its `finally` never ran). True when it did.
 */
export function releaseWriteGateOf(buffer: SharedArrayBuffer, deadThreadId: number): boolean {
  const cells = new Int32Array(buffer);
  if (Atomics.compareExchange(cells, HOLDER, deadThreadId + 1, 0) !== deadThreadId + 1) return false;
  Atomics.notify(cells, HOLDER);
  return true;
}
