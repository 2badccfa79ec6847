/**
 * Order service over a real SQLite store, with a scripted channel standing in for the gateway
 * (the e2e suite runs the same paths against the sandbox over HTTP). The clock is injected so
 * expiry and the minimum close interval are tested without waiting.
 */
import type { ChannelNotification, CloseOutcome, CreatedPayment, GatewayPaymentState, GatewayRefundState, PaymentChannel } from '../../../../cloudfunctions/core/channels/port';
import { createChannelRegistry } from '../../../../cloudfunctions/core/channels/registry';
// The fake answers like the v3 gateway (WechatPayError); the v3 channels' own translation makes it channel-neutral.
import { withV3Errors } from '../../../../cloudfunctions/core/channels/wechatpay-v3/errors';
import { AppError } from '../../../../cloudfunctions/core/kernel/errors';
import type { Order, Refund } from '../../../../cloudfunctions/core/domain/orders/model';
import { closeMarginMs, createOrderService, type OrderService } from '../../../../cloudfunctions/core/domain/orders/service';
import type { Caller } from '../../../../cloudfunctions/core/kernel/platform/identity';
import type { Store } from '../../../../cloudfunctions/core/store/port';
import { WechatPayError } from '../../../../cloudfunctions/core/gateways/wechatpay/errors';
import type { ClientPaymentParams, MiniProgramPaymentParams } from '../../../../typings/api';
import { admin, alice, APPID, bob, closeOrderService, MCHID, openOrderService, serviceConfig, type ServiceUnderTest } from './service-fixtures';

/** The mini-program cashier's parameters of an answer (jsapi orders carry no other kind). */
function cashierOf(payment: ClientPaymentParams | undefined): MiniProgramPaymentParams {
  if (payment?.kind !== 'miniprogram') throw new Error(`expected mini-program payment parameters, got ${JSON.stringify(payment)}`);
  return payment;
}


/** What the scripted gateway knows about one order. */
interface GatewayOrder {
  state: GatewayPaymentState;
  prepayId: string;
  creates: number;
}

class ScriptedChannel implements PaymentChannel {
  readonly name = 'jsapi' as const;
  readonly orders = new Map<string, GatewayOrder>();
  readonly refunds = new Map<string, GatewayRefundState>();
  /** Errors thrown by the next calls of each method, in order. */
  readonly failNext: Partial<Record<'create' | 'query' | 'close' | 'refund', WechatPayError[]>> = {};
  refundAnswer: GatewayRefundState['state'] = 'PROCESSING';
  /** Some channels (combine) report gateway refusals as AppErrors, without the gateway's code. */
  appErrors = false;
  calls: string[] = [];

  private fail(method: 'create' | 'query' | 'close' | 'refund') {
    this.calls.push(method);
    const error = this.failNext[method]?.shift();
    if (error) throw error;
  }
  async create(order: Order): Promise<CreatedPayment> {
    this.fail('create');
    const known = this.orders.get(order.outTradeNo) ?? { state: { kind: 'PENDING' }, prepayId: `wx_prepay_${order.outTradeNo}`, creates: 0 };
    known.creates++;
    this.orders.set(order.outTradeNo, known);
    return this.sign(known.prepayId);
  }
  async resign(order: Order): Promise<CreatedPayment> {
    return this.sign(order.prepayId!);
  }
  private sign(prepayId: string): CreatedPayment {
    return { prepayId, payment: { kind: 'miniprogram', timeStamp: String(Math.floor(Date.now() / 1000)), nonceStr: Math.random().toString(36).slice(2), package: `prepay_id=${prepayId}`, signType: 'RSA', paySign: 'x' } };
  }
  async query(order: Order): Promise<GatewayPaymentState> {
    this.fail('query');
    return this.orders.get(order.outTradeNo)?.state ?? { kind: 'NOT_FOUND' };
  }
  async close(order: Order): Promise<CloseOutcome> {
    this.fail('close');
    const known = this.orders.get(order.outTradeNo);
    if (known?.state.kind === 'PAID') {
      if (this.appErrors) throw new AppError('GATEWAY_REJECTED', 'combine close: ORDERPAID');
      throw new WechatPayError('ORDERPAID', 'paid', { status: 400 });
    }
    if (!known && this.appErrors) throw new AppError('GATEWAY_REJECTED', 'combine close: ORDER_NOT_EXIST');
    if (!known) throw new WechatPayError('ORDER_NOT_EXIST', 'no such order', { status: 404 });
    if (known) known.state = { kind: 'CLOSED', reason: 'closed' };
    return { kind: 'closed' };
  }
  async refund(_order: Order, refund: Refund): Promise<GatewayRefundState> {
    this.fail('refund');
    const state: GatewayRefundState = { outRefundNo: refund.outRefundNo, refundId: `rf_${refund.outRefundNo}`, state: this.refundAnswer, amount: refund.amount };
    this.refunds.set(refund.outRefundNo, state);
    return state;
  }
  async queryRefund(_order: Order, refund: Refund): Promise<GatewayRefundState> {
    return this.refunds.get(refund.outRefundNo)!;
  }
  async parseNotification(): Promise<ChannelNotification> {
    throw new Error('not used: the service receives parsed notifications');
  }
  /** The user pays in the cashier. */
  pay(outTradeNo: string, amount: number, at: number): GatewayPaymentState {
    const state: GatewayPaymentState = { kind: 'PAID', transactionId: `42000${outTradeNo}`, paidAt: at, paidAmount: amount };
    this.orders.get(outTradeNo)!.state = state;
    return state;
  }
}

const config = serviceConfig({ admins: [admin.openid] });

let sut: ServiceUnderTest;
let store: Store;
let channel: ScriptedChannel;
let clock: number;
let service: OrderService;
let seq = 0;
const key = () => `idem_key_${++seq}_${Date.now()}`;

beforeEach(() => {
  channel = new ScriptedChannel();
  clock = Date.UTC(2026, 10, 25, 12, 0, 0);
  sut = openOrderService('order-service-', { channels: { jsapi: withV3Errors(channel) }, config, now: () => clock });
  ({ store, service } = sut);
});
afterEach(() => closeOrderService(sut));

function paidNotification(outTradeNo: string, state: GatewayPaymentState, id = `n_${outTradeNo}`, overrides: Partial<ChannelNotification> = {}): ChannelNotification {
  return { kind: 'payment', notificationId: id, outTradeNo, appid: APPID, mchid: MCHID, state, ...overrides } as ChannelNotification;
}

async function expectCode(promise: Promise<unknown>, code: string) {
  await expect(promise).rejects.toMatchObject({ code });
  await promise.catch((error) => expect(error).toBeInstanceOf(AppError));
}

describe('create', () => {
  it('places a PAYING order with server-side number, TTL and pay params, and audits it', async () => {
    const res = await service.create(alice, { channel: 'jsapi', amount: 1234, idempotencyKey: key() });
    expect(res.order).toMatchObject({ amount: 1234, state: 'PAYING', description: '测试商品', refundedAmount: 0 });
    expect(res.order.expiresAt).toBe(new Date(clock + config.orderTtlMs).toISOString());
    expect(cashierOf(res.payment).package).toMatch(/^prepay_id=wx_prepay_/);
    const stored = await store.getOrder(res.order.outTradeNo);
    expect(stored).toMatchObject({ payerOpenid: alice.openid, appid: APPID, mchid: MCHID, state: 'PAYING', version: 2 });
    expect((await store.listAudit(res.order.outTradeNo)).map((a) => a.to)).toEqual(['CREATED', 'PAYING']);
    expect(JSON.stringify(res)).not.toContain(alice.openid);
  });

  it("keeps the payer's platform-reported IP on the order for the gateway, never in the view", async () => {
    const res = await service.create({ ...alice, clientIp: '203.0.113.7' }, { channel: 'jsapi', amount: 100, idempotencyKey: key() });
    expect(await store.getOrder(res.order.outTradeNo)).toMatchObject({ payerClientIp: '203.0.113.7' });
    expect(JSON.stringify(res)).not.toContain('203.0.113.7');
  });

  it.each([0, 100_001])('refuses %i fen outside the merchant bounds and writes nothing', async (amount) => {
    await expectCode(service.create(alice, { channel: 'jsapi', amount, idempotencyKey: key() }), 'AMOUNT_OUT_OF_RANGE');
    expect((await store.listOrdersByPayer(alice.openid, { limit: 10 })).items).toHaveLength(0);
    expect(channel.calls).toEqual([]);
  });

  it('a retried create with the same key returns the same order with fresh pay params', async () => {
    const idempotencyKey = key();
    const first = await service.create(alice, { channel: 'jsapi', amount: 500, idempotencyKey });
    const again = await service.create(alice, { channel: 'jsapi', amount: 500, idempotencyKey });
    expect(again.order.outTradeNo).toBe(first.order.outTradeNo);
    expect(cashierOf(again.payment).package).toBe(cashierOf(first.payment).package);
    expect(cashierOf(again.payment).nonceStr).not.toBe(cashierOf(first.payment).nonceStr);
    expect(channel.orders.get(first.order.outTradeNo)!.creates).toBe(1);
    // Same key, other amount: refused, not silently merged.
    await expectCode(service.create(alice, { channel: 'jsapi', amount: 501, idempotencyKey }), 'INVALID_ARGUMENT');
    // The key is per payer: bob's identical key is his own order.
    const bobs = await service.create(bob, { channel: 'jsapi', amount: 500, idempotencyKey });
    expect(bobs.order.outTradeNo).not.toBe(first.order.outTradeNo);
  });

  it('concurrent creates with one key make one order', async () => {
    const idempotencyKey = key();
    const results = await Promise.all(Array.from({ length: 8 }, () => service.create(alice, { channel: 'jsapi', amount: 700, idempotencyKey })));
    expect(new Set(results.map((r) => r.order.outTradeNo)).size).toBe(1);
    expect((await store.listOrdersByPayer(alice.openid, { limit: 10 })).items).toHaveLength(1);
  });

  it('a final gateway refusal fails the order with GATEWAY_REJECTED and is not retried', async () => {
    channel.failNext.create = [new WechatPayError('PARAM_ERROR', 'bad description', { status: 400 })];
    const idempotencyKey = key();
    await expectCode(service.create(alice, { channel: 'jsapi', amount: 300, idempotencyKey }), 'GATEWAY_REJECTED');
    const [order] = (await store.listOrdersByPayer(alice.openid, { limit: 10 })).items;
    expect(order.state).toBe('FAILED');
    const again = await service.create(alice, { channel: 'jsapi', amount: 300, idempotencyKey });
    expect(again).toEqual({ order: expect.objectContaining({ state: 'FAILED', outTradeNo: order.outTradeNo }) });
    expect(channel.calls.filter((c) => c === 'create')).toHaveLength(1);
  });

  it('an unavailable gateway leaves the order CREATED; the retry places the same number', async () => {
    channel.failNext.create = [new WechatPayError('SYSTEM_ERROR', 'down', { status: 500, retryable: true })];
    const idempotencyKey = key();
    const failed = service.create(alice, { channel: 'jsapi', amount: 300, idempotencyKey });
    await expect(failed).rejects.toMatchObject({ code: 'GATEWAY_UNAVAILABLE', retryable: true });
    const [pending] = (await store.listOrdersByPayer(alice.openid, { limit: 10 })).items;
    expect(pending.state).toBe('CREATED');
    const retried = await service.create(alice, { channel: 'jsapi', amount: 300, idempotencyKey });
    expect(retried.order).toMatchObject({ outTradeNo: pending.outTradeNo, state: 'PAYING' });
  });
});

describe('notifications', () => {
  it('50 concurrent duplicates apply exactly once, all answered 204', async () => {
    const { order } = await service.create(alice, { channel: 'jsapi', amount: 880, idempotencyKey: key() });
    const state = channel.pay(order.outTradeNo, 880, clock);
    const outcomes = await Promise.all(Array.from({ length: 50 }, () => service.applyNotification(paidNotification(order.outTradeNo, state))));
    expect(outcomes.every((o) => o.status === 204)).toBe(true);
    expect(outcomes.filter((o) => o.status === 204 && o.result === 'applied')).toHaveLength(1);
    const audit = await store.listAudit(order.outTradeNo);
    expect(audit.filter((a) => a.to === 'PAID')).toHaveLength(1);
    expect(audit.find((a) => a.to === 'PAID')?.actor).toBe('notify');
  });

  it('rejects amount, mchid and appid mismatches and changes nothing', async () => {
    const { order } = await service.create(alice, { channel: 'jsapi', amount: 880, idempotencyKey: key() });
    const before = await store.getOrder(order.outTradeNo);
    const paid = channel.pay(order.outTradeNo, 880, clock);
    const wrongAmount = { ...paid, paidAmount: 1 } as GatewayPaymentState;
    expect(await service.applyNotification(paidNotification(order.outTradeNo, wrongAmount))).toMatchObject({ status: 400, code: 'AMOUNT_MISMATCH' });
    expect(await service.applyNotification(paidNotification(order.outTradeNo, paid, 'n2', { mchid: '1900000999' }))).toMatchObject({ status: 400, code: 'MCHID_MISMATCH' });
    expect(await service.applyNotification(paidNotification(order.outTradeNo, paid, 'n3', { appid: 'wxffffffffffffffff' }))).toMatchObject({ status: 400, code: 'APPID_MISMATCH' });
    expect(await service.applyNotification(paidNotification('NOPE123', paid, 'n4'))).toMatchObject({ status: 404 });
    expect(await store.getOrder(order.outTradeNo)).toEqual(before);
  });
});

describe('query', () => {
  it('asks the gateway while PAYING and applies the same transition a notification would', async () => {
    const { order } = await service.create(alice, { channel: 'jsapi', amount: 100, idempotencyKey: key() });
    expect((await service.query(alice, order.outTradeNo)).order.state).toBe('PAYING');
    channel.pay(order.outTradeNo, 100, clock);
    const after = await service.query(alice, order.outTradeNo);
    expect(after.order).toMatchObject({ state: 'PAID', transactionId: `42000${order.outTradeNo}` });
    expect((await store.listAudit(order.outTradeNo)).at(-1)).toMatchObject({ to: 'PAID', actor: 'query' });
  });

  it('only the payer or an admin may query', async () => {
    const { order } = await service.create(alice, { channel: 'jsapi', amount: 100, idempotencyKey: key() });
    await expectCode(service.query(bob, order.outTradeNo), 'FORBIDDEN');
    await expect(service.query(admin, order.outTradeNo)).resolves.toBeDefined();
    await expectCode(service.query(alice, 'NOSUCHORDER1'), 'NOT_FOUND');
  });

  it('answers from the store when the gateway is down', async () => {
    const { order } = await service.create(alice, { channel: 'jsapi', amount: 100, idempotencyKey: key() });
    channel.failNext.query = [new WechatPayError('SYSTEM_ERROR', 'down', { status: 500, retryable: true })];
    expect((await service.query(alice, order.outTradeNo)).order.state).toBe('PAYING');
  });
});

describe('close', () => {
  it('respects the minimum close interval, then closes at the gateway and locally', async () => {
    const { order } = await service.create(alice, { channel: 'jsapi', amount: 100, idempotencyKey: key() });
    clock += config.minCloseIntervalMs;
    await expectCode(service.close(alice, order.outTradeNo), 'CLOSE_TOO_EARLY');
    expect(channel.calls).not.toContain('close');
    clock += closeMarginMs(config.minCloseIntervalMs);
    expect(closeMarginMs(config.minCloseIntervalMs)).toBe(2000);
    expect((await service.close(alice, order.outTradeNo)).order.state).toBe('CLOSED');
    expect(channel.orders.get(order.outTradeNo)!.state.kind).toBe('CLOSED');
    await expectCode(service.close(bob, order.outTradeNo), 'FORBIDDEN');
  });

  it('counts the interval from when the gateway took the order, not from our insert (a create placed late)', async () => {
    const idempotencyKey = key();
    channel.failNext.create = [new WechatPayError('SYSTEM_ERROR', 'down', { status: 500, retryable: true })];
    await expect(service.create(alice, { channel: 'jsapi', amount: 100, idempotencyKey })).rejects.toMatchObject({ code: 'GATEWAY_UNAVAILABLE' });
    const createdAt = clock;
    clock += 60_000; // the page retries a minute later: the gateway creates the order now
    const { order } = await service.create(alice, { channel: 'jsapi', amount: 100, idempotencyKey });
    expect((await store.getOrder(order.outTradeNo))!.placedAt).toBe(clock);
    clock = createdAt + config.minCloseIntervalMs + closeMarginMs(config.minCloseIntervalMs);
    await expectCode(service.close(alice, order.outTradeNo), 'CLOSE_TOO_EARLY');
    expect(channel.calls).not.toContain('close');
    clock += 60_000;
    expect((await service.close(alice, order.outTradeNo)).order.state).toBe('CLOSED');
  });

  it('a paid order cannot be closed, even one we had not heard about yet', async () => {
    const { order } = await service.create(alice, { channel: 'jsapi', amount: 100, idempotencyKey: key() });
    channel.pay(order.outTradeNo, 100, clock);
    clock += config.minCloseIntervalMs + closeMarginMs(config.minCloseIntervalMs);
    await expectCode(service.close(alice, order.outTradeNo), 'INVALID_STATE');
    expect((await store.getOrder(order.outTradeNo))!.state).toBe('PAID');
    await expectCode(service.close(alice, order.outTradeNo), 'INVALID_STATE');
  });

  it('a channel that reports refusals without gateway codes: the service asks the gateway before answering', async () => {
    channel.appErrors = true;
    const { order } = await service.create(alice, { channel: 'jsapi', amount: 100, idempotencyKey: key() });
    channel.pay(order.outTradeNo, 100, clock);
    clock += config.minCloseIntervalMs + closeMarginMs(config.minCloseIntervalMs);
    await expectCode(service.close(alice, order.outTradeNo), 'INVALID_STATE');
    expect(await store.listAudit(order.outTradeNo)).toEqual(expect.arrayContaining([expect.objectContaining({ to: 'PAID', actor: 'query' })]));
    // An order the gateway never saw (create failed for good) still closes.
    channel.failNext.create = [new WechatPayError('SYSTEM_ERROR', 'down', { status: 500, retryable: true })];
    await expect(service.create(alice, { channel: 'jsapi', amount: 100, idempotencyKey: key() })).rejects.toMatchObject({ code: 'GATEWAY_UNAVAILABLE' });
    const unplaced = (await store.listOrdersInState('CREATED', { olderThan: clock + 1, limit: 10 }))[0];
    clock += config.minCloseIntervalMs + closeMarginMs(config.minCloseIntervalMs);
    expect((await service.close(alice, unplaced.outTradeNo)).order.state).toBe('CLOSED');
  });
});

describe('list', () => {
  it("lists only the caller's orders, newest first, with a cursor", async () => {
    const mine: string[] = [];
    for (let i = 0; i < 5; i++) {
      clock += 1000;
      mine.push((await service.create(alice, { channel: 'jsapi', amount: 100 + i, idempotencyKey: key() })).order.outTradeNo);
    }
    await service.create(bob, { channel: 'jsapi', amount: 999, idempotencyKey: key() });
    const first = await service.list(alice, { pageSize: 3 });
    const second = await service.list(alice, { pageSize: 3, cursor: first.nextCursor });
    expect([...first.orders, ...second.orders].map((o) => o.outTradeNo)).toEqual([...mine].reverse());
    expect(second.nextCursor).toBeUndefined();
    await expectCode(service.list(alice, { cursor: 'bogus' }), 'INVALID_ARGUMENT');
  });
});

describe('refund', () => {
  async function paidOrder(amount: number) {
    const { order } = await service.create(alice, { channel: 'jsapi', amount, idempotencyKey: key() });
    await service.applyNotification(paidNotification(order.outTradeNo, channel.pay(order.outTradeNo, amount, clock)));
    return order.outTradeNo;
  }

  it('admin refunds partially then the rest; results by notification; REFUNDED', async () => {
    const outTradeNo = await paidOrder(1000);
    const part = await service.refund(admin, { outTradeNo, amount: 300, idempotencyKey: key() });
    expect(part.order).toMatchObject({ state: 'REFUNDING', refundedAmount: 0 });
    await expectCode(service.refund(admin, { outTradeNo, amount: 701, idempotencyKey: key() }), 'REFUND_EXCEEDS_PAID');
    const ok = (no: string, amount: number) => ({ kind: 'refund', notificationId: `rn_${no}`, outTradeNo, mchid: MCHID, refund: { outRefundNo: no, state: 'SUCCESS', amount } }) as ChannelNotification;
    expect(await service.applyNotification(ok(part.refund.outRefundNo, 300))).toMatchObject({ status: 204, result: 'applied' });
    expect(await service.applyNotification(ok(part.refund.outRefundNo, 300))).toMatchObject({ status: 204, result: 'duplicate' });
    channel.refundAnswer = 'SUCCESS';
    const rest = await service.refund(admin, { outTradeNo, amount: 700, idempotencyKey: key() });
    expect(rest.order).toMatchObject({ state: 'REFUNDED', refundedAmount: 1000 });
    expect((await store.getRefund(rest.refund.outRefundNo))!.state).toBe('SUCCESS');
  });

  it('non-admins get FORBIDDEN and nothing is written', async () => {
    const outTradeNo = await paidOrder(500);
    await expectCode(service.refund(alice, { outTradeNo, amount: 100, idempotencyKey: key() }), 'FORBIDDEN');
    expect(await store.listRefunds(outTradeNo)).toEqual([]);
  });

  it('an unpaid order cannot be refunded', async () => {
    const { order } = await service.create(alice, { channel: 'jsapi', amount: 500, idempotencyKey: key() });
    await expectCode(service.refund(admin, { outTradeNo: order.outTradeNo, amount: 100, idempotencyKey: key() }), 'INVALID_STATE');
  });
});

describe('reconcile', () => {
  it('marks paid what the gateway says is paid, closes expired orders, counts what it did', async () => {
    const paid = (await service.create(alice, { channel: 'jsapi', amount: 100, idempotencyKey: key() })).order.outTradeNo;
    const expired = (await service.create(alice, { channel: 'jsapi', amount: 200, idempotencyKey: key() })).order.outTradeNo;
    const pending = (await service.create(alice, { channel: 'jsapi', amount: 300, idempotencyKey: key() })).order.outTradeNo;
    channel.pay(paid, 100, clock);
    // Too fresh to be checked: nothing happens.
    expect(await service.reconcile()).toMatchObject({ checked: 0 });
    clock += config.orderTtlMs + 1000;
    // `pending` was recreated later, so it is not expired yet.
    const fresh = await store.getOrder(pending);
    await store.updateOrder({ ...fresh!, version: fresh!.version + 1, expiresAt: clock + 60_000 }, fresh!.version, {
      at: clock, outTradeNo: pending, from: 'PAYING', to: 'PAYING', event: 'TEST_EXTEND', actor: 'admin', detail: {},
    });
    clock += 60_000 - 1;
    const report = await service.reconcile();
    expect(report).toMatchObject({ checked: 3, paid: 1, closed: 1, failed: 0, errors: 0 });
    expect((await store.getOrder(paid))!.state).toBe('PAID');
    expect((await store.getOrder(expired))!.state).toBe('CLOSED');
    expect((await store.getOrder(pending))!.state).toBe('PAYING');
  });
});

describe('reconcile: one run is a pass over every stale order', () => {
  /** A service whose reconcile pages 2 orders at a time, 3 at once; the channel's queries take a moment, counted in flight. */
  function pagedService(settings: { concurrency?: number; maxRunMs?: number }) {
    let inFlight = 0;
    const peak = { value: 0 };
    const queried: string[] = [];
    const slow: PaymentChannel = Object.assign(Object.create(channel) as ScriptedChannel, {
      async query(order: Order) {
        queried.push(order.outTradeNo);
        peak.value = Math.max(peak.value, ++inFlight);
        await new Promise((r) => setTimeout(r, 2));
        inFlight--;
        return channel.query(order);
      },
    });
    const paged = createOrderService({
      store,
      channels: createChannelRegistry({ jsapi: withV3Errors(slow) }),
      config: { ...config, reconcile: { payingOlderThanMs: 60_000, batchSize: 2, ...settings } },
      now: () => clock,
      log: () => undefined,
    });
    return { paged, queried, peak };
  }

  it('pages past orders that stay PAYING (each checked once), pays, closes and counts all of them, at most `concurrency` gateway calls at once', async () => {
    const made: string[] = [];
    for (let i = 0; i < 9; i++) made.push((await service.create(alice, { channel: 'jsapi', amount: 100 + i, idempotencyKey: key() })).order.outTradeNo);
    channel.pay(made[4]!, 104, clock);
    clock += config.orderTtlMs + 1000;
    // Three stay PAYING (not expired yet): they are met once, and the pass goes on past them.
    for (const no of [made[0]!, made[1]!, made[5]!]) {
      const o = (await store.getOrder(no))!;
      await store.updateOrder({ ...o, version: o.version + 1, expiresAt: clock + 3_600_000 }, o.version, { at: o.updatedAt, outTradeNo: no, from: 'PAYING', to: 'PAYING', event: 'TEST_EXTEND', actor: 'admin', detail: {} });
    }
    clock += 120_000;
    const { paged, queried, peak } = pagedService({ concurrency: 3 });
    const report = await paged.reconcile();
    expect(report).toMatchObject({ checked: 9, paid: 1, closed: 5, errors: 0 });
    expect([...queried].sort()).toEqual([...made].sort());
    expect(peak.value).toBeGreaterThan(1);
    expect(peak.value).toBeLessThanOrEqual(3);
    for (const [i, no] of made.entries()) expect((await store.getOrder(no))!.state).toBe(i === 4 ? 'PAID' : [0, 1, 5].includes(i) ? 'PAYING' : 'CLOSED');
  });

  it('starts no new page once maxRunMs has gone: the rest is the next run\'s', async () => {
    for (let i = 0; i < 6; i++) await service.create(alice, { channel: 'jsapi', amount: 100 + i, idempotencyKey: key() });
    clock += config.orderTtlMs + 120_000;
    const { paged, queried } = pagedService({ concurrency: 1, maxRunMs: 1000 });
    const original = channel.query.bind(channel);
    // Each gateway answer takes the (injected) clock 400 ms further: the second page ends the run.
    channel.query = async (order) => ((clock += 400), original(order));
    expect(await paged.reconcile()).toMatchObject({ checked: 4, closed: 4 });
    expect(queried).toHaveLength(4);
    expect(await paged.reconcile()).toMatchObject({ checked: 2, closed: 2 });
  });
});

describe('combine orders (payee resolved by the payee service)', () => {
  const payee = { openid: 'o_payee_0000000009', displayName: '小明', individualAuthId: 'auth_123' };
  let combineService: OrderService;
  beforeEach(() => {
    combineService = createOrderService({
      store,
      channels: createChannelRegistry({ jsapi: withV3Errors(channel), combine: withV3Errors(channel) }),
      config,
      payees: {
        async resolvePayeeForPayment({ shareCode, payerOpenid }) {
          if (payerOpenid === payee.openid) throw new AppError('SELF_PAY', 'you cannot pay yourself');
          if (shareCode !== 'SHARE123') throw new AppError('NOT_FOUND', 'no payee has this share code');
          return payee;
        },
      },
      now: () => clock,
      log: () => undefined,
    });
  });

  it('puts the payee and one sub-order on the order; the payee lists it with role payee', async () => {
    const res = await combineService.create(alice, { channel: 'combine', amount: 666, idempotencyKey: key(), payeeCode: 'SHARE123' });
    expect(res.order).toMatchObject({ channel: 'combine', payee: { displayName: '小明' } });
    const stored = (await store.getOrder(res.order.outTradeNo))!;
    expect(stored).toMatchObject({ combineOutTradeNo: res.order.outTradeNo, payee: { openid: payee.openid } });
    expect(stored.subOrders).toEqual([expect.objectContaining({ mchid: MCHID, amount: 666, individualAuthId: 'auth_123', state: 'NOTPAY' })]);
    expect(JSON.stringify(res)).not.toContain('auth_123');
    const listed = await combineService.list({ openid: payee.openid, appid: APPID }, { role: 'payee' });
    expect(listed.orders.map((o) => o.outTradeNo)).toEqual([res.order.outTradeNo]);
    expect((await combineService.list(bob, { role: 'payee' })).orders).toEqual([]);
  });

  it('a payment reported to another payee is refused; the right one is applied with its sub-order', async () => {
    const { order } = await combineService.create(alice, { channel: 'combine', amount: 666, idempotencyKey: key(), payeeCode: 'SHARE123' });
    const sub = (await store.getOrder(order.outTradeNo))!.subOrders![0];
    const paid = (authId: string): GatewayPaymentState => ({
      kind: 'PAID',
      transactionId: '4200001',
      paidAt: clock,
      paidAmount: 666,
      subOrders: [{ mchid: MCHID, outTradeNo: sub.outTradeNo, tradeState: 'SUCCESS', amount: 666, transactionId: '4200001', individualAuthId: authId }],
    });
    const before = await store.getOrder(order.outTradeNo);
    expect(await combineService.applyNotification(paidNotification(order.outTradeNo, paid('auth_999'), 'c1'))).toMatchObject({ status: 400, code: 'PAYEE_MISMATCH' });
    expect(await store.getOrder(order.outTradeNo)).toEqual(before);
    expect(await combineService.applyNotification(paidNotification(order.outTradeNo, paid('auth_123'), 'c2'))).toMatchObject({ status: 204, result: 'applied' });
    expect((await store.getOrder(order.outTradeNo))!.subOrders![0]).toMatchObject({ state: 'SUCCESS', transactionId: '4200001' });
  });

  it('the payee may query an order paid to them (read only); strangers may not; the payee cannot close or refund it', async () => {
    const payeeCaller: Caller = { openid: payee.openid, appid: APPID };
    const { order } = await combineService.create(alice, { channel: 'combine', amount: 666, idempotencyKey: key(), payeeCode: 'SHARE123' });
    // While PAYING the payee's query asks the gateway, as the payer's does.
    channel.calls = [];
    expect((await combineService.query(payeeCaller, order.outTradeNo)).order).toMatchObject({ state: 'PAYING', payee: { displayName: '小明' } });
    expect(channel.calls).toEqual(['query']);
    // Past the close interval, a close would go through for the payer: the payee is refused.
    clock += config.minCloseIntervalMs + 60_000;
    const paying = await store.getOrder(order.outTradeNo);
    await expectCode(combineService.close(payeeCaller, order.outTradeNo), 'FORBIDDEN');
    expect(await store.getOrder(order.outTradeNo)).toEqual(paying);
    expect(channel.calls).toEqual(['query']);
    channel.pay(order.outTradeNo, 666, clock);
    const seen = await combineService.query(payeeCaller, order.outTradeNo);
    expect(seen.order).toMatchObject({ state: 'PAID', amount: 666 });
    // The same view pay.list gives the payee: nothing about the payer.
    expect(seen.order).toEqual((await combineService.list(payeeCaller, { role: 'payee' })).orders[0]);
    expect(JSON.stringify(seen)).not.toContain(alice.openid);
    expect(JSON.stringify(seen)).not.toContain('auth_123');

    await expectCode(combineService.query(bob, order.outTradeNo), 'FORBIDDEN');
    const before = await store.getOrder(order.outTradeNo);
    await expectCode(combineService.close(payeeCaller, order.outTradeNo), 'FORBIDDEN');
    await expectCode(combineService.refund(payeeCaller, { outTradeNo: order.outTradeNo, amount: 1, idempotencyKey: key() }), 'FORBIDDEN');
    expect(await store.getOrder(order.outTradeNo)).toEqual(before);
  });

  it('payee errors surface unchanged and nothing is written', async () => {
    await expectCode(combineService.create(alice, { channel: 'combine', amount: 1, idempotencyKey: key(), payeeCode: 'NOPE' }), 'NOT_FOUND');
    await expectCode(combineService.create({ openid: payee.openid, appid: APPID }, { channel: 'combine', amount: 1, idempotencyKey: key(), payeeCode: 'SHARE123' }), 'SELF_PAY');
    await expectCode(combineService.create(alice, { channel: 'combine', amount: 1, idempotencyKey: key() }), 'INVALID_ARGUMENT');
    expect((await store.listOrdersByPayer(alice.openid, { limit: 10 })).items).toEqual([]);
  });
});
