import {
  ANSWER_DEADLINE_MS,
  CONTROL_WAIT_MS,
  TIMEOUT_MESSAGE,
  WECHATPAY_AMOUNT_CONTROL_ALIAS,
  answerPayTouch,
  detectAmountControl,
  type CreateForControl,
} from '../../../miniprogram/services/amount-control';

const params = { timeStamp: '1700000000', nonceStr: 'n0nce', package: 'prepay_id=wx123', signType: 'RSA' as const, paySign: 'c2ln' };

describe('detectAmountControl', () => {
  const canIUse = (schema: string) => schema === 'plugin';

  it('is off unless the merchant enabled it, without touching the plugin', () => {
    const requirePlugin = jest.fn();
    expect(detectAmountControl({ enabled: false, canIUse, requirePlugin })).toEqual({ available: false, reason: 'DISABLED' });
    expect(requirePlugin).not.toHaveBeenCalled();
  });

  it('falls back on an old client without canIUse or without plugin support', () => {
    expect(detectAmountControl({ enabled: true, requirePlugin: () => ({}) })).toEqual({ available: false, reason: 'OLD_CLIENT' });
    expect(detectAmountControl({ enabled: true, canIUse: () => false, requirePlugin: () => ({}) })).toEqual({
      available: false,
      reason: 'OLD_CLIENT',
    });
  });

  it('falls back when requirePlugin is absent, throws, or returns nothing', () => {
    expect(detectAmountControl({ enabled: true, canIUse })).toMatchObject({ reason: 'PLUGIN_MISSING' });
    const throwing = () => {
      throw new Error('plugin "wechatpay-amount-control" is not defined');
    };
    expect(detectAmountControl({ enabled: true, canIUse, requirePlugin: throwing })).toMatchObject({ reason: 'PLUGIN_MISSING' });
    expect(detectAmountControl({ enabled: true, canIUse, requirePlugin: () => undefined })).toMatchObject({ reason: 'PLUGIN_MISSING' });
  });

  it('respects the plugin saying this client is unsupported (or throwing while asked)', () => {
    expect(detectAmountControl({ enabled: true, canIUse, requirePlugin: () => ({ isSupported: () => false }) })).toMatchObject({
      reason: 'UNSUPPORTED',
    });
    const broken = { isSupported: () => { throw new Error('x'); } };
    expect(detectAmountControl({ enabled: true, canIUse, requirePlugin: () => broken })).toMatchObject({ reason: 'UNSUPPORTED' });
  });

  it('uses the plugin under its alias when present', () => {
    const plugin = { version: '1.0.0', isSupported: () => true };
    const requirePlugin = jest.fn(() => plugin);
    expect(detectAmountControl({ enabled: true, canIUse, requirePlugin })).toEqual({ available: true, plugin });
    expect(requirePlugin).toHaveBeenCalledWith(WECHATPAY_AMOUNT_CONTROL_ALIAS);
  });
});

describe('answerPayTouch deadline (fake timers)', () => {
  beforeEach(() => jest.useFakeTimers());
  afterEach(() => jest.useRealTimers());

  const timers = {
    setTimeout: (fn: () => void, ms: number) => setTimeout(fn, ms),
    clearTimeout: (handle: unknown) => clearTimeout(handle as NodeJS.Timeout),
  };

  function createAfter(ms: number, result: CreateForControl<{ outTradeNo: string }>) {
    return jest.fn((amount: number) => {
      void amount;
      return new Promise<CreateForControl<{ outTradeNo: string }>>((resolve) => setTimeout(() => resolve(result), ms));
    });
  }

  it('keeps its own deadline under the control\'s 30 s wait', () => {
    expect(ANSWER_DEADLINE_MS).toBeLessThan(CONTROL_WAIT_MS);
    expect(ANSWER_DEADLINE_MS).toBeGreaterThanOrEqual(20_000);
  });

  it('answers with the cashier data when the order is created in time', async () => {
    const respond = jest.fn();
    const create = createAfter(1200, { ok: true, order: { outTradeNo: 'T1' }, params });
    const outcome = answerPayTouch({ amount: 1234, respond }, create, { timers });
    await jest.advanceTimersByTimeAsync(1200);
    await expect(outcome).resolves.toEqual({ kind: 'answered', order: { outTradeNo: 'T1' } });
    expect(create).toHaveBeenCalledWith(1234);
    expect(respond).toHaveBeenCalledTimes(1);
    expect(respond).toHaveBeenCalledWith({ ok: true, params });
    await jest.advanceTimersByTimeAsync(60_000);
    expect(respond).toHaveBeenCalledTimes(1); // the deadline timer was cleared
  });

  it('answers just before the deadline, and times out just after it', async () => {
    const inTime = jest.fn();
    const a = answerPayTouch({ amount: 1, respond: inTime }, createAfter(ANSWER_DEADLINE_MS - 1, { ok: true, order: { outTradeNo: 'A' }, params }), { timers });
    const late = jest.fn();
    const b = answerPayTouch({ amount: 1, respond: late }, createAfter(ANSWER_DEADLINE_MS + 1, { ok: true, order: { outTradeNo: 'B' }, params }), { timers });
    await jest.advanceTimersByTimeAsync(ANSWER_DEADLINE_MS);
    await expect(a).resolves.toMatchObject({ kind: 'answered' });
    const outcome = await b;
    expect(outcome.kind).toBe('timeout');
    expect(late).toHaveBeenCalledTimes(1);
    expect(late).toHaveBeenCalledWith({ ok: false, message: TIMEOUT_MESSAGE });
    // The order that arrives late is reported to the page but never handed to the control.
    await jest.advanceTimersByTimeAsync(10);
    if (outcome.kind === 'timeout') await expect(outcome.lateOrder).resolves.toEqual({ outTradeNo: 'B' });
    expect(late).toHaveBeenCalledTimes(1);
  });

  it('never waits past the control\'s own 30 s, whatever deadline is asked', async () => {
    const respond = jest.fn();
    const outcome = answerPayTouch({ amount: 1, respond }, createAfter(45_000, { ok: false, message: 'x' }), { timers, deadlineMs: 40_000 });
    await jest.advanceTimersByTimeAsync(CONTROL_WAIT_MS);
    await expect(outcome).resolves.toMatchObject({ kind: 'timeout' });
    expect(respond).toHaveBeenCalledWith({ ok: false, message: TIMEOUT_MESSAGE });
  });

  it('refuses with the create\'s message when it fails or throws', async () => {
    const respond = jest.fn();
    const refused = answerPayTouch({ amount: 1, respond }, createAfter(100, { ok: false, message: '金额超出范围' }), { timers });
    await jest.advanceTimersByTimeAsync(100);
    await expect(refused).resolves.toEqual({ kind: 'refused', message: '金额超出范围' });
    expect(respond).toHaveBeenCalledWith({ ok: false, message: '金额超出范围' });

    const respond2 = jest.fn();
    const thrown = answerPayTouch({ amount: 1, respond: respond2 }, () => Promise.reject(new Error('boom')), { timers });
    await jest.advanceTimersByTimeAsync(0);
    await expect(thrown).resolves.toEqual({ kind: 'refused', message: 'boom' });
    expect(respond2).toHaveBeenCalledTimes(1);
  });
});
