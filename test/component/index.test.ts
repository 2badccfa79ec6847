/**
 * pages/index, built, in miniprogram-simulate, talking through the local transport (real
 * wx.request → real function host → real login function → sandbox jscode2session).
 */
import { testOpenid } from '../../sandbox/gateway/login';
import { maskOpenid } from '../../miniprogram/pages/index/mask';
import { startStack, type Stack } from '../helpers/stack';
import { installWx, type WxBridge } from '../helpers/wx-bridge';
import { openPage, tap, textOf, waitFor } from '../helpers/simulate';

jest.setTimeout(30_000);

let stack: Stack;
let wxb: WxBridge;

beforeAll(async () => {
  stack = await startStack();
});
afterAll(async () => {
  await stack?.close();
});
afterEach(() => wxb?.uninstall());

it('logs in through the function host and shows the masked openid of the signed-in user', async () => {
  wxb = installWx({ user: 'alice', hostUrl: stack.hostUrl, sandboxUrl: stack.gatewayUrl });
  const page = openPage('pages/index/index');
  expect(page.querySelector('#status-loading')).toBeDefined();

  const shown = await waitFor(() => textOf(page, '#openid'), { what: 'openid' });
  const alice = testOpenid(stack.gateway.keys.appid, 'alice');
  expect(shown).toBe(maskOpenid(alice));
  expect(shown).toMatch(/^o.{3}….{4}$/);
  // The page went through the real session flow: POST /session, then POST /call/login.
  // (then POST /call/admin: whether to offer the merchant console)
  expect(wxb.requests.slice(0, 2).map((r) => `${r.method} ${new URL(r.url).pathname} ${r.status}`)).toEqual(['POST /session 200', 'POST /call/login 200']);
  // Entries to the other pages; PayScore is live now (issue 12), no "即将上线" left.
  expect(page.querySelector('#entry-checkout')).toBeDefined();
  expect(page.querySelector('#entry-orders')).toBeDefined();
  expect(page.querySelector('#entry-payee')).toBeDefined();
  expect(textOf(page, '#entry-payscore')).toContain('先享后付');
  expect(textOf(page, '#entry-payscore')).not.toContain('即将上线');
});

it('navigates to the PayScore page when its entry is tapped', async () => {
  wxb = installWx({ user: 'alice', hostUrl: stack.hostUrl });
  const page = openPage('pages/index/index');
  await waitFor(() => textOf(page, '#openid'), { what: 'openid' });
  page.querySelector('#entry-payscore')!.querySelector('.van-cell')!.dispatchEvent('tap');
  await waitFor(() => wxb.callsOf('navigateTo').length > 0, { what: 'navigateTo' });
  expect(wxb.callsOf('navigateTo')[0].url).toBe('/pages/payscore/index');
});

it('offers the merchant console only to an admin (merchant config admins: the sandbox user admin)', async () => {
  wxb = installWx({ user: 'alice', hostUrl: stack.hostUrl, sandboxUrl: stack.gatewayUrl });
  const payerPage = openPage('pages/index/index');
  await waitFor(() => wxb.requests.some((r) => r.url.endsWith('/call/admin')), { what: 'admin status asked' });
  await waitFor(() => payerPage.instance.data.state === 'ready');
  expect(payerPage.instance.data.isAdmin).toBe(false);
  expect(payerPage.querySelector('#entry-admin')).toBeUndefined();
  wxb.uninstall();

  wxb = installWx({ user: 'admin', hostUrl: stack.hostUrl, sandboxUrl: stack.gatewayUrl });
  const adminPage = openPage('pages/index/index');
  const entry = await waitFor(() => adminPage.querySelector('#entry-admin'), { what: 'console entry' });
  expect(entry.dom.textContent).toContain('商户后台');
  entry.querySelector('.van-cell')!.dispatchEvent('tap');
  await waitFor(() => wxb.callsOf('navigateTo').length > 0, { what: 'navigateTo' });
  expect(wxb.callsOf('navigateTo')[0].url).toBe('/pages/admin/index/index');
});

it('navigates to checkout when its entry is tapped', async () => {
  wxb = installWx({ user: 'alice', hostUrl: stack.hostUrl });
  const page = openPage('pages/index/index');
  await waitFor(() => textOf(page, '#openid'), { what: 'openid' });
  page.querySelector('#entry-checkout')!.querySelector('.van-cell')!.dispatchEvent('tap');
  await waitFor(() => wxb.callsOf('navigateTo').length > 0, { what: 'navigateTo' });
  expect(wxb.callsOf('navigateTo')[0].url).toBe('/pages/checkout/index');
});

it('shows an error with retry (not a blank page) when the host is down, and recovers on retry', async () => {
  // A port nothing listens on: the host "is down".
  const down = 'http://127.0.0.1:9';
  wxb = installWx({ user: 'bob', hostUrl: down });
  const page = openPage('pages/index/index');

  const message = await waitFor(() => textOf(page, '#error-message'), { what: 'error state' });
  expect(message).toBe('网络不可用，请检查网络后重试');
  expect(textOf(page, '#error-code')).toBe('TRANSPORT_ERROR');
  expect(page.querySelector('#retry')).toBeDefined();
  expect(page.querySelector('#openid')).toBeUndefined();
  // The failure was also announced with the Vant toast.
  expect(page.querySelector('#van-toast')!.data.show).toBe(true);
  expect(page.querySelector('#van-toast')!.data.message).toBe('网络不可用，请检查网络后重试');

  // The host comes back (the developer ran npm start): retry logs in.
  wxb.storage.set('pay:localUrls', { hostUrl: stack.hostUrl });
  tap(page, '#retry');
  const shown = await waitFor(() => textOf(page, '#openid'), { what: 'openid after retry' });
  expect(shown).toBe(maskOpenid(testOpenid(stack.gateway.keys.appid, 'bob')));
});

it('logs in again once when the host forgot the session (401), instead of failing', async () => {
  wxb = installWx({ user: 'carol', hostUrl: stack.hostUrl, storage: { 'pay:session': 'stale-token-from-a-previous-host' } });
  const page = openPage('pages/index/index');
  const shown = await waitFor(() => textOf(page, '#openid'), { what: 'openid' });
  expect(shown).toBe(maskOpenid(testOpenid(stack.gateway.keys.appid, 'carol')));
  expect(wxb.requests.slice(0, 3).map((r) => `${new URL(r.url).pathname} ${r.status}`)).toEqual(['/call/login 401', '/session 200', '/call/login 200']);
});
