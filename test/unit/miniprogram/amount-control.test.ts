/**
 * The adapter to `<wechatpay-payment>` (小程序金额控件介绍): feature detection through
 * `isSupportScanPosPay()`, and answering one `onPayTouch` — yuan → fen before any create,
 * `orderCompleteCallback(orderInfo)` at most once, never after the control reported a failure.
 */
import {
  CONTROL_WAIT_MS,
  ORDER_TIMEOUT_RETCODE,
  answerPayTouch,
  detectAmountControl,
  loadAmountControlSdk,
  orderInfoFrom,
  type CreateForControl,
} from '../../../miniprogram/services/amount-control';

const payment = { timeStamp: '1700000000', nonceStr: 'n0nce', package: 'prepay_id=wx123', signType: 'RSA' as const, paySign: 'c2ln' };
/** The same parameters as `pay.create` answers them: tagged with the cashier they are for. */
const cashier = { kind: 'miniprogram' as const, ...payment };
const APP_ID = 'wx0123456789abcdef';
const MAX_FEN = 100_000;

type Order = { outTradeNo: string };

/** A create the test settles by hand: no clock involved. */
function manualCreate() {
  let settle: (result: CreateForControl<Order>) => void = () => undefined;
  const create = jest.fn((fen: number) => {
    void fen;
    return new Promise<CreateForControl<Order>>((resolve) => (settle = resolve));
  });
  return { create, settle: (result: CreateForControl<Order>) => settle(result) };
}

function touchDetail(amount: unknown) {
  return { amount: amount as number, orderCompleteCallback: jest.fn() };
}

describe('published constants', () => {
  it('the control waits 30 s and fails with retcode OrderTimeout', () => {
    expect(CONTROL_WAIT_MS).toBe(30_000);
    expect(ORDER_TIMEOUT_RETCODE).toBe('OrderTimeout');
  });
});

describe('detectAmountControl (await WechatPayMiniProgram.isSupportScanPosPay())', () => {
  it('is unavailable when the build has no package', async () => {
    await expect(detectAmountControl(undefined)).resolves.toEqual({ available: false, reason: 'NOT_INSTALLED' });
  });

  it('follows the answer of isSupportScanPosPay()', async () => {
    await expect(detectAmountControl({ isSupportScanPosPay: () => Promise.resolve(true) })).resolves.toEqual({ available: true });
    await expect(detectAmountControl({ isSupportScanPosPay: () => Promise.resolve(false) })).resolves.toEqual({ available: false, reason: 'UNSUPPORTED' });
  });

  it('falls back on a throwing or rejecting check', async () => {
    const throwing = { isSupportScanPosPay: (): Promise<boolean> => { throw new Error('x'); } };
    await expect(detectAmountControl(throwing)).resolves.toEqual({ available: false, reason: 'ERROR' });
    await expect(detectAmountControl({ isSupportScanPosPay: () => Promise.reject(new Error('x')) })).resolves.toEqual({ available: false, reason: 'ERROR' });
  });

  it('falls back when the check never answers (its own deadline, on a hand-driven timer)', async () => {
    let fire: () => void = () => undefined;
    const timers = { setTimeout: (fn: () => void) => ((fire = fn), 1), clearTimeout: jest.fn() };
    const detecting = detectAmountControl({ isSupportScanPosPay: () => new Promise<boolean>(() => undefined) }, { timers });
    fire();
    await expect(detecting).resolves.toEqual({ available: false, reason: 'NO_ANSWER' });
  });

  it('loads nothing outside a build that placed the package (plain Node here)', () => {
    expect(loadAmountControlSdk()).toBeUndefined();
  });
});

describe('orderInfoFrom', () => {
  it('is the appid plus the pay-sign parameters, as the page’s orderInfo example (appId, timeStamp, nonceStr, package, …)', () => {
    expect(orderInfoFrom(APP_ID, cashier)).toEqual({ appId: APP_ID, ...payment });
    expect(Object.keys(orderInfoFrom(APP_ID, cashier)).slice(0, 4)).toEqual(['appId', 'timeStamp', 'nonceStr', 'package']);
  });
});

describe('answerPayTouch', () => {
  it('parameters for another cashier (APP, Huifu pay_info) are refused, never handed to the control', async () => {
    const { create, settle } = manualCreate();
    const detail = touchDetail(1);
    const touch = answerPayTouch(detail, { maxFen: MAX_FEN, appId: APP_ID, create });
    settle({ ok: true, order: { outTradeNo: 'T1' }, payment: { kind: 'huifu', payInfo: JSON.stringify(payment) } });
    await expect(touch.outcome).resolves.toEqual({ kind: 'refused', message: expect.stringMatching(/pay_info/) });
    expect(detail.orderCompleteCallback).not.toHaveBeenCalled();
  });

  it('creates for the exact fen of the yuan amount and calls orderCompleteCallback once with the order info', async () => {
    const { create, settle } = manualCreate();
    const detail = touchDetail(12.34);
    const touch = answerPayTouch(detail, { maxFen: MAX_FEN, appId: APP_ID, create });
    expect(touch.fen).toBe(1234);
    expect(create).toHaveBeenCalledWith(1234);
    settle({ ok: true, order: { outTradeNo: 'T1' }, payment: cashier });
    await expect(touch.outcome).resolves.toEqual({ kind: 'answered', order: { outTradeNo: 'T1' }, orderInfo: { appId: APP_ID, ...payment } });
    expect(detail.orderCompleteCallback).toHaveBeenCalledTimes(1);
    expect(detail.orderCompleteCallback).toHaveBeenCalledWith({ appId: APP_ID, ...payment });
    touch.controlFailed('SOMETHING_LATER'); // a later cashier failure changes nothing here
    expect(detail.orderCompleteCallback).toHaveBeenCalledTimes(1);
  });

  it.each([
    [Number.NaN, 'NOT_A_NUMBER'],
    [Number.POSITIVE_INFINITY, 'NOT_A_NUMBER'],
    ['12.34', 'NOT_A_NUMBER'],
    [undefined, 'NOT_A_NUMBER'],
    [0, 'NOT_POSITIVE'],
    [-5, 'NOT_POSITIVE'],
    [1.005, 'TOO_MANY_DECIMALS'],
    [0.1 + 0.2, 'TOO_MANY_DECIMALS'],
    [1000.01, 'ABOVE_MAX'],
  ])('refuses %p (%s) before any order is created, and never answers the control', async (amount, reason) => {
    const { create } = manualCreate();
    const detail = touchDetail(amount);
    const touch = answerPayTouch(detail, { maxFen: MAX_FEN, appId: APP_ID, create });
    const outcome = await touch.outcome;
    expect(outcome).toMatchObject({ kind: 'invalid', refusal: { ok: false, reason } });
    if (outcome.kind === 'invalid') expect(outcome.refusal.message).toMatch(/金额/);
    expect(create).not.toHaveBeenCalled();
    expect(detail.orderCompleteCallback).not.toHaveBeenCalled();
  });

  it('a failed or throwing create is a refusal: the control is not called (the page has no refusal path)', async () => {
    const failing = manualCreate();
    const detail = touchDetail(5);
    const touch = answerPayTouch(detail, { maxFen: MAX_FEN, appId: APP_ID, create: failing.create });
    failing.settle({ ok: false, message: '支付服务繁忙，请稍后重试' });
    await expect(touch.outcome).resolves.toEqual({ kind: 'refused', message: '支付服务繁忙，请稍后重试' });

    const thrown = touchDetail(5);
    const outcome = answerPayTouch(thrown, { maxFen: MAX_FEN, appId: APP_ID, create: () => Promise.reject(new Error('boom')) }).outcome;
    await expect(outcome).resolves.toEqual({ kind: 'refused', message: 'boom' });
    expect(detail.orderCompleteCallback).not.toHaveBeenCalled();
    expect(thrown.orderCompleteCallback).not.toHaveBeenCalled();
  });

  it('after the control reported OrderTimeout, a late order is never handed to it but reported to the page', async () => {
    const { create, settle } = manualCreate();
    const detail = touchDetail(8.8);
    const touch = answerPayTouch(detail, { maxFen: MAX_FEN, appId: APP_ID, create });
    touch.controlFailed(ORDER_TIMEOUT_RETCODE);
    const outcome = await touch.outcome;
    expect(outcome).toMatchObject({ kind: 'control-failed', retcode: 'OrderTimeout' });
    settle({ ok: true, order: { outTradeNo: 'LATE' }, payment: cashier });
    if (outcome.kind === 'control-failed') await expect(outcome.lateOrder).resolves.toEqual({ outTradeNo: 'LATE' });
    expect(detail.orderCompleteCallback).not.toHaveBeenCalled();
  });

  it('a late create that failed reports no order', async () => {
    const { create, settle } = manualCreate();
    const touch = answerPayTouch(touchDetail(1), { maxFen: MAX_FEN, appId: APP_ID, create });
    touch.controlFailed(ORDER_TIMEOUT_RETCODE);
    const outcome = await touch.outcome;
    settle({ ok: false, message: 'x' });
    if (outcome.kind !== 'control-failed') throw new Error(`unexpected ${outcome.kind}`);
    await expect(outcome.lateOrder).resolves.toBeUndefined();
  });
});
