import type { Gateway } from '../../../sandbox/gateway';
import { jsapiBody, platformSignatureValid, removeDir, startReceiver, startTestGateway, tempDataDir, v3call } from './helpers';
import { waitFor } from '../../helpers/e2e-utils';

/** Every fault switch, each observed from the outside. */
describe('gateway: fault injection', () => {
  let dataDir: string;
  let gw: Gateway;
  let receiver: Awaited<ReturnType<typeof startReceiver>>;
  /** The receiver verifies like a merchant would and refuses what does not check out. */
  const verdicts: boolean[] = [];

  beforeAll(async () => {
    dataDir = tempDataDir();
    gw = await startTestGateway(dataDir, { timeScale: 10_000 });
    receiver = await startReceiver((_n, r) => {
      const sig = String(r.headers['wechatpay-signature'] ?? '');
      const fresh = Math.abs(Date.now() / 1000 - Number(r.headers['wechatpay-timestamp'])) <= 300;
      const ok = !sig.startsWith('WECHATPAY/SIGNTEST/') && fresh && platformSignatureValid(gw.keys, r.headers, r.body);
      verdicts.push(ok);
      return ok ? 204 : 401;
    });
  });
  afterEach(async () => {
    await gw.admin.clearFaults();
  });
  afterAll(async () => {
    await gw.close();
    await receiver.close();
    removeDir(dataDir);
  });

  const createOrder = async (over: Record<string, unknown> = {}) => {
    const body = jsapiBody(gw, receiver.url, over);
    const res = await v3call(gw, 'POST', '/v3/pay/transactions/jsapi', body);
    return { body, res };
  };
  const notificationOf = async (no: string) => (await gw.admin.notifications()).find((n) => n.subject === no);
  const receivedFor = (id: string) => receiver.received.filter((r) => JSON.parse(r.body).id === id);

  it('SYSTEM_ERROR: the next N calls answer a signed 500, nothing is created, then calls succeed', async () => {
    await gw.admin.fault({ kind: 'endpoint', method: 'POST', path: '/v3/pay/transactions/jsapi', effect: 'SYSTEM_ERROR', count: 2 });
    const a = await createOrder();
    const b = await createOrder();
    expect([a.res.status, b.res.status]).toEqual([500, 500]);
    expect(a.res.json.code).toBe('SYSTEM_ERROR');
    expect(platformSignatureValid(gw.keys, a.res.headers, a.res.text)).toBe(true);
    await expect(gw.admin.order(a.body.out_trade_no)).rejects.toMatchObject({ status: 404 });
    // A retry of the same body now goes through.
    expect((await v3call(gw, 'POST', '/v3/pay/transactions/jsapi', a.body)).status).toBe(200);
  });

  it('FREQUENCY_LIMITED: 429 on matching paths only (method and * pattern)', async () => {
    await gw.admin.fault({ kind: 'endpoint', method: 'GET', path: '/v3/pay/transactions/out-trade-no/*', effect: 'FREQUENCY_LIMITED' });
    const { body } = await createOrder(); // POST: unaffected
    expect((await gw.admin.faults())).toHaveLength(1);
    const q1 = await v3call(gw, 'GET', `/v3/pay/transactions/out-trade-no/${body.out_trade_no}?mchid=${gw.keys.mchid}`);
    const q2 = await v3call(gw, 'GET', `/v3/pay/transactions/out-trade-no/${body.out_trade_no}?mchid=${gw.keys.mchid}`);
    expect(q1.status).toBe(429);
    expect(q1.json.code).toBe('FREQUENCY_LIMITED');
    expect(q2.status).toBe(200);
    expect(await gw.admin.faults()).toHaveLength(0);
  });

  it('hang: the socket is held past the client timeout; processed by default, so a retry gets the same prepay', async () => {
    await gw.admin.fault({ kind: 'endpoint', path: '/v3/pay/transactions/jsapi', effect: 'hang', holdMs: 400 });
    const body = jsapiBody(gw, receiver.url);
    const t0 = Date.now();
    await expect(v3callWithTimeout(body, 150)).rejects.toThrow();
    expect(Date.now() - t0).toBeGreaterThanOrEqual(140);
    const stored = (await gw.admin.order(body.out_trade_no)) as any;
    const retry = await v3call(gw, 'POST', '/v3/pay/transactions/jsapi', body);
    expect(retry.json.prepay_id).toBe(stored.order.prepayId);
  });

  it('hang with processed:false: nothing happens, and a client that waits sees the connection dropped', async () => {
    await gw.admin.fault({ kind: 'endpoint', path: '/v3/pay/transactions/jsapi', effect: 'hang', holdMs: 200, processed: false });
    const body = jsapiBody(gw, receiver.url);
    const t0 = Date.now();
    await expect(v3callWithTimeout(body, 2000)).rejects.toThrow();
    expect(Date.now() - t0).toBeGreaterThanOrEqual(190);
    await expect(gw.admin.order(body.out_trade_no)).rejects.toMatchObject({ status: 404 });
  });

  async function v3callWithTimeout(body: unknown, ms: number) {
    const { createSign } = await import('node:crypto');
    const text = JSON.stringify(body);
    const ts = String(Math.floor(Date.now() / 1000));
    const sig = createSign('RSA-SHA256').update(`POST\n/v3/pay/transactions/jsapi\n${ts}\nN1\n${text}\n`).sign(gw.keys.merchant.privateKeyPem, 'base64');
    return fetch(gw.url + '/v3/pay/transactions/jsapi', {
      method: 'POST',
      headers: {
        'Content-Type': 'application/json',
        Authorization: `WECHATPAY2-SHA256-RSA2048 mchid="${gw.keys.mchid}",nonce_str="N1",timestamp="${ts}",serial_no="${gw.keys.merchant.serialNo}",signature="${sig}"`,
      },
      body: text,
      signal: AbortSignal.timeout(ms),
    });
  }

  async function paidOrder() {
    const { body, res } = await createOrder();
    await gw.admin.pay(res.json.prepay_id);
    return body.out_trade_no;
  }

  it('drop: the notification is never delivered, yet the order queries as paid', async () => {
    await gw.admin.fault({ kind: 'notification', effect: 'drop' });
    const no = await paidOrder();
    const n = await notificationOf(no);
    expect(n?.status).toBe('dropped');
    await new Promise((r) => setTimeout(r, 200));
    expect(receivedFor(n!.id)).toHaveLength(0);
    expect((await v3call(gw, 'GET', `/v3/pay/transactions/out-trade-no/${no}?mchid=${gw.keys.mchid}`)).json.trade_state).toBe('SUCCESS');
    // Only the next one: the following notification is delivered.
    const next = await paidOrder();
    await waitFor('the next notification delivered', async () => (await notificationOf(next))?.status === 'delivered');
  });

  it('delay: the first attempt waits delayMs', async () => {
    await gw.admin.fault({ kind: 'notification', effect: 'delay', delayMs: 400 });
    const t0 = Date.now();
    const no = await paidOrder();
    const n = await waitFor('the notification delivered', async () => {
      const x = await notificationOf(no);
      return x?.status === 'delivered' ? x : undefined;
    });
    const [first] = receivedFor(n.id);
    expect(first!.at - t0).toBeGreaterThanOrEqual(390);
  });

  it('duplicate: N identical copies arrive at once', async () => {
    await gw.admin.fault({ kind: 'notification', effect: 'duplicate', copies: 3 });
    const no = await paidOrder();
    const n = await waitFor('the notification delivered', async () => {
      const x = await notificationOf(no);
      return x?.status === 'delivered' && x.attempts.length === 3 ? x : undefined;
    });
    const copies = receivedFor(n.id);
    expect(copies).toHaveLength(3);
    expect(new Set(copies.map((c) => c.body)).size).toBe(1);
    // "At once" is proved by the round, not by a wall-clock bound that a loaded CI machine could break.
    expect(n.attempts.map((a) => a.round)).toEqual([1, 1, 1]);
    expect(n.rounds).toBe(1);
  });

  it.each(['signature', 'serial', 'signtest', 'stale-timestamp'] as const)(
    'corrupt (%s): the first attempt fails verification, the retry is sound',
    async (corruption) => {
      await gw.admin.fault({ kind: 'notification', effect: 'corrupt', corruption });
      const no = await paidOrder();
      const n = await waitFor('the notification delivered', async () => {
        const x = await notificationOf(no);
        return x?.status === 'delivered' ? x : undefined;
      });
      const [bad, good] = receivedFor(n.id);
      expect(platformSignatureValid(gw.keys, good!.headers, good!.body)).toBe(true);
      const h = bad!.headers;
      if (corruption === 'signature') expect(platformSignatureValid(gw.keys, h, bad!.body)).toBe(false);
      if (corruption === 'serial') expect([gw.keys.platformCert.serialNo, gw.keys.platformPublicKey.keyId]).not.toContain(h['wechatpay-serial']);
      if (corruption === 'signtest') expect(String(h['wechatpay-signature'])).toMatch(/^WECHATPAY\/SIGNTEST\//);
      if (corruption === 'stale-timestamp') {
        expect(Date.now() / 1000 - Number(h['wechatpay-timestamp'])).toBeGreaterThan(300);
        expect(platformSignatureValid(gw.keys, h, bad!.body)).toBe(true); // well signed, only stale
      }
      expect(n.attempts.map((a) => a.statusCode)).toEqual([401, 204]);
      expect(n.attempts[0]!.fault).toBe(`corrupt:${corruption}`);
    },
  );

  it('jscode2session faults answer like api.weixin.qq.com: errcode -1 / 45011 in a 200', async () => {
    await gw.admin.fault({ kind: 'endpoint', path: '/sns/jscode2session', effect: 'SYSTEM_ERROR' });
    await gw.admin.fault({ kind: 'endpoint', path: '/sns/jscode2session', effect: 'FREQUENCY_LIMITED' });
    const login = async () => {
      const q = new URLSearchParams({ appid: gw.keys.appid, secret: gw.keys.appSecret, js_code: 'user:f:' + Math.random(), grant_type: 'authorization_code' });
      const res = await fetch(`${gw.url}/sns/jscode2session?${q}`);
      return { status: res.status, json: await res.json() };
    };
    expect(await login()).toMatchObject({ status: 200, json: { errcode: -1 } });
    expect(await login()).toMatchObject({ status: 200, json: { errcode: 45011 } });
    expect((await login()).json.openid).toBeDefined();
  });

  it('rejects malformed fault specs with 400 and lists/clears armed faults', async () => {
    await expect(gw.admin.fault({ kind: 'endpoint', path: 'no-slash', effect: 'SYSTEM_ERROR' } as any)).rejects.toMatchObject({ status: 400 });
    await expect(gw.admin.fault({ kind: 'notification', effect: 'explode' } as any)).rejects.toMatchObject({ status: 400 });
    await gw.admin.fault({ kind: 'endpoint', path: '/v3/**', effect: 'SYSTEM_ERROR', count: 5 });
    expect((await gw.admin.faults())[0]).toMatchObject({ remaining: 5 });
    await gw.admin.clearFaults();
    expect(await gw.admin.faults()).toEqual([]);
    expect((await createOrder()).res.status).toBe(200);
  });
});
