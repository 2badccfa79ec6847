/**
 * Refunds and money on closed orders over the whole local stack (sandbox gateway + function host,
 * real HTTP, real SQLite), driven by the sandbox's faults and admin actions:
 * - a refund request that gets no answer, after and before the gateway took it;
 * - 403 NOT_ENOUGH; refunds ending ABNORMAL or CLOSED;
 * - a payment that arrives for an order already closed, delivered twice.
 * `reconcile` runs when the test fires its timer; the gateway runs 100× faster.
 */
import { latePaymentRefundNumber } from '../../../cloudfunctions/core/domain/orders/refund-numbers';
import type { ApiResult } from '../../../typings/api';
import { startStack, type Stack } from '../../helpers/stack';
import { auditOf, cashier, idemKey, login, storeSnapshot, waitFor, waitForState, type User } from './harness';

jest.setTimeout(60_000);

const MIN_CLOSE_MS = 1500;
const REFUND_PATH = '/v3/refund/domestic/refunds';
let stack: Stack;
let alice: User;
let admin: User;

beforeAll(async () => {
  stack = await startStack({
    gateway: { minCloseIntervalMs: MIN_CLOSE_MS, timeScale: 100 },
    env: { PAY_MIN_CLOSE_INTERVAL_MS: String(MIN_CLOSE_MS), PAY_RECONCILE_AFTER_MS: '0' },
  });
  [alice, admin] = await Promise.all([login(stack, 'alice'), login(stack, 'admin')]);
});
afterAll(async () => {
  await stack?.close();
});
afterEach(async () => {
  await stack.gateway.admin.clearFaults();
});

interface RefundRow {
  out_refund_no: string;
  out_trade_no: string;
  data: string;
}
const refundRows = (outTradeNo: string) =>
  (storeSnapshot(stack).refunds as RefundRow[]).filter((r) => r.out_trade_no === outTradeNo).map((r) => JSON.parse(r.data) as { outRefundNo: string; state: string; amount: number });
const gatewayRefunds = async (outTradeNo: string) => (await stack.gateway.admin.orders()).refunds.filter((r) => r.outTradeNo === outTradeNo);
const orderOf = async (outTradeNo: string) => (await admin.ok('pay.query', { outTradeNo })).order;
const reconcile = () => stack.host.runTimer('reconcile') as Promise<{ checked: number; refunds: number; resent: number; errors: number }>;
const alertsFor = async (outTradeNo: string) => (await admin.ok('pay.alerts', { pageSize: 100 })).alerts.filter((a) => a.outTradeNo === outTradeNo);

async function paidOrder(amount: number): Promise<string> {
  const created = await alice.ok('pay.create', { channel: 'jsapi', amount, idempotencyKey: idemKey() });
  await cashier(stack, 'pay', created.payment);
  await waitForState(stack, created.order.outTradeNo, 'PAID');
  return created.order.outTradeNo;
}

describe('a refund request that gets no answer', () => {
  it('after the gateway took it: the retried call (same idempotencyKey) resumes that refund; one refund at the gateway; it succeeds', async () => {
    const outTradeNo = await paidOrder(900);
    await stack.gateway.admin.fault({ kind: 'endpoint', method: 'POST', path: REFUND_PATH, effect: 'hang', holdMs: 200, processed: true });
    const idempotencyKey = idemKey();
    expect(await admin.call('pay.refund', { outTradeNo, amount: 400, idempotencyKey })).toMatchObject({ ok: false, code: 'GATEWAY_UNAVAILABLE', retryable: true });
    // The gateway took it: its notification may even have landed by now.
    const [pending] = refundRows(outTradeNo);
    expect(pending).toMatchObject({ amount: 400 });

    const retried = await admin.ok('pay.refund', { outTradeNo, amount: 400, idempotencyKey });
    expect(retried.refund.outRefundNo).toBe(pending.outRefundNo);
    expect((await gatewayRefunds(outTradeNo)).map((r) => r.outRefundNo)).toEqual([pending.outRefundNo]);
    await waitFor('the refund to land', async () => (await orderOf(outTradeNo)).refundedAmount === 400 || undefined);
    expect(refundRows(outTradeNo)).toEqual([expect.objectContaining({ outRefundNo: pending.outRefundNo, state: 'SUCCESS' })]);
  });

  it('before the gateway took it: reconcile finds it unknown (RESOURCE_NOT_EXISTS) and re-sends it under the same number; it succeeds', async () => {
    const outTradeNo = await paidOrder(800);
    await stack.gateway.admin.fault({ kind: 'endpoint', method: 'POST', path: REFUND_PATH, effect: 'hang', holdMs: 200, processed: false });
    expect(await admin.call('pay.refund', { outTradeNo, amount: 800, reason: '缺货', idempotencyKey: idemKey() })).toMatchObject({ ok: false, code: 'GATEWAY_UNAVAILABLE' });
    const [pending] = refundRows(outTradeNo);
    expect(pending.state).toBe('PROCESSING');
    expect(await gatewayRefunds(outTradeNo)).toEqual([]);

    const report = await reconcile();
    expect(report.resent).toBeGreaterThanOrEqual(1);
    expect(await gatewayRefunds(outTradeNo)).toEqual([expect.objectContaining({ outRefundNo: pending.outRefundNo, refund: 800, reason: '缺货' })]);
    await waitForState(stack, outTradeNo, 'REFUNDED');
    expect(refundRows(outTradeNo)).toEqual([expect.objectContaining({ outRefundNo: pending.outRefundNo, state: 'SUCCESS' })]);
  });
});

describe('refunds the gateway refuses or cannot finish', () => {
  it('403 NOT_ENOUGH: REFUND_BALANCE_INSUFFICIENT and an alert; once the balance allows, reconcile re-sends the same refund', async () => {
    const outTradeNo = await paidOrder(700);
    await stack.gateway.admin.fault({ kind: 'endpoint', method: 'POST', path: REFUND_PATH, effect: 'NOT_ENOUGH' });
    const refused = await admin.call('pay.refund', { outTradeNo, amount: 300, idempotencyKey: idemKey() });
    expect(refused).toMatchObject({ ok: false, code: 'REFUND_BALANCE_INSUFFICIENT', retryable: true });
    const [pending] = refundRows(outTradeNo);
    expect(pending.state).toBe('PROCESSING');
    expect(await alertsFor(outTradeNo)).toEqual([expect.objectContaining({ kind: 'REFUND_BALANCE_INSUFFICIENT', outRefundNo: pending.outRefundNo })]);

    await reconcile();
    await waitFor('the refund to land', async () => (await orderOf(outTradeNo)).refundedAmount === 300 || undefined);
    expect((await gatewayRefunds(outTradeNo)).map((r) => r.outRefundNo)).toEqual([pending.outRefundNo]);
  });

  it('ABNORMAL: the order stays REFUNDING with the money reserved and an alert; once re-routed in the merchant platform it succeeds', async () => {
    const outTradeNo = await paidOrder(1000);
    await stack.gateway.admin.fault({ kind: 'refund', effect: 'ABNORMAL' });
    const { refund } = await admin.ok('pay.refund', { outTradeNo, amount: 600, idempotencyKey: idemKey() });
    await waitFor('the refund to turn ABNORMAL', () => refundRows(outTradeNo).find((r) => r.state === 'ABNORMAL'));
    expect(await orderOf(outTradeNo)).toMatchObject({ state: 'REFUNDING', refundedAmount: 0 });
    expect(await admin.call('pay.refund', { outTradeNo, amount: 401, idempotencyKey: idemKey() })).toMatchObject({ ok: false, code: 'REFUND_EXCEEDS_PAID' });
    const [alert] = await alertsFor(outTradeNo);
    expect(alert).toMatchObject({ kind: 'REFUND_ABNORMAL', outRefundNo: refund.outRefundNo, amount: 600 });
    expect((await reconcile()).errors).toBe(0);

    await stack.gateway.admin.refundAction(refund.outRefundNo, 'resolve');
    await waitFor('the re-routed refund to land', async () => (await orderOf(outTradeNo)).refundedAmount === 600 || undefined);
    expect(await orderOf(outTradeNo)).toMatchObject({ state: 'PAID', refundedAmount: 600 });
  });

  it('CLOSED: the refund is closed, an alert is listed, and the amount can be refunded again', async () => {
    const outTradeNo = await paidOrder(500);
    await stack.gateway.admin.fault({ kind: 'refund', effect: 'CLOSED' });
    const { refund } = await admin.ok('pay.refund', { outTradeNo, amount: 500, idempotencyKey: idemKey() });
    await waitFor('the refund to close', () => refundRows(outTradeNo).find((r) => r.state === 'CLOSED'));
    await waitFor('the order to take money back', async () => (await orderOf(outTradeNo)).state === 'PAID' || undefined);
    expect(await alertsFor(outTradeNo)).toEqual([expect.objectContaining({ kind: 'REFUND_CLOSED', outRefundNo: refund.outRefundNo })]);
    await admin.ok('pay.refund', { outTradeNo, amount: 500, idempotencyKey: idemKey() });
    await waitForState(stack, outTradeNo, 'REFUNDED');
  });
});

describe('money on an order we already closed', () => {
  it('is refunded automatically: alert listed, one refund under the same number for duplicate deliveries, every delivery answered 204, REFUNDED', async () => {
    const created = await alice.ok('pay.create', { channel: 'jsapi', amount: 1288, idempotencyKey: idemKey() });
    const outTradeNo = created.order.outTradeNo;
    // Closed at the gateway-permitted time (the minimum close interval), here and at the gateway.
    const closed = await waitFor('the close to be allowed', async () => {
      const result: ApiResult<{ order: { state: string } }> = await alice.call('pay.close', { outTradeNo });
      if (!result.ok && result.code !== 'CLOSE_TOO_EARLY') throw new Error(`close failed: ${result.code} ${result.message}`);
      return result.ok ? result.data : undefined;
    });
    expect(closed.order.state).toBe('CLOSED');

    // The gateway takes the money anyway, and delivers the notification twice at once.
    await stack.gateway.admin.fault({ kind: 'notification', effect: 'duplicate', copies: 2, eventType: 'TRANSACTION.SUCCESS' });
    const late = await stack.gateway.admin.latePayment(outTradeNo);
    await waitForState(stack, outTradeNo, 'REFUNDED');

    const outRefundNo = latePaymentRefundNumber(outTradeNo, late.transaction_id);
    expect(refundRows(outTradeNo)).toEqual([expect.objectContaining({ outRefundNo, amount: 1288, state: 'SUCCESS' })]);
    expect(await gatewayRefunds(outTradeNo)).toEqual([expect.objectContaining({ outRefundNo, refund: 1288, status: 'SUCCESS' })]);
    const delivery = (await stack.gateway.admin.notifications()).find((n) => n.subject === outTradeNo && n.eventType === 'TRANSACTION.SUCCESS');
    expect(delivery).toMatchObject({ status: 'delivered' });
    expect(delivery!.attempts.map((a) => a.statusCode)).toEqual([204, 204]);

    expect(await alertsFor(outTradeNo)).toEqual([
      expect.objectContaining({ kind: 'PAID_AFTER_CLOSE', transactionId: late.transaction_id, outRefundNo, amount: 1288 }),
    ]);
    expect(await alice.call('pay.alerts', {})).toMatchObject({ ok: false, code: 'FORBIDDEN' });
    expect(await alice.ok('pay.query', { outTradeNo })).toMatchObject({ order: { state: 'REFUNDED', refundedAmount: 1288, transactionId: late.transaction_id } });
    expect(auditOf(stack, outTradeNo).map((a) => [a.event, a.to])).toEqual([
      ['ORDER_CREATED', 'CREATED'],
      ['PREPAY_CREATED', 'PAYING'],
      ['CLOSED', 'CLOSED'],
      ['PAID_AFTER_CLOSE', 'PAID'],
      ['REFUND_STARTED', 'REFUNDING'],
      ['REFUND_SUCCEEDED', 'REFUNDED'],
    ]);
  });
});
