/**
 * @jest-environment jsdom
 *
 * Seed 000 end to end through the PAGES: user A signs up on pages/payee (the sandbox signing page
 * verifies the server's signature), user B opens A's share code in pages/checkout, pays 8.88 in
 * the local cashier, the sandbox notifies, B's result page shows paid, A's received list shows it,
 * and the store holds one PAID combine order with its sub-order.
 *
 * Pages run in miniprogram-simulate (jsdom); the stack (gateway + function host) runs in its own
 * Node process (`stack-process.ts`) and everything between them is real HTTP.
 */
import { openPage, waitFor, type SimComponent } from '../../helpers/simulate';
import { installWx, type WxBridge } from '../../helpers/wx-bridge';
import { startRemoteStack, storeTable, type OrderRow, type RemoteStack } from './remote-stack';

jest.setTimeout(90_000);

let stack: RemoteStack;
let wxb: WxBridge | undefined;
const pages: SimComponent[] = [];

beforeAll(async () => {
  stack = await startRemoteStack();
});

afterAll(async () => {
  for (const p of pages) p.detach();
  wxb?.uninstall();
  await stack?.close();
});

function as(user: string): WxBridge {
  wxb?.uninstall();
  wxb = installWx({ user, hostUrl: stack.hostUrl, sandboxUrl: stack.gatewayUrl });
  return wxb;
}

function open(path: string, query: Record<string, string> = {}): SimComponent {
  const page = openPage(path, query);
  pages.push(page);
  return page;
}

it('A signs up on the payee page; B pays A 8.88 from the share code; both see it', async () => {
  // ── A: sign up ────────────────────────────────────────────────────────────────────────────
  const alice = as('alice');
  const payeePage = open('pages/payee/index');
  await waitFor(() => payeePage.instance.data.state === 'unauthorized', { what: 'unauthorized', timeoutMs: 15_000 });
  expect(payeePage.querySelector('#sign')).toBeTruthy();
  payeePage.instance.onSign();
  await waitFor(() => payeePage.instance.data.state === 'authorized', { what: 'authorized after signing', timeoutMs: 15_000 });
  expect(alice.callsOf('showModal')).toHaveLength(1); // the (sandbox) signing page
  expect(alice.requests.some((r) => r.url === `${stack.gatewayUrl}/sandbox/sign` && r.status === 200)).toBe(true);
  expect(payeePage.querySelector('#sign')).toBeFalsy();
  payeePage.instance.onNameInput({ detail: '爱丽丝的旧书' });
  await payeePage.instance.onSaveName();
  const shareCode = payeePage.instance.data.shareCode as string;
  expect(shareCode).toMatch(/^[2-9A-HJ-NP-Z]{10}$/);
  const share = payeePage.instance.onShareAppMessage();
  expect(share.path).toBe(`/pages/checkout/index?payeeCode=${shareCode}`);

  // ── B: open the share code, pay 8.88 ────────────────────────────────────────────────────
  const bob = as('bob');
  const checkout = open('pages/checkout/index', { payeeCode: shareCode });
  await waitFor(() => checkout.instance.data.payeeName === '爱丽丝的旧书', { what: 'payee card', timeoutMs: 15_000 });
  expect(checkout.instance.data.payeeError).toBe('');
  checkout.instance.onKeypadPay({ detail: { amount: 888 } });
  const redirect = await waitFor(() => bob.callsOf('redirectTo')[0], { what: 'redirect to result', timeoutMs: 15_000 });
  expect(bob.callsOf('showActionSheet')).toHaveLength(1); // the local cashier: 支付 chosen
  const outTradeNo = decodeURIComponent(/outTradeNo=([^&]+)/.exec(String(redirect.url))![1]);

  const result = open('pages/result/index', { outTradeNo });
  await waitFor(() => result.instance.data.phase === 'paid', { what: 'result page paid', timeoutMs: 30_000 });

  // ── A: the received list ───────────────────────────────────────────────────────────────
  as('alice');
  const again = open('pages/payee/index');
  await waitFor(() => (again.instance.data.received as unknown[]).length === 1, { what: 'received list', timeoutMs: 15_000 });
  expect(again.instance.data.received[0]).toMatchObject({ outTradeNo, amount: 888, state: 'PAID', channel: 'combine' });

  // ── the store: one PAID combine order with its sub-order ─────────────────────────────────
  const combines = storeTable<OrderRow>(stack, 'orders').filter((r) => r.combine_out_trade_no !== null);
  expect(combines).toHaveLength(1);
  expect(combines[0]).toMatchObject({ out_trade_no: outTradeNo, state: 'PAID' });
  const order = JSON.parse(combines[0].data) as { amount: number; subOrders: Array<{ amount: number; state: string; individualAuthId: string }> };
  expect(order.amount).toBe(888);
  expect(order.subOrders).toHaveLength(1);
  expect(order.subOrders[0]).toMatchObject({ amount: 888, state: 'SUCCESS' });
  expect(order.subOrders[0].individualAuthId).toBeTruthy();
});
