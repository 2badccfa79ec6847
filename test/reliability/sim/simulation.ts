/**
 * One seeded schedule of the deterministic simulation: the real order service (domain, ledger,
 * refund flow, reconcile) over a real SQLite store in memory, the v3 channel error translation,
 * and the gateway model, all on a simulated clock. A seed picks every step — creates (and their
 * retries under the same key), the payer opening the cashier, paying, leaving, paying late after
 * a close, closes (including while the payer pays), refunds, notifications delivered, repeated,
 * dropped, reordered, refunds moving at the gateway, reconcile passes, restarts (a fresh service
 * over the same store), faults (answers lost before or after the gateway acted) — and after
 * every step the money invariants are checked. At the end the gateway stops failing, delivers
 * what it owes and reconcile runs until nothing moves: then everything must have settled.
 * Same seed, same run: a failing seed is printed and replays exactly.
 */
import { createChannelRegistry } from '../../../cloudfunctions/core/channels/registry';
import type { Order } from '../../../cloudfunctions/core/domain/orders/model';
import { createOrderService, type OrderService, type OrderServiceConfig } from '../../../cloudfunctions/core/domain/orders/service';
import { isAppError } from '../../../cloudfunctions/core/kernel/errors';
import type { Caller } from '../../../cloudfunctions/core/kernel/platform/identity';
import type { Store } from '../../../cloudfunctions/core/store/port';
import { openSqliteStore } from '../../../cloudfunctions/core/store/sqlite/store';
import { GatewayModel } from './gateway-model';
import { Rng } from './rng';

const APPID = 'wx5151515151515151';
const MCHID = '1900000109';
const T0 = Date.UTC(2026, 11, 1, 2, 0, 0);
const payers: Caller[] = ['p1', 'p2', 'p3'].map((p) => ({ openid: `o_sim_payer_${p}_000000`, appid: APPID }));
const admin: Caller = { openid: 'o_sim_admin_0000000000', appid: APPID };

const CONFIG: OrderServiceConfig = {
  appid: APPID,
  mchid: MCHID,
  orderTtlMs: 30 * 60_000,
  amount: { minFen: 1, maxFen: 100_000 },
  admins: [admin.openid],
  defaultDescription: 'sim',
  minCloseIntervalMs: 5 * 60_000,
  reconcile: { payingOlderThanMs: 60_000, batchSize: 50 },
};

export interface SimulationResult {
  seed: number;
  steps: number;
  /** Invariant violations and unexpected exceptions, with the step they appeared at. */
  violations: string[];
  /** Money or state lost: what the gateway holds that the store never learned, refunds stuck. */
  losses: string[];
  /** Notifications the service answered with something other than 204 (the gateway retries them). */
  refusedNotifications: string[];
  stats: { orders: number; paid: number; refunds: number; closes: number; notifications: number; faults: number };
  trace: string[];
}

type Op = 'create' | 'retryCreate' | 'open' | 'pay' | 'leave' | 'latePay' | 'close' | 'query' | 'refund' | 'deliver' | 'duplicate' | 'drop' | 'refundMoves' | 'reconcile' | 'restart' | 'tick' | 'faults';

const SCHEDULE: ReadonlyArray<readonly [number, Op]> = [
  [10, 'create'], [3, 'retryCreate'], [6, 'open'], [8, 'pay'], [3, 'leave'], [1, 'latePay'], [6, 'close'], [3, 'query'],
  [6, 'refund'], [12, 'deliver'], [3, 'duplicate'], [2, 'drop'], [5, 'refundMoves'], [4, 'reconcile'], [2, 'restart'], [8, 'tick'], [2, 'faults'],
];

/** Codes a service call may answer with: each is a business refusal or a retryable outage, never a bug. */
const EXPECTED_CODES = new Set(['INVALID_STATE', 'CLOSE_TOO_EARLY', 'PAYER_PAYING', 'GATEWAY_UNAVAILABLE', 'GATEWAY_REJECTED', 'REFUND_EXCEEDS_PAID', 'NOT_FOUND', 'REFUND_BALANCE_INSUFFICIENT']);

export async function runSimulation(seed: number, steps: number): Promise<SimulationResult> {
  const rng = new Rng(seed);
  let clock = T0;
  const now = () => clock;
  const gw = new GatewayModel(rng, now, { appid: APPID, mchid: MCHID });
  const store: Store = openSqliteStore(':memory:');
  const makeService = (): OrderService =>
    createOrderService({ store, channels: createChannelRegistry({ jsapi: gw.channel() }), config: CONFIG, now, newNumber: (prefix) => `${prefix}SIM${seed.toString(36)}N${++numbers}`.slice(0, 32), log: () => undefined });
  let numbers = 0;
  let service = makeService();
  const result: SimulationResult = { seed, steps: 0, violations: [], losses: [], refusedNotifications: [], stats: { orders: 0, paid: 0, refunds: 0, closes: 0, notifications: 0, faults: 0 }, trace: [] };
  const orders: Array<{ no: string; key: string; amount: number; payer: Caller }> = [];
  /** Orders whose payment parameters reached the payer (only those can be paid: the cashier needs the prepay id). */
  const payable = new Set<string>();
  let keys = 0;

  const attempt = async (what: string, call: () => Promise<unknown>): Promise<unknown> => {
    try {
      return await call();
    } catch (error) {
      if (isAppError(error) && EXPECTED_CODES.has(error.code)) return undefined;
      result.violations.push(`step ${result.steps} ${what}: ${isAppError(error) ? `${error.code} ${error.message}` : (error as Error).stack ?? String(error)}`);
      return undefined;
    }
  };
  const deliver = async (index: number, keep: boolean) => {
    const event = gw.outbox[index];
    result.stats.notifications++;
    let outcome: { status: number } | undefined;
    try {
      outcome = await service.applyNotification(event);
    } catch (error) {
      result.violations.push(`step ${result.steps} notification ${event.notificationId}: threw ${(error as Error).stack ?? String(error)}`);
    }
    // The gateway retries anything but a 204; a 204 may still be delivered again (keep).
    if (outcome?.status === 204 && !keep) gw.outbox.splice(index, 1);
    else if (outcome && outcome.status !== 204) result.refusedNotifications.push(`${event.notificationId} ${JSON.stringify(event).slice(0, 200)} → ${JSON.stringify(outcome)}`);
  };

  const step = async (op: Op) => {
    const pick = () => rng.pick(orders);
    switch (op) {
      case 'create': {
        const payer = rng.pick(payers)!;
        const amount = rng.int(1, 100_000);
        const key = `simkey${seed}x${++keys}`;
        const r = (await attempt('create', () => service.create(payer, { channel: 'jsapi', amount, idempotencyKey: key }))) as { order: { outTradeNo: string } } | undefined;
        if (r) {
          payable.add(r.order.outTradeNo);
          orders.push({ no: r.order.outTradeNo, key, amount, payer });
          result.stats.orders++;
        } else {
          const existing = await store.findOrderByIdempotencyKey(payer.openid, key).catch(() => undefined);
          if (existing) orders.push({ no: existing.outTradeNo, key, amount, payer });
        }
        return;
      }
      case 'retryCreate': {
        const o = pick();
        if (!o) return;
        const r = (await attempt('retry create', () => service.create(o.payer, { channel: 'jsapi', amount: o.amount, idempotencyKey: o.key }))) as { order: { outTradeNo: string } } | undefined;
        if (r && (r as { payment?: unknown }).payment) payable.add(r.order.outTradeNo);
        if (r && r.order.outTradeNo !== o.no) result.violations.push(`step ${result.steps}: a retried create (key ${o.key}) made a second order ${r.order.outTradeNo} beside ${o.no}`);
        return;
      }
      case 'open': {
        const o = pick();
        if (o && payable.has(o.no)) gw.payerOpens(o.no);
        return;
      }
      case 'pay': {
        const o = pick();
        if (o && payable.has(o.no) && gw.payerPays(o.no)) result.stats.paid++;
        return;
      }
      case 'leave':
        return void (pick() && gw.payerLeaves(pick()!.no));
      case 'latePay': {
        const o = pick();
        if (o && payable.has(o.no) && gw.orders.get(o.no)?.state === 'CLOSED' && gw.payerPays(o.no, true)) result.stats.paid++;
        return;
      }
      case 'close': {
        const o = pick();
        if (!o) return;
        result.stats.closes++;
        await attempt('close', () => service.close(rng.chance(0.7) ? o.payer : admin, o.no));
        return;
      }
      case 'query': {
        const o = pick();
        if (o) await attempt('query', () => service.query(o.payer, o.no));
        return;
      }
      case 'refund': {
        const o = pick();
        if (!o) return;
        result.stats.refunds++;
        const amount = rng.chance(0.5) ? o.amount : rng.int(1, o.amount);
        // A retry of the same request reuses its key (and amount): the same refund, never a second one.
        await attempt('refund', () => service.refund(admin, { outTradeNo: o.no, amount, idempotencyKey: `simrefund${amount}x${o.no.slice(-8)}` }));
        return;
      }
      case 'deliver':
      case 'duplicate':
        if (gw.outbox.length) await deliver(rng.int(0, gw.outbox.length - 1), op === 'duplicate');
        return;
      case 'drop':
        // A delivery that got lost: the gateway tries again later (it stays in the outbox) — or
        // gives up for good after its retries, which only reconcile can make up for.
        if (gw.outbox.length && rng.chance(0.3)) gw.outbox.splice(rng.int(0, gw.outbox.length - 1), 1);
        return;
      case 'refundMoves': {
        const p = rng.pick(gw.pendingRefunds());
        if (p) gw.progressRefund(p.no, p.refund.outRefundNo, rng.weighted([[8, 'SUCCESS'], [1, 'ABNORMAL'], [1, 'CLOSED']] as const));
        return;
      }
      case 'reconcile':
        await attempt('reconcile', () => service.reconcile());
        return;
      case 'restart':
        // The function process dies and a new one starts: nothing in memory survives, the store does.
        service = makeService();
        return;
      case 'tick':
        clock += rng.weighted([[5, rng.int(1, 30) * 1000], [3, rng.int(1, 10) * 60_000], [1, rng.int(30, 90) * 60_000]] as const);
        return;
      case 'faults':
        gw.faultRate = rng.weighted([[3, 0], [2, 0.1], [1, 0.4]] as const);
        if (gw.faultRate) result.stats.faults++;
        return;
    }
  };

  try {
    for (let i = 0; i < steps; i++) {
      result.steps = i + 1;
      const op = rng.weighted(SCHEDULE);
      result.trace.push(op);
      await step(op);
      await checkInvariants(store, gw, orders, result, false);
    }
    await settle(gw, () => service, (t) => (clock += t), rng, result, deliver, attempt);
    await checkInvariants(store, gw, orders, result, true);
  } finally {
    await store.close();
  }
  return result;
}

/** The gateway recovers and owes nothing more: deliver, move refunds, let orders expire, reconcile until still. */
async function settle(
  gw: GatewayModel,
  service: () => OrderService,
  advance: (ms: number) => void,
  rng: Rng,
  result: SimulationResult,
  deliver: (i: number, keep: boolean) => Promise<void>,
  attempt: (what: string, call: () => Promise<unknown>) => Promise<unknown>,
): Promise<void> {
  gw.faultRate = 0;
  for (const o of gw.orders.values()) gw.payerLeaves(o.outTradeNo);
  // Each pass delivers what is waiting once (the gateway's retries): one it keeps refusing stays.
  const deliverAll = async () => {
    for (let n = gw.outbox.length; n > 0 && gw.outbox.length; n--) await deliver(rng.int(0, gw.outbox.length - 1), false);
  };
  for (let pass = 0; pass < 12; pass++) {
    await deliverAll();
    for (const p of gw.pendingRefunds()) gw.progressRefund(p.no, p.refund.outRefundNo, 'SUCCESS');
    await deliverAll();
    advance(CONFIG.orderTtlMs + CONFIG.minCloseIntervalMs + 60_000);
    await attempt('settle reconcile', () => service().reconcile());
  }
  result.trace.push('settle');
}

const recordedPaid = (o: Order) => (o.transactionId ? o.amount : 0);

async function checkInvariants(store: Store, gw: GatewayModel, known: Array<{ no: string }>, result: SimulationResult, final: boolean): Promise<void> {
  const at = final ? 'at the end' : `after step ${result.steps}`;
  for (const { no } of known) {
    const order = await store.getOrder(no);
    if (!order) continue;
    const taken = gw.taken(no);
    const gwRefunded = gw.refunded(no);
    const paid = recordedPaid(order);
    if (paid > taken) result.violations.push(`${at}: ${no} recorded as paid ${paid} but the gateway took ${taken}`);
    if (order.refundedAmount > paid) result.violations.push(`${at}: ${no} refunded ${order.refundedAmount} of ${paid} paid`);
    if (order.refundedAmount > gwRefunded) result.violations.push(`${at}: ${no} records ${order.refundedAmount} refunded, the gateway refunded ${gwRefunded}`);
    if (gw.refunded(no, ['SUCCESS', 'PROCESSING', 'ABNORMAL']) > taken) result.violations.push(`${at}: ${no} the gateway was asked to refund more than it took (double refund)`);
    const audit = await store.listAudit(no);
    const chainBroken = audit.some((e, i) => (i === 0 ? e.from !== null : e.from !== audit[i - 1].to));
    if (!audit.length || chainBroken || audit[audit.length - 1].to !== order.state) {
      result.violations.push(`${at}: ${no} is ${order.state} but its audit trail reads ${audit.map((e) => `${e.from}→${e.to}`).join(', ')}`);
    }
    if (!final) continue;
    if (paid !== taken) result.losses.push(`${at}: ${no} the gateway took ${taken}, we record ${paid} (${order.state})`);
    if (order.refundedAmount !== gwRefunded) result.losses.push(`${at}: ${no} the gateway refunded ${gwRefunded}, we record ${order.refundedAmount}`);
    if (order.state === 'CLOSED' && taken - gwRefunded !== 0) result.losses.push(`${at}: ${no} is CLOSED but keeps ${taken - gwRefunded} fen`);
    if (order.paidAfterClose && taken - gwRefunded !== 0) result.losses.push(`${at}: ${no} was paid after close and keeps ${taken - gwRefunded} fen`);
    if (order.state === 'CREATED' || order.state === 'PAYING' || order.state === 'REFUNDING') result.losses.push(`${at}: ${no} is stuck in ${order.state}`);
    for (const refund of await store.listRefunds(no)) {
      if (refund.state === 'PROCESSING' || refund.state === 'ABNORMAL') result.losses.push(`${at}: refund ${refund.outRefundNo} of ${no} is stuck ${refund.state}`);
      const g = gw.orders.get(no)?.refunds.get(refund.outRefundNo);
      if (refund.state === 'SUCCESS' && g?.state !== 'SUCCESS') result.violations.push(`${at}: refund ${refund.outRefundNo} SUCCESS here, ${g?.state ?? 'unknown'} at the gateway`);
    }
  }
}
