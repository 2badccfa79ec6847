/**
 * A notification storm on the real stack, one row per gateway (notify-targets.ts: v3 JSON, APIv2
 * XML, Huifu form): N notifications (CI: 1,000 for v3, fewer for the others) delivered to the
 * endpoint all at once — 80 % first deliveries of sound payment notices, 10 % exact duplicates of
 * them (the same bytes again), 5 % corrupted (every corruption kind of the row in turn), 5 % out of
 * order (refund notices for refunds this store never started, racing the payment notices of their
 * orders). Exactly one payment applied per order, every duplicate answered as applied with no
 * second change, every corrupted and out-of-order one refused with nothing written, and the
 * store's paid total equal to the total of the payments notified.
 */
import fc from 'fast-check';
import { snapshotStore } from './store-snapshot';
import { startStack, type Stack } from '../helpers/stack';
import { finish, Tally } from './report';
import { FUZZ_SEED, SIZE } from './size';
import { notifyDriver } from './fuzz/notify-driver';
import { NOTIFICATION_TARGETS, type HttpEvent, type NotificationTarget, type NotifyDriver, type PaidOrder } from './fuzz/notify-targets';
import { Rng } from './sim/rng';

jest.setTimeout(600_000);

let stack: Stack;
let driver: NotifyDriver;
beforeAll(async () => {
  stack = await startStack({ huifu: {} });
  driver = await notifyDriver(stack);
});
afterAll(async () => {
  await stack?.close();
});

type Kind = 'first' | 'duplicate' | 'corrupted' | 'outOfOrder';

/** The rows that take payments (PayScore's notices confirm service orders: no money moves). */
const STORMS = NOTIFICATION_TARGETS.filter((t): t is NotificationTarget & Required<Pick<NotificationTarget, 'refundNeverStarted'>> => !!t.refundNeverStarted).map((t) => ({
  target: t,
  total: t.name === 'v3 JSON' ? SIZE.stormNotifications : SIZE.stormNotificationsOtherGateways,
}));

it.each(STORMS.map((s) => [s.target.name, s.total, s] as const))('storm %s: %i notifications at once — duplicates, corruptions, reordering — nothing lost, nothing applied twice', async (name, total, { target }) => {
  const counts = { duplicate: Math.round(total * 0.1), corrupted: Math.round(total * 0.05), outOfOrder: Math.round(total * 0.05) };
  const firsts = total - counts.duplicate - counts.corrupted - counts.outOfOrder;
  const { keys } = driver;
  const rng = new Rng(FUZZ_SEED);

  // The orders, created through the function (the gateway places them), a few at a time.
  const orders: PaidOrder[] = [];
  for (let i = 0; i < firsts; i += 25) {
    orders.push(...(await Promise.all(Array.from({ length: Math.min(25, firsts - i) }, () => target.subject(driver, rng.int(1, 5_000_000))))));
  }

  const now = Date.now();
  const sound = orders.map((o) => target.sound(keys, o, now));
  const mutations = fc.sample(target.mutations, { numRuns: Math.max(counts.corrupted * 3, 30), seed: FUZZ_SEED }).filter((m) => !m.mayWrite);
  const deliveries: Array<{ kind: Kind; event: HttpEvent; describe?: string }> = [
    ...sound.map((event) => ({ kind: 'first' as const, event })),
    ...Array.from({ length: counts.duplicate }, () => ({ kind: 'duplicate' as const, event: sound[rng.int(0, sound.length - 1)] })),
    ...Array.from({ length: counts.corrupted }, (_, i) => ({ kind: 'corrupted' as const, describe: mutations[i % mutations.length].describe, event: mutations[i % mutations.length].make(keys, orders[rng.int(0, orders.length - 1)], now) })),
    ...Array.from({ length: counts.outOfOrder }, (_, i) => ({ kind: 'outOfOrder' as const, event: target.refundNeverStarted(keys, orders[rng.int(0, orders.length - 1)], i, now) })),
  ];
  // Shuffle (seeded): arrival order is anyone's guess.
  for (let i = deliveries.length - 1; i > 0; i--) {
    const j = rng.int(0, i);
    [deliveries[i], deliveries[j]] = [deliveries[j], deliveries[i]];
  }

  const replies = await Promise.all(
    deliveries.map(async (d) => {
      try {
        return (await stack.host.invoke(target.fn, d.event)) as { statusCode: number; body: string };
      } catch (e) {
        return { statusCode: -1, body: String((e as Error).stack) };
      }
    }),
  );

  const tally = new Tally(`storm ${name}`);
  deliveries.forEach((d, i) => {
    const r = replies[i];
    const good = d.kind === 'first' || d.kind === 'duplicate';
    if (!(good ? target.applied(r) : target.refused(r))) tally.unexpected(`${d.kind}${d.describe ? ` (${d.describe})` : ''}: ${r.statusCode} ${r.body.slice(0, 200)}`);
    else if (good) tally.accepted();
    else tally.refused();
  });

  // The store against what was notified: each order paid once, with one PAID audit entry; no refund recorded.
  const snap = snapshotStore(stack.dataDir) as { orders: Array<{ out_trade_no: string; state: string; data: string }>; audit: Array<{ out_trade_no: string; data: string }>; refunds: Array<{ out_trade_no: string }> };
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
  const ours = new Set(orders.map((o) => o.outTradeNo));
  const refunds = snap.refunds.filter((r) => ours.has(r.out_trade_no));
  if (refunds.length) tally.unexpected(`${refunds.length} refunds recorded from notices of refunds never started`);
  process.stdout.write(`storm ${name}: ${deliveries.length} notifications (${firsts} first, ${counts.duplicate} duplicates, ${counts.corrupted} corrupted, ${counts.outOfOrder} out of order), ${notifiedPaid} fen notified, ${storePaid} fen recorded\n`);
  finish(tally);
});
