import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { GatewayContext } from '../../../sandbox/gateway/context';
import type { NotificationInput } from '../../../sandbox/gateway/notifier';
import { arrangeCollection } from '../../../sandbox/gateway/payscore/clearing';
import { IDLE_EXPIRY_MS, REGISTRATION_LIFETIME_MS } from '../../../sandbox/gateway/payscore/clock';
import { payscoreIdentity } from '../../../sandbox/gateway/payscore/identity';
import { PAYSCORE_RETRY_DELAYS_S } from '../../../sandbox/gateway/payscore/notify';
import * as orders from '../../../sandbox/gateway/payscore/orders';
import { orderView } from '../../../sandbox/gateway/payscore/views';
import { GatewayState } from '../../../sandbox/gateway/state';

/** The PayScore state machine on a stub gateway context (no HTTP): transitions, rules, deadlines. */
describe('PayScore service-order state machine', () => {
  let dir: string;
  let ctx: GatewayContext;
  let sent: NotificationInput[];
  let timers: Array<() => void>;
  const keys = { mchid: '1600000001', appid: 'wx0123456789abcdef' };
  const id = payscoreIdentity(keys);

  beforeEach(() => {
    // A frozen wall clock: only `advance` moves PayScore's time, so no assertion depends on speed.
    jest.spyOn(Date, 'now').mockReturnValue(Date.parse('2025-01-01T00:00:00Z'));
    dir = mkdtempSync(join(tmpdir(), 'payscore-unit-'));
    sent = [];
    timers = [];
    ctx = {
      keys,
      state: new GatewayState(join(dir, 'gateway.json')),
      notifier: { send: (input: NotificationInput) => sent.push(input) },
      timeScale: 1,
      log: () => {},
      later: (fn: () => void) => timers.push(fn),
    } as unknown as GatewayContext;
  });
  afterEach(() => {
    jest.restoreAllMocks();
    ctx.state.flush();
    rmSync(dir, { recursive: true, force: true });
  });

  const create = (over: Record<string, unknown> = {}) =>
    orders.createServiceOrder(ctx, keys.mchid, {
      service_id: id.serviceId,
      appid: keys.appid,
      sub_mchid: id.subMchid,
      channel_id: id.channelId,
      out_order_no: `U${Math.random().toString(36).slice(2, 12)}`,
      service_introduction: '充电宝',
      risk_fund: { name: 'ESTIMATE_ORDER_COST', amount: 5000 },
      time_range: { start_time: '20250101091010' },
      notify_url: 'https://merchant.example/notify',
      need_user_confirm: true,
      ...over,
    });
  const complete = (o: ReturnType<typeof create>, total: number) =>
    orders.completeOrder(ctx, o, { postPayments: [{ name: 'a', amount: total }], postDiscounts: [], totalAmount: total });
  const codeOf = (fn: () => unknown) => {
    try {
      fn();
    } catch (err) {
      return (err as { code: string }).code;
    }
    return 'no error';
  };
  const advance = (ms: number) => {
    ctx.state.data.payscore.clockOffsetMs += ms;
  };

  it('confirm sends PAYSCORE.USER_CONFIRM on PayScore’s schedule with the query shape', () => {
    const o = create();
    expect(orderView(o)).not.toHaveProperty('state_description');
    orders.userConfirm(ctx, o, 'oUSER');
    expect(o).toMatchObject({ state: 'DOING', stateDescription: 'USER_CONFIRM', openid: 'oUSER' });
    expect(sent).toHaveLength(1);
    expect(sent[0]).toMatchObject({ eventType: 'PAYSCORE.USER_CONFIRM', originalType: 'payscore', subject: o.outOrderNo, url: o.notifyUrl, timeoutMs: 5000 });
    expect(sent[0]!.retryDelaysS).toEqual(PAYSCORE_RETRY_DELAYS_S);
    expect(sent[0]!.resource).toMatchObject({ state: 'DOING', state_description: 'USER_CONFIRM', openid: 'oUSER', total_amount: 0, need_collection: true });
  });

  it('an order created for an openid can only be confirmed by that user', () => {
    const o = create({ openid: 'oOWNER' });
    expect(codeOf(() => orders.userConfirm(ctx, o, 'oOTHER'))).toBe('SANDBOX_USER_MISMATCH');
    expect(o.state).toBe('CREATED');
  });

  it('complete: only from DOING/USER_CONFIRM, total = Σ payments − Σ discounts ≤ risk fund', () => {
    const o = create();
    expect(codeOf(() => complete(o, 100))).toBe('INVALID_ORDER_STATE');
    orders.userConfirm(ctx, o, 'oUSER');
    expect(codeOf(() => orders.completeOrder(ctx, o, { postPayments: [{ name: 'a', amount: 3000 }], postDiscounts: [{ name: 'd', description: 'd', amount: 500 }], totalAmount: 3000 }))).toBe('INVALID_REQUEST');
    expect(codeOf(() => complete(o, 5001))).toBe('INVALID_REQUEST');
    expect(o.stateDescription).toBe('USER_CONFIRM');
    orders.completeOrder(ctx, o, { postPayments: [{ name: 'a', amount: 3000 }], postDiscounts: [{ name: 'd', description: 'd', amount: 500 }], totalAmount: 2500 });
    expect(o).toMatchObject({ state: 'DOING', stateDescription: 'MCH_COMPLETE', collectionState: 'USER_PAYING', totalAmount: 2500 });
  });

  it('register → the clearing stub collects → DONE/USER_PAID and PAYSCORE.USER_PAID', () => {
    const o = create();
    orders.userConfirm(ctx, o, 'oUSER');
    complete(o, 2500);
    const { registration } = orders.registerDeduction(ctx, o, { outTradeNo: 'D1', appid: keys.appid });
    arrangeCollection(ctx, o, registration);
    expect(orders.liveRegistration(o)).toBe(registration);
    expect(codeOf(() => orders.cancelOrder(ctx, o, 'x'))).toBe('INVALID_ORDER_STATE');
    advance(5000);
    timers.forEach((t) => t());
    expect(o).toMatchObject({ state: 'DONE', collectionState: 'USER_PAID' });
    expect(registration.outcome).toBe('paid');
    expect(sent.at(-1)).toMatchObject({ eventType: 'PAYSCORE.USER_PAID', resource: { out_trade_no: 'D1', state: 'DONE', collection: { paid_amount: 2500, paying_amount: 0 } } });
    expect(o.history.map((h) => h.to).at(-1)).toBe('DONE (USER_PAID)');
  });

  it('a failed collection frees the order for a new registration; a lapsed one after 24 h too', () => {
    const o = create();
    orders.userConfirm(ctx, o, 'oUSER');
    complete(o, 2500);
    ctx.state.data.payscore.clearingScript = ['fail', 'hold'];
    const first = orders.registerDeduction(ctx, o, { outTradeNo: 'D1' }).registration;
    arrangeCollection(ctx, o, first);
    advance(5000);
    orders.refresh(ctx, o);
    expect(first.outcome).toBe('failed');
    expect(o.stateDescription).toBe('MCH_COMPLETE');
    expect(codeOf(() => orders.registerDeduction(ctx, o, { outTradeNo: 'D1' }))).toBe('INVALID_REQUEST');
    const second = orders.registerDeduction(ctx, o, { outTradeNo: 'D2' }).registration;
    arrangeCollection(ctx, o, second);
    expect(second.outcome).toBe('held');
    advance(REGISTRATION_LIFETIME_MS - 10_000);
    orders.refresh(ctx, o);
    expect(second.outcome).toBe('held');
    advance(10_000);
    orders.refresh(ctx, o);
    expect(second.outcome).toBe('lapsed');
    orders.cancelOrder(ctx, o, '用户投诉');
    expect(o.state).toBe('REVOKED');
  });

  it('a CREATED order expires after 30 idle days on the PayScore clock; activity resets the idle time', () => {
    const o = create();
    advance(IDLE_EXPIRY_MS - 1);
    orders.refresh(ctx, o);
    expect(o.state).toBe('CREATED');
    orders.userRefuse(ctx, o); // the user looking at it is activity
    advance(IDLE_EXPIRY_MS - 1);
    orders.refresh(ctx, o);
    expect(o.state).toBe('CREATED');
    advance(1);
    orders.refresh(ctx, o);
    expect(o.state).toBe('EXPIRED');
    const confirmed = create();
    orders.userConfirm(ctx, confirmed, 'oUSER');
    advance(IDLE_EXPIRY_MS * 2);
    orders.refresh(ctx, confirmed);
    expect(confirmed.state).toBe('DOING');
  });

  it('the time scale divides the deadlines', () => {
    (ctx as { timeScale: number }).timeScale = 1000;
    const o = create();
    advance(IDLE_EXPIRY_MS / 1000);
    orders.refresh(ctx, o);
    expect(o.state).toBe('EXPIRED');
  });

  it('a total of 0 is done at once, with nothing to collect', () => {
    const o = create();
    orders.userConfirm(ctx, o, 'oUSER');
    orders.completeOrder(ctx, o, { postPayments: [{ name: 'a', amount: 0 }], postDiscounts: [], totalAmount: 0 });
    expect(o).toMatchObject({ state: 'DONE' });
    expect(orderView(o)).toMatchObject({ need_collection: false, total_amount: 0 });
  });
});
