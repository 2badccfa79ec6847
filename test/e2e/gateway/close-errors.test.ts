/**
 * The sandbox's close and error answers against the published tables (docs/references/close-errors.md):
 * a close while the payer is in the cashier (202, nothing closed), ORDER_CLOSED for a closed
 * order, APPID_MCHID_NOT_MATCH, a combine close that names other sub-orders refused whole,
 * `scene_info` optional, a proxy's 404, and the platform certificate rotation.
 */
import { X509Certificate, createVerify } from 'node:crypto';
import { testOpenid } from '../../../sandbox/gateway/login';
import { decryptResource, jsapiCalls, outTradeNo, platformSignatureValid, useTestGateway, v3call } from './helpers';

describe('gateway: close and error answers', () => {
  const t = useTestGateway({ timeScale: 1000 });

  const { create, close, query } = jsapiCalls(t);

  describe('JSAPI / mini-program close', () => {
    it('while the payer is in the cashier: a signed 202 USER_PAYING, nothing closed, and the payer can still pay', async () => {
      const { body, prepayId } = await create();
      expect(await t.gw.admin.open(prepayId)).toEqual({ trade_state: 'NOTPAY', out_trade_no: body.out_trade_no });
      const res = await close(body.out_trade_no);
      expect(res.status).toBe(202);
      expect(res.json).toEqual({ code: 'USER_PAYING', message: expect.any(String) });
      expect(platformSignatureValid(t.gw.keys, res.headers, res.text)).toBe(true);
      expect((await query(body.out_trade_no)).json.trade_state).toBe('NOTPAY');
      expect((await t.gw.admin.pay(prepayId)).trade_state).toBe('SUCCESS');
    });

    it('after the payer left the cashier the close goes through; closing again is 400 ORDER_CLOSED', async () => {
      const { body, prepayId } = await create();
      await t.gw.admin.open(prepayId);
      await t.gw.admin.cancel(prepayId);
      const first = await close(body.out_trade_no);
      expect(first.status).toBe(204);
      const again = await close(body.out_trade_no);
      expect(again.status).toBe(400);
      expect(again.json.code).toBe('ORDER_CLOSED');
      expect(platformSignatureValid(t.gw.keys, again.headers, again.text)).toBe(true);
    });

    it('an appid not bound to the merchant is 400 APPID_MCHID_NOT_MATCH and creates nothing', async () => {
      const { body, res } = await create({ appid: 'wx0000000000000000' });
      expect(res.status).toBe(400);
      expect(res.json.code).toBe('APPID_MCHID_NOT_MATCH');
      await expect(t.gw.admin.order(body.out_trade_no)).rejects.toMatchObject({ status: 404 });
    });

    it('an out_trade_no reused with other content is 403 OUT_TRADE_NO_USED', async () => {
      const first = await create();
      const other = await v3call(t.gw, 'POST', '/v3/pay/transactions/jsapi', { ...first.body, description: 'something else' });
      expect(other.status).toBe(403);
      expect(other.json.code).toBe('OUT_TRADE_NO_USED');
    });
  });

  describe('combine (个人收款) close', () => {
    const payer = testOpenid('x', 'combine-payer');
    let authId: string;
    beforeAll(async () => {
      authId = (await t.gw.admin.authorizeContract(testOpenid(t.gw.keys.appid, 'combine-payee'))).individual_auth_id!;
    });

    const combine = async (subs = 1, over: Record<string, unknown> = {}) => {
      const body = {
        combine_appid: t.gw.keys.appid,
        combine_mchid: t.gw.keys.mchid,
        combine_out_trade_no: outTradeNo('C'),
        combine_payer_info: { openid: payer },
        notify_url: t.receiver.url,
        sub_orders: Array.from({ length: subs }, () => ({
          mchid: t.gw.keys.mchid,
          individual_auth_id: authId,
          out_trade_no: outTradeNo('S'),
          amount: { total_amount: 100, currency: 'CNY' },
          attach: 'att',
          description: 'tip',
        })),
        ...over,
      };
      const res = await v3call(t.gw, 'POST', '/v3/combine-transactions/miniprogram', body);
      return { body, res, prepayId: res.json?.prepay_id as string };
    };
    const closeCombine = (body: { combine_out_trade_no: string; sub_orders: Array<{ mchid: string; out_trade_no: string }> }, subs = body.sub_orders, appid = t.gw.keys.appid) =>
      v3call(t.gw, 'POST', `/v3/combine-transactions/out-trade-no/${body.combine_out_trade_no}/close`, {
        combine_appid: appid,
        sub_orders: subs.map((s) => ({ mchid: s.mchid, out_trade_no: s.out_trade_no })),
      });
    const subStates = async (no: string) => ((await v3call(t.gw, 'GET', `/v3/combine-transactions/out-trade-no/${no}`)).json.sub_orders as Array<{ trade_state: string }>).map((s) => s.trade_state);

    it('scene_info may be left out (the published 个人收款 下单 page marks it 选填)', async () => {
      const { res } = await combine(1);
      expect(res.status).toBe(200);
    });

    it('a close naming fewer sub-orders than the order has is refused whole: 400 INVALID_REQUEST, nothing closed', async () => {
      const { body } = await combine(2);
      const partial = await closeCombine(body, body.sub_orders.slice(0, 1));
      expect(partial.status).toBe(400);
      expect(partial.json.code).toBe('INVALID_REQUEST');
      const foreign = await closeCombine(body, [body.sub_orders[0]!, { mchid: t.gw.keys.mchid, out_trade_no: 'NOT_MINE_1' }]);
      expect(foreign.json.code).toBe('INVALID_REQUEST');
      expect(await subStates(body.combine_out_trade_no)).toEqual(['NOTPAY', 'NOTPAY']);
      expect((await closeCombine(body)).status).toBe(204);
      expect(await subStates(body.combine_out_trade_no)).toEqual(['CLOSED', 'CLOSED']);
    });

    it('202 USERPAYING while the payer is in the cashier; ORDER_CLOSED once closed; APPID_MCHID_NOT_MATCH for a foreign appid', async () => {
      const { body, prepayId } = await combine(1);
      await t.gw.admin.open(prepayId);
      const paying = await closeCombine(body);
      expect(paying.status).toBe(202);
      expect(paying.json.code).toBe('USERPAYING');
      expect(await subStates(body.combine_out_trade_no)).toEqual(['NOTPAY']);
      await t.gw.admin.cancel(prepayId);
      expect((await closeCombine(body, body.sub_orders, 'wx0000000000000000')).json.code).toBe('APPID_MCHID_NOT_MATCH');
      expect((await closeCombine(body)).status).toBe(204);
      const again = await closeCombine(body);
      expect(again.status).toBe(400);
      expect(again.json.code).toBe('ORDER_CLOSED');
    });
  });

  describe('faults and certificates', () => {
    it('PROXY_NOT_FOUND answers a 404 that is not the gateway: an unsigned HTML page, or an empty body', async () => {
      const { body } = await create();
      await t.gw.admin.fault({ kind: 'endpoint', path: '/v3/pay/transactions/out-trade-no/*', effect: 'PROXY_NOT_FOUND' });
      const html = await fetch(`${t.gw.url}/v3/pay/transactions/out-trade-no/${body.out_trade_no}?mchid=${t.gw.keys.mchid}`);
      expect(html.status).toBe(404);
      expect(html.headers.get('content-type')).toMatch(/text\/html/);
      expect(html.headers.get('wechatpay-signature')).toBeNull();
      expect(await html.text()).toContain('404 Not Found');
      await t.gw.admin.fault({ kind: 'endpoint', path: '/v3/pay/transactions/out-trade-no/*', effect: 'PROXY_NOT_FOUND', body: 'empty' });
      const empty = await query(body.out_trade_no);
      expect(empty).toMatchObject({ status: 404, text: '' });
      // Used up: the real answer again.
      expect((await query(body.out_trade_no)).json.trade_state).toBe('NOTPAY');
    });

    it('a rotation lists both certificates and signs answers and notifications with the new one', async () => {
      const rotation = await t.gw.admin.rotatePlatformCertificate();
      expect(rotation.serialNo).not.toBe(t.gw.keys.platformCert.serialNo);
      expect(rotation).toMatchObject({ signingSerial: rotation.serialNo, serials: [t.gw.keys.platformCert.serialNo, rotation.serialNo] });
      const listed = await v3call(t.gw, 'GET', '/v3/certificates');
      const pems = (listed.json.data as Array<{ serial_no: string; encrypt_certificate: Parameters<typeof decryptResource>[1] }>).map((e) => ({ serial: e.serial_no, pem: decryptResource(t.gw.keys.apiV3Key, e.encrypt_certificate) }));
      expect(pems.map((p) => p.serial)).toEqual(rotation.serials);
      const fresh = pems.find((p) => p.serial === rotation.serialNo)!;
      const verifiesWithNew = (headers: Record<string, string | string[] | undefined>, text: string) =>
        headers['wechatpay-serial'] === rotation.serialNo &&
        createVerify('RSA-SHA256')
          .update(`${headers['wechatpay-timestamp']}\n${headers['wechatpay-nonce']}\n${text}\n`)
          .verify(new X509Certificate(fresh.pem).publicKey, Buffer.from(String(headers['wechatpay-signature']), 'base64'));
      expect(verifiesWithNew(listed.headers, listed.text)).toBe(true);

      const { prepayId } = await create();
      const before = t.receiver.received.length;
      await t.gw.admin.pay(prepayId);
      await t.receiver.waitFor(before + 1);
      const note = t.receiver.received[before]!;
      expect(verifiesWithNew(note.headers, note.body)).toBe(true);
      expect((await t.gw.admin.info()).platformSerialNos).toEqual(rotation.serials);
    });
  });
});
