/**
 * A local build paying through the APIv2 channel: the developer switched the checkout with the
 * `pay:channel` storage key (README), the page creates a `v2` order on the real local stack, the
 * local cashier posts the v2 `wx.requestPayment` parameters to the sandbox's v2 cashier (which
 * checks the MD5 pay-sign), the XML notification reaches `payNotifyV2`, and the result page shows
 * paid from pay.query.
 */
import { createV2Admin } from '../../sandbox/gateway/v2/admin';
import { startStack, type Stack } from '../helpers/stack';
import { openPage, simulate, tap, textOf, waitFor, type SimComponent } from '../helpers/simulate';
import { installWx, type WxBridge } from '../helpers/wx-bridge';

jest.setTimeout(60_000);

let stack: Stack;
let wxb: WxBridge | undefined;
const pages: SimComponent[] = [];

beforeAll(async () => {
  stack = await startStack();
});

afterAll(async () => {
  for (const p of pages) p.instance.onUnload?.();
  wxb?.uninstall();
  await stack?.close();
});

function open(path: string, query: Record<string, string> = {}): SimComponent {
  const page = openPage(path, query);
  pages.push(page);
  return page;
}

it('pay:channel = v2: keypad 12.34 → v2 order → sandbox v2 cashier (MD5 pay-sign) → XML notification → result paid', async () => {
  wxb = installWx({ user: 'erin', hostUrl: stack.hostUrl, sandboxUrl: stack.gatewayUrl, storage: { 'pay:channel': 'v2' } });
  wxb.override('showActionSheet', () => ({ errMsg: 'showActionSheet:ok', tapIndex: 0 })); // 支付

  const checkout = open('pages/checkout/index');
  const keypad = await waitFor(() => checkout.querySelector('#keypad'), { what: 'keypad' });
  for (const id of ['1', '2', 'dot', '3', '4']) keypad.querySelector(`#key-${id}`)!.dispatchEvent('tap');
  await simulate.sleep(0);
  tap(keypad as SimComponent, '#pay');
  const redirect = await waitFor(() => wxb!.callsOf('redirectTo')[0], { what: 'redirect to result', timeoutMs: 20_000 });
  const cashierPosts = wxb.requests.filter((r) => r.url.startsWith(`${stack.gatewayUrl}/sandbox/v2/cashier/`));
  expect(cashierPosts.map((r) => [r.url.split('/').pop(), r.status])).toEqual([['pay', 200]]);
  const outTradeNo = decodeURIComponent(/outTradeNo=([^&]+)/.exec(String(redirect.url))![1]);

  const result = open('pages/result/index', { outTradeNo });
  await waitFor(() => result.instance.data.phase === 'paid', { what: 'result paid', timeoutMs: 30_000 });
  expect(textOf(result, '#amount')).toBe('¥12.34');
  expect(result.instance.data.order).toMatchObject({ outTradeNo, amount: 1234, state: 'PAID', channel: 'v2' });
  expect((await createV2Admin(stack.gatewayUrl).order(outTradeNo)).order).toMatchObject({ tradeType: 'JSAPI', totalFee: 1234, tradeState: 'SUCCESS', signType: 'MD5' });
  // Nothing went to the APIv3 gateway.
  expect((await stack.gateway.admin.orders()).orders).toEqual([]);
});
