/**
 * pages/checkout against a CONTRACT DOUBLE of the pay/payee functions (see
 * checkout.pay-contract-double.ts): real HTTP through the page's own transport, answers shaped by
 * typings/api.d.ts. The assertions are about what the page does: what it sends, what it shows,
 * where it navigates. The local build's cashier is the action sheet + sandbox POST. This file is
 * the keypad path (simulate's WeChat client is older than the amount control needs); the control's
 * paths are in checkout.amount-control.test.ts.
 */
import { installWx, type WxBridge, type WxCallbackOptions } from '../helpers/wx-bridge';
import { openPage, simulate, tap, textOf, waitFor, type SimComponent } from '../helpers/simulate';
import { startPayContractDouble, type PayContractDouble } from './checkout.pay-contract-double';

const KEY_IDS: Record<string, string> = { '.': 'dot' };
const CASHIER = { pay: 0, cancel: 1, insufficient: 2 } as const;

let double: PayContractDouble;
let wxb: WxBridge;

beforeEach(async () => {
  double = await startPayContractDouble();
  wxb = installWx({ user: 'alice', hostUrl: double.url, sandboxUrl: double.url });
  chooseInCashier('pay');
});

afterEach(async () => {
  wxb.uninstall();
  await double.close();
});

function chooseInCashier(choice: keyof typeof CASHIER): void {
  wxb.override('showActionSheet', () => ({ errMsg: 'showActionSheet:ok', tapIndex: CASHIER[choice] }));
}

/** Open checkout and wait until it has chosen its amount input (simulate's client is too old for the control: the keypad). */
async function openCheckout(query: Record<string, string> = {}): Promise<SimComponent> {
  const page = openPage('pages/checkout/index', query);
  await waitFor(() => page.instance.data.inputMode === 'keypad', { what: 'keypad chosen' });
  return page;
}

function typeAmount(page: SimComponent, text: string): void {
  const keypad = page.querySelector('#keypad')!;
  for (const ch of text) keypad.querySelector(`#key-${KEY_IDS[ch] ?? ch}`)!.dispatchEvent('tap');
}

function tapPay(page: SimComponent): void {
  tap(page.querySelector('#keypad') as SimComponent, '#pay');
}

const redirects = () => wxb.callsOf('redirectTo').map((o: WxCallbackOptions) => String(o.url));

describe('checkout page (contract double of pay/payee)', () => {
  it('shows the merchant from env and creates the order in integer fen, then opens the cashier and goes to the result', async () => {
    const page = await openCheckout();
    expect(textOf(page, '#merchant')).toContain('示例商户');
    typeAmount(page, '12.34');
    await simulate.sleep(0);
    tapPay(page);
    await waitFor(() => redirects().length === 1, { what: 'redirect to result' });

    const creates = double.callsOf('pay.create');
    expect(creates).toHaveLength(1);
    expect(creates[0].data).toMatchObject({ channel: 'jsapi', amount: 1234, description: '小程序支付示例商品' });
    expect(creates[0].data.idempotencyKey).toMatch(/^[A-Za-z0-9_-]{8,64}$/);
    expect(creates[0].openid).toBe('o-alice');

    const [order] = [...double.orders.values()];
    // The local cashier told the sandbox route which prepay id was paid, with the signed params.
    expect(double.cashier).toEqual([{ prepayId: order.payment!.package.slice('prepay_id='.length), action: 'pay', body: order.payment }]);
    expect(redirects()[0]).toBe(`/pages/result/index?outTradeNo=${order.outTradeNo}`);
  });

  it('a double tap makes one create', async () => {
    double.delay('pay.create', 300);
    const page = await openCheckout();
    typeAmount(page, '5');
    await simulate.sleep(0);
    tapPay(page);
    tapPay(page);
    await simulate.sleep(50);
    tapPay(page); // while the create is in flight (button busy)
    await waitFor(() => redirects().length === 1, { what: 'redirect to result' });
    await simulate.sleep(100);
    expect(double.callsOf('pay.create')).toHaveLength(1);
    expect(wxb.callsOf('showActionSheet')).toHaveLength(1);
  });

  it('an error shows a clear message and a retry that reuses the idempotency key', async () => {
    double.failNext('pay.create', { code: 'GATEWAY_UNAVAILABLE', message: 'gateway 503 after retries', retryable: true });
    const page = await openCheckout();
    typeAmount(page, '8.8');
    await simulate.sleep(0);
    tapPay(page);
    await waitFor(() => textOf(page, '#error-text'), { what: 'error message' });
    expect(textOf(page, '#error-text')).toBe('支付服务繁忙，请稍后重试');
    expect(wxb.callsOf('showActionSheet')).toHaveLength(0);

    tap(page, '#retry');
    await waitFor(() => redirects().length === 1, { what: 'redirect after retry' });
    const creates = double.callsOf('pay.create');
    expect(creates).toHaveLength(2);
    expect(creates[1].data.idempotencyKey).toBe(creates[0].data.idempotencyKey);
    expect(creates[1].data.amount).toBe(880);
    expect(double.orders.size).toBe(1);
  });

  it('a final error offers no retry', async () => {
    double.failNext('pay.create', { code: 'AMOUNT_OUT_OF_RANGE', message: 'amount above limit', retryable: false });
    const page = await openCheckout();
    typeAmount(page, '1000');
    await simulate.sleep(0);
    tapPay(page);
    await waitFor(() => textOf(page, '#error-text'), { what: 'error message' });
    expect(textOf(page, '#error-text')).toBe('金额超出可支付范围');
    expect(page.querySelector('#retry')).toBeUndefined();
  });

  it('a cancelled payment keeps the order: "pay again" reopens the cashier without a new create', async () => {
    chooseInCashier('cancel');
    const page = await openCheckout();
    typeAmount(page, '3');
    await simulate.sleep(0);
    tapPay(page);
    await waitFor(() => textOf(page, '#status-text'), { what: 'cancelled notice' });
    expect(textOf(page, '#status-text')).toMatch(/^已取消支付，订单保留至 \d\d:\d\d，可再次支付$/);
    expect(redirects()).toHaveLength(0);

    chooseInCashier('pay');
    tap(page, '#pay-again');
    await waitFor(() => redirects().length === 1, { what: 'redirect after paying again' });
    expect(double.callsOf('pay.create')).toHaveLength(1);
    expect(double.cashier.map((c) => c.action)).toEqual(['cancel', 'pay']);
    expect(double.cashier[0].prepayId).toBe(double.cashier[1].prepayId);
  });

  it('paying the same amount again after a cancel also reuses the order', async () => {
    chooseInCashier('cancel');
    const page = await openCheckout();
    typeAmount(page, '3');
    await simulate.sleep(0);
    tapPay(page);
    await waitFor(() => textOf(page, '#status-text'));
    chooseInCashier('pay');
    await simulate.sleep(0);
    tapPay(page);
    await waitFor(() => redirects().length === 1);
    const creates = double.callsOf('pay.create');
    expect(creates).toHaveLength(2);
    expect(creates[1].data.idempotencyKey).toBe(creates[0].data.idempotencyKey);
    expect(double.orders.size).toBe(1);
  });

  it('a failure in the cashier (余额不足) is shown; paying again creates a new order (the failed one is never reused)', async () => {
    chooseInCashier('insufficient');
    const page = await openCheckout();
    typeAmount(page, '66');
    await simulate.sleep(0);
    tapPay(page);
    await waitFor(() => textOf(page, '#status-text'));
    expect(textOf(page, '#status-text')).toBe('支付未成功：余额不足');
    expect(double.cashier.map((c) => c.action)).toEqual(['fail']);

    chooseInCashier('pay');
    tap(page, '#pay-again');
    await waitFor(() => redirects().length === 1, { what: 'redirect after paying again' });
    const creates = double.callsOf('pay.create');
    expect(creates).toHaveLength(2);
    expect(creates[1].data.idempotencyKey).not.toBe(creates[0].data.idempotencyKey);
    expect(creates[1].data.amount).toBe(6600);
    expect(double.cashier.map((c) => c.action)).toEqual(['fail', 'pay']);
    expect(double.cashier[0].prepayId).not.toBe(double.cashier[1].prepayId);
  });

  it('with a payeeCode: shows the payee and pays through the combine channel', async () => {
    const page = await openCheckout({ payeeCode: 'bob' });
    await waitFor(() => textOf(page, '#merchant')?.includes('收款人bob'), { what: 'payee name' });
    typeAmount(page, '20');
    await simulate.sleep(0);
    tapPay(page);
    await waitFor(() => redirects().length === 1);
    expect(double.callsOf('payee.card')[0].data).toEqual({ shareCode: 'bob' });
    expect(double.callsOf('pay.create')[0].data).toMatchObject({ channel: 'combine', payeeCode: 'bob', amount: 2000 });
  });

  it('with a payee who cannot receive: says so and never creates', async () => {
    const page = await openCheckout({ payeeCode: 'unauthorized' });
    await waitFor(() => textOf(page, '#payee-error'), { what: 'payee error' });
    expect(textOf(page, '#payee-error')).toBe('收款人unauthorized 暂不能收款');
    typeAmount(page, '20');
    await simulate.sleep(0);
    tapPay(page);
    await simulate.sleep(200);
    expect(double.callsOf('pay.create')).toHaveLength(0);
  });
});
