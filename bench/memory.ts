/**
 * Memory section: resident memory of the server process (function host + bundles + store; the
 * idle sandbox gateway shares the process) after 1,000 verified notifications and after 100,000
 * (`BENCH_MEMORY_NOTIFICATIONS` to change), each a real PAYING → PAID transition posted by the
 * separate load generator. Growth with traffic would show as the second figure well above the first.
 */
import { createPrivateKey } from 'node:crypto';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';
import BetterSqlite3 from 'better-sqlite3';
import { testOpenid } from '../sandbox/gateway/login';
import { startStack } from '../test/helpers/stack';
import { craftNotification, idemKey, login, transactionResource } from '../test/e2e/pay/harness';
import { startGenerator } from './notify/generator-client';
import { readTemplate, seedOrders } from './notify/seed';
import { figure } from './report';
import type { BenchSection } from './section';

export const MEMORY = { first: 1_000, total: Number(process.env.BENCH_MEMORY_NOTIFICATIONS ?? 100_000), maxGrowth: 1.2 } as const;

export interface MemoryResults {
  first: { notifications: number; rssMiB: number; heapMiB: number };
  last: { notifications: number; rssMiB: number; heapMiB: number };
  seconds: number;
}

const mib = (bytes: number) => bytes / 2 ** 20;

/**
 * A full collection before each sample, so heap figures are live objects rather than garbage not
 * yet collected (V8 grows its heap lazily). `--expose-gc` set at run time; `gc` from a new context.
 */
function collectGarbage(): void {
  setFlagsFromString('--expose-gc');
  const gc = runInNewContext('gc') as () => void;
  gc();
  gc();
}

export const memory: BenchSection<MemoryResults> = {
  name: 'memory',
  description: `server resident memory after ${MEMORY.first.toLocaleString('en')} and after ${MEMORY.total.toLocaleString('en')} notifications`,
  async run() {
    const stack = await startStack({ env: { PAY_RECONCILE_AFTER_MS: '600000' } });
    const generator = await startGenerator();
    const db = new BetterSqlite3(join(stack.dataDir, 'store.sqlite'));
    const started = Date.now();
    try {
      const keys = stack.gateway.keys;
      const payer = await login(stack, 'bench-memory');
      const openid = testOpenid(keys.appid, 'bench-memory');
      const created = await payer.ok('pay.create', { channel: 'jsapi', amount: 100, idempotencyKey: idemKey() });
      const template = readTemplate(db, created.order.outTradeNo);
      const signWith = createPrivateKey(keys.platformCert.privateKeyPem);
      const url = `${stack.hostUrl}/http/payNotify`;
      let sent = 0;
      const send = async (count: number) => {
        const { orders } = seedOrders(db, template, { count, state: 'PAYING' });
        const file = join(stack.dataDir, 'memory.json');
        writeFileSync(file, JSON.stringify(orders.map((o) => craftNotification(keys, transactionResource(keys, o, openid), { signWith }))));
        const g = await generator.run({ url, file, concurrency: 32 });
        if (g.accepted !== count) throw new Error(`memory: ${count - g.accepted} of ${count} notifications refused: ${JSON.stringify(g.refused)}`);
        sent += count;
      };
      const sample = () => (collectGarbage(), { notifications: sent, rssMiB: mib(process.memoryUsage().rss), heapMiB: mib(process.memoryUsage().heapUsed) });
      await send(MEMORY.first);
      const first = sample();
      while (sent < MEMORY.total) {
        // Chunks the size of the first: this process is also the bench (seeding, signing), and
        // its own transient buffers must be alike at every sample, or they show as growth.
        await send(Math.min(MEMORY.first, MEMORY.total - sent));
        if (sent % 20_000 === 1_000) console.log(`  ${sent.toLocaleString('en')} notifications: rss ${sample().rssMiB.toFixed(0)} MiB`);
      }
      const last = sample();
      const results: MemoryResults = { first, last, seconds: (Date.now() - started) / 1000 };
      console.log(`rss ${first.rssMiB.toFixed(0)} MiB after ${first.notifications.toLocaleString('en')}, ${last.rssMiB.toFixed(0)} MiB after ${last.notifications.toLocaleString('en')} (heap ${first.heapMiB.toFixed(0)} → ${last.heapMiB.toFixed(0)} MiB); ${results.seconds.toFixed(0)} s`);
      return results;
    } finally {
      generator.close();
      db.close();
      await stack.close();
    }
  },
  figures(r) {
    return [
      figure('memory.rssAfterFirstMiB', `server RSS after ${r.first.notifications.toLocaleString('en')} notifications`, r.first.rssMiB, 'MiB'),
      figure('memory.rssAfterLastMiB', `server RSS after ${r.last.notifications.toLocaleString('en')} notifications`, r.last.rssMiB, 'MiB'),
      figure('memory.rssGrowth', 'RSS growth (last / first)', r.last.rssMiB / r.first.rssMiB, 'x', { kind: 'max', value: MEMORY.maxGrowth }),
    ];
  },
};
