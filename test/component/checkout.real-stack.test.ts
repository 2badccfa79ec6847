/**
 * checkout → result → orders against the REAL local stack (pay function on the function host,
 * sandbox gateway, signed v3 calls, encrypted notification), in-process: the user types 12.34 on
 * the keypad, cancels once in the local cashier, pays again (same order), and the result page shows
 * paid only after the notification reached the server; the orders page lists it. Also the official
 * amount control (the sandbox stand-in) on a supported client, end to end.
 */
import { join } from 'node:path';
import { openStore } from '../../cloudfunctions/core/store';
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

it('keypad 12.34 → cancel → pay again (same order) → result paid from pay.query → listed in orders', async () => {
  wxb = installWx({ user: 'carol', hostUrl: stack.hostUrl, sandboxUrl: stack.gatewayUrl });
  const choices = [1, 0]; // 取消, then 支付
  wxb.override('showActionSheet', () => ({ errMsg: 'showActionSheet:ok', tapIndex: choices.shift() }));

  const checkout = open('pages/checkout/index');
  // simulate's WeChat client (8.0.5) is older than the amount control needs: the keypad.
  const keypad = await waitFor(() => checkout.querySelector('#keypad'), { what: 'keypad' });
  for (const id of ['1', '2', 'dot', '3', '4']) keypad.querySelector(`#key-${id}`)!.dispatchEvent('tap');
  await simulate.sleep(0);
  tap(keypad as SimComponent, '#pay');
  await waitFor(() => textOf(checkout, '#status-text'), { what: 'cancelled notice', timeoutMs: 20_000 });
  expect(textOf(checkout, '#status-text')).toContain('已取消支付');
  const cashierPosts = () => wxb!.requests.filter((r) => r.url.startsWith(`${stack.gatewayUrl}/sandbox/cashier/`));
  expect(cashierPosts().map((r) => [r.url.split('/').pop(), r.status])).toEqual([['cancel', 200]]);

  tap(checkout, '#pay-again');
  const redirect = await waitFor(() => wxb!.callsOf('redirectTo')[0], { what: 'redirect to result', timeoutMs: 20_000 });
  expect(cashierPosts().map((r) => [r.url.split('/').pop(), r.status])).toEqual([['cancel', 200], ['pay', 200]]);
  // Both cashier visits were for the same prepay id: pay again did not create a second order.
  const [first, second] = cashierPosts().map((r) => r.url.split('/').slice(-2, -1)[0]);
  expect(second).toBe(first);
  const outTradeNo = decodeURIComponent(/outTradeNo=([^&]+)/.exec(String(redirect.url))![1]);

  const result = open('pages/result/index', { outTradeNo });
  await waitFor(() => result.instance.data.phase === 'paid', { what: 'result paid', timeoutMs: 30_000 });
  expect(textOf(result, '#title')).toBe('支付成功');
  expect(textOf(result, '#amount')).toBe('¥12.34');
  expect(result.instance.data.order).toMatchObject({ outTradeNo, amount: 1234, state: 'PAID', channel: 'jsapi' });

  // The gateway saw one JSAPI order (cancel + pay again did not create a second), paid, for 12.34.
  const atGateway = (await stack.gateway.admin.orders()).orders;
  expect(atGateway).toHaveLength(1);
  expect(atGateway[0]).toMatchObject({ tradeType: 'JSAPI', total: 1234, tradeState: 'SUCCESS' });

  // The store holds one PAID order for 1234 fen, and its audit trail tells how it got there.
  const store = openStore({ kind: 'sqlite', file: join(stack.dataDir, 'store.sqlite') });
  try {
    expect(await store.getOrder(outTradeNo)).toMatchObject({ amount: 1234, state: 'PAID', version: 3 });
    const trail = (await store.listAudit(outTradeNo)).map((a) => [a.from, a.to, a.event]);
    expect(trail).toEqual([
      [null, 'CREATED', 'ORDER_CREATED'],
      ['CREATED', 'PAYING', 'PREPAY_CREATED'],
      ['PAYING', 'PAID', 'PAID'],
    ]);
  } finally {
    await store.close();
  }

  const orders = open('pages/orders/index');
  await waitFor(() => (orders.instance.data.orders as unknown[]).length === 1, { what: 'orders list', timeoutMs: 15_000 });
  expect(orders.instance.data.orders[0]).toMatchObject({ outTradeNo, amount: 1234, state: 'PAID' });
  await waitFor(() => textOf(orders.querySelector('#order-0') as SimComponent, '#state') === '已支付', { what: 'status tag' });
});

it('gateway down during create: the page says so; retry (same key) succeeds once it is back, with one order', async () => {
  wxb?.uninstall();
  wxb = installWx({ user: 'dave', hostUrl: stack.hostUrl, sandboxUrl: stack.gatewayUrl });
  wxb.override('showActionSheet', () => ({ errMsg: 'showActionSheet:ok', tapIndex: 0 }));
  await stack.gateway.admin.fault({ kind: 'endpoint', method: 'POST', path: '/v3/pay/transactions/jsapi', effect: 'SYSTEM_ERROR', count: 50 });
  try {
    const checkout = open('pages/checkout/index');
    const keypad = await waitFor(() => checkout.querySelector('#keypad'), { what: 'keypad' });
    for (const id of ['7', '7']) keypad.querySelector(`#key-${id}`)!.dispatchEvent('tap');
    await simulate.sleep(0);
    tap(keypad as SimComponent, '#pay');
    await waitFor(() => textOf(checkout, '#error-text'), { what: 'error message', timeoutMs: 30_000 });
    expect(textOf(checkout, '#error-text')).toBe('支付服务繁忙，请稍后重试');
    expect(checkout.querySelector('#retry')).toBeDefined();
    expect(wxb.callsOf('showActionSheet')).toHaveLength(0);

    await stack.gateway.admin.clearFaults();
    tap(checkout, '#retry');
    const redirect = await waitFor(() => wxb!.callsOf('redirectTo')[0], { what: 'redirect after retry', timeoutMs: 20_000 });
    const outTradeNo = decodeURIComponent(/outTradeNo=([^&]+)/.exec(String(redirect.url))![1]);
    const result = open('pages/result/index', { outTradeNo });
    await waitFor(() => result.instance.data.phase === 'paid', { what: 'result paid', timeoutMs: 30_000 });
    const paidAtGateway = (await stack.gateway.admin.orders()).orders.filter((o) => o.total === 7700 && o.tradeState === 'SUCCESS');
    expect(paidAtGateway).toHaveLength(1);
    expect(paidAtGateway[0].outTradeNo).toBe(outTradeNo);
  } finally {
    await stack.gateway.admin.clearFaults();
  }
});

it('a lost notification: the result page still reaches "paid" through pay.query asking the gateway', async () => {
  wxb?.uninstall();
  wxb = installWx({ user: 'erin', hostUrl: stack.hostUrl, sandboxUrl: stack.gatewayUrl });
  wxb.override('showActionSheet', () => ({ errMsg: 'showActionSheet:ok', tapIndex: 0 }));
  await stack.gateway.admin.fault({ kind: 'notification', effect: 'drop', count: 50 });
  try {
    const checkout = open('pages/checkout/index');
    const keypad = await waitFor(() => checkout.querySelector('#keypad'), { what: 'keypad' });
    for (const id of ['0', 'dot', '0', '1']) keypad.querySelector(`#key-${id}`)!.dispatchEvent('tap');
    await simulate.sleep(0);
    tap(keypad as SimComponent, '#pay');
    const redirect = await waitFor(() => wxb!.callsOf('redirectTo')[0], { what: 'redirect to result', timeoutMs: 20_000 });
    const outTradeNo = decodeURIComponent(/outTradeNo=([^&]+)/.exec(String(redirect.url))![1]);
    const result = open('pages/result/index', { outTradeNo });
    await waitFor(() => result.instance.data.phase === 'paid', { what: 'result paid without a notification', timeoutMs: 30_000 });
    expect(result.instance.data.order).toMatchObject({ amount: 1, state: 'PAID' });
    // …and the server never heard the notification: it learned from its own query.
    const notes = (await stack.gateway.admin.notifications()).filter((n) => n.subject === outTradeNo);
    expect(notes.length).toBeGreaterThan(0);
    expect(notes.every((n) => n.status !== 'delivered')).toBe(true);
  } finally {
    await stack.gateway.admin.clearFaults();
  }
});

it('the amount control (sandbox stand-in) on a supported client: 19.99 yuan → 1999 fen at the gateway, pay sign verified by the sandbox cashier, paid', async () => {
  wxb?.uninstall();
  wxb = installWx({
    user: 'frank',
    hostUrl: stack.hostUrl,
    sandboxUrl: stack.gatewayUrl,
    storage: { 'sandbox:wechatpay-payment': { clientVersion: '8.0.50' } },
  });
  wxb.override('showActionSheet', () => ({ errMsg: 'showActionSheet:ok', tapIndex: 0 }));
  const checkout = open('pages/checkout/index');
  const control = await waitFor(() => checkout.querySelector('#amount-control'), { what: 'amount control' });
  expect(checkout.querySelector('#keypad')).toBeUndefined();
  const touches: Array<{ amount: unknown }> = [];
  control.addEventListener('onPayTouch', (e) => touches.push(e.detail));
  for (const id of ['1', '9', 'dot', '9', '9']) control.querySelector(`#wp-key-${id}`)!.dispatchEvent('tap');
  await simulate.sleep(0);
  control.querySelector('#wp-pay')!.dispatchEvent('tap');
  const redirect = await waitFor(() => wxb!.callsOf('redirectTo')[0], { what: 'redirect to result', timeoutMs: 20_000 });
  expect(touches.map((t) => t.amount)).toEqual([19.99]);
  // The stand-in posted the invoke parameters to the sandbox cashier, which verified the pay sign.
  const cashierPosts = wxb.requests.filter((r) => r.url.startsWith(`${stack.gatewayUrl}/sandbox/cashier/`));
  expect(cashierPosts.map((r) => [r.url.split('/').pop(), r.status])).toEqual([['pay', 200]]);

  const outTradeNo = decodeURIComponent(/outTradeNo=([^&]+)/.exec(String(redirect.url))![1]);
  const result = open('pages/result/index', { outTradeNo });
  await waitFor(() => result.instance.data.phase === 'paid', { what: 'result paid', timeoutMs: 30_000 });
  expect(result.instance.data.order).toMatchObject({ outTradeNo, amount: 1999, state: 'PAID', channel: 'jsapi' });
  const atGateway = (await stack.gateway.admin.orders()).orders.filter((o) => o.outTradeNo === outTradeNo);
  expect(atGateway).toMatchObject([{ tradeType: 'JSAPI', total: 1999, tradeState: 'SUCCESS' }]);
});
