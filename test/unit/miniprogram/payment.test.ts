/**
 * services/payment.ts in both transports, with a recording `wx` and the build-time env defined as
 * the gulp build would (`__PAY_ENV__`). Cloud: the real `wx.requestPayment` contract (success,
 * `fail cancel`, other fails). Local: the action-sheet cashier posting to a real HTTP server.
 */
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';

interface PaymentModule {
  requestPayment(params: unknown): Promise<unknown>;
  outcomeOfFail(errMsg: string | undefined): unknown;
  prepayIdOf(pkg: string): string | undefined;
}

const params = { timeStamp: '1700000000', nonceStr: 'abc', package: 'prepay_id=wx2611', signType: 'RSA', paySign: 'c2ln' };
/** As `pay.create` answers them: tagged with the cashier they are for. `params` is what reaches wx / the sandbox. */
const tagged = { kind: 'miniprogram', ...params };
type Callbacks = { success?: (r: unknown) => void; fail?: (e: { errMsg: string }) => void; [k: string]: unknown };

function loadPayment(transport: 'cloud' | 'local', wx: Record<string, unknown>, sandboxUrl = 'http://127.0.0.1:9', huifuSandboxUrl = 'http://127.0.0.1:8'): PaymentModule {
  jest.resetModules();
  const g = globalThis as Record<string, unknown>;
  g.__PAY_ENV__ = { transport, hostUrl: 'http://127.0.0.1:9', sandboxUrl, huifuSandboxUrl, cloudEnv: '', merchantName: 'm', defaultDescription: 'd', maxAmountFen: 100 };
  g.wx = { getStorageSync: () => '', ...wx };
  return jest.requireActual<PaymentModule>('../../../miniprogram/services/payment');
}

afterEach(() => {
  const g = globalThis as Record<string, unknown>;
  delete g.__PAY_ENV__;
  delete g.wx;
});

describe('pure helpers', () => {
  const { outcomeOfFail, prepayIdOf } = loadPayment('cloud', {});
  it('maps requestPayment fails: cancel → cancelled, anything else → failed with the reason', () => {
    expect(outcomeOfFail('requestPayment:fail cancel')).toEqual({ kind: 'cancelled' });
    expect(outcomeOfFail('requestPayment:fail (detail message)')).toEqual({ kind: 'failed', reason: '(detail message)' });
    expect(outcomeOfFail(undefined)).toEqual({ kind: 'failed', reason: '支付失败' });
  });
  it('takes the prepay id out of the package', () => {
    expect(prepayIdOf('prepay_id=wx201410272009395522657a690389285100')).toBe('wx201410272009395522657a690389285100');
    expect(prepayIdOf('Sign=WXPay')).toBeUndefined();
    expect(prepayIdOf('prepay_id=')).toBeUndefined();
  });
});

describe('payment parameters of another cashier', () => {
  it.each([
    ['app', { kind: 'app', partnerId: '1900000109', prepayId: 'wx2611', packageValue: 'Sign=WXPay', nonceStr: 'abc', timeStamp: '1700000000', sign: 'AB12' }, /App/],
    ['huifu without the cashier fields', { kind: 'huifu', payInfo: JSON.stringify({ appId: 'wx1', package: 'prepay_id=wx2611' }) }, /pay_info/],
    ['huifu that is not JSON', { kind: 'huifu', payInfo: 'prepay_id=wx2611' }, /pay_info/],
  ])('%s: a clear failure on this client, no cashier opened', async (_kind, other, reason) => {
    for (const transport of ['cloud', 'local'] as const) {
      const requestPayment = jest.fn();
      const showActionSheet = jest.fn();
      const payment = loadPayment(transport, { requestPayment, showActionSheet, request: jest.fn() });
      await expect(payment.requestPayment(other)).resolves.toEqual({ kind: 'failed', reason: expect.stringMatching(reason) });
      expect(requestPayment).not.toHaveBeenCalled();
      expect(showActionSheet).not.toHaveBeenCalled();
    }
  });
});

describe('Huifu pay_info', () => {
  const huifu = { kind: 'huifu', payInfo: JSON.stringify({ appId: 'wxAPP', ...params }) };
  it('cloud: wx.requestPayment with exactly the five fields pay_info carries', async () => {
    const requestPayment = jest.fn((o: Callbacks) => setTimeout(() => o.success?.({ errMsg: 'requestPayment:ok' }), 0));
    const payment = loadPayment('cloud', { requestPayment });
    await expect(payment.requestPayment(huifu)).resolves.toEqual({ kind: 'paid' });
    const { success: _s, fail: _f, ...sent } = requestPayment.mock.calls[0]![0];
    expect(sent).toEqual(params);
  });
});

describe('cloud transport: wx.requestPayment', () => {
  it('passes the five signed fields through and resolves paid on success', async () => {
    const requestPayment = jest.fn((o: Callbacks) => setTimeout(() => o.success?.({ errMsg: 'requestPayment:ok' }), 0));
    const payment = loadPayment('cloud', { requestPayment });
    await expect(payment.requestPayment(tagged)).resolves.toEqual({ kind: 'paid' });
    expect(requestPayment.mock.calls[0][0]).toMatchObject(params);
  });
  it('resolves cancelled when the user closes the cashier, failed otherwise', async () => {
    let errMsg = 'requestPayment:fail cancel';
    const requestPayment = (o: Callbacks) => setTimeout(() => o.fail?.({ errMsg }), 0);
    const payment = loadPayment('cloud', { requestPayment });
    await expect(payment.requestPayment(tagged)).resolves.toEqual({ kind: 'cancelled' });
    errMsg = 'requestPayment:fail 支付签名校验失败';
    await expect(payment.requestPayment(tagged)).resolves.toEqual({ kind: 'failed', reason: '支付签名校验失败' });
  });
});

describe('local transport: action-sheet cashier → sandbox', () => {
  let server: Server;
  let url: string;
  const seen: Array<{ path: string; body: unknown }> = [];
  let status = 200;

  beforeAll(async () => {
    server = createServer((req, res) => {
      let body = '';
      req.on('data', (c: Buffer) => (body += c.toString()));
      req.on('end', () => {
        seen.push({ path: req.url ?? '', body: body ? JSON.parse(body) : undefined });
        res.writeHead(status, { 'content-type': 'application/json' });
        res.end(JSON.stringify(status === 200 ? { trade_state: 'SUCCESS' } : { code: 'ORDER_CLOSED', message: '订单已关闭或已过期' }));
      });
    });
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  });
  afterAll(() => new Promise<void>((r) => server.close(() => r())));
  beforeEach(() => {
    seen.length = 0;
    status = 200;
  });

  /** A wx whose request is real HTTP (Node fetch) and whose action sheet answers `tapIndex`, or fails when undefined. */
  function localWx(tapIndex: number | undefined) {
    return {
      showActionSheet: (o: Callbacks) =>
        setTimeout(() => (tapIndex === undefined ? o.fail?.({ errMsg: 'showActionSheet:fail cancel' }) : o.success?.({ tapIndex })), 0),
      request: (o: Callbacks) => {
        fetch(String(o.url), { method: String(o.method), headers: o.header as Record<string, string>, body: JSON.stringify(o.data) })
          .then(async (res) => o.success?.({ statusCode: res.status, data: await res.json() }))
          .catch((e: Error) => o.fail?.({ errMsg: `request:fail ${e.message}` }));
      },
    };
  }

  it.each([
    [0, 'pay', { kind: 'paid' }],
    [1, 'cancel', { kind: 'cancelled' }],
    [2, 'fail', { kind: 'failed', reason: '余额不足' }],
  ])('choice %p posts /%s and resolves %p', async (tapIndex, action, outcome) => {
    const payment = loadPayment('local', localWx(tapIndex), url);
    await expect(payment.requestPayment(tagged)).resolves.toEqual(outcome);
    expect(seen).toEqual([{ path: `/sandbox/cashier/wx2611/${action}`, body: params }]);
  });

  it('Huifu pay_info goes to the Huifu sandbox cashier (its own URL), with the parameters it carries', async () => {
    const payment = loadPayment('local', localWx(0), 'http://127.0.0.1:9', url);
    await expect(payment.requestPayment({ kind: 'huifu', payInfo: JSON.stringify({ appId: 'wxAPP', ...params }) })).resolves.toEqual({ kind: 'paid' });
    expect(seen).toEqual([{ path: '/sandbox/cashier/wx2611/pay', body: params }]);
  });

  it('dismissing the sheet is a cancel, told to the sandbox', async () => {
    const payment = loadPayment('local', localWx(undefined), url);
    await expect(payment.requestPayment(tagged)).resolves.toEqual({ kind: 'cancelled' });
    expect(seen.map((s) => s.path)).toEqual(['/sandbox/cashier/wx2611/cancel']);
  });

  it('a sandbox refusal of "pay" is a failure with its message, never paid', async () => {
    status = 400;
    const payment = loadPayment('local', localWx(0), url);
    await expect(payment.requestPayment(tagged)).resolves.toEqual({ kind: 'failed', reason: '订单已关闭或已过期' });
  });

  it('an unreachable sandbox is a failure', async () => {
    const payment = loadPayment('local', localWx(0), 'http://127.0.0.1:1');
    await expect(payment.requestPayment(tagged)).resolves.toEqual({ kind: 'failed', reason: '无法连接本地收银台' });
  });

  it('a package without a prepay id fails before any cashier', async () => {
    const payment = loadPayment('local', localWx(0), url);
    await expect(payment.requestPayment({ ...tagged, package: 'Sign=WXPay' })).resolves.toEqual({ kind: 'failed', reason: '支付参数无效' });
    expect(seen).toEqual([]);
  });
});
