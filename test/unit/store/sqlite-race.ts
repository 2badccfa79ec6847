/**
 * Real contention for the sqlite adapter: each contender is a worker thread with its own
 * connection to the same file, all released at once by a shared-memory barrier. better-sqlite3 is
 * synchronous, so contenders inside one thread would simply run one after another.
 *
 * Workers cannot load TypeScript, so the adapter is bundled once with esbuild into a temp file
 * (better-sqlite3 stays external and is rewritten to this repo's copy by absolute path).
 */
import { buildSync } from 'esbuild';
import { readFileSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { join, resolve } from 'node:path';
import { Worker } from 'node:worker_threads';
import type { CasAttempt } from './contract';

const WORKER_SOURCE = `
const { workerData, parentPort } = require('node:worker_threads');
const { openSqliteStore } = require(workerData.bundle);
const store = openSqliteStore(workerData.file);
const barrier = new Int32Array(workerData.barrier);
Atomics.add(barrier, 1, 1);
Atomics.notify(barrier, 1);
Atomics.wait(barrier, 0, 0);
const job = workerData.job;
const run = job.kind === 'update'
  ? store.updateOrder(job.next, job.expectedVersion, job.audit)
  : store.recordNotification(job.id, { eventType: 'TRANSACTION.SUCCESS', receivedAt: 1 });
run.then(
  (won) => { store.close(); parentPort.postMessage({ won }); },
  (error) => { store.close(); parentPort.postMessage({ error: String(error && error.stack || error) }); },
);
`;

type Job = { kind: 'update'; next: unknown; expectedVersion: number; audit: unknown } | { kind: 'notify'; id: string };

export class SqliteRace {
  private readonly bundle: string;
  private readonly workerFile: string;

  constructor(dir: string) {
    this.bundle = join(dir, 'sqlite-store.bundle.js');
    this.workerFile = join(dir, 'race-worker.js');
    const betterSqlite = createRequire(__filename).resolve('better-sqlite3');
    buildSync({
      entryPoints: [resolve(__dirname, '../../../cloudfunctions/core/store/sqlite/store.ts')],
      bundle: true,
      platform: 'node',
      format: 'cjs',
      target: 'node20',
      outfile: this.bundle,
      external: ['better-sqlite3'],
      logLevel: 'silent',
    });
    // The temp dir has no node_modules: point the external require at this repo's copy.
    const code = readFileSync(this.bundle, 'utf8');
    if (!code.includes('require("better-sqlite3")')) throw new Error('bundle does not require better-sqlite3 as expected');
    writeFileSync(this.bundle, code.split('require("better-sqlite3")').join(`require(${JSON.stringify(betterSqlite)})`));
    writeFileSync(this.workerFile, WORKER_SOURCE);
  }

  /** Starts one worker per job, waits until all are connected, releases them together. */
  async run(file: string, jobs: Job[]): Promise<boolean[]> {
    const barrier = new SharedArrayBuffer(8);
    const flags = new Int32Array(barrier);
    const workers = jobs.map((job) => new Worker(this.workerFile, { workerData: { bundle: this.bundle, file, barrier, job } }));
    const results = workers.map(
      (worker) =>
        new Promise<boolean>((resolvePromise, reject) => {
          worker.once('message', (message: { won?: boolean; error?: string }) => {
            if (message.error) reject(new Error(message.error));
            else resolvePromise(Boolean(message.won));
          });
          worker.once('error', reject);
        }),
    );
    const deadline = Date.now() + 30_000;
    while (Atomics.load(flags, 1) < jobs.length) {
      if (Date.now() > deadline) throw new Error('race workers did not all start');
      await new Promise((r) => setTimeout(r, 5));
    }
    Atomics.store(flags, 0, 1);
    Atomics.notify(flags, 0);
    try {
      return await Promise.all(results);
    } finally {
      await Promise.all(workers.map((w) => w.terminate()));
    }
  }

  updates(file: string, attempts: CasAttempt[]): Promise<boolean[]> {
    return this.run(
      file,
      attempts.map((a) => ({ kind: 'update', next: a.next, expectedVersion: a.expectedVersion, audit: a.audit })),
    );
  }

  notifications(file: string, id: string, n: number): Promise<boolean[]> {
    return this.run(
      file,
      Array.from({ length: n }, () => ({ kind: 'notify', id }) as const),
    );
  }
}
