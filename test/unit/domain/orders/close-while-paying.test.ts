/**
 * The order service when a close is not confirmed and when the gateway's answer is not the
 * gateway's: over a real SQLite store, with a channel double that answers like the published
 * pages (202 USERPAYING while the payer is in the cashier, 400 ORDER_CLOSED, 404 ORDER_NOT_EXIST)
 * and can be made to answer like a proxy (a 404 with an HTML page).
 */
import type { ChannelNotification, CloseOutcome, CreatedPayment, GatewayPaymentState, GatewayRefundState, PaymentChannel } from '../../../../cloudfunctions/core/channels/port';
// The fake answers like the v3 gateway (WechatPayError); the v3 channels' own translation makes it channel-neutral.
import { withV3Errors } from '../../../../cloudfunctions/core/channels/wechatpay-v3/errors';
import type { Order } from '../../../../cloudfunctions/core/domain/orders/model';
import { closeMarginMs, type OrderService } from '../../../../cloudfunctions/core/domain/orders/service';
import type { Store } from '../../../../cloudfunctions/core/store/port';
import { WechatPayError } from '../../../../cloudfunctions/core/gateways/wechatpay/errors';
import { alice, closeOrderService, openOrderService, serviceConfig, type ServiceUnderTest } from './service-fixtures';


/** The gateway's side of one order: its state and whether the payer is in the cashier. */
interface Remote {
  state: GatewayPaymentState;
  inCashier: boolean;
}

class CashierChannel implements PaymentChannel {
  readonly name = 'jsapi' as const;
  readonly remote = new Map<string, Remote>();
  /** Errors the next calls of each method throw, in order. */
  readonly failNext: Partial<Record<'create' | 'query' | 'close', WechatPayError[]>> = {};
  readonly calls: string[] = [];

  private fail(method: 'create' | 'query' | 'close') {
    this.calls.push(method);
    const error = this.failNext[method]?.shift();
    if (error) throw error;
  }
  async create(order: Order): Promise<CreatedPayment> {
    this.fail('create');
    if (!this.remote.has(order.outTradeNo)) this.remote.set(order.outTradeNo, { state: { kind: 'PENDING' }, inCashier: false });
    return this.resign(order);
  }
  async resign(order: Order): Promise<CreatedPayment> {
    const prepayId = `wx_prepay_${order.outTradeNo}`;
    return { prepayId, payment: { kind: 'miniprogram', timeStamp: '1', nonceStr: 'n', package: `prepay_id=${prepayId}`, signType: 'RSA', paySign: 'x' } };
  }
  async query(order: Order): Promise<GatewayPaymentState> {
    this.fail('query');
    return this.remote.get(order.outTradeNo)?.state ?? { kind: 'NOT_FOUND' };
  }
  async close(order: Order): Promise<CloseOutcome> {
    this.fail('close');
    const r = this.remote.get(order.outTradeNo);
    if (!r) throw new WechatPayError('ORDER_NOT_EXIST', '订单不存在', { status: 404 });
    if (r.state.kind === 'PAID') throw new WechatPayError('ORDERPAID', '订单已支付', { status: 403 });
    if (r.state.kind === 'CLOSED') throw new WechatPayError('ORDER_CLOSED', '订单已关闭', { status: 400 });
    if (r.inCashier) return { kind: 'payerPaying', code: 'USER_PAYING', message: '用户支付中，需要输入密码' };
    r.state = { kind: 'CLOSED', reason: 'closed' };
    return { kind: 'closed' };
  }
  async refund(): Promise<GatewayRefundState> {
    throw new Error('not used');
  }
  async queryRefund(): Promise<GatewayRefundState> {
    throw new Error('not used');
  }
  async parseNotification(): Promise<ChannelNotification> {
    throw new Error('not used');
  }
  pay(outTradeNo: string, amount: number, at: number): void {
    this.remote.set(outTradeNo, { state: { kind: 'PAID', transactionId: `42000${outTradeNo}`, paidAt: at, paidAmount: amount }, inCashier: false });
  }
}

const config = serviceConfig();
const closable = config.minCloseIntervalMs + closeMarginMs(config.minCloseIntervalMs);
/** What a proxy in front of the gateway answers: the v3 client names a non-JSON body HTTP_<status>. */
const proxy404 = () => new WechatPayError('HTTP_404', '<html><body>404 Not Found</body></html>', { status: 404 });

let sut: ServiceUnderTest;
let store: Store;
let channel: CashierChannel;
let clock: number;
let service: OrderService;
let seq = 0;
const key = () => `close_key_${++seq}_${Date.now()}`;

beforeEach(() => {
  channel = new CashierChannel();
  clock = Date.UTC(2026, 10, 25, 12, 0, 0);
  sut = openOrderService('close-paying-', { channels: { jsapi: withV3Errors(channel) }, config, now: () => clock });
  ({ store, service } = sut);
});
afterEach(() => closeOrderService(sut));

async function payingOrder(amount = 100): Promise<string> {
  return (await service.create(alice, { channel: 'jsapi', amount, idempotencyKey: key() })).order.outTradeNo;
}
const stateOf = async (no: string) => (await store.getOrder(no))!.state;
const closedAudits = async (no: string) => (await store.listAudit(no)).filter((a) => a.to === 'CLOSED');

describe('user close while the payer is paying (202 USERPAYING)', () => {
  it('answers PAYER_PAYING (retryable), keeps the order PAYING, and the payment still lands as PAID', async () => {
    const no = await payingOrder(300);
    channel.remote.get(no)!.inCashier = true;
    clock += closable;
    await expect(service.close(alice, no)).rejects.toMatchObject({ code: 'PAYER_PAYING', retryable: true });
    expect(await stateOf(no)).toBe('PAYING');
    expect(await closedAudits(no)).toEqual([]);
    channel.pay(no, 300, clock);
    expect((await service.query(alice, no)).order.state).toBe('PAID');
  });

  it('paid between the cashier and the close: the close answers that it is PAID, recorded', async () => {
    const no = await payingOrder(300);
    channel.remote.get(no)!.inCashier = true;
    clock += closable;
    const real = channel.close.bind(channel);
    // The gateway said 202, and the payment completed right after.
    channel.close = async (order) => {
      const outcome = await real(order);
      channel.pay(no, 300, clock);
      return outcome;
    };
    await expect(service.close(alice, no)).rejects.toMatchObject({ code: 'INVALID_STATE' });
    expect(await stateOf(no)).toBe('PAID');
  });

  it('ORDER_CLOSED on close means already closed at the gateway: CLOSED here', async () => {
    const no = await payingOrder();
    channel.remote.get(no)!.state = { kind: 'CLOSED', reason: 'closed elsewhere' };
    clock += closable;
    expect((await service.close(alice, no)).order.state).toBe('CLOSED');
  });
});

describe('reconcile retries an unconfirmed close after a query', () => {
  it('expired but the payer is in the cashier: stays PAYING; paid next → PAID on the next run', async () => {
    const no = await payingOrder(250);
    channel.remote.get(no)!.inCashier = true;
    clock += config.orderTtlMs + 1000;
    expect(await service.reconcile()).toMatchObject({ checked: 1, closed: 0, errors: 0 });
    expect(await stateOf(no)).toBe('PAYING');
    expect(await closedAudits(no)).toEqual([]);
    channel.pay(no, 250, clock);
    clock += 1000;
    expect(await service.reconcile()).toMatchObject({ paid: 1, closed: 0 });
    expect(await stateOf(no)).toBe('PAID');
    expect(channel.calls.filter((c) => c === 'close')).toHaveLength(1);
  });

  it('expired, the payer left the cashier: the next run queries, then closes', async () => {
    const no = await payingOrder();
    channel.remote.get(no)!.inCashier = true;
    clock += config.orderTtlMs + 1000;
    await service.reconcile();
    expect(await stateOf(no)).toBe('PAYING');
    channel.remote.get(no)!.inCashier = false;
    expect(await service.reconcile()).toMatchObject({ closed: 1 });
    expect(await stateOf(no)).toBe('CLOSED');
    const calls = channel.calls.filter((c) => c !== 'create');
    expect(calls).toEqual(['query', 'close', 'query', 'close']);
  });
});

describe('a 404 that is not the gateway’s changes nothing', () => {
  it('close and query both answered by a proxy: GATEWAY_UNAVAILABLE, the order stays PAYING', async () => {
    const no = await payingOrder();
    clock += closable;
    channel.failNext.close = [proxy404()];
    channel.failNext.query = [proxy404(), proxy404()];
    await expect(service.close(alice, no)).rejects.toMatchObject({ code: 'GATEWAY_UNAVAILABLE', retryable: true });
    expect(await stateOf(no)).toBe('PAYING');
    expect(channel.remote.get(no)!.state.kind).toBe('PENDING');
  });

  it('reconcile: an expired order whose query and close meet a proxy 404 is not closed', async () => {
    const no = await payingOrder();
    clock += config.orderTtlMs + 1000;
    channel.failNext.query = [proxy404()];
    expect(await service.reconcile()).toMatchObject({ closed: 0, errors: 1 });
    // The query gets through (still unpaid), the close meets the proxy.
    channel.failNext.close = [proxy404()];
    expect(await service.reconcile()).toMatchObject({ closed: 0, errors: 1 });
    expect(await stateOf(no)).toBe('PAYING');
  });

  it('a never-placed order whose close meets a proxy 404 is not written off as closed', async () => {
    channel.failNext.create = [new WechatPayError('SYSTEM_ERROR', 'down', { status: 500, retryable: true })];
    await expect(service.create(alice, { channel: 'jsapi', amount: 100, idempotencyKey: key() })).rejects.toMatchObject({ code: 'GATEWAY_UNAVAILABLE' });
    const [unplaced] = await store.listOrdersInState('CREATED', { olderThan: clock + 1, limit: 10 });
    clock += config.orderTtlMs + 1000;
    channel.failNext.close = [proxy404()];
    channel.failNext.query = [proxy404()];
    expect(await service.reconcile()).toMatchObject({ closed: 0 });
    expect(await stateOf(unplaced.outTradeNo)).toBe('CREATED');
    // The gateway's own ORDER_NOT_EXIST does close it.
    expect(await service.reconcile()).toMatchObject({ closed: 1 });
    expect(await stateOf(unplaced.outTradeNo)).toBe('CLOSED');
  });

  it('create answered by a proxy 404 leaves the order CREATED (retryable), never FAILED', async () => {
    channel.failNext.create = [proxy404()];
    const idempotencyKey = key();
    await expect(service.create(alice, { channel: 'jsapi', amount: 100, idempotencyKey })).rejects.toMatchObject({ code: 'GATEWAY_UNAVAILABLE', retryable: true });
    const [order] = (await store.listOrdersByPayer(alice.openid, { limit: 10 })).items;
    expect(order.state).toBe('CREATED');
    expect((await service.create(alice, { channel: 'jsapi', amount: 100, idempotencyKey })).order.state).toBe('PAYING');
  });
});

describe('other published answers', () => {
  it('an unsigned 401 SIGN_ERROR on create: a clear INTERNAL error, the order stays CREATED for a retry', async () => {
    channel.failNext.create = [new WechatPayError('SIGN_ERROR', '错误的签名，验签失败', { status: 401 })];
    await expect(service.create(alice, { channel: 'jsapi', amount: 100, idempotencyKey: key() })).rejects.toMatchObject({ code: 'INTERNAL', retryable: true, message: expect.stringContaining('SIGN_ERROR') });
    const [order] = (await store.listOrdersByPayer(alice.openid, { limit: 10 })).items;
    expect(order.state).toBe('CREATED');
  });

  it('403 OUT_TRADE_NO_USED on a resend: the gateway holds other content under our number — final, FAILED', async () => {
    channel.failNext.create = [new WechatPayError('OUT_TRADE_NO_USED', '商户订单号重复', { status: 403 })];
    await expect(service.create(alice, { channel: 'jsapi', amount: 100, idempotencyKey: key() })).rejects.toMatchObject({ code: 'GATEWAY_REJECTED', message: expect.stringContaining('OUT_TRADE_NO_USED') });
    const [order] = (await store.listOrdersByPayer(alice.openid, { limit: 10 })).items;
    expect(order.state).toBe('FAILED');
  });
});
