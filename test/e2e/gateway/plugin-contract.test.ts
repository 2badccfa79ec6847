import { createVerify } from 'node:crypto';
import { Wechatpay } from 'wechatpay-axios-plugin';
import { cloneKeys, jsapiBody, removeDir, startTestGateway, useTestGateway, v3call } from './helpers';

/**
 * The gateway against an independent, unmodified client: wechatpay-axios-plugin signs the
 * requests with the sandbox merchant key and verifies every response with the platform
 * certificate (it throws on a bad or missing signature).
 */
describe('gateway contract with wechatpay-axios-plugin', () => {
  const t = useTestGateway({ minCloseIntervalMs: 0 });

  function plugin(certs: Record<string, string>) {
    return new Wechatpay({
      mchid: t.gw.keys.mchid,
      serial: t.gw.keys.merchant.serialNo,
      privateKey: t.gw.keys.merchant.privateKeyPem,
      certs,
      baseURL: t.gw.url + '/',
    } as any) as any;
  }

  it('creates, queries and closes a JSAPI order with verified responses', async () => {
    const wxpay = plugin({ [t.gw.keys.platformCert.serialNo]: t.gw.keys.platformCert.certificatePem });
    const body = jsapiBody(t.gw, t.receiver.url, { amount: { total: 123, currency: 'CNY' } });
    const created = await wxpay.v3.pay.transactions.jsapi.post(body);
    expect(created.status).toBe(200);
    expect(created.data.prepay_id).toMatch(/^wx\d{14}[0-9a-f]{20}$/);

    const queried = await wxpay.v3.pay.transactions.outTradeNo.$out_trade_no$.get({ params: { mchid: t.gw.keys.mchid }, out_trade_no: body.out_trade_no });
    expect(queried.data).toMatchObject({ out_trade_no: body.out_trade_no, trade_state: 'NOTPAY', amount: { total: 123 }, appid: t.gw.keys.appid, mchid: t.gw.keys.mchid });

    const closed = await wxpay.v3.pay.transactions.outTradeNo.$out_trade_no$.close.post({ mchid: t.gw.keys.mchid }, { out_trade_no: body.out_trade_no });
    expect(closed.status).toBe(204);
    const after = await wxpay.v3.pay.transactions.outTradeNo.$out_trade_no$.get({ params: { mchid: t.gw.keys.mchid }, out_trade_no: body.out_trade_no });
    expect(after.data.trade_state).toBe('CLOSED');
  });

  it('signs error answers too: the plugin verifies a 400 PARAM_ERROR', async () => {
    const wxpay = plugin({ [t.gw.keys.platformCert.serialNo]: t.gw.keys.platformCert.certificatePem });
    const err = await wxpay.v3.pay.transactions.jsapi.post(jsapiBody(t.gw, t.receiver.url, { amount: { total: 0 } })).catch((e: any) => e);
    expect(err.response.status).toBe(400);
    expect(err.response.data).toMatchObject({ code: 'PARAM_ERROR', detail: { field: 'amount.total' } });
  });

  it('is refused by the plugin when it trusts another platform key', async () => {
    const wrong = plugin({ [t.gw.keys.platformCert.serialNo]: t.gw.keys.merchant.certificatePem });
    await expect(wrong.v3.pay.transactions.jsapi.post(jsapiBody(t.gw, t.receiver.url))).rejects.toThrow();
  });

  it('signs with the platform public key (PUB_KEY_ID_…) in public-key mode', async () => {
    const dir = cloneKeys(t.dataDir);
    const pk = await startTestGateway(dir, { signingMode: 'publicKey' });
    try {
      const body = jsapiBody(pk, t.receiver.url);
      const res = await v3call(pk, 'POST', '/v3/pay/transactions/jsapi', body);
      expect(res.status).toBe(200);
      expect(res.headers['wechatpay-serial']).toBe(pk.keys.platformPublicKey.keyId);
      expect(res.headers['wechatpay-serial']).toMatch(/^PUB_KEY_ID_\d+$/);
      const message = `${res.headers['wechatpay-timestamp']}\n${res.headers['wechatpay-nonce']}\n${res.text}\n`;
      expect(createVerify('RSA-SHA256').update(message).verify(pk.keys.platformPublicKey.publicKeyPem, res.headers['wechatpay-signature']!, 'base64')).toBe(true);
      // …and the plugin, configured in public-key mode, accepts it.
      const wxpay = new Wechatpay({
        mchid: pk.keys.mchid,
        serial: pk.keys.merchant.serialNo,
        privateKey: pk.keys.merchant.privateKeyPem,
        certs: { [pk.keys.platformPublicKey.keyId]: pk.keys.platformPublicKey.publicKeyPem },
        baseURL: pk.url + '/',
      } as any) as any;
      const q = await wxpay.v3.pay.transactions.outTradeNo.$out_trade_no$.get({ params: { mchid: pk.keys.mchid }, out_trade_no: body.out_trade_no });
      expect(q.data.trade_state).toBe('NOTPAY');
    } finally {
      await pk.close();
      removeDir(dir);
    }
  });
});
