/**
 * Scale section: does the cost of a call grow with the size of the store? On the local stack's
 * SQLite store, `pay.query` (a PAID order, answered from the store), `pay.create` (a real create
 * at the sandbox gateway) and the first page of `pay.list` are timed with 1,000 orders (and their
 * audit rows) in the store, then again after the bench has seeded it to 1,000,000 (it says how long
 * that took); then 10,000 stale PAYING orders are added and one `reconcile` run is timed while a
 * payer keeps calling `pay.query` (does reconcile block payments?). The indexes that keep this
 * flat are the migrations' (`orders_by_payer`, `orders_by_state`, the primary keys), the same the
 * CloudBase adapter's queries need (README, "CloudBase indexes").
 */
import { join } from 'node:path';
import BetterSqlite3 from 'better-sqlite3';
import { startStack } from '../test/helpers/stack';
import { cashier, idemKey, login, type User } from '../test/e2e/pay/harness';
import { formatTable } from './measure';
import { readTemplate, seedOrders } from './notify/seed';
import { figure } from './report';
import type { BenchSection } from './section';

export const SCALE = { small: 1_000, large: 1_000_000, stale: 10_000, maxGrowth: 1.5, reconcilePeriodMs: 60_000 } as const;

interface CallTimes {
  query: number;
  create: number;
  list: number;
}

export interface ScaleResults {
  small: CallTimes;
  large: CallTimes;
  seeded: { orders: number; ms: number; fileBytes: number };
  reconcile: { stale: number; runMs: number; checked: number; queryP50DuringMs: number; queryP50BeforeMs: number };
}

const median = (values: number[]) => [...values].sort((a, b) => a - b)[values.length >> 1]!;

async function time(fn: () => Promise<unknown>): Promise<number> {
  const t = process.hrtime.bigint();
  await fn();
  return Number(process.hrtime.bigint() - t) / 1e6;
}

/**
 * Seeding blocks this process (the host's too) for a while: keep-alive sockets the host closed
 * meanwhile fail once. A few calls that may fail, before anything is timed.
 */
async function settle(payer: User, paidOrder: string): Promise<void> {
  await new Promise((r) => setTimeout(r, 200));
  for (let i = 0; i < 3; i++) await payer.ok('pay.query', { outTradeNo: paidOrder }).catch(() => undefined);
}

interface Side {
  stack: Awaited<ReturnType<typeof startStack>>;
  db: InstanceType<typeof BetterSqlite3>;
  payer: User;
  paid: string;
  template: ReturnType<typeof readTemplate>;
}

/** A stack with one PAID order of the bench payer (queried by pay.query) and its store open for seeding. */
async function openSide(others: (i: number) => string, createdAt: (i: number) => number): Promise<Side> {
  const stack = await startStack({ env: { PAY_RECONCILE_AFTER_MS: '60000' } });
  const db = new BetterSqlite3(join(stack.dataDir, 'store.sqlite'));
  const payer = await login(stack, 'bench-scale');
  const created = await payer.ok('pay.create', { channel: 'jsapi', amount: 100, idempotencyKey: idemKey() });
  const template = readTemplate(db, created.order.outTradeNo);
  await cashier(stack, 'pay', created.payment);
  for (let i = 0; (await payer.ok('pay.query', { outTradeNo: created.order.outTradeNo })).order.state !== 'PAID'; i++) {
    if (i > 500) throw new Error('bench scale: the template order never became PAID');
    await new Promise((r) => setTimeout(r, 5));
  }
  // The payer's own history (50 orders) and others' orders (100 per payer, over ~30 days): 1,000.
  seedOrders(db, template, { count: 50, state: 'PAID' });
  seedOrders(db, template, { count: SCALE.small - 51, state: 'PAID', payerOf: others, createdAtOf: createdAt });
  return { stack, db, payer, paid: created.order.outTradeNo, template };
}

/**
 * Median ms of each call on both stores over `n` rounds, interleaved call by call so that the
 * load of this shared machine, which swings by the second, hits both stores alike.
 */
async function measureBoth(small: Side, large: Side, n: number): Promise<{ small: CallTimes; large: CallTimes }> {
  const samples = [small, large].map(() => ({ query: [] as number[], create: [] as number[], list: [] as number[] }));
  for (let i = 0; i < n; i++) {
    for (const [k, side] of [small, large].entries()) {
      const s = samples[k]!;
      s.query.push(await time(() => side.payer.ok('pay.query', { outTradeNo: side.paid })));
      s.create.push(await time(() => side.payer.ok('pay.create', { channel: 'jsapi', amount: 300 + i, idempotencyKey: idemKey() })));
      s.list.push(await time(() => side.payer.ok('pay.list', {})));
    }
  }
  const medians = (s: (typeof samples)[number]): CallTimes => ({ query: median(s.query), create: median(s.create), list: median(s.list) });
  return { small: medians(samples[0]!), large: medians(samples[1]!) };
}

export const scale: BenchSection<ScaleResults> = {
  name: 'scale',
  description: 'pay.query / pay.create / pay.list at 1,000 vs 1,000,000 orders; reconcile with 10,000 stale orders',
  async run() {
    const others = (i: number) => `o-bench-scale-${Math.floor(i / 100)}`;
    const createdAt = (i: number) => Date.now() - 30 * 86_400_000 + i * 2;
    const sides: Side[] = [];
    try {
      const small = await openSide(others, createdAt);
      sides.push(small);
      const large = await openSide(others, createdAt);
      sides.push(large);
      const count = SCALE.large - SCALE.small;
      const seeded = seedOrders(large.db, large.template, { count, state: 'PAID', payerOf: (i) => others(i + SCALE.small), createdAtOf: createdAt, batch: 50_000 });
      seeded.orders.length = 0; // not needed, and large
      const total = (large.db.prepare('SELECT COUNT(*) AS n FROM orders').get() as { n: number }).n;
      // Fold the seeding's WAL into the database before timing: a reader of a huge WAL looks every
      // page up in the WAL index first, which would be measured as "cost of a big store".
      for (let i = 0; ; i++) {
        const [result] = large.db.pragma('wal_checkpoint(TRUNCATE)') as Array<{ busy: number; log: number; checkpointed: number }>;
        if (result && result.busy === 0 && result.log <= 0) break;
        if (i >= 50) throw new Error(`bench scale: the WAL could not be checkpointed (${JSON.stringify(result)})`);
        await new Promise((r) => setTimeout(r, 100));
      }
      const fileBytes = (large.db.prepare('SELECT page_count * page_size AS b FROM pragma_page_count(), pragma_page_size()').get() as { b: number }).b;
      console.log(`seeded ${count.toLocaleString('en')} orders (+ ${(count * large.template.audit.length).toLocaleString('en')} audit rows) in ${(seeded.ms / 1000).toFixed(1)} s; store ${total.toLocaleString('en')} orders, ${(fileBytes / 2 ** 20).toFixed(0)} MiB`);
      for (const side of sides) await settle(side.payer, side.paid);
      await measureBoth(small, large, 5); // warm-up
      const measured = await measureBoth(small, large, 40);

      // Reconcile on the big store: 10,000 PAYING orders untouched for an hour (unknown to the
      // gateway: each is asked about, found never placed, and closed).
      const hourAgo = Date.now() - 3_600_000;
      seedOrders(large.db, large.template, { count: SCALE.stale, state: 'PAYING', payerOf: others, createdAtOf: () => hourAgo - 600_000, updatedAtOf: () => hourAgo });
      await settle(large.payer, large.paid);
      const before: number[] = [];
      for (let i = 0; i < 20; i++) before.push(await time(() => large.payer.ok('pay.query', { outTradeNo: large.paid })));
      const during: number[] = [];
      let reconciling = true;
      const t0 = process.hrtime.bigint();
      const run = large.stack.host.runTimer('reconcile').finally(() => (reconciling = false));
      while (reconciling) during.push(await time(() => large.payer.ok('pay.query', { outTradeNo: large.paid })));
      const report = (await run) as { ok?: boolean; data?: { checked?: number } } & { checked?: number };
      const runMs = Number(process.hrtime.bigint() - t0) / 1e6;
      const checked = report?.data?.checked ?? report?.checked ?? NaN;
      const results: ScaleResults = {
        small: measured.small,
        large: measured.large,
        seeded: { orders: total, ms: seeded.ms, fileBytes },
        reconcile: { stale: SCALE.stale, runMs, checked, queryP50BeforeMs: median(before), queryP50DuringMs: during.length ? median(during) : NaN },
      };
      print(results);
      return results;
    } finally {
      for (const side of sides) {
        side.db.close();
        await side.stack.close();
      }
    }
  },
  figures(r) {
    const growth = (k: keyof CallTimes) => r.large[k] / r.small[k];
    const runs = Math.ceil(r.reconcile.stale / Math.max(1, r.reconcile.checked));
    return [
      figure('scale.queryGrowth', `pay.query at 1M / at 1k orders (${r.small.query.toFixed(2)} → ${r.large.query.toFixed(2)} ms)`, growth('query'), 'x', { kind: 'max', value: SCALE.maxGrowth }),
      figure('scale.createGrowth', `pay.create at 1M / at 1k orders (${r.small.create.toFixed(2)} → ${r.large.create.toFixed(2)} ms)`, growth('create'), 'x', { kind: 'max', value: SCALE.maxGrowth }),
      figure('scale.listGrowth', `pay.list first page at 1M / at 1k (${r.small.list.toFixed(2)} → ${r.large.list.toFixed(2)} ms)`, growth('list'), 'x', { kind: 'max', value: SCALE.maxGrowth }),
      figure('scale.seedSeconds', `seeding the store to ${r.seeded.orders.toLocaleString('en')} orders`, r.seeded.ms / 1000, 's'),
      figure('scale.reconcileRunMs', `one reconcile run with ${r.reconcile.stale.toLocaleString('en')} stale orders (${r.reconcile.checked} checked)`, r.reconcile.runMs, 'ms', { kind: 'max', value: SCALE.reconcilePeriodMs }),
      figure('scale.reconcilePassMs', `all ${r.reconcile.stale.toLocaleString('en')} stale orders: ${runs} runs (one per timer period)`, r.reconcile.runMs * runs, 'ms'),
      figure('scale.queryDuringReconcileMs', `pay.query median during reconcile (before: ${r.reconcile.queryP50BeforeMs.toFixed(2)} ms)`, r.reconcile.queryP50DuringMs, 'ms'),
    ];
  },
};

function print(r: ScaleResults): void {
  const row = (name: string, k: keyof CallTimes) => [name, `${r.small[k].toFixed(2)} ms`, `${r.large[k].toFixed(2)} ms`, `${(r.large[k] / r.small[k]).toFixed(2)}×`];
  console.log(formatTable(['call (median)', `${SCALE.small.toLocaleString('en')} orders`, `${r.seeded.orders.toLocaleString('en')} orders`, `growth (≤ ${SCALE.maxGrowth}×)`], [row('pay.query', 'query'), row('pay.create', 'create'), row('pay.list first page', 'list')]));
  console.log(`\nreconcile: one run ${r.reconcile.runMs.toFixed(0)} ms with ${r.reconcile.stale} stale PAYING orders (${r.reconcile.checked} checked); pay.query median ${r.reconcile.queryP50BeforeMs.toFixed(2)} ms before, ${r.reconcile.queryP50DuringMs.toFixed(2)} ms during`);
}
