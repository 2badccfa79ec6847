/**
 * The process's SQLite write gate (store/sqlite/write-gate.ts): connections of several threads
 * writing one file queue on it instead of meeting SQLITE_BUSY and SQLite's sleeping busy handler;
 * it is re-entrant within a thread; a thread that died holding it can be cleared.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Worker } from 'node:worker_threads';
import { openSqliteConnection } from '../../../cloudfunctions/core/store/sqlite/connection';
import { createWriteGateBuffer, installWriteGate, releaseWriteGateOf } from '../../../cloudfunctions/core/store/sqlite/write-gate';

jest.setTimeout(60_000);

let dir: string;
beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'write-gate-'));
});
afterEach(() => rmSync(dir, { recursive: true, force: true }));

/** A thread running TypeScript `body` with `gate` installed (or none); posts what body returns. */
function thread(body: string, data: Record<string, unknown>): Worker {
  const connection = join(__dirname, '../../../cloudfunctions/core/store/sqlite/connection.ts');
  const gate = join(__dirname, '../../../cloudfunctions/core/store/sqlite/write-gate.ts');
  return new Worker(
    `require('esbuild-register/dist/node').register({ target: 'node20' });
     const { workerData, parentPort } = require('node:worker_threads');
     const { openSqliteConnection } = require(${JSON.stringify(connection)});
     const { installWriteGate, withWriteGate } = require(${JSON.stringify(gate)});
     if (workerData.gate) installWriteGate(workerData.gate);
     Promise.resolve().then(() => { ${body} }).then((r) => parentPort.postMessage({ ok: r }), (e) => parentPort.postMessage({ error: String(e && e.code || e) }));`,
    { eval: true, workerData: data },
  );
}

const result = (w: Worker): Promise<{ ok?: unknown; error?: string }> => new Promise((ok, fail) => (w.once('message', ok), w.once('error', fail)));

/** Three threads, each 300 write transactions on one file, started together, with no busy timeout at all. */
async function writeFromThreads(gate: SharedArrayBuffer | undefined) {
  const file = join(dir, 'store.sqlite');
  const setup = openSqliteConnection(file);
  setup.db.exec('CREATE TABLE hits (thread INTEGER, n INTEGER, pad TEXT)');
  setup.close();
  const ready = new SharedArrayBuffer(4);
  const body = `
    const c = openSqliteConnection(workerData.file, { busyTimeoutMs: 0 });
    const insert = c.db.prepare('INSERT INTO hits VALUES (?, ?, ?)');
    const add = c.immediate((n) => { insert.run(workerData.id, n, 'x'.repeat(2000)); });
    // Start together: thread start-up times differ by more than a few hundred writes take.
    const go = new Int32Array(workerData.ready);
    Atomics.add(go, 0, 1);
    while (Atomics.load(go, 0) < 3) Atomics.wait(go, 0, Atomics.load(go, 0), 5);
    for (let n = 0; n < 300; n++) add(n);
    c.close();
    return 300;`;
  const workers = [1, 2, 3].map((id) => thread(body, { file, id, gate, ready }));
  const results = await Promise.all(workers.map(result));
  await Promise.all(workers.map((w) => w.terminate()));
  const check = openSqliteConnection(file);
  const rows = (check.db.prepare('SELECT COUNT(*) AS n FROM hits').get() as { n: number } | undefined)?.n;
  check.close();
  return { results, rows };
}

it('writers of three threads on one file never get SQLITE_BUSY through the gate, with no busy timeout', async () => {
  const { results, rows } = await writeFromThreads(createWriteGateBuffer());
  expect(results).toEqual([{ ok: 300 }, { ok: 300 }, { ok: 300 }]);
  expect(rows).toBe(900);
});

it('without it the same writers collide (what the gate is for)', async () => {
  const { results } = await writeFromThreads(undefined);
  expect(results.some((r) => r.error === 'SQLITE_BUSY')).toBe(true);
});

it('is re-entrant: a write transaction inside another in the same thread does not wait on itself', () => {
  // This thread's realm (jest's): install, then nest two gated writes.
  const saved = (globalThis as Record<symbol, unknown>)[Symbol.for('pay.sqlite.writeGate')];
  delete (globalThis as Record<symbol, unknown>)[Symbol.for('pay.sqlite.writeGate')];
  try {
    installWriteGate(createWriteGateBuffer());
    const c = openSqliteConnection(join(dir, 'nested.sqlite'));
    c.db.exec('CREATE TABLE t (n INTEGER)');
    const inner = c.immediate((n: number) => c.db.prepare('INSERT INTO t VALUES (?)').run(n));
    const outer = c.immediate(() => {
      inner(1);
      c.write(() => c.db.prepare('INSERT INTO t VALUES (2)').run());
    });
    outer();
    expect(c.db.prepare('SELECT COUNT(*) AS n FROM t').get()).toEqual({ n: 2 });
    c.close();
  } finally {
    (globalThis as Record<symbol, unknown>)[Symbol.for('pay.sqlite.writeGate')] = saved;
    if (saved === undefined) delete (globalThis as Record<symbol, unknown>)[Symbol.for('pay.sqlite.writeGate')];
  }
});

it('a thread that died holding the gate can be cleared, and only that thread', async () => {
  const gate = createWriteGateBuffer();
  const holder = thread(`withWriteGate(() => { parentPort.postMessage({ holding: true }); Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0); });`, { gate });
  await new Promise((ok) => holder.once('message', ok));
  const threadId = holder.threadId;
  await holder.terminate();
  const cells = new Int32Array(gate);
  expect(cells[0]).toBe(threadId + 1); // its `finally` never ran
  expect(releaseWriteGateOf(gate, threadId + 7)).toBe(false);
  expect(cells[0]).toBe(threadId + 1);
  expect(releaseWriteGateOf(gate, threadId)).toBe(true);
  expect(cells[0]).toBe(0);
});
