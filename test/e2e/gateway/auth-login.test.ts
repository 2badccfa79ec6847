import { generateKeyPairSync } from 'node:crypto';
import type { Gateway } from '../../../sandbox/gateway';
import { jsapiBody, removeDir, startTestGateway, tempDataDir, v3call } from './helpers';

describe('gateway: merchant authentication and jscode2session', () => {
  let dataDir: string;
  let gw: Gateway;
  const notify = 'http://127.0.0.1:9/notify';

  beforeAll(async () => {
    dataDir = tempDataDir();
    gw = await startTestGateway(dataDir);
  });
  afterAll(async () => {
    await gw.close();
    removeDir(dataDir);
  });

  it('answers /healthz', async () => {
    expect((await fetch(gw.url + '/healthz')).status).toBe(200);
  });

  // Made once, outside any test's time: a 2048-bit key takes a while on a loaded machine.
  const otherKey = generateKeyPairSync('rsa', { modulusLength: 2048 }).privateKey.export({ type: 'pkcs8', format: 'pem' }) as string;
  const refusals: Array<[string, () => Parameters<typeof v3call>[4]]> = [
    ['a wrong signature', () => ({ tamperSignature: true })],
    ['a key other than the merchant certificate', () => ({ signWith: otherKey })],
    ['an unknown serial', () => ({ serial: '1DDE55AD98ED71D6EDD4A4A16996DE7B47773A8C' })],
    ['another mchid', () => ({ mchid: '1900009191' })],
    ['a timestamp 301 s old', () => ({ timestamp: String(Math.floor(Date.now() / 1000) - 301) })],
    // Ahead by a little more: a second may tick between signing and the gateway's check.
    ['a timestamp 303 s ahead', () => ({ timestamp: String(Math.floor(Date.now() / 1000) + 303) })],
  ];
  // The gateway signs only answers to requests whose signature it verified: a 401 goes out unsigned.
  it.each(refusals)('refuses %s with an unsigned 401 SIGN_ERROR and creates nothing', async (_name, options) => {
    const body = jsapiBody(gw, notify);
    const res = await v3call(gw, 'POST', '/v3/pay/transactions/jsapi', body, options());
    expect(res.status).toBe(401);
    expect(res.json).toEqual({ code: 'SIGN_ERROR', message: expect.any(String) });
    expect(res.headers['request-id']).toBeTruthy();
    for (const h of ['wechatpay-signature', 'wechatpay-serial', 'wechatpay-timestamp', 'wechatpay-nonce']) expect(res.headers[h]).toBeUndefined();
    await expect(gw.admin.order(body.out_trade_no)).rejects.toMatchObject({ status: 404 });
  });

  it('refuses a request without Authorization, and accepts a timestamp 290 s old', async () => {
    const bare = await fetch(gw.url + '/v3/pay/transactions/out-trade-no/X123456?mchid=' + gw.keys.mchid);
    expect(bare.status).toBe(401);
    expect((await bare.json()).code).toBe('SIGN_ERROR');
    const ok = await v3call(gw, 'POST', '/v3/pay/transactions/jsapi', jsapiBody(gw, notify), { timestamp: String(Math.floor(Date.now() / 1000) - 290) });
    expect(ok.status).toBe(200);
  });

  it('signs over the path with its query: a changed query fails', async () => {
    const body = jsapiBody(gw, notify);
    await v3call(gw, 'POST', '/v3/pay/transactions/jsapi', body);
    const good = await v3call(gw, 'GET', `/v3/pay/transactions/out-trade-no/${body.out_trade_no}?mchid=${gw.keys.mchid}`);
    expect(good.status).toBe(200);
    // Same signature, query altered in flight.
    const auth = await signedAuthorization(`/v3/pay/transactions/out-trade-no/${body.out_trade_no}?mchid=${gw.keys.mchid}`);
    const res = await fetch(`${gw.url}/v3/pay/transactions/out-trade-no/${body.out_trade_no}?mchid=${gw.keys.mchid}&x=1`, { headers: { Authorization: auth } });
    expect(res.status).toBe(401);
  });

  async function signedAuthorization(path: string): Promise<string> {
    const { createSign } = await import('node:crypto');
    const ts = String(Math.floor(Date.now() / 1000));
    const sig = createSign('RSA-SHA256').update(`GET\n${path}\n${ts}\nNONCE1\n\n`).sign(gw.keys.merchant.privateKeyPem, 'base64');
    return `WECHATPAY2-SHA256-RSA2048 mchid="${gw.keys.mchid}",nonce_str="NONCE1",timestamp="${ts}",serial_no="${gw.keys.merchant.serialNo}",signature="${sig}"`;
  }

  describe('jscode2session', () => {
    const login = async (code: string, over: Record<string, string> = {}) => {
      const q = new URLSearchParams({ appid: gw.keys.appid, secret: gw.keys.appSecret, js_code: code, grant_type: 'authorization_code', ...over });
      return (await fetch(`${gw.url}/sns/jscode2session?${q}`)).json();
    };

    it('maps user:<name> codes to a stable 28-char openid and a unionid', async () => {
      const a = await login('user:alice:1');
      const b = await login('user:alice:2');
      const c = await login('user:bob');
      expect(a.openid).toMatch(/^o[A-Za-z0-9_-]{27}$/);
      expect(a.openid).toBe(b.openid);
      expect(a.unionid).toBe(b.unionid);
      expect(c.openid).not.toBe(a.openid);
      expect(Buffer.from(a.session_key, 'base64')).toHaveLength(16);
      expect(a.session_key).not.toBe(b.session_key);
    });

    it('maps any other code to the default user "tester"', async () => {
      const random = await login('0a3Xk2ll2Zc1Fh4Mnx0ll2XAbc3Xk2lK');
      const tester = await login('user:tester');
      expect(random.openid).toBe(tester.openid);
    });

    it('refuses a code used twice with 40163', async () => {
      expect((await login('once-only')).openid).toBeDefined();
      expect(await login('once-only')).toMatchObject({ errcode: 40163 });
    });

    it('refuses a wrong secret or appid with 40125, and an empty code with 40029', async () => {
      expect(await login('c1', { secret: 'wrong' })).toMatchObject({ errcode: 40125, errmsg: expect.any(String) });
      expect(await login('c2', { appid: 'wx0000000000000000' })).toMatchObject({ errcode: 40125 });
      expect(await login('')).toMatchObject({ errcode: 40029 });
    });
  });
});
