/**
 * The sandbox's stand-in for `<wechatpay-payment>` (sandbox/wechatpay-miniprogram, placed by the
 * local build at miniprogram_npm/@tenpay/wechatpay-miniprogram) against what 小程序金额控件介绍 says:
 * `onPayTouch` `{ amount: Number in yuan, orderCompleteCallback }`; the callback opens the cashier
 * (here the local sandbox cashier) and `onPaySuccess` `{ orderInfo }` follows; no callback within
 * 30 s → `onPayFailed` `{ retcode: 'OrderTimeout' }`. Timeouts run on jest's clock, never the wall's.
 */
import { join } from 'node:path';
import { installWx, type WxBridge } from '../helpers/wx-bridge';
import { MINIPROGRAM_DIST, render, waitFor, type SimComponent } from '../helpers/simulate';
import { startPayContractDouble, type PayContractDouble } from './checkout.pay-contract-double';

const COMPONENT = 'miniprogram_npm/@tenpay/wechatpay-miniprogram/WechatPayment';
const SETTINGS_KEY = 'sandbox:wechatpay-payment';
const KEY_IDS: Record<string, string> = { '.': 'dot' };
const ORDER_INFO = {
  appId: 'wx123456789',
  timeStamp: '1700000000',
  nonceStr: 'n0nce',
  package: 'prepay_id=wx_stand_in_1',
  signType: 'RSA' as const,
  paySign: 'c2lnbmF0dXJl',
};

// Real HTTP to the contract double and a cashier round trip per payment: generous under a loaded CI.
jest.setTimeout(30_000);

let double: PayContractDouble;
let wxb: WxBridge;

beforeEach(async () => {
  double = await startPayContractDouble();
});

afterEach(async () => {
  jest.useRealTimers();
  wxb?.uninstall();
  await double.close();
});

function client(settings?: Record<string, unknown>): void {
  wxb = installWx({ user: 'alice', hostUrl: double.url, sandboxUrl: double.url, storage: settings ? { [SETTINGS_KEY]: settings } : {} });
}

interface Seen {
  touches: Array<{ amount: unknown; orderCompleteCallback: (info: unknown) => void }>;
  failures: unknown[];
  successes: unknown[];
}

function mount(): { control: SimComponent; seen: Seen } {
  const control = render(COMPONENT);
  const seen: Seen = { touches: [], failures: [], successes: [] };
  control.addEventListener('onPayTouch', (e) => seen.touches.push(e.detail));
  control.addEventListener('onPayFailed', (e) => seen.failures.push(e.detail));
  control.addEventListener('onPaySuccess', (e) => seen.successes.push(e.detail));
  return { control, seen };
}

/** j-component delivers taps in a microtask; let them land (on the real clock, whatever jest's is). */
const realSetTimeout = globalThis.setTimeout;
const flush = () => new Promise((resolve) => realSetTimeout(resolve, 0));

async function type(control: SimComponent, text: string): Promise<void> {
  for (const ch of text) control.querySelector(`#wp-key-${KEY_IDS[ch] ?? ch}`)!.dispatchEvent('tap');
  await flush();
}

async function tapPay(control: SimComponent): Promise<void> {
  control.querySelector('#wp-pay')!.dispatchEvent('tap');
  await flush();
}

describe('sandbox stand-in for <wechatpay-payment>', () => {
  it.each([
    ['12.34', 12.34],
    ['0.1', 0.1],
    ['19.99', 19.99],
    ['0.29', 0.29],
    ['100', 100],
    ['999999.99', 999999.99],
    ['007', 7],
    ['1.005', 1.005], // the real keyboard's rules are unpublished: the page must check decimals itself
  ])('onPayTouch hands over what was typed (%s) as a Number in yuan', async (typed, amount) => {
    client();
    const { control, seen } = mount();
    await type(control, typed);
    expect(control.querySelector('#wp-amount')!.dom.textContent).toBe(typed);
    await tapPay(control);
    expect(seen.touches).toHaveLength(1);
    expect(typeof seen.touches[0].amount).toBe('number');
    expect(seen.touches[0].amount).toBe(amount);
    expect(typeof seen.touches[0].orderCompleteCallback).toBe('function');
  });

  it('does nothing on 付款 before an amount is typed, and takes one touch at a time', async () => {
    client();
    const { control, seen } = mount();
    await tapPay(control);
    expect(seen.touches).toHaveLength(0);
    await type(control, '5');
    await tapPay(control);
    await tapPay(control);
    expect(seen.touches).toHaveLength(1);
  });

  it('fails with OrderTimeout 30 s after onPayTouch when not answered, and ignores a late answer', async () => {
    client();
    jest.useFakeTimers({ doNotFake: ['Date', 'nextTick', 'queueMicrotask', 'performance', 'hrtime'] });
    const { control, seen } = mount();
    await type(control, '8.8');
    await tapPay(control);
    jest.advanceTimersByTime(29_999);
    expect(seen.failures).toEqual([]);
    jest.advanceTimersByTime(1);
    expect(seen.failures).toEqual([{ retcode: 'OrderTimeout' }]);

    seen.touches[0].orderCompleteCallback(ORDER_INFO); // too late: the touch is over
    await flush(); // had the cashier opened, it would have asked for a choice synchronously
    expect(wxb.callsOf('showActionSheet')).toHaveLength(0);
    expect(double.cashier).toEqual([]);
    expect(seen.successes).toEqual([]);
    expect(seen.failures).toHaveLength(1);
    // The control takes a new touch after that.
    await tapPay(control);
    expect(seen.touches).toHaveLength(2);
  });

  it('its 30 s wait is time-scalable for local use (storage setting orderTimeoutMs)', async () => {
    client({ orderTimeoutMs: 1_000 });
    jest.useFakeTimers({ doNotFake: ['Date', 'nextTick', 'queueMicrotask', 'performance', 'hrtime'] });
    const { control, seen } = mount();
    await type(control, '1');
    await tapPay(control);
    jest.advanceTimersByTime(999);
    expect(seen.failures).toEqual([]);
    jest.advanceTimersByTime(1);
    expect(seen.failures).toEqual([{ retcode: 'OrderTimeout' }]);
  });

  it('orderCompleteCallback(orderInfo) opens the local sandbox cashier with it; paid → onPaySuccess { orderInfo }, once', async () => {
    client();
    wxb.override('showActionSheet', () => ({ errMsg: 'showActionSheet:ok', tapIndex: 0 })); // 支付
    const { control, seen } = mount();
    await type(control, '12.34');
    await tapPay(control);
    seen.touches[0].orderCompleteCallback(ORDER_INFO);
    seen.touches[0].orderCompleteCallback(ORDER_INFO); // a second call changes nothing
    await waitFor(() => seen.successes.length === 1, { what: 'onPaySuccess', timeoutMs: 20_000 });
    expect(seen.successes).toEqual([{ orderInfo: ORDER_INFO }]);
    const { appId: _appId, ...invoke } = ORDER_INFO;
    void _appId;
    expect(double.cashier).toEqual([{ prepayId: 'wx_stand_in_1', action: 'pay', body: invoke }]);
    expect(wxb.callsOf('showActionSheet')).toHaveLength(1);
    expect(seen.failures).toEqual([]);
    expect(control.querySelector('#wp-amount')!.dom.textContent).toBe(''); // ready for the next payment
  });

  it.each([
    [1, 'cancel', 'SANDBOX_CASHIER_CANCELLED'],
    [2, 'fail', 'SANDBOX_CASHIER_FAILED'],
  ])('a cashier that did not complete (tap %i) → onPayFailed with a sandbox-only retcode', async (tapIndex, action, retcode) => {
    client();
    wxb.override('showActionSheet', () => ({ errMsg: 'showActionSheet:ok', tapIndex }));
    const { control, seen } = mount();
    await type(control, '3');
    await tapPay(control);
    seen.touches[0].orderCompleteCallback(ORDER_INFO);
    await waitFor(() => seen.failures.length === 1, { what: 'onPayFailed', timeoutMs: 20_000 });
    expect(seen.failures[0]).toMatchObject({ retcode });
    expect(double.cashier.map((c) => c.action)).toEqual([action]);
    expect(seen.successes).toEqual([]);
  });

  it('an orderInfo without the pay sign never reaches the cashier', async () => {
    client();
    const { control, seen } = mount();
    await type(control, '3');
    await tapPay(control);
    const { paySign: _sign, ...unsigned } = ORDER_INFO;
    void _sign;
    seen.touches[0].orderCompleteCallback(unsigned);
    await waitFor(() => seen.failures.length === 1, { what: 'onPayFailed', timeoutMs: 20_000 });
    expect(seen.failures[0]).toMatchObject({ retcode: 'SANDBOX_INVALID_ORDER_INFO' });
    expect(wxb.callsOf('showActionSheet')).toHaveLength(0);
    expect(double.cashier).toEqual([]);
  });

  describe('isSupportScanPosPay() (published minimum: WeChat 8.0.40)', () => {
    function sdk(): { isSupportScanPosPay(): Promise<boolean> } {
      let mod: { default: { isSupportScanPosPay(): Promise<boolean> } } | undefined;
      jest.isolateModules(() => {
        mod = require(join(MINIPROGRAM_DIST, 'miniprogram_npm/@tenpay/wechatpay-miniprogram/index.js'));
      });
      return mod!.default;
    }

    it.each([
      ['8.0.39', false],
      ['8.0.40', true],
      ['8.0.100', true],
      ['8.1', true],
      ['7.9.99', false],
    ])('client %s → %p', async (clientVersion, supported) => {
      client({ clientVersion });
      await expect(sdk().isSupportScanPosPay()).resolves.toBe(supported);
    });

    it('reads the client version from wx.getAppBaseInfo() (simulate reports 8.0.5: unsupported)', async () => {
      client();
      await expect(sdk().isSupportScanPosPay()).resolves.toBe(false);
      const g = globalThis as unknown as { wx: Record<string, unknown> };
      const original = g.wx.getAppBaseInfo;
      g.wx.getAppBaseInfo = () => ({ version: '8.0.52', SDKVersion: '3.0.0' });
      try {
        await expect(sdk().isSupportScanPosPay()).resolves.toBe(true);
      } finally {
        g.wx.getAppBaseInfo = original;
      }
    });

    it('marks itself as the sandbox stand-in', () => {
      let mod: Record<string, unknown> = {};
      jest.isolateModules(() => {
        mod = require(join(MINIPROGRAM_DIST, 'miniprogram_npm/@tenpay/wechatpay-miniprogram/index.js'));
      });
      expect(mod.isSandboxStandIn).toBe(true);
    });
  });
});
