/**
 * pages/payee in miniprogram-simulate (built from dist, local transport) against the payee
 * CONTRACT DOUBLE (`payee.contract-double.ts`): each state the page can be in, and what it calls.
 * The real-stack version of the sign-up flow is in test/e2e/payee/.
 */
import { openPage, textOf, tap, waitFor, type SimComponent } from '../helpers/simulate';
import { installWx, type WxBridge } from '../helpers/wx-bridge';
import { MERCHANT_SERIAL, startPayeeDouble, type PayeeDouble } from './payee.contract-double';

let double: PayeeDouble;
let wxb: WxBridge;
let page: SimComponent | undefined;

beforeEach(async () => {
  double = await startPayeeDouble();
});

afterEach(async () => {
  page?.detach();
  page = undefined;
  wxb?.uninstall();
  await double.close();
});

function open(user: string): SimComponent {
  wxb = installWx({ user, hostUrl: double.url, sandboxUrl: double.url });
  page = openPage('pages/payee/index');
  return page;
}

const stateOf = (p: SimComponent) => p.instance.data.state as string;

describe('payee page (contract double)', () => {
  it('shows a loading state while the status is being asked', async () => {
    double.delay('payee.status', 300);
    const p = open('alice');
    expect(stateOf(p)).toBe('loading');
    expect(p.querySelector('#state-loading')).toBeTruthy();
    expect(p.querySelector('#sign')).toBeFalsy();
    await waitFor(() => stateOf(p) === 'unauthorized', { what: 'unauthorized' });
    expect(p.querySelector('#state-loading')).toBeFalsy();
  });

  it('unauthorized: shows the signing entry and no share card', async () => {
    const p = open('alice');
    await waitFor(() => stateOf(p) === 'unauthorized', { what: 'unauthorized' });
    expect(textOf(p, '#status-text')).toBe('尚未开通个人收款');
    expect(p.querySelector('#sign')).toBeTruthy();
    expect(p.querySelector('#share-code')).toBeFalsy();
    expect(p.querySelector('#received')).toBeFalsy();
  });

  it('authorized: no signing entry; the share code and received list are shown', async () => {
    double.authorized.add('o_bob');
    double.received.push({
      outTradeNo: 'C1',
      channel: 'combine',
      amount: 888,
      description: '打赏',
      state: 'PAID',
      createdAt: new Date().toISOString(),
      expiresAt: new Date().toISOString(),
      refundedAmount: 0,
      payee: { displayName: '收款人TEST' },
    });
    // Not income yet: a payer opened checkout but has not paid.
    double.received.push({ ...double.received[0], outTradeNo: 'C2', state: 'PAYING' });
    const p = open('bob');
    await waitFor(() => stateOf(p) === 'authorized', { what: 'authorized' });
    expect(textOf(p, '#status-text')).toBe('已开通个人收款');
    expect(p.querySelector('#sign')).toBeFalsy();
    expect(p.querySelector('#sign-entry')).toBeFalsy();
    expect(p.instance.data.shareCode).toMatch(/^[A-Z0-9]{10}$/);
    await waitFor(() => p.querySelector('#received-0'), { what: 'received order' });
    expect(p.instance.data.received.map((o: { outTradeNo: string }) => o.outTradeNo)).toEqual(['C1']);
    expect(p.querySelector('#received-1')).toBeFalsy();
    expect(double.callsOf('pay.list')[0].data).toMatchObject({ role: 'payee' });
    const share = p.instance.onShareAppMessage();
    expect(share.path).toBe(`/pages/checkout/index?payeeCode=${p.instance.data.shareCode}`);
  });

  it('error: shows the message and a retry that recovers', async () => {
    double.failNext('payee.status', { code: 'GATEWAY_UNAVAILABLE', message: 'busy', retryable: true });
    const p = open('carol');
    await waitFor(() => stateOf(p) === 'error', { what: 'error state' });
    expect(textOf(p, '#error-message')).toBe('支付服务繁忙，请稍后重试');
    expect(textOf(p, '#error-code')).toBe('GATEWAY_UNAVAILABLE');
    expect(p.querySelector('#sign')).toBeFalsy();
    tap(p, '#retry');
    await waitFor(() => stateOf(p) === 'unauthorized', { what: 'recovered' });
    expect(double.callsOf('payee.status')).toHaveLength(2);
  });

  it('signing: opens the (sandbox) signing page, then believes only the server', async () => {
    const p = open('dave');
    await waitFor(() => stateOf(p) === 'unauthorized');
    tap(p, '#sign');
    await waitFor(() => stateOf(p) === 'authorized', { what: 'authorized after signing' });
    expect(double.signRequests).toHaveLength(1);
    expect(double.signRequests[0].package).toBe('openid=o_dave&permissionType=INDIVIDUAL_PAYEE');
    // The page gets every field of the published requestSign page, certSerialNo included.
    expect(double.signRequests[0]).toEqual({
      mchid: '1900009191',
      appid: 'wx1234567890abcdef',
      timeStamp: '1767240000',
      nonceStr: 'NONCE',
      package: 'openid=o_dave&permissionType=INDIVIDUAL_PAYEE',
      signType: 'RSA',
      certSerialNo: MERCHANT_SERIAL,
      signature: 'c2ln',
    });
    expect(wxb.callsOf('showModal')).toHaveLength(1);
    expect(double.callsOf('payee.confirm')).toHaveLength(1);
    expect(p.querySelector('#sign')).toBeFalsy();
  });

  it('signing page says success but the gateway says unauthorized: stays unauthorized with a notice', async () => {
    double.gatewayIgnoresSigning = true;
    const p = open('erin');
    await waitFor(() => stateOf(p) === 'unauthorized');
    tap(p, '#sign');
    await waitFor(() => double.callsOf('payee.confirm').length === 1 && !p.instance.data.signing, { what: 'confirm done' });
    expect(stateOf(p)).toBe('unauthorized');
    expect(textOf(p, '#notice')).toContain('尚未确认');
    expect(p.querySelector('#sign')).toBeTruthy();
  });

  it('cancelling the signing page changes nothing and asks no confirmation', async () => {
    const p = open('frank');
    await waitFor(() => stateOf(p) === 'unauthorized');
    wxb.override('showModal', () => ({ errMsg: 'showModal:ok', confirm: false, cancel: true }));
    tap(p, '#sign');
    await waitFor(() => wxb.callsOf('showModal').length === 1 && !p.instance.data.signing, { what: 'modal answered' });
    expect(double.signRequests).toHaveLength(0);
    expect(double.callsOf('payee.confirm')).toHaveLength(0);
    expect(stateOf(p)).toBe('unauthorized');
  });

  it('a double tap on the entry asks for signing params once', async () => {
    double.delay('payee.signParams', 150);
    const p = open('gina');
    await waitFor(() => stateOf(p) === 'unauthorized');
    tap(p, '#sign');
    tap(p, '#sign');
    await waitFor(() => stateOf(p) === 'authorized');
    expect(double.callsOf('payee.signParams')).toHaveLength(1);
  });

  it('pull to refresh asks the server to re-check (signed elsewhere → authorized)', async () => {
    const p = open('ivy');
    await waitFor(() => stateOf(p) === 'unauthorized');
    double.authorized.add('o_ivy'); // e.g. signed on another device
    await p.instance.onPullDownRefresh();
    expect(stateOf(p)).toBe('authorized');
    expect(double.callsOf('payee.confirm')).toHaveLength(1);
    expect(wxb.callsOf('stopPullDownRefresh')).toHaveLength(1);
  });

  it('saves a display name', async () => {
    const p = open('hank');
    await waitFor(() => stateOf(p) === 'unauthorized');
    p.instance.onNameInput({ detail: '阿汉的旧书摊' });
    tap(p, '#save-name');
    await waitFor(() => p.instance.data.displayName === '阿汉的旧书摊', { what: 'saved name' });
    expect(double.callsOf('payee.profile').at(-1)!.data).toEqual({ displayName: '阿汉的旧书摊' });
  });
});
