/**
 * pages/payscore in miniprogram-simulate (built from dist, local transport) against the REAL local
 * stack (payscore function on the function host, sandbox PayScore with its confirmation page):
 * every state the page can be in — loading, start, confirming, serving, collecting, paid,
 * cancelled, expired, error — and that PayScore's own answer is never taken as the result.
 */
import { createPayScoreAdmin, type PayScoreAdmin } from '../../sandbox/gateway';
import { startStack, type Stack } from '../helpers/stack';
import { openPage, tap, textOf, waitFor, type SimComponent } from '../helpers/simulate';
import { installWx, type WxBridge } from '../helpers/wx-bridge';
import { login, type User } from '../e2e/pay/harness';

jest.setTimeout(60_000);

let stack: Stack;
let gw: PayScoreAdmin;
let admin: User;
let wxb: WxBridge | undefined;
const pages: SimComponent[] = [];

beforeAll(async () => {
  stack = await startStack({ gateway: { timeScale: 100 } });
  gw = createPayScoreAdmin(stack.gatewayUrl);
  admin = await login(stack, 'admin');
});
afterEach(() => {
  for (const p of pages.splice(0)) {
    p.instance.onUnload?.();
    p.detach();
  }
  wxb?.uninstall();
  wxb = undefined;
});
afterAll(async () => {
  await stack?.close();
});

function open(user: string, query: Record<string, string> = {}, hostUrl = stack.hostUrl): SimComponent {
  wxb = installWx({ user, hostUrl, sandboxUrl: stack.gatewayUrl });
  const page = openPage('pages/payscore/index', query);
  pages.push(page);
  return page;
}

const stateOf = (p: SimComponent) => p.instance.data.state as string;
const until = (p: SimComponent, state: string) => waitFor(() => stateOf(p) === state, { what: state, timeoutMs: 20_000 });
const sandboxConfirms = () => wxb!.requests.filter((r) => r.url.endsWith('/sandbox/payscore/confirm'));

/** alice starts a service on the page and confirms it in the sandbox's PayScore page. */
async function serving(user = 'alice'): Promise<{ page: SimComponent; outOrderNo: string }> {
  const page = open(user);
  await until(page, 'start');
  tap(page, '#start');
  await until(page, 'serving');
  return { page, outOrderNo: page.instance.data.order.outOrderNo as string };
}

it('start: what the service is and its risk fund; no order yet', async () => {
  const page = open('dora');
  expect(stateOf(page)).toBe('start');
  expect(page.querySelector('#state-start')).toBeTruthy();
  expect(textOf(page, '#risk-fund')).toBe('50.00');
  expect(textOf(page, '#offer-price')).toBe('5.00');
  expect(page.querySelector('#start')).toBeTruthy();
});

it('start → PayScore confirmation (sandbox page) → serving, as the server says after asking the gateway', async () => {
  const { page, outOrderNo } = await serving();
  expect(textOf(page, '#status-text')).toContain('服务中');
  expect(sandboxConfirms().map((r) => r.status)).toEqual([200]);
  expect(wxb!.callsOf('showModal')[0]).toMatchObject({ title: '微信支付分（沙箱确认页）', confirmText: '确认订单' });
  expect((await gw.order(outOrderNo)).order).toMatchObject({ state: 'DOING', stateDescription: 'USER_CONFIRM' });
  expect(page.querySelector('#confirm')).toBeFalsy();
});

it('serving → the merchant completes 25.00 (shown when it happens) → collecting → paid', async () => {
  const { page, outOrderNo } = await serving();
  await gw.scriptClearing(['hold']);
  await admin.ok('payscore.complete', { outOrderNo, postPayments: [{ name: '租借费用', amount: 2500 }], totalAmount: 2500 });
  await until(page, 'collecting');
  expect(textOf(page, '#status-text')).toContain('正在扣款');
  expect(textOf(page, '#total')).toBe('25.00');
  await admin.ok('payscore.registerDeduction', { outOrderNo, outTradeNo: `DT${Date.now()}` });
  await gw.collect(outOrderNo, 'succeed');
  await until(page, 'paid');
  expect(textOf(page, '#status-text')).toBe('已支付');
  expect(textOf(page, '#paid')).toBe('25.00');
  expect(page.querySelector('#again')).toBeTruthy();
});

it('the user refuses in PayScore: still confirming (not confirmed), then cancels: cancelled', async () => {
  const page = open('erin');
  await until(page, 'start');
  wxb!.override('showModal', () => ({ errMsg: 'showModal:ok', confirm: false, cancel: true }));
  tap(page, '#start');
  await waitFor(() => page.instance.data.notice, { what: 'notice' });
  expect(stateOf(page)).toBe('confirming');
  expect(textOf(page, '#notice')).toContain('尚未确认订单');
  expect(page.querySelector('#confirm')).toBeTruthy();
  tap(page, '#cancel');
  await until(page, 'cancelled');
  expect(textOf(page, '#status-text')).toBe('已取消');
});

it('an openBusinessView answer is not proof: a confirmation the gateway did not record stays confirming', async () => {
  const page = open('fay');
  await until(page, 'start');
  wxb!.override('showModal', () => ({ errMsg: 'showModal:ok', confirm: false, cancel: true }));
  tap(page, '#start');
  await waitFor(() => page.instance.data.notice, { what: 'notice' });
  // Reopened later: the page asks the server (which asks the gateway), not its memory.
  const again = open('fay', { outOrderNo: page.instance.data.order.outOrderNo });
  expect(stateOf(again)).toBe('loading');
  expect(again.querySelector('#state-loading')).toBeTruthy();
  await until(again, 'confirming');
});

it('error: the host is down → error with its code and a retry', async () => {
  const page = open('gus', { outOrderNo: 'PSNOPE' }, 'http://127.0.0.1:9');
  await until(page, 'error');
  expect(textOf(page, '#error-code')).toBe('TRANSPORT_ERROR');
  expect(page.querySelector('#retry')).toBeTruthy();
});

it('someone else\'s order: error NOT_FOUND', async () => {
  const { outOrderNo } = await serving('hal');
  const page = open('ivy', { outOrderNo });
  await until(page, 'error');
  expect(textOf(page, '#error-code')).toBe('NOT_FOUND');
});

it('expired: a CREATED order nobody confirmed for 30 days (runs last: it moves the sandbox clock)', async () => {
  const page = open('jay');
  await until(page, 'start');
  wxb!.override('showModal', () => ({ errMsg: 'showModal:ok', confirm: false, cancel: true }));
  tap(page, '#start');
  await waitFor(() => page.instance.data.notice, { what: 'notice' });
  await gw.advanceClock(30 * 24 * 3600_000);
  const again = open('jay', { outOrderNo: page.instance.data.order.outOrderNo });
  await until(again, 'expired');
  expect(textOf(again, '#status-text')).toContain('已失效');
});
