/**
 * checkout → result with the Huifu channel selected, against the REAL local stack (pay and
 * huifuNotify on the function host, the Huifu sandbox): the user types 12.34 on the keypad, the
 * page creates on channel `huifu` (selected locally through `pay:channel`), the local cashier
 * pays `pay_info` at the Huifu sandbox, both notifications reach huifuNotify, and the result page
 * shows paid 12.34 yuan, 1234 fen stored.
 */
import { join } from 'node:path';
import { openStore } from '../../cloudfunctions/core/store';
import { startStack, type Stack } from '../helpers/stack';
import { openPage, simulate, tap, textOf, waitFor, type SimComponent } from '../helpers/simulate';
import { installWx, type WxBridge } from '../helpers/wx-bridge';
import { waitFor as waitUntil } from '../helpers/e2e-utils';

jest.setTimeout(60_000);

let stack: Stack;
let wxb: WxBridge | undefined;
const pages: SimComponent[] = [];

beforeAll(async () => {
  stack = await startStack({ huifu: { timeScale: 50 } });
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

it('keypad 12.34 → pay.create huifu → Huifu cashier → both notifications → result paid ¥12.34, 1234 fen stored', async () => {
  wxb = installWx({
    user: 'erin',
    hostUrl: stack.hostUrl,
    sandboxUrl: stack.gatewayUrl,
    storage: { 'pay:channel': 'huifu' },
  });
  wxb.storage.set('pay:localUrls', { hostUrl: stack.hostUrl, sandboxUrl: stack.gatewayUrl, huifuSandboxUrl: stack.huifu!.url });
  wxb.override('showActionSheet', () => ({ errMsg: 'showActionSheet:ok', tapIndex: 0 }));

  const checkout = open('pages/checkout/index');
  const keypad = await waitFor(() => checkout.querySelector('#keypad'), { what: 'keypad' });
  for (const id of ['1', '2', 'dot', '3', '4']) keypad.querySelector(`#key-${id}`)!.dispatchEvent('tap');
  await simulate.sleep(0);
  tap(keypad as SimComponent, '#pay');
  const redirect = await waitFor(() => wxb!.callsOf('redirectTo')[0], { what: 'redirect to result', timeoutMs: 20_000 });
  const outTradeNo = decodeURIComponent(/outTradeNo=([^&]+)/.exec(String(redirect.url))![1]);
  // The cashier visit went to the Huifu sandbox, with the prepay id pay_info carried.
  const cashierPosts = wxb.requests.filter((r) => r.url.includes('/sandbox/cashier/'));
  expect(cashierPosts.map((r) => [r.url.startsWith(`${stack.huifu!.url}/sandbox/cashier/`), r.url.split('/').pop(), r.status])).toEqual([[true, 'pay', 200]]);

  const result = open('pages/result/index', { outTradeNo });
  await waitFor(() => result.instance.data.phase === 'paid', { what: 'result paid', timeoutMs: 30_000 });
  expect(textOf(result, '#title')).toBe('支付成功');
  expect(textOf(result, '#amount')).toBe('¥12.34');
  expect(result.instance.data.order).toMatchObject({ outTradeNo, amount: 1234, state: 'PAID', channel: 'huifu' });

  // Huifu was asked for 12.34 yuan and sent both notifications, each acknowledged.
  const { trades } = await stack.huifu!.admin.trades();
  expect(trades.filter((t) => t.reqSeqId === outTradeNo)).toEqual([expect.objectContaining({ transFen: 1234, transStat: 'S', tradeType: 'T_MINIAPP' })]);
  await waitUntil('trade + accounting delivered', async () => (await stack.huifu!.admin.notifications()).filter((n) => n.reqSeqId === outTradeNo && n.status === 'delivered').length === 2);

  const store = openStore({ kind: 'sqlite', file: join(stack.dataDir, 'store.sqlite') });
  try {
    expect(await store.getOrder(outTradeNo)).toMatchObject({ amount: 1234, state: 'PAID', channel: 'huifu', settlementAmount: 1234, feeAmount: 5 });
  } finally {
    await store.close();
  }
});
