/**
 * The merchant console service over a real (in-memory SQLite) store: admins only, China-time
 * days and months, an order's detail, alert acknowledgement.
 */
import { createMerchantConsole, refundableAmount } from '../../../../cloudfunctions/core/domain/merchant-console/service';
import { chinaDateStart, chinaDayStart, chinaMonth } from '../../../../cloudfunctions/core/domain/merchant-console/china-time';
import { newAlertRecord } from '../../../../cloudfunctions/core/domain/orders/alerts';
import { newRefundRecord, type Order } from '../../../../cloudfunctions/core/domain/orders/model';
import { transition, type OrderEvent } from '../../../../cloudfunctions/core/domain/orders/state-machine';
import { openSqliteStore } from '../../../../cloudfunctions/core/store/sqlite/store';
import type { Store } from '../../../../cloudfunctions/core/store/port';
import { isAppError } from '../../../../cloudfunctions/core/kernel/errors';
import { freshOrder } from '../orders/fixtures';

const ADMIN = { openid: 'o-admin', appid: 'wx1' };
const PAYER = { openid: 'o-payer', appid: 'wx1' };
/** 2026-12-01 00:30 China time = 2026-11-30 16:30 UTC. */
const NOW = Date.UTC(2026, 10, 30, 16, 30);

let store: Store;
beforeEach(() => {
  store = openSqliteStore(':memory:');
});
afterEach(() => store.close());

/** The AppError code a call rejects with (anything else fails the test). */
async function errorCodeOf(promise: Promise<unknown>): Promise<string | undefined> {
  try {
    await promise;
  } catch (error) {
    if (isAppError(error)) return error.code;
    throw error;
  }
  return undefined;
}

const consoleAt = (now = NOW) => createMerchantConsole({ store, isAdmin: (openid) => openid === ADMIN.openid, now: () => now });

async function advance(order: Order, events: OrderEvent[], at: number): Promise<Order> {
  let current = order;
  for (const event of events) {
    const result = transition(current, event, at, 'notify');
    if (result.kind !== 'applied') throw new Error(`not applied: ${event.type}`);
    expect(await store.updateOrder(result.next, current.version, result.audit)).toBe(true);
    current = result.next;
  }
  return current;
}

async function paidOrder(createdAt: number, paidAt: number, amount = 100): Promise<Order> {
  const order = freshOrder({ payerOpenid: PAYER.openid, amount }, createdAt);
  await store.insertOrder(order);
  return advance(order, [{ type: 'PREPAY_CREATED', prepayId: 'p' }, { type: 'PAID', transactionId: `42${createdAt}`, paidAt, paidAmount: amount }], paidAt);
}

describe('China time', () => {
  it('counts days and months from 00:00 UTC+8', () => {
    expect(new Date(chinaDayStart(NOW)).toISOString()).toBe('2026-11-30T16:00:00.000Z');
    expect(new Date(chinaDayStart(Date.UTC(2026, 10, 30, 15, 59))).toISOString()).toBe('2026-11-29T16:00:00.000Z');
    const month = chinaMonth(NOW);
    expect([new Date(month.from).toISOString(), new Date(month.before).toISOString()]).toEqual(['2026-11-30T16:00:00.000Z', '2026-12-31T16:00:00.000Z']);
    expect(chinaDateStart('2026-12-01')).toBe(Date.UTC(2026, 10, 30, 16));
    expect(chinaDateStart('2026-02-30')).toBeUndefined();
    expect(chinaDateStart('2026-1-1')).toBeUndefined();
  });
});

describe('merchant console', () => {
  it('answers status to anyone, and FORBIDDEN to a non-admin for every other action, touching nothing', async () => {
    const c = consoleAt();
    expect(await c.status(PAYER)).toEqual({ admin: false });
    expect(await c.status(ADMIN)).toEqual({ admin: true });
    const alert = newAlertRecord({ kind: 'REFUND_CLOSED', outTradeNo: 'O1', message: 'closed' }, NOW);
    await store.insertAlert(alert);
    expect(await errorCodeOf(c.orders(PAYER, {}))).toBe('FORBIDDEN');
    expect(await errorCodeOf(c.order(PAYER, { outTradeNo: 'O1' }))).toBe('FORBIDDEN');
    expect(await errorCodeOf(c.totals(PAYER))).toBe('FORBIDDEN');
    expect(await errorCodeOf(c.acknowledgeAlert(PAYER, { id: alert.id }))).toBe('FORBIDDEN');
    expect((await store.listAlerts({ limit: 10 })).items[0].acknowledgedAt).toBeUndefined();
  });

  it('lists every payer\'s orders by China-time creation days, state and channel, with paging', async () => {
    const lastNov = await paidOrder(Date.UTC(2026, 10, 30, 15, 59), Date.UTC(2026, 10, 30, 15, 59, 30)); // 23:59 on 11-30 China time
    const firstDec = freshOrder({ payerOpenid: 'o-other' }, Date.UTC(2026, 10, 30, 16, 0)); // 00:00 on 12-01
    await store.insertOrder(firstDec);
    const c = consoleAt();
    const ids = async (req: Parameters<typeof c.orders>[1]) => (await c.orders(ADMIN, req)).orders.map((o) => o.outTradeNo);
    expect(await ids({ createdFrom: '2026-12-01', createdTo: '2026-12-01' })).toEqual([firstDec.outTradeNo]);
    expect(await ids({ createdTo: '2026-11-30' })).toEqual([lastNov.outTradeNo]);
    expect(await ids({ state: 'PAID' })).toEqual([lastNov.outTradeNo]);
    expect(await ids({ channel: 'combine' })).toEqual([]);
    const first = await c.orders(ADMIN, { pageSize: 1 });
    expect(first.orders.map((o) => o.outTradeNo)).toEqual([firstDec.outTradeNo]);
    expect((await c.orders(ADMIN, { pageSize: 1, cursor: first.nextCursor })).orders.map((o) => o.outTradeNo)).toEqual([lastNov.outTradeNo]);
    expect(await errorCodeOf(c.orders(ADMIN, { pageSize: 1, cursor: first.nextCursor, state: 'PAID' }))).toBe('INVALID_ARGUMENT');
    expect(await errorCodeOf(c.orders(ADMIN, { createdFrom: '2026-12-02', createdTo: '2026-12-01' }))).toBe('INVALID_ARGUMENT');
    expect(await errorCodeOf(c.orders(ADMIN, { createdFrom: '2026-02-30' }))).toBe('INVALID_ARGUMENT');
  });

  it('totals today and this month in China time: payments by payment time, minus successful refunds', async () => {
    await paidOrder(Date.UTC(2026, 10, 30, 15, 0), Date.UTC(2026, 10, 30, 15, 59), 1000); // 11-30 23:59 China: last month
    const today = await paidOrder(Date.UTC(2026, 10, 30, 16, 5), Date.UTC(2026, 10, 30, 16, 10), 250); // 12-01 00:10
    await paidOrder(Date.UTC(2026, 10, 30, 16, 1), Date.UTC(2026, 10, 30, 16, 2), 50);
    await store.insertRefund({ ...newRefundRecord({ outRefundNo: 'R1', outTradeNo: today.outTradeNo, amount: 20 }, NOW), state: 'SUCCESS', succeededAt: NOW });
    const totals = await consoleAt().totals(ADMIN);
    expect(totals.timeZone).toBe('Asia/Shanghai');
    expect(totals.today).toEqual({ from: '2026-11-30T16:00:00.000Z', before: '2026-12-01T16:00:00.000Z', payments: { count: 2, amount: 300 }, refunds: { count: 1, amount: 20 }, net: 280 });
    expect(totals.month.payments).toEqual({ count: 2, amount: 300 });
    // A day later, today is empty and the month still holds them.
    const tomorrow = await consoleAt(NOW + 24 * 3600_000).totals(ADMIN);
    expect(tomorrow.today.payments).toEqual({ count: 0, amount: 0 });
    expect(tomorrow.month.net).toBe(280);
  });

  it('shows an order with its audit trail, refunds, notifications and what is left to refund', async () => {
    const order = await paidOrder(NOW - 60_000, NOW - 30_000, 100);
    const refunding = await advance(order, [{ type: 'REFUND_STARTED', outRefundNo: 'R9', amount: 30 }], NOW - 20_000);
    await store.insertRefund(newRefundRecord({ outRefundNo: 'R9', outTradeNo: order.outTradeNo, amount: 30, reason: '少发货' }, NOW - 20_000));
    await store.recordNotification('n-1', { eventType: 'payment', receivedAt: NOW - 29_000, outTradeNo: order.outTradeNo });
    expect(refundableAmount(refunding)).toBe(70);
    const detail = await consoleAt().order(ADMIN, { outTradeNo: order.outTradeNo });
    expect(detail.order).toMatchObject({ outTradeNo: order.outTradeNo, state: 'REFUNDING' });
    expect(detail).toMatchObject({ refundable: 70, closable: false });
    expect(detail.audit.map((a) => [a.from, a.to, a.event])).toEqual([
      [null, 'CREATED', 'ORDER_CREATED'],
      ['CREATED', 'PAYING', 'PREPAY_CREATED'],
      ['PAYING', 'PAID', 'PAID'],
      ['PAID', 'REFUNDING', 'REFUND_STARTED'],
    ]);
    expect(detail.refunds).toEqual([{ outRefundNo: 'R9', amount: 30, state: 'PROCESSING', createdAt: new Date(NOW - 20_000).toISOString(), reason: '少发货' }]);
    expect(detail.notifications).toEqual([{ id: 'n-1', eventType: 'payment', receivedAt: new Date(NOW - 29_000).toISOString() }]);
    expect(JSON.stringify(detail)).not.toContain(PAYER.openid);
    expect(await errorCodeOf(consoleAt().order(ADMIN, { outTradeNo: 'NOPE' }))).toBe('NOT_FOUND');
  });

  it('acknowledges an alert once; a repeat answers it as it stands', async () => {
    const alert = newAlertRecord({ kind: 'PAID_AFTER_CLOSE', outTradeNo: 'O7', transactionId: '42007', amount: 5, message: 'refunded' }, NOW - 5000);
    await store.insertAlert(alert);
    const first = await consoleAt(NOW).acknowledgeAlert(ADMIN, { id: alert.id });
    expect(first.alert).toMatchObject({ id: alert.id, acknowledgedAt: new Date(NOW).toISOString() });
    const again = await consoleAt(NOW + 1000).acknowledgeAlert(ADMIN, { id: alert.id });
    expect(again.alert.acknowledgedAt).toBe(new Date(NOW).toISOString());
    expect(await errorCodeOf(consoleAt().acknowledgeAlert(ADMIN, { id: 'A' + 'f'.repeat(31) }))).toBe('NOT_FOUND');
  });
});
