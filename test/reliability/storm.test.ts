/**
 * A notification storm on the real stack: N notifications (CI 1,000) delivered to payNotify all at
 * once — 80 % first deliveries of sound payment notices, 10 % exact duplicates of them (the same
 * bytes again), 5 % corrupted (every corruption kind of notify-targets.ts in turn), 5 % out of
 * order (refund notices for refunds this store never started, racing the payment notices of
 * their orders). Exactly one payment applied per order, every duplicate answered 204 with no
 * second change, every corrupted and out-of-order one refused with nothing written, and the
 * store's paid total equal to the total of the payments notified.
 */
import fc from 'fast-check';
import { testOpenid } from '../../sandbox/gateway/login';
import { snapshotStore } from './store-snapshot';
import { startStack, type Stack } from '../helpers/stack';
import { finish, Tally } from './report';
import { FUZZ_SEED, SIZE } from './size';
import { NOTIFICATION_TARGETS, v3Event, v3Transaction, type HttpEvent, type PaidOrder } from './fuzz/notify-targets';
import { Rng } from './sim/rng';

jest.setTimeout(600_000);

let stack: Stack;
beforeAll(async () => {
  stack = await startStack();
});
afterAll(async () => {
  await stack?.close();
});

type Kind = 'first' | 'duplicate' | 'corrupted' | 'outOfOrder';

it(`storm: ${SIZE.stormNotifications} notifications at once — duplicates, corruptions, reordering — nothing lost, nothing applied twice`, async () => {
  const total = SIZE.stormNotifications;
  const counts = { duplicate: Math.round(total * 0.1), corrupted: Math.round(total * 0.05), outOfOrder: Math.round(total * 0.05) };
  const firsts = total - counts.duplicate - counts.corrupted - counts.outOfOrder;
  const { keys } = stack.gateway;
  const payer = { openid: testOpenid(keys.appid, 'alice'), appid: keys.appid };
  const rng = new Rng(FUZZ_SEED);

  // The orders, created through the function (the gateway places them), a few at a time.
  const orders: PaidOrder[] = [];
  for (let i = 0; i < firsts; i += 25) {
    const batch = await Promise.all(
      Array.from({ length: Math.min(25, firsts - i) }, async (_, j) => {
        const amount = rng.int(1, 5_000_000);
        const r = (await stack.host.invoke('pay', { action: 'create', channel: 'jsapi', amount, idempotencyKey: `storm-${process.pid}-${i + j}` }, payer)) as { ok: boolean; data: { order: { outTradeNo: string } } };
        if (!r.ok) throw new Error(`create: ${JSON.stringify(r)}`);
        return { outTradeNo: r.data.order.outTradeNo, amount, payerOpenid: payer.openid };
      }),
    );
    orders.push(...batch);
  }

  const now = Date.now();
  const sound = orders.map((o) => v3Event(keys, { resource: v3Transaction(keys, o) }, now));
  const mutations = fc.sample(NOTIFICATION_TARGETS[0].mutations, { numRuns: counts.corrupted, seed: FUZZ_SEED }).filter((m) => !m.mayWrite);
  const deliveries: Array<{ kind: Kind; event: HttpEvent; order?: PaidOrder; describe?: string }> = [
    ...sound.map((event, i) => ({ kind: 'first' as const, event, order: orders[i] })),
    ...Array.from({ length: counts.duplicate }, () => {
      const i = rng.int(0, sound.length - 1);
      return { kind: 'duplicate' as const, event: sound[i], order: orders[i] };
    }),
    ...Array.from({ length: counts.corrupted }, (_, i) => ({ kind: 'corrupted' as const, describe: mutations[i % mutations.length].describe, event: mutations[i % mutations.length].make(keys, orders[rng.int(0, orders.length - 1)], now) })),
    ...Array.from({ length: counts.outOfOrder }, (_, i) => {
      const o = orders[rng.int(0, orders.length - 1)];
      const refund = { out_trade_no: o.outTradeNo, out_refund_no: `RSTORM${i}`, refund_id: `5030${i}`, refund_status: 'SUCCESS', success_time: '2026-12-01T10:00:00+08:00', amount: { total: o.amount, refund: 1, payer_total: o.amount, payer_refund: 1 }, mchid: keys.mchid, transaction_id: v3Transaction(keys, o).transaction_id };
      return { kind: 'outOfOrder' as const, event: v3Event(keys, { resource: refund, eventType: 'REFUND.SUCCESS' }, now) };
    }),
  ];
  // Shuffle (seeded): arrival order is anyone's guess.
  for (let i = deliveries.length - 1; i > 0; i--) {
    const j = rng.int(0, i);
    [deliveries[i], deliveries[j]] = [deliveries[j], deliveries[i]];
  }

  const replies = await Promise.all(deliveries.map(async (d) => {
    try {
      return (await stack.host.invoke('payNotify', d.event)) as { statusCode: number; body: string };
    } catch (e) {
      return { statusCode: -1, body: String((e as Error).stack) };
    }
  }));

  const tally = new Tally('storm (notifications)');
  deliveries.forEach((d, i) => {
    const r = replies[i];
    const ok = d.kind === 'first' || d.kind === 'duplicate' ? r.statusCode === 204 : r.statusCode >= 400 && r.statusCode < 500;
    if (!ok) tally.unexpected(`${d.kind}${d.describe ? ` (${d.describe})` : ''}: ${r.statusCode} ${r.body.slice(0, 200)}`);
    else if (d.kind === 'first' || d.kind === 'duplicate') tally.accepted();
    else tally.refused();
  });

  // The store against what was notified: each order paid once, with one PAID audit entry; no refund recorded.
  const snap = snapshotStore(stack.dataDir) as { orders: Array<{ out_trade_no: string; state: string; data: string }>; audit: Array<{ out_trade_no: string; data: string }>; refunds: unknown[] };
  const byNo = new Map(snap.orders.map((o) => [o.out_trade_no, o]));
  const paidEntries = new Map<string, number>();
  for (const a of snap.audit) if ((JSON.parse(a.data) as { to: string }).to === 'PAID') paidEntries.set(a.out_trade_no, (paidEntries.get(a.out_trade_no) ?? 0) + 1);
  let storePaid = 0;
  for (const o of orders) {
    const row = byNo.get(o.outTradeNo);
    if (row?.state !== 'PAID') tally.lost(`${o.outTradeNo} notified paid, store says ${row?.state}`);
    else storePaid += (JSON.parse(row.data) as { amount: number }).amount;
    if ((paidEntries.get(o.outTradeNo) ?? 0) !== 1) tally.unexpected(`${o.outTradeNo} has ${paidEntries.get(o.outTradeNo) ?? 0} PAID audit entries`);
  }
  const notifiedPaid = orders.reduce((s, o) => s + o.amount, 0);
  if (storePaid !== notifiedPaid) tally.lost(`the store holds ${storePaid} fen paid, the notifications ${notifiedPaid}`);
  if (snap.refunds.length) tally.unexpected(`${snap.refunds.length} refunds recorded from notices of refunds never started`);
  process.stdout.write(`storm: ${deliveries.length} notifications (${firsts} first, ${counts.duplicate} duplicates, ${counts.corrupted} corrupted, ${counts.outOfOrder} out of order), ${notifiedPaid} fen notified, ${storePaid} fen recorded\n`);
  finish(tally);
});
