/**
 * The host's checkpointer thread (sandbox/host/checkpointer.ts): under a steady stream of commits
 * it keeps the write-ahead log short — passive passes, completed under the write gate — where the
 * store's connections, told the log is checkpointed elsewhere, would otherwise let it grow to their
 * fallback; the data stays whole.
 */
import { mkdtempSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { openSqliteConnection, FALLBACK_AUTOCHECKPOINT_PAGES } from '../../../cloudfunctions/core/store/sqlite/connection';
import { createWriteGateBuffer, installWriteGate } from '../../../cloudfunctions/core/store/sqlite/write-gate';
import { startCheckpointer } from '../../../sandbox/host/checkpointer';

jest.setTimeout(60_000);

const GATE = Symbol.for('pay.sqlite.writeGate');
const realm = globalThis as unknown as Record<symbol, unknown>;
let dir: string;
let saved: unknown;
let gate: SharedArrayBuffer;

beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'checkpointer-'));
  saved = realm[GATE];
  delete realm[GATE];
  gate = installWriteGate(createWriteGateBuffer(), globalThis, { checkpointedElsewhere: true });
});
afterEach(() => {
  if (saved === undefined) delete realm[GATE];
  else realm[GATE] = saved;
  rmSync(dir, { recursive: true, force: true });
});

const FRAME_BYTES = 4096 + 24;

/** 6,000 commits of ~2 pages each, yielding between them as request handlers do; the log's high-water mark in pages. */
async function commitSteadily(file: string): Promise<{ walPages: number; rows: number; integrity: string }> {
  const c = openSqliteConnection(file);
  expect(c.db.pragma('wal_autocheckpoint', { simple: true })).toBe(FALLBACK_AUTOCHECKPOINT_PAGES);
  c.db.exec('CREATE TABLE IF NOT EXISTS t (k TEXT PRIMARY KEY, pad TEXT NOT NULL)');
  const insert = c.db.prepare('INSERT INTO t VALUES (?, ?)');
  const add = c.immediate((k: string) => insert.run(k, 'x'.repeat(3000)));
  for (let i = 0; i < 6000; i++) {
    add(`${String(i).padStart(6, '0')}-${Math.random()}`);
    await new Promise((r) => setImmediate(r));
  }
  const walPages = Math.round(statSync(`${file}-wal`).size / FRAME_BYTES);
  const rows = (c.db.prepare('SELECT COUNT(*) AS n FROM t').get() as { n: number }).n;
  const integrity = String(c.db.pragma('integrity_check', { simple: true }));
  c.close();
  return { walPages, rows, integrity };
}

it('keeps the log within a few passes of its bound under a steady stream of commits, the data whole', async () => {
  const file = join(dir, 'store.sqlite');
  const checkpointer = startCheckpointer(file, gate, { intervalMs: 5, passEveryWrites: 20, completeAbovePages: 300 });
  await checkpointer.ready;
  try {
    const { walPages, rows, integrity } = await commitSteadily(file);
    expect(rows).toBe(6000);
    expect(integrity).toBe('ok');
    // Bound 300 pages; the margin is for a loaded machine, where the thread gets the CPU late.
    expect(walPages).toBeLessThan(4000);
  } finally {
    await checkpointer.close();
  }
});

it('without it the same commits let the log grow past 10,000 pages (the connection leaves checkpoints to it)', async () => {
  const { walPages, rows } = await commitSteadily(join(dir, 'store.sqlite'));
  expect(rows).toBe(6000);
  expect(walPages).toBeGreaterThan(10000);
});
