import https from 'node:https';
import { Decorator } from 'wechatpay-axios-plugin';
import type { Gateway } from '../../../sandbox/gateway';
import { createV2Admin } from '../../../sandbox/gateway/v2/admin';
import { removeDir, startTestGateway, tempDataDir } from './helpers';
import { appOrder, jsapiOrder, outTradeNo, payReq, requestPaymentParams, signValid, v2call } from './v2-client';

/**
 * The APIv2 order endpoints over real HTTP, driven by wechatpay-axios-plugin's v2 helpers:
 * /pay/unifiedorder (JSAPI, APP), /pay/orderquery, /pay/closeorder, every published refusal,
 * signing both ways in MD5 and HMAC-SHA256, and the fault switches.
 */

const NOTIFY = 'http://127.0.0.1:9/v2notify';

describe('sandbox APIv2 orders', () => {
  let dir: string;
  let gw: Gateway;
  beforeAll(async () => {
    dir = tempDataDir();
    gw = await startTestGateway(dir);
  });
  afterAll(async () => {
    await gw.close();
    removeDir(dir);
  });

  describe('/pay/unifiedorder', () => {
    it.each(['MD5', 'HMAC-SHA256'] as const)('JSAPI with openid, %s: a prepay_id in an answer signed the same way', async (signType) => {
      const res = await v2call(gw, '/pay/unifiedorder', jsapiOrder(gw, NOTIFY), { signType });
      expect(res.status).toBe(200);
      expect(res.fields).toMatchObject({ return_code: 'SUCCESS', return_msg: 'OK', result_code: 'SUCCESS', appid: gw.keys.appid, mch_id: gw.keys.mchid, trade_type: 'JSAPI' });
      expect(res.fields!.prepay_id).toMatch(/^wx\d{14}[0-9a-f]{20}$/);
      expect(res.fields!.sign).toHaveLength(signType === 'MD5' ? 32 : 64);
      expect(signValid(gw, res.fields, signType)).toBe(true);
      expect(signValid(gw, res.fields, signType === 'MD5' ? 'HMAC-SHA256' : 'MD5')).toBe(false);
      expect(res.fields!.sign_type).toBeUndefined();
    });

    it('APP with the mobile-app appid', async () => {
      const res = await v2call(gw, '/pay/unifiedorder', appOrder(gw, NOTIFY), { signType: 'HMAC-SHA256' });
      expect(res.fields).toMatchObject({ return_code: 'SUCCESS', result_code: 'SUCCESS', appid: gw.v2.keys.appAppid, trade_type: 'APP' });
      expect(signValid(gw, res.fields, 'HMAC-SHA256')).toBe(true);
    });

    it('an identical repeat answers the same prepay_id; other parameters under the same out_trade_no are OUT_TRADE_NO_USED', async () => {
      const order = jsapiOrder(gw, NOTIFY);
      const first = await v2call(gw, '/pay/unifiedorder', order);
      const again = await v2call(gw, '/pay/unifiedorder', order);
      expect(again.fields!.prepay_id).toBe(first.fields!.prepay_id);
      const other = await v2call(gw, '/pay/unifiedorder', { ...order, total_fee: 999 });
      expect(other.fields).toMatchObject({ return_code: 'SUCCESS', result_code: 'FAIL', err_code: 'OUT_TRADE_NO_USED', err_code_des: '商户订单号重复' });
      expect(signValid(gw, other.fields, 'MD5')).toBe(true);
      expect(other.fields!.prepay_id).toBeUndefined();
    });

    it('an appid not bound to the merchant is APPID_MCHID_NOT_MATCH (signed)', async () => {
      const res = await v2call(gw, '/pay/unifiedorder', jsapiOrder(gw, NOTIFY, { appid: 'wx0000000000000000' }));
      expect(res.fields).toMatchObject({ return_code: 'SUCCESS', result_code: 'FAIL', err_code: 'APPID_MCHID_NOT_MATCH', err_code_des: 'appid和mch_id不匹配' });
      expect(signValid(gw, res.fields, 'MD5')).toBe(true);
    });

    it.each([
      ['a wrong key', { key: 'x'.repeat(32) }],
      ['HMAC-SHA256 declared, MD5 computed', { signType: 'MD5' as const, signTypeDeclared: 'HMAC-SHA256' as const }],
      ['MD5 (default) declared, HMAC-SHA256 computed', { signType: 'HMAC-SHA256' as const, signTypeDeclared: null }],
    ])('%s: return_code FAIL 签名错误, unsigned, nothing created', async (_what, o) => {
      const order = jsapiOrder(gw, NOTIFY);
      const res = await v2call(gw, '/pay/unifiedorder', order, o);
      expect(res.fields).toEqual({ return_code: 'FAIL', return_msg: '签名错误' });
      expect((await createV2Admin(gw.url).orders()).orders.some((x) => x.outTradeNo === order.out_trade_no)).toBe(false);
    });

    it('an unknown sign_type is refused as a sign error', async () => {
      const res = await v2call(gw, '/pay/unifiedorder', { ...jsapiOrder(gw, NOTIFY), sign_type: 'SHA1' });
      expect(res.fields).toEqual({ return_code: 'FAIL', return_msg: '签名错误' });
    });

    it.each([
      ['a DOCTYPE', '<!DOCTYPE xml [<!ENTITY e SYSTEM "file:///etc/passwd">]><xml><appid>&e;</appid></xml>', 'XML格式错误'],
      ['not XML', 'appid=wx&mch_id=1', 'XML格式错误'],
      ['an empty body', '', 'post数据为空'],
    ])('%s: return_code FAIL %s', async (_what, rawBody, msg) => {
      const res = await v2call(gw, '/pay/unifiedorder', {}, { rawBody });
      expect(res.fields).toEqual({ return_code: 'FAIL', return_msg: msg });
    });

    it('GET: return_code FAIL 请使用post方法', async () => {
      const res = await v2call(gw, '/pay/orderquery', {}, { method: 'GET', rawBody: '' });
      expect(res.fields).toEqual({ return_code: 'FAIL', return_msg: '请使用post方法' });
    });

    it('another mch_id: return_code FAIL (no key to verify or sign with)', async () => {
      const res = await v2call(gw, '/pay/unifiedorder', jsapiOrder(gw, NOTIFY, { mch_id: '1900000109' }));
      expect(res.fields).toEqual({ return_code: 'FAIL', return_msg: 'mch_id参数格式错误' });
    });

    it.each([
      ['JSAPI without openid', { openid: '' }, 'openid'],
      ['a fractional total_fee', { total_fee: '12.34' }, 'total_fee'],
      ['a zero total_fee', { total_fee: 0 }, 'total_fee'],
      ['a notify_url with parameters', { notify_url: 'https://example.com/n?a=1' }, 'notify_url'],
      ['trade_type NATIVE (not emulated)', { trade_type: 'NATIVE' }, 'trade_type'],
      ['an out_trade_no with other characters', { out_trade_no: 'bad no!' }, 'out_trade_no'],
    ])('%s: return_code FAIL naming the field', async (_what, over, field) => {
      const res = await v2call(gw, '/pay/unifiedorder', jsapiOrder(gw, NOTIFY, over));
      expect(res.fields).toEqual({ return_code: 'FAIL', return_msg: `${field}参数格式错误` });
    });
  });

  describe('/pay/orderquery and /pay/closeorder', () => {
    async function newOrder(signType: 'MD5' | 'HMAC-SHA256' = 'MD5') {
      const order = jsapiOrder(gw, NOTIFY);
      const res = await v2call(gw, '/pay/unifiedorder', order, { signType });
      return { order, prepayId: res.fields!.prepay_id! };
    }
    const query = (fields: Record<string, string>, signType: 'MD5' | 'HMAC-SHA256' = 'MD5') =>
      v2call(gw, '/pay/orderquery', { appid: gw.keys.appid, mch_id: gw.keys.mchid, ...fields }, { signType });
    const close = (no: string) => v2call(gw, '/pay/closeorder', { appid: gw.keys.appid, mch_id: gw.keys.mchid, out_trade_no: no });

    it('NOTPAY by out_trade_no; after payment SUCCESS by transaction_id with return_code, result_code and trade_state all SUCCESS', async () => {
      const { order, prepayId } = await newOrder('HMAC-SHA256');
      const before = await query({ out_trade_no: String(order.out_trade_no) }, 'HMAC-SHA256');
      expect(before.fields).toMatchObject({ return_code: 'SUCCESS', result_code: 'SUCCESS', trade_state: 'NOTPAY', trade_state_desc: '订单未支付', total_fee: '1234' });
      expect(signValid(gw, before.fields, 'HMAC-SHA256')).toBe(true);
      await createV2Admin(gw.url).cashier(prepayId, 'pay', requestPaymentParams(gw, prepayId, 'HMAC-SHA256'));
      const paid = await query({ out_trade_no: String(order.out_trade_no) });
      const byTransaction = await query({ transaction_id: paid.fields!.transaction_id! });
      for (const res of [paid, byTransaction]) {
        expect(res.fields).toMatchObject({
          return_code: 'SUCCESS',
          result_code: 'SUCCESS',
          trade_state: 'SUCCESS',
          out_trade_no: order.out_trade_no,
          total_fee: '1234',
          cash_fee: '1234',
          trade_type: 'JSAPI',
          openid: order.openid,
          fee_type: 'CNY',
        });
        expect(res.fields!.transaction_id).toMatch(/^\d{28}$/);
        expect(res.fields!.time_end).toMatch(/^\d{14}$/);
        expect(signValid(gw, res.fields, 'MD5')).toBe(true);
      }
    });

    it('an unknown order is ORDERNOTEXIST (by either number)', async () => {
      for (const fields of [{ out_trade_no: outTradeNo('NONE') }, { transaction_id: '4200000000000000000000000000' }] as Array<Record<string, string>>) {
        const res = await query(fields);
        expect(res.fields).toMatchObject({ return_code: 'SUCCESS', result_code: 'FAIL', err_code: 'ORDERNOTEXIST', err_code_des: '此交易订单号不存在' });
        expect(signValid(gw, res.fields, 'MD5')).toBe(true);
      }
    });

    it('close → CLOSED; closing again is ORDERCLOSED; ordering it again is ORDERCLOSED; the cashier refuses it', async () => {
      const { order, prepayId } = await newOrder();
      const closed = await close(String(order.out_trade_no));
      expect(closed.fields).toMatchObject({ return_code: 'SUCCESS', result_code: 'SUCCESS' });
      expect(signValid(gw, closed.fields, 'MD5')).toBe(true);
      expect((await query({ out_trade_no: String(order.out_trade_no) })).fields).toMatchObject({ trade_state: 'CLOSED', trade_state_desc: '订单已关闭' });
      expect((await close(String(order.out_trade_no))).fields).toMatchObject({ result_code: 'FAIL', err_code: 'ORDERCLOSED', err_code_des: '订单已关闭' });
      expect((await v2call(gw, '/pay/unifiedorder', order)).fields).toMatchObject({ result_code: 'FAIL', err_code: 'ORDERCLOSED' });
      await expect(createV2Admin(gw.url).cashier(prepayId, 'pay', requestPaymentParams(gw, prepayId, 'MD5'))).rejects.toMatchObject({ status: 400, code: 'ORDER_CLOSED' });
    });

    it('a paid order cannot be closed (ORDERPAID) nor ordered again (ORDERPAID)', async () => {
      const { order, prepayId } = await newOrder();
      await createV2Admin(gw.url).cashier(prepayId, 'pay', requestPaymentParams(gw, prepayId, 'MD5'));
      expect((await close(String(order.out_trade_no))).fields).toMatchObject({ result_code: 'FAIL', err_code: 'ORDERPAID', err_code_des: '订单已支付' });
      expect((await v2call(gw, '/pay/unifiedorder', order)).fields).toMatchObject({ result_code: 'FAIL', err_code: 'ORDERPAID', err_code_des: '商户订单已支付' });
    });

    it('closing an unknown order is ORDERNOTEXIST', async () => {
      expect((await close(outTradeNo('NONE'))).fields).toMatchObject({ result_code: 'FAIL', err_code: 'ORDERNOTEXIST' });
    });

    it('an APP order is paid through the APP client and queried like any other', async () => {
      const order = appOrder(gw, NOTIFY);
      const prepayId = (await v2call(gw, '/pay/unifiedorder', order)).fields!.prepay_id!;
      const result = await createV2Admin(gw.url).app('pay', payReq(gw, prepayId, 'MD5'));
      expect(result).toMatchObject({ trade_state: 'SUCCESS', errCode: 0 });
      const res = await v2call(gw, '/pay/orderquery', { appid: gw.v2.keys.appAppid, mch_id: gw.keys.mchid, out_trade_no: String(order.out_trade_no) });
      expect(res.fields).toMatchObject({ trade_state: 'SUCCESS', trade_type: 'APP', appid: gw.v2.keys.appAppid });
      expect(res.fields!.openid).toMatch(/^o[\w-]{27}$/);
    });
  });

  describe('fault switches (the Faults module, by path)', () => {
    afterEach(() => gw.admin.clearFaults());

    it('SYSTEM_ERROR: a signed result_code FAIL SYSTEMERROR, the call not processed', async () => {
      await gw.admin.fault({ kind: 'endpoint', path: '/pay/unifiedorder', effect: 'SYSTEM_ERROR' });
      const order = jsapiOrder(gw, NOTIFY);
      const res = await v2call(gw, '/pay/unifiedorder', order, { signType: 'HMAC-SHA256' });
      expect(res.fields).toMatchObject({ return_code: 'SUCCESS', result_code: 'FAIL', err_code: 'SYSTEMERROR' });
      expect(signValid(gw, res.fields, 'HMAC-SHA256')).toBe(true);
      expect((await v2call(gw, '/pay/orderquery', { appid: gw.keys.appid, mch_id: gw.keys.mchid, out_trade_no: String(order.out_trade_no) })).fields).toMatchObject({ err_code: 'ORDERNOTEXIST' });
      // used up: the retry goes through
      expect((await v2call(gw, '/pay/unifiedorder', order)).fields).toMatchObject({ result_code: 'SUCCESS' });
    });

    it('hang: no answer, and the order exists when processed', async () => {
      await gw.admin.fault({ kind: 'endpoint', path: '/pay/*', effect: 'hang', holdMs: 50, processed: true });
      const order = jsapiOrder(gw, NOTIFY);
      await expect(v2call(gw, '/pay/unifiedorder', order)).rejects.toThrow();
      expect((await createV2Admin(gw.url).order(String(order.out_trade_no))).order.tradeState).toBe('NOTPAY');
    });
  });

  describe('wechatpay-axios-plugin v2 client (Decorator.xmlBased) against the HTTPS listener', () => {
    it('orders and queries; the plugin verifies the answers it gets', async () => {
      const client = Decorator.xmlBased({ mchid: gw.keys.mchid, secret: gw.keys.apiV2Key, baseURL: gw.v2.secureUrl + '/' } as never);
      const httpsAgent = new https.Agent({ ca: gw.v2.keys.ca.certificatePem });
      const order = jsapiOrder(gw, NOTIFY);
      const created = await client.post('/pay/unifiedorder', { ...order, sign_type: 'HMAC-SHA256' }, { httpsAgent } as never);
      expect(created.data).toMatchObject({ return_code: 'SUCCESS', result_code: 'SUCCESS', trade_type: 'JSAPI' });
      const queried = await client.post('/pay/orderquery', { appid: gw.keys.appid, mch_id: gw.keys.mchid, out_trade_no: order.out_trade_no }, { httpsAgent } as never);
      expect(queried.data).toMatchObject({ trade_state: 'NOTPAY', out_trade_no: order.out_trade_no });
      httpsAgent.destroy();
    });
  });
});
