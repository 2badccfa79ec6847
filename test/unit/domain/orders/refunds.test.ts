/**
 * Refunds that time out, go astray or end ABNORMAL/CLOSED, and money that arrives for a closed
 * order — over a real SQLite store with a scripted gateway that behaves like the published one:
 * one refund per out_refund_no (a repeat returns it), RESOURCE_NOT_EXISTS for a refund it never
 * took, 403 NOT_ENOUGH when the balance is short. The e2e suite (test/e2e/pay/refunds.test.ts)
 * runs the same stories against the sandbox over HTTP.
 */
import type { ChannelNotification, CloseOutcome, CreatedPayment, GatewayPaymentState, GatewayRefundState, PaymentChannel } from '../../../../cloudfunctions/core/channels/port';
// The fake answers like the v3 gateway (WechatPayError); the v3 channels' own translation makes it channel-neutral.
import { withV3Errors } from '../../../../cloudfunctions/core/channels/wechatpay-v3/errors';
import { AppError } from '../../../../cloudfunctions/core/kernel/errors';
import type { Order, Refund } from '../../../../cloudfunctions/core/domain/orders/model';
import { latePaymentRefundNumber, refundNumberForKey } from '../../../../cloudfunctions/core/domain/orders/refund-numbers';
import { LATE_PAYMENT_REFUND_REASON } from '../../../../cloudfunctions/core/domain/orders/refund-flow';
import { closeMarginMs, type OrderService } from '../../../../cloudfunctions/core/domain/orders/service';
import type { Store } from '../../../../cloudfunctions/core/store/port';
import { WechatPayError } from '../../../../cloudfunctions/core/gateways/wechatpay/errors';
import { admin, alice, APPID, closeOrderService, MCHID, openOrderService, serviceConfig, type ServiceUnderTest } from './service-fixtures';


const timeout = () => new WechatPayError('TIMEOUT', 'POST /v3/refund/domestic/refunds got no answer within 5000 ms', { retryable: true });
const unknownRefund = () => new WechatPayError('RESOURCE_NOT_EXISTS', '退款单不存在', { status: 404 });

/** A gateway that keeps one refund per out_refund_no, as the published API does. */
class RefundGateway implements PaymentChannel {
  readonly name = 'jsapi' as const;
  readonly payments = new Map<string, GatewayPaymentState>();
  readonly refunds = new Map<string, GatewayRefundState>();
  /** Every refund request as sent: number, amount and reason (the body's identity). */
  readonly sent: Array<{ outRefundNo: string; amount: number; reason?: string }> = [];
  /** Errors the next refund requests fail with before the gateway takes them. */
  refuseNext: WechatPayError[] = [];
  /** The next refund requests are taken, but their answers are lost (a timeout after). */
  loseAnswers = 0;
  /** The next refund queries fail with these. */
  queryErrors: WechatPayError[] = [];
  /** A channel that cannot refund (as the combine channel): refunds throw this. */
  cannotRefund?: AppError;

  async create(order: Order): Promise<CreatedPayment> {
    this.payments.set(order.outTradeNo, { kind: 'PENDING' });
    const prepayId = `wx_prepay_${order.outTradeNo}`;
    return { prepayId, payment: { kind: 'miniprogram', timeStamp: '1', nonceStr: 'n', package: `prepay_id=${prepayId}`, signType: 'RSA', paySign: 'x' } };
  }
  async resign(order: Order): Promise<CreatedPayment> {
    return this.create(order);
  }
  async query(order: Order): Promise<GatewayPaymentState> {
    return this.payments.get(order.outTradeNo) ?? { kind: 'NOT_FOUND' };
  }
  async close(order: Order): Promise<CloseOutcome> {
    this.payments.set(order.outTradeNo, { kind: 'CLOSED', reason: 'closed' });
    return { kind: 'closed' };
  }
  async refund(_order: Order, refund: Refund): Promise<GatewayRefundState> {
    if (this.cannotRefund) throw this.cannotRefund;
    this.sent.push({ outRefundNo: refund.outRefundNo, amount: refund.amount, ...(refund.reason ? { reason: refund.reason } : {}) });
    const refused = this.refuseNext.shift();
    if (refused) throw refused;
    const state = this.refunds.get(refund.outRefundNo) ?? { outRefundNo: refund.outRefundNo, refundId: `50${this.refunds.size + 1}`, state: 'PROCESSING', amount: refund.amount };
    this.refunds.set(refund.outRefundNo, state);
    if (this.loseAnswers > 0) {
      this.loseAnswers--;
      throw timeout();
    }
    return state;
  }
  async queryRefund(_order: Order, refund: Refund): Promise<GatewayRefundState> {
    const error = this.queryErrors.shift();
    if (error) throw error;
    const state = this.refunds.get(refund.outRefundNo);
    if (!state) throw unknownRefund();
    return state;
  }
  async parseNotification(): Promise<ChannelNotification> {
    throw new Error('not used');
  }
  /** The gateway moves a refund on (completes it, finds it ABNORMAL, closes it). */
  move(outRefundNo: string, state: GatewayRefundState['state']): void {
    const known = this.refunds.get(outRefundNo);
    if (!known) throw new Error(`test: the gateway has no refund ${outRefundNo}`);
    this.refunds.set(outRefundNo, { ...known, state });
  }
}

const config = serviceConfig({ admins: [admin.openid] });

let sut: ServiceUnderTest;
let store: Store;
let gateway: RefundGateway;
let clock: number;
let service: OrderService;
let seq = 0;
const key = () => `refund_key_${++seq}_${Date.now()}`;

beforeEach(() => {
  gateway = new RefundGateway();
  clock = Date.UTC(2026, 10, 25, 12, 0, 0);
  sut = openOrderService('refunds-', { channels: { jsapi: withV3Errors(gateway) }, config, now: () => clock });
  ({ store, service } = sut);
});
afterEach(() => closeOrderService(sut));

function paid(outTradeNo: string, amount: number, transactionId = `4200${outTradeNo}`): GatewayPaymentState {
  return { kind: 'PAID', transactionId, paidAt: clock, paidAmount: amount };
}
function paymentNotification(outTradeNo: string, state: GatewayPaymentState, id: string): ChannelNotification {
  return { kind: 'payment', notificationId: id, outTradeNo, appid: APPID, mchid: MCHID, state };
}
function refundNotification(outTradeNo: string, outRefundNo: string, amount: number, state: GatewayRefundState['state'], id: string): ChannelNotification {
  return { kind: 'refund', notificationId: id, outTradeNo, mchid: MCHID, refund: { outRefundNo, state, amount } };
}

async function paidOrder(amount: number): Promise<string> {
  const { order } = await service.create(alice, { channel: 'jsapi', amount, idempotencyKey: key() });
  await service.applyNotification(paymentNotification(order.outTradeNo, paid(order.outTradeNo, amount), `n_${order.outTradeNo}`));
  return order.outTradeNo;
}

/** Past the reconcile threshold, then one run. */
async function reconcileLater() {
  clock += config.reconcile.payingOlderThanMs + 1;
  return service.reconcile();
}

async function expectCode(promise: Promise<unknown>, code: string) {
  await expect(promise).rejects.toMatchObject({ code });
  await promise.catch((error) => expect(error).toBeInstanceOf(AppError));
}

describe('a refund whose request got no answer', () => {
  it('timed out before the gateway took it: reconcile finds it unknown (RESOURCE_NOT_EXISTS) and re-sends the same number and body', async () => {
    const outTradeNo = await paidOrder(1000);
    const idempotencyKey = key();
    gateway.refuseNext = [timeout()];
    await expectCode(service.refund(admin, { outTradeNo, amount: 300, reason: '少发一件', idempotencyKey }), 'GATEWAY_UNAVAILABLE');
    const outRefundNo = refundNumberForKey(outTradeNo, idempotencyKey);
    expect(await store.getRefund(outRefundNo)).toMatchObject({ state: 'PROCESSING', amount: 300 });
    expect(gateway.refunds.size).toBe(0);

    expect(await reconcileLater()).toMatchObject({ resent: 1, errors: 0 });
    expect(gateway.sent).toEqual([
      { outRefundNo, amount: 300, reason: '少发一件' },
      { outRefundNo, amount: 300, reason: '少发一件' },
    ]);
    gateway.move(outRefundNo, 'SUCCESS');
    expect(await reconcileLater()).toMatchObject({ refunds: 1, resent: 0 });
    expect(await store.getOrder(outTradeNo)).toMatchObject({ state: 'PAID', refundedAmount: 300 });
    expect(await store.getRefund(outRefundNo)).toMatchObject({ state: 'SUCCESS' });
    expect(await store.listRefunds(outTradeNo)).toHaveLength(1);
  });

  it('timed out after the gateway took it: the retried call with the same key resumes that refund, never a second one', async () => {
    const outTradeNo = await paidOrder(1000);
    const idempotencyKey = key();
    gateway.loseAnswers = 1;
    await expectCode(service.refund(admin, { outTradeNo, amount: 400, idempotencyKey }), 'GATEWAY_UNAVAILABLE');
    const retried = await service.refund(admin, { outTradeNo, amount: 400, idempotencyKey });
    expect(retried.refund).toEqual({ outRefundNo: refundNumberForKey(outTradeNo, idempotencyKey), amount: 400, state: 'PROCESSING' });
    expect(gateway.refunds.size).toBe(1);
    expect(gateway.sent).toHaveLength(1); // the retry asked first and found it
    expect(await store.listRefunds(outTradeNo)).toHaveLength(1);
    expect((await store.getOrder(outTradeNo))!.refunds).toEqual([{ outRefundNo: retried.refund.outRefundNo, amount: 400, state: 'PROCESSING' }]);
    await expectCode(service.refund(admin, { outTradeNo, amount: 401, idempotencyKey }), 'INVALID_ARGUMENT');
  });

  it('the retried call of a refund the gateway never took re-sends it under the same number', async () => {
    const outTradeNo = await paidOrder(500);
    const idempotencyKey = key();
    gateway.refuseNext = [timeout()];
    await expectCode(service.refund(admin, { outTradeNo, amount: 500, idempotencyKey }), 'GATEWAY_UNAVAILABLE');
    const retried = await service.refund(admin, { outTradeNo, amount: 500, idempotencyKey });
    expect(retried.refund.state).toBe('PROCESSING');
    expect(gateway.sent.map((s) => s.outRefundNo)).toEqual([retried.refund.outRefundNo, retried.refund.outRefundNo]);
    expect(gateway.refunds.size).toBe(1);
  });

  it('a 404 without the gateway code (a proxy page) is not RESOURCE_NOT_EXISTS: nothing is re-sent or written off', async () => {
    const outTradeNo = await paidOrder(500);
    gateway.loseAnswers = 1;
    await expectCode(service.refund(admin, { outTradeNo, amount: 100, idempotencyKey: key() }), 'GATEWAY_UNAVAILABLE');
    gateway.queryErrors = [new WechatPayError('HTTP_404', '<html>not found</html>', { status: 404 })];
    expect(await reconcileLater()).toMatchObject({ resent: 0, errors: 1 });
    expect(gateway.sent).toHaveLength(1);
    expect((await store.listRefunds(outTradeNo))[0].state).toBe('PROCESSING');
  });
});

describe('refund outcomes', () => {
  it('ABNORMAL: the money stays reserved, an alert says what to do, and reconcile records the re-routed success', async () => {
    const outTradeNo = await paidOrder(1000);
    const { refund } = await service.refund(admin, { outTradeNo, amount: 300, idempotencyKey: key() });
    gateway.move(refund.outRefundNo, 'ABNORMAL');
    await reconcileLater();
    expect(await store.getRefund(refund.outRefundNo)).toMatchObject({ state: 'ABNORMAL' });
    expect(await store.getOrder(outTradeNo)).toMatchObject({ state: 'REFUNDING', refundedAmount: 0 });
    await expectCode(service.refund(admin, { outTradeNo, amount: 701, idempotencyKey: key() }), 'REFUND_EXCEEDS_PAID');
    const { alerts } = await service.alerts(admin, {});
    expect(alerts).toEqual([expect.objectContaining({ kind: 'REFUND_ABNORMAL', outTradeNo, outRefundNo: refund.outRefundNo, amount: 300 })]);
    expect(alerts[0].message).toMatch(/merchant platform/);

    // Still ABNORMAL: the next run changes nothing and raises no second alert.
    await reconcileLater();
    expect((await service.alerts(admin, {})).alerts).toHaveLength(1);
    // A person re-routed it in the merchant platform: the gateway now reports SUCCESS.
    gateway.move(refund.outRefundNo, 'SUCCESS');
    expect(await reconcileLater()).toMatchObject({ refunds: 1 });
    expect(await store.getOrder(outTradeNo)).toMatchObject({ state: 'PAID', refundedAmount: 300 });
  });

  it('CLOSED (by notification): the refund is closed, its amount refundable again, and an alert is listed', async () => {
    const outTradeNo = await paidOrder(1000);
    const { refund } = await service.refund(admin, { outTradeNo, amount: 300, idempotencyKey: key() });
    expect(await service.applyNotification(refundNotification(outTradeNo, refund.outRefundNo, 300, 'CLOSED', 'rc1'))).toMatchObject({ status: 204 });
    expect(await store.getRefund(refund.outRefundNo)).toMatchObject({ state: 'CLOSED' });
    expect(await store.getOrder(outTradeNo)).toMatchObject({ state: 'PAID', refundedAmount: 0 });
    expect((await service.alerts(admin, {})).alerts).toEqual([expect.objectContaining({ kind: 'REFUND_CLOSED', outRefundNo: refund.outRefundNo })]);
    const again = await service.refund(admin, { outTradeNo, amount: 1000, idempotencyKey: key() });
    expect(again.order.state).toBe('REFUNDING');
  });

  it('403 NOT_ENOUGH: REFUND_BALANCE_INSUFFICIENT; the refund keeps its number and reconcile re-sends it once the balance allows', async () => {
    const outTradeNo = await paidOrder(1000);
    const idempotencyKey = key();
    gateway.refuseNext = [new WechatPayError('NOT_ENOUGH', '基本账户余额不足，请充值后重新发起', { status: 403 })];
    await expectCode(service.refund(admin, { outTradeNo, amount: 200, idempotencyKey }), 'REFUND_BALANCE_INSUFFICIENT');
    const outRefundNo = refundNumberForKey(outTradeNo, idempotencyKey);
    expect(await store.getRefund(outRefundNo)).toMatchObject({ state: 'PROCESSING' });
    expect((await service.alerts(admin, {})).alerts).toEqual([expect.objectContaining({ kind: 'REFUND_BALANCE_INSUFFICIENT', outRefundNo })]);
    expect(await reconcileLater()).toMatchObject({ resent: 1 });
    expect(gateway.sent.map((s) => s.outRefundNo)).toEqual([outRefundNo, outRefundNo]);
    expect(gateway.refunds.get(outRefundNo)).toMatchObject({ state: 'PROCESSING', amount: 200 });
  });

  it('a published final refusal (INVALID_REQUEST) closes the refund it never took, with an alert', async () => {
    const outTradeNo = await paidOrder(1000);
    const idempotencyKey = key();
    gateway.refuseNext = [new WechatPayError('INVALID_REQUEST', '订单已全额退款', { status: 400 })];
    await expectCode(service.refund(admin, { outTradeNo, amount: 200, idempotencyKey }), 'GATEWAY_REJECTED');
    const outRefundNo = refundNumberForKey(outTradeNo, idempotencyKey);
    expect(await store.getRefund(outRefundNo)).toMatchObject({ state: 'CLOSED', failure: expect.stringContaining('INVALID_REQUEST') });
    expect(await store.getOrder(outTradeNo)).toMatchObject({ state: 'PAID' });
    expect((await service.alerts(admin, {})).alerts).toEqual([expect.objectContaining({ kind: 'REFUND_REJECTED', outRefundNo })]);
  });

  it('no refund stays PROCESSING: every reconcile run takes each open one a step towards a final state', async () => {
    const orders = await Promise.all([paidOrder(100), paidOrder(200), paidOrder(300)]);
    gateway.refuseNext = [timeout(), timeout(), timeout()];
    for (const outTradeNo of orders) await expectCode(service.refund(admin, { outTradeNo, amount: 50, idempotencyKey: key() }), 'GATEWAY_UNAVAILABLE');
    expect(await reconcileLater()).toMatchObject({ resent: 3 });
    for (const no of gateway.refunds.keys()) gateway.move(no, 'SUCCESS');
    expect(await reconcileLater()).toMatchObject({ refunds: 3, resent: 0 });
    for (const outTradeNo of orders) expect(await store.getOrder(outTradeNo)).toMatchObject({ state: 'PAID', refundedAmount: 50 });
    expect(await reconcileLater()).toMatchObject({ checked: 0 });
  });
});

describe('a verified payment for an order we already closed', () => {
  async function closedOrder(amount: number): Promise<string> {
    const { order } = await service.create(alice, { channel: 'jsapi', amount, idempotencyKey: key() });
    clock += config.minCloseIntervalMs + closeMarginMs(config.minCloseIntervalMs);
    expect((await service.close(alice, order.outTradeNo)).order.state).toBe('CLOSED');
    return order.outTradeNo;
  }

  it('is recorded and refunded automatically under a number derived from the payment; 204; duplicates refund nothing more', async () => {
    const outTradeNo = await closedOrder(880);
    const payment = paid(outTradeNo, 880, '4200000000000001');
    const outcome = await service.applyNotification(paymentNotification(outTradeNo, payment, 'late-1'));
    expect(outcome).toEqual({ status: 204, result: 'applied' });
    const outRefundNo = latePaymentRefundNumber(outTradeNo, '4200000000000001');
    expect(gateway.sent).toEqual([{ outRefundNo, amount: 880, reason: LATE_PAYMENT_REFUND_REASON }]);
    expect(await store.getRefund(outRefundNo)).toMatchObject({ outTradeNo, amount: 880, state: 'PROCESSING' });

    // The same notification again (WeChat retries), and another delivery of the same payment.
    expect(await service.applyNotification(paymentNotification(outTradeNo, payment, 'late-1'))).toMatchObject({ status: 204 });
    expect(await service.applyNotification(paymentNotification(outTradeNo, payment, 'late-2'))).toEqual({ status: 204, result: 'duplicate' });
    expect(gateway.sent).toHaveLength(1);
    expect(await store.listRefunds(outTradeNo)).toHaveLength(1);

    const { alerts } = await service.alerts(admin, {});
    expect(alerts).toEqual([expect.objectContaining({ kind: 'PAID_AFTER_CLOSE', outTradeNo, transactionId: '4200000000000001', outRefundNo, amount: 880 })]);
    await expectCode(service.alerts(alice, {}), 'FORBIDDEN');

    expect(await service.applyNotification(refundNotification(outTradeNo, outRefundNo, 880, 'SUCCESS', 'late-r1'))).toMatchObject({ status: 204 });
    expect(await store.getOrder(outTradeNo)).toMatchObject({ state: 'REFUNDED', refundedAmount: 880, transactionId: '4200000000000001', paidAfterClose: true });
    expect((await store.listAudit(outTradeNo)).map((a) => [a.event, a.from, a.to, a.actor])).toEqual([
      ['ORDER_CREATED', null, 'CREATED', 'user'],
      ['PREPAY_CREATED', 'CREATED', 'PAYING', 'user'],
      ['CLOSED', 'PAYING', 'CLOSED', 'user'],
      ['PAID_AFTER_CLOSE', 'CLOSED', 'PAID', 'notify'],
      ['REFUND_STARTED', 'PAID', 'REFUNDING', 'notify'],
      ['REFUND_SUCCEEDED', 'REFUNDING', 'REFUNDED', 'notify'],
    ]);
  });

  it('answers 204 once the refund is recorded even when sending it gets no answer; reconcile re-sends it', async () => {
    const outTradeNo = await closedOrder(300);
    gateway.refuseNext = [timeout()];
    expect(await service.applyNotification(paymentNotification(outTradeNo, paid(outTradeNo, 300, '4200000000000002'), 'late-3'))).toMatchObject({ status: 204 });
    expect(gateway.refunds.size).toBe(0);
    expect(await reconcileLater()).toMatchObject({ resent: 1 });
    const outRefundNo = latePaymentRefundNumber(outTradeNo, '4200000000000002');
    expect(gateway.refunds.get(outRefundNo)).toMatchObject({ amount: 300 });
    gateway.move(outRefundNo, 'SUCCESS');
    await reconcileLater();
    expect(await store.getOrder(outTradeNo)).toMatchObject({ state: 'REFUNDED', refundedAmount: 300 });
  });

  it('on a channel that cannot refund: the payment is recorded, the refund written off and an admin alerted; 204', async () => {
    const outTradeNo = await closedOrder(300);
    gateway.cannotRefund = new AppError('INVALID_STATE', 'refund this payment in the merchant platform');
    expect(await service.applyNotification(paymentNotification(outTradeNo, paid(outTradeNo, 300), 'late-4'))).toMatchObject({ status: 204 });
    expect(await store.getOrder(outTradeNo)).toMatchObject({ state: 'PAID', paidAfterClose: true });
    const kinds = (await service.alerts(admin, {})).alerts.map((a) => a.kind).sort();
    expect(kinds).toEqual(['PAID_AFTER_CLOSE', 'REFUND_REJECTED']);
  });

  it('a verified payment that still cannot be recorded (another amount) is refused as before, and listed as an alert', async () => {
    const outTradeNo = await closedOrder(300);
    const before = await store.getOrder(outTradeNo);
    const wrong = paid(outTradeNo, 299, '4200000000000003');
    expect(await service.applyNotification(paymentNotification(outTradeNo, wrong, 'late-5'))).toMatchObject({ status: 400, code: 'AMOUNT_MISMATCH' });
    expect(await store.getOrder(outTradeNo)).toEqual(before);
    expect(gateway.sent).toEqual([]);
    expect((await service.alerts(admin, {})).alerts).toEqual([expect.objectContaining({ kind: 'PAYMENT_NOT_APPLIED', transactionId: '4200000000000003' })]);
  });
});

describe('pay.alerts', () => {
  it('pages alerts newest first for admins only', async () => {
    for (let i = 0; i < 5; i++) {
      clock += 1000;
      const outTradeNo = await paidOrder(100);
      gateway.refuseNext = [new WechatPayError('INVALID_REQUEST', 'no', { status: 400 })];
      await expectCode(service.refund(admin, { outTradeNo, amount: 10, idempotencyKey: key() }), 'GATEWAY_REJECTED');
    }
    const first = await service.alerts(admin, { pageSize: 2 });
    const rest = await service.alerts(admin, { pageSize: 10, cursor: first.nextCursor });
    const all = [...first.alerts, ...rest.alerts];
    expect(all).toHaveLength(5);
    expect(all.map((a) => a.createdAt)).toEqual([...all.map((a) => a.createdAt)].sort().reverse());
    expect(rest.nextCursor).toBeUndefined();
    await expectCode(service.alerts(admin, { cursor: 'bogus' }), 'INVALID_ARGUMENT');
    await expectCode(service.alerts(alice, { pageSize: 2 }), 'FORBIDDEN');
  });
});
