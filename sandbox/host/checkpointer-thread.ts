/**
 * The checkpointer's thread (checkpointer.ts): passive checkpoints of one store file every
 * `intervalMs`, and once the log is over its bound one more under the process's write gate, so that
 * the next commit starts the log from its beginning. It waits for the file: the store creates it on
 * first use.
 */
import { existsSync } from 'node:fs';
import { parentPort, workerData } from 'node:worker_threads';
import type { Database } from 'better-sqlite3';
import { installWriteGate, withWriteGate, writesThroughGate } from '../../cloudfunctions/core/store/sqlite/write-gate';
import type { CheckpointerData } from './checkpointer';

const data = workerData as CheckpointerData;
// eslint-disable-next-line @typescript-eslint/no-require-imports
const BetterSqlite3 = require('better-sqlite3') as typeof import('better-sqlite3');
installWriteGate(data.gate);
let db: Database | undefined;
let stopped = false;
let writesAtLastPass = writesThroughGate(data.gate);

type Pass = { busy: number; log: number; checkpointed: number };
const passive = (open: Database): Pass => (open.pragma('wal_checkpoint(PASSIVE)') as Pass[])[0]!;

function tick(): void {
  if (stopped) return;
  try {
    if (!db && existsSync(data.file)) db = new BetterSqlite3(data.file, { timeout: 0, fileMustExist: true });
    const writes = writesThroughGate(data.gate);
    if (!db || (writes - writesAtLastPass) >>> 0 < data.passEveryWrites) return;
    writesAtLastPass = writes;
    // Over the bound: one more pass with no commit under way. A pass that merely caught up is not
    // enough: a commit in flight during it lands after it, and the log starts over only when the
    // next transaction begins on a completely checkpointed one.
    if (passive(db).log > data.completeAbovePages) withWriteGate(() => passive(db!), { priority: true });
  } catch {
    // SQLITE_BUSY (another checkpoint is running) or the file not ready yet: next time.
  } finally {
    setTimeout(tick, data.intervalMs);
  }
}

parentPort!.on('message', () => {
  stopped = true;
  try {
    db?.close();
  } catch {
    // closing is all that is left to do
  }
  parentPort!.close();
});
setTimeout(tick, data.intervalMs);
parentPort!.postMessage('ready');
