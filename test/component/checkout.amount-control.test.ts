/**
 * pages/checkout with the official amount control `<wechatpay-payment>` — in this local build the
 * sandbox's stand-in at the package's path, which follows the published page (小程序金额控件介绍):
 * `onPayTouch` hands over yuan and waits for `orderCompleteCallback(orderInfo)`; no answer within
 * its wait → `onPayFailed` `OrderTimeout`. The pay functions are the contract double. Each path:
 * answered in time, timed out, refused (bad amount, failed create) and the keypad fallback.
 */
import { installWx, type WxBridge, type WxCallbackOptions } from '../helpers/wx-bridge';
import { openPage, simulate, textOf, waitFor, type SimComponent, type SimNode } from '../helpers/simulate';
import { startPayContractDouble, type PayContractDouble } from './checkout.pay-contract-double';

const SETTINGS_KEY = 'sandbox:wechatpay-payment';
/** A WeChat version the published page supports (≥ 8.0.40); simulate's own client reports 8.0.5. */
const SUPPORTED_CLIENT = '8.0.50';
const CASHIER = { pay: 0, cancel: 1, insufficient: 2 } as const;
const KEY_IDS: Record<string, string> = { '.': 'dot' };

// Real HTTP to the contract double and a cashier round trip per payment: generous under a loaded CI.
jest.setTimeout(30_000);

let double: PayContractDouble;
let wxb: WxBridge;

beforeEach(async () => {
  double = await startPayContractDouble();
});

afterEach(async () => {
  wxb?.uninstall();
  await double.close();
});

/** A client whose stand-in control is supported, with the control's wait scaled (`orderTimeoutMs`) when given. */
function client(settings: { orderTimeoutMs?: number; clientVersion?: string } = {}): void {
  wxb = installWx({
    user: 'alice',
    hostUrl: double.url,
    sandboxUrl: double.url,
    storage: { [SETTINGS_KEY]: { clientVersion: SUPPORTED_CLIENT, ...settings } },
  });
  chooseInCashier('pay');
}

function chooseInCashier(choice: keyof typeof CASHIER): void {
  wxb.override('showActionSheet', () => ({ errMsg: 'showActionSheet:ok', tapIndex: CASHIER[choice] }));
}

async function openCheckout(): Promise<SimComponent> {
  const page = openPage('pages/checkout/index');
  await waitFor(() => page.instance.data.inputMode !== 'detecting', { what: 'amount input chosen', timeoutMs: 20_000 });
  return page;
}

function control(page: SimComponent): SimNode {
  const found = page.querySelector('#amount-control');
  if (!found) throw new Error(`no <wechatpay-payment> on the page (inputMode ${page.instance.data.inputMode})`);
  return found;
}

/** Type on the control's own keyboard and tap its 付款, as a user would; records what it emits. */
function payWithControl(page: SimComponent, text: string): { touches: Array<{ amount: unknown }>; failures: Array<{ retcode: string }>; successes: unknown[] } {
  const node = control(page);
  const seen = { touches: [] as Array<{ amount: unknown }>, failures: [] as Array<{ retcode: string }>, successes: [] as unknown[] };
  node.addEventListener('onPayTouch', (e) => seen.touches.push(e.detail));
  node.addEventListener('onPayFailed', (e) => seen.failures.push(e.detail));
  node.addEventListener('onPaySuccess', (e) => seen.successes.push(e.detail));
  for (const ch of text) node.querySelector(`#wp-key-${KEY_IDS[ch] ?? ch}`)!.dispatchEvent('tap');
  node.querySelector('#wp-pay')!.dispatchEvent('tap');
  return seen;
}

/** Poll on the real clock (the test may have faked jest's timers) until `check` holds. */
async function until<T>(check: () => T, what: string, timeoutMs = 10_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = check();
    if (value) return value;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => realSetTimeout(resolve, 10));
  }
}
const realSetTimeout = globalThis.setTimeout;

const redirects = () => wxb.callsOf('redirectTo').map((o: WxCallbackOptions) => String(o.url));

describe('checkout with the official amount control (sandbox stand-in)', () => {
  it('renders <wechatpay-payment> instead of the keypad where isSupportScanPosPay() says yes', async () => {
    client();
    const page = await openCheckout();
    expect(page.instance.data.inputMode).toBe('control');
    expect(page.querySelector('#amount-control')).toBeDefined();
    expect(page.querySelector('#keypad')).toBeUndefined();
  });

  it('with the Huifu channel selected the keypad stays, even where the control is supported (the control takes WeChat Pay orders)', async () => {
    client();
    wxb.storage.set('pay:channel', 'huifu');
    const page = await openCheckout();
    expect(page.instance.data.inputMode).toBe('keypad');
    expect(page.querySelector('#amount-control')).toBeUndefined();
  });

  it('answered in time: 12.34 yuan → pay.create 1234 fen → orderCompleteCallback(orderInfo) → cashier → onPaySuccess → result', async () => {
    client();
    const page = await openCheckout();
    const seen = payWithControl(page, '12.34');
    await waitFor(() => redirects().length === 1, { what: 'redirect to result', timeoutMs: 20_000 });

    expect(seen.touches).toHaveLength(1);
    expect(seen.touches[0].amount).toBe(12.34); // yuan, a Number
    const creates = double.callsOf('pay.create');
    expect(creates).toHaveLength(1);
    expect(creates[0].data).toMatchObject({ channel: 'jsapi', amount: 1234 });
    const [order] = [...double.orders.values()];
    // The control opened the (local sandbox) cashier with the order's pay-sign parameters.
    expect(double.cashier).toEqual([{ prepayId: order.payment!.package.slice('prepay_id='.length), action: 'pay', body: order.payment }]);
    expect(seen.successes).toEqual([
      { orderInfo: { appId: 'wx123456789', ...order.payment } }, // appId: simulate's wx.getAccountInfoSync()
    ]);
    expect(seen.failures).toEqual([]);
    expect(redirects()[0]).toBe(`/pages/result/index?outTradeNo=${order.outTradeNo}`);
  });

  it.each([
    ['0.1', 10],
    ['19.99', 1999],
    ['0.29', 29],
    ['100', 10000],
    ['1000', 100000], // exactly PAY_MAX_AMOUNT_FEN
  ])('converts %s yuan to %i fen exactly', async (typed, fen) => {
    client();
    const page = await openCheckout();
    payWithControl(page, typed);
    await waitFor(() => redirects().length === 1, { what: 'redirect to result', timeoutMs: 20_000 });
    expect(double.callsOf('pay.create')[0].data.amount).toBe(fen);
  });

  it('timed out: the create answers after the control gave up → OrderTimeout shown, the late order never reaches the cashier', async () => {
    client({ orderTimeoutMs: 20 });
    const held = double.hold('pay.create');
    const page = await openCheckout();
    const seen = payWithControl(page, '8.8');
    await waitFor(() => seen.failures.length === 1, { what: 'onPayFailed from the control', timeoutMs: 20_000 });
    expect(seen.failures[0]).toEqual({ retcode: 'OrderTimeout' });
    expect(textOf(page, '#error-text')).toBe('下单超时，请重新付款');

    held.release(); // the order now exists, too late for this touch
    await waitFor(() => page.instance.attempt?.order, { what: 'the late create answered', timeoutMs: 20_000 });
    await waitFor(() => page.instance.touch === undefined && page.instance.inFlight === false, { what: 'touch settled', timeoutMs: 20_000 });
    expect(double.callsOf('pay.create')).toHaveLength(1);
    expect(double.callsOf('pay.create')[0].data.amount).toBe(880);
    expect(double.cashier).toEqual([]);
    expect(wxb.callsOf('showActionSheet')).toHaveLength(0);
    expect(redirects()).toEqual([]);
    expect(seen.successes).toEqual([]);

    // Paying the same amount again reuses that order (same idempotency key): no orphan second order.
    // This touch gets the published 30 s wait (the stand-in reads its settings per touch).
    wxb.storage.set(SETTINGS_KEY, { clientVersion: SUPPORTED_CLIENT });
    const again = payWithControl(page, '');
    await waitFor(() => redirects().length === 1, { what: 'redirect after paying again', timeoutMs: 20_000 });
    expect(again.touches[0].amount).toBe(8.8);
    const creates = double.callsOf('pay.create');
    expect(creates).toHaveLength(2);
    expect(creates[1].data.idempotencyKey).toBe(creates[0].data.idempotencyKey);
    expect(double.orders.size).toBe(1);
  });

  it('refused (create failed): the page shows why at once; the control, which has no refusal path, ends the touch with OrderTimeout at 30 s', async () => {
    // The control's published 30 s wait on jest's clock (only timers are faked; HTTP runs for real),
    // so the failure surely comes first and the timeout exactly when we move the clock.
    client();
    double.failNext('pay.create', { code: 'GATEWAY_UNAVAILABLE', message: 'gateway 503 after retries', retryable: true });
    jest.useFakeTimers({ doNotFake: ['Date', 'nextTick', 'queueMicrotask', 'performance', 'hrtime'] });
    try {
      const page = openPage('pages/checkout/index');
      await until(() => page.instance.data.inputMode === 'control', 'amount control chosen');
      const seen = payWithControl(page, '66');
      await until(() => textOf(page, '#error-text'), 'create error');
      expect(textOf(page, '#error-text')).toBe('支付服务繁忙，请稍后重试');
      expect(control(page).data.waiting).toBe(true); // still waiting for an answer that will not come
      expect(seen.failures).toEqual([]);

      jest.advanceTimersByTime(29_999);
      expect(seen.failures).toEqual([]);
      jest.advanceTimersByTime(1);
      expect(seen.failures).toEqual([{ retcode: 'OrderTimeout' }]);
      await until(() => page.instance.touch === undefined, 'touch ended');
      // Our reason stays on screen; no retry button (the user taps 付款 on the control again), no cashier.
      expect(textOf(page, '#error-text')).toBe('支付服务繁忙，请稍后重试');
      expect(page.querySelector('#retry')).toBeUndefined();
      expect(double.cashier).toEqual([]);
      expect(wxb.callsOf('showActionSheet')).toHaveLength(0);
      expect(double.orders.size).toBe(0);
    } finally {
      jest.useRealTimers();
    }
  });

  it.each([
    ['1.005', '金额最多两位小数（精确到分）'],
    ['1000.01', '金额超出上限，单笔最多 ¥1000.00'],
    ['0', '请输入大于 0 的金额'],
    ['0.00', '请输入大于 0 的金额'],
  ])('refused (bad amount %s): a clear message and no order created', async (typed, message) => {
    client({ orderTimeoutMs: 20 });
    const page = await openCheckout();
    const seen = payWithControl(page, typed);
    await waitFor(() => textOf(page, '#error-text'), { what: 'refusal', timeoutMs: 20_000 });
    expect(textOf(page, '#error-text')).toBe(message);
    await waitFor(() => seen.failures.length === 1, { what: 'OrderTimeout from the control', timeoutMs: 20_000 });
    expect(textOf(page, '#error-text')).toBe(message);
    expect(double.callsOf('pay.create')).toHaveLength(0);
    expect(double.cashier).toEqual([]);
  });

  it('a cashier that did not complete is shown as a failure; the next touch makes a new order', async () => {
    client();
    chooseInCashier('insufficient');
    const page = await openCheckout();
    const seen = payWithControl(page, '3');
    await waitFor(() => seen.failures.length === 1, { what: 'onPayFailed from the cashier', timeoutMs: 20_000 });
    await waitFor(() => page.instance.data.phase === 'failed', { what: 'failed phase', timeoutMs: 20_000 });
    expect(textOf(page, '#status-text')).toMatch(/^支付未成功（.+），可重新付款$/);
    expect(page.querySelector('#pay-again')).toBeUndefined(); // the control is how one pays again
    expect(double.cashier.map((c) => c.action)).toEqual(['fail']);

    chooseInCashier('pay');
    payWithControl(page, '');
    await waitFor(() => redirects().length === 1, { what: 'redirect after paying again', timeoutMs: 20_000 });
    const creates = double.callsOf('pay.create');
    expect(creates).toHaveLength(2);
    expect(creates[1].data.idempotencyKey).not.toBe(creates[0].data.idempotencyKey);
  });

  it('keypad: a client below 8.0.40 gets our amount-keypad, and pays in fen through wx.requestPayment’s local cashier', async () => {
    client({ clientVersion: '8.0.39' });
    const page = await openCheckout();
    expect(page.instance.data.inputMode).toBe('keypad');
    expect(page.querySelector('#amount-control')).toBeUndefined();
    const keypad = page.querySelector('#keypad')!;
    for (const id of ['4', '2', 'dot', '5']) keypad.querySelector(`#key-${id}`)!.dispatchEvent('tap');
    await simulate.sleep(0);
    keypad.querySelector('#pay')!.querySelector('.van-button')!.dispatchEvent('tap');
    await waitFor(() => redirects().length === 1, { what: 'redirect to result', timeoutMs: 20_000 });
    expect(double.callsOf('pay.create')[0].data).toMatchObject({ channel: 'jsapi', amount: 4250 });
    expect(double.cashier.map((c) => c.action)).toEqual(['pay']);
  });

  it('keypad: a payment to a payee (combine) never uses the control', async () => {
    client();
    const page = openPage('pages/checkout/index', { payeeCode: 'bob' });
    await waitFor(() => page.instance.data.payeeName === '收款人bob', { what: 'payee card', timeoutMs: 20_000 });
    expect(page.instance.data.inputMode).toBe('keypad');
    expect(page.querySelector('#amount-control')).toBeUndefined();
    expect(page.querySelector('#keypad')).toBeDefined();
  });
});
