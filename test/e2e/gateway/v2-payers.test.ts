import { Hash } from 'wechatpay-axios-plugin';
import type { Gateway } from '../../../sandbox/gateway';
import { createV2Admin, type V2Admin } from '../../../sandbox/gateway/v2/admin';
import { waitFor } from '../../helpers/e2e-utils';
import { cloneKeys, removeDir, startTestGateway, tempDataDir } from './helpers';
import { appOrder, FAIL_REPLY, jsapiOrder, payReq, requestPaymentParams, signValid, startXmlReceiver, SUCCESS_REPLY, v2call, type SignType } from './v2-client';

/**
 * The payer's side of APIv2 orders and what follows: the cashier's v2 pay-sign check, the
 * simulated APP client's PayReq re-sign check, the XML payment notification and its retries until
 * the SUCCESS XML reply, notification faults, and the dashboard.
 */

describe('sandbox APIv2 payers and notifications', () => {
  let dir: string;
  let gw: Gateway;
  let admin: V2Admin;
  beforeAll(async () => {
    dir = tempDataDir();
    gw = await startTestGateway(dir);
    admin = createV2Admin(gw.url);
  });
  afterAll(async () => {
    await gw.close();
    removeDir(dir);
  });

  async function order(kind: 'JSAPI' | 'APP', signType: SignType, notifyUrl: string) {
    const fields = kind === 'JSAPI' ? jsapiOrder(gw, notifyUrl) : appOrder(gw, notifyUrl);
    const res = await v2call(gw, '/pay/unifiedorder', fields, { signType });
    return { fields, prepayId: res.fields!.prepay_id!, outTradeNo: String(fields.out_trade_no) };
  }
  const stateOf = async (no: string) => (await admin.order(no)).order.tradeState;
  const notificationsFor = async (no: string) => (await gw.admin.notifications()).filter((n) => n.subject === no);

  describe('cashier (JSAPI): v2 pay-sign over appId, nonceStr, package, signType, timeStamp', () => {
    it.each([
      ['signed with another key', (id: string) => requestPaymentParams(gw, id, 'HMAC-SHA256', { key: 'y'.repeat(32) }), 401, 'SIGN_ERROR'],
      ['signed with another appId', (id: string) => requestPaymentParams(gw, id, 'HMAC-SHA256', { appId: 'wx0000000000000000' }), 401, 'SIGN_ERROR'],
      ['MD5 for an order made with HMAC-SHA256 (correctly signed in MD5)', (id: string) => requestPaymentParams(gw, id, 'MD5'), 401, 'SIGN_ERROR'],
      ['a package naming another prepay', (id: string) => ({ ...requestPaymentParams(gw, id, 'HMAC-SHA256'), package: 'prepay_id=wx000' }), 400, 'PARAM_ERROR'],
      ['no paySign', (id: string) => { const { paySign: _p, ...rest } = requestPaymentParams(gw, id, 'HMAC-SHA256'); return rest; }, 400, 'PARAM_ERROR'],
    ])('refuses %s: the order stays NOTPAY, no notification', async (_what, params, status, code) => {
      const o = await order('JSAPI', 'HMAC-SHA256', 'http://127.0.0.1:9/never');
      await expect(admin.cashier(o.prepayId, 'pay', params(o.prepayId))).rejects.toMatchObject({ status, code });
      expect(await stateOf(o.outTradeNo)).toBe('NOTPAY');
      expect(await notificationsFor(o.outTradeNo)).toEqual([]);
    });

    it('pays with the right pay-sign; the XML notification is signed in the order sign type, without sign_type, and matches the query', async () => {
      const receiver = await startXmlReceiver();
      try {
        const o = await order('JSAPI', 'HMAC-SHA256', receiver.url);
        expect(await admin.cashier(o.prepayId, 'pay', requestPaymentParams(gw, o.prepayId, 'HMAC-SHA256'))).toEqual({ trade_state: 'SUCCESS', out_trade_no: o.outTradeNo });
        await waitFor('the payment notification', () => receiver.received.length >= 1);
        const n = receiver.received[0]!;
        expect(n.headers['content-type']).toMatch(/xml/);
        expect(n.fields).toMatchObject({
          return_code: 'SUCCESS',
          result_code: 'SUCCESS',
          appid: gw.keys.appid,
          mch_id: gw.keys.mchid,
          out_trade_no: o.outTradeNo,
          total_fee: '1234',
          cash_fee: '1234',
          trade_type: 'JSAPI',
          openid: o.fields.openid,
          fee_type: 'CNY',
        });
        expect(n.fields.sign_type).toBeUndefined();
        expect(n.fields.sign).toBe(Hash.sign('HMAC-SHA256', n.fields, gw.keys.apiV2Key));
        const query = await v2call(gw, '/pay/orderquery', { appid: gw.keys.appid, mch_id: gw.keys.mchid, out_trade_no: o.outTradeNo });
        expect(n.fields.transaction_id).toBe(query.fields!.transaction_id);
        expect(n.fields.time_end).toBe(query.fields!.time_end);
        await waitFor('delivered', async () => (await notificationsFor(o.outTradeNo))[0]?.status === 'delivered');
      } finally {
        await receiver.close();
      }
    });

    it('cancel leaves it NOTPAY; fail makes it PAYERROR; neither notifies', async () => {
      const o = await order('JSAPI', 'MD5', 'http://127.0.0.1:9/never');
      expect(await admin.cashier(o.prepayId, 'cancel', requestPaymentParams(gw, o.prepayId, 'MD5'))).toMatchObject({ trade_state: 'NOTPAY' });
      expect(await admin.cashier(o.prepayId, 'fail', requestPaymentParams(gw, o.prepayId, 'MD5'))).toMatchObject({ trade_state: 'PAYERROR' });
      expect(await notificationsFor(o.outTradeNo)).toEqual([]);
    });
  });

  describe('simulated APP client: PayReq re-sign over exactly appid, partnerid, prepayid, noncestr, timestamp, package=Sign=WXPay', () => {
    it.each([
      ['with package=prepay_id=…', (id: string) => payReq(gw, id, 'MD5', { package: `prepay_id=${id}` }), 401],
      ['with another partnerid', (id: string) => payReq(gw, id, 'MD5', { partnerid: '1900000109' }), 401],
      ['over an extra field', (id: string) => ({ ...payReq(gw, id, 'MD5', { signType: 'MD5' }), signType: undefined as unknown as string }), 401],
      ['in HMAC-SHA256 for an MD5 order', (id: string) => payReq(gw, id, 'HMAC-SHA256'), 401],
      ['with camel-case names signed (partnerId, prepayId …)', (id: string) => {
        const fields = { appId: gw.v2.keys.appAppid, partnerId: gw.keys.mchid, prepayId: id, nonceStr: 'n', timeStamp: '1', packageValue: 'Sign=WXPay' };
        return { appid: gw.v2.keys.appAppid, partnerid: gw.keys.mchid, prepayid: id, noncestr: 'n', timestamp: '1', package: 'Sign=WXPay', sign: Hash.sign('MD5', fields, gw.keys.apiV2Key) };
      }, 401],
    ])('refuses a PayReq signed %s', async (_what, build, status) => {
      const o = await order('APP', 'MD5', 'http://127.0.0.1:9/never');
      const req = JSON.parse(JSON.stringify(build(o.prepayId))) as Record<string, string>;
      await expect(admin.app('pay', req)).rejects.toMatchObject({ status, code: 'SIGN_ERROR' });
      expect(await stateOf(o.outTradeNo)).toBe('NOTPAY');
    });

    it('pays an APP order (errCode 0) and notifies with trade_type APP under the APP appid', async () => {
      const receiver = await startXmlReceiver();
      try {
        const o = await order('APP', 'HMAC-SHA256', receiver.url);
        await expect(admin.cashier(o.prepayId, 'pay', requestPaymentParams(gw, o.prepayId, 'HMAC-SHA256'))).rejects.toMatchObject({ status: 400 });
        expect(await admin.app('pay', payReq(gw, o.prepayId, 'HMAC-SHA256'))).toEqual({ trade_state: 'SUCCESS', out_trade_no: o.outTradeNo, errCode: 0 });
        await waitFor('the payment notification', () => receiver.received.length >= 1);
        const n = receiver.received[0]!.fields;
        expect(n).toMatchObject({ appid: gw.v2.keys.appAppid, trade_type: 'APP', out_trade_no: o.outTradeNo, total_fee: '1234' });
        expect(n.openid).toMatch(/^o[\w-]{27}$/);
        expect(signValid(gw, n, 'HMAC-SHA256')).toBe(true);
      } finally {
        await receiver.close();
      }
    });

    it('cancel answers errCode -2, fail -1 (PAYERROR)', async () => {
      const o = await order('APP', 'MD5', 'http://127.0.0.1:9/never');
      expect(await admin.app('cancel', payReq(gw, o.prepayId, 'MD5'))).toMatchObject({ errCode: -2, trade_state: 'NOTPAY' });
      expect(await admin.app('fail', payReq(gw, o.prepayId, 'MD5'))).toMatchObject({ errCode: -1, trade_state: 'PAYERROR' });
    });
  });

  describe('notification delivery', () => {
    it('is retried on the schedule until the SUCCESS XML reply (a FAIL XML, a 500, a bare "success" do not count)', async () => {
      const replies = [FAIL_REPLY, { status: 500, body: '' }, { status: 200, body: 'success' }, SUCCESS_REPLY];
      const receiver = await startXmlReceiver((n) => replies[Math.min(n, replies.length) - 1]!);
      try {
        const o = await order('JSAPI', 'MD5', receiver.url);
        await admin.cashier(o.prepayId, 'pay', requestPaymentParams(gw, o.prepayId, 'MD5'));
        const record = await waitFor('delivered after four rounds', async () => (await notificationsFor(o.outTradeNo)).find((n) => n.status === 'delivered'));
        expect(record.rounds).toBe(4);
        expect(record.eventType).toBe('V2.PAY');
        expect(record.attempts.map((a) => [a.statusCode, a.error])).toEqual([
          [200, 'reply does not acknowledge'],
          [500, 'reply does not acknowledge'],
          [200, 'reply does not acknowledge'],
          [200, undefined],
        ]);
        expect(new Set(receiver.received.map((r) => r.body)).size).toBe(1); // the same notification each time
      } finally {
        await receiver.close();
      }
    });

    it.each([
      ['signature', (n: Record<string, string>) => n.sign !== Hash.sign('MD5', n, gw.keys.apiV2Key) && !n.sign_type],
      ['serial', (n: Record<string, string>) => n.sign !== Hash.sign('MD5', n, gw.keys.apiV2Key) && !n.sign_type],
      ['signtest', (n: Record<string, string>) => n.sign_type === 'HMAC-SHA256' && n.sign === Hash.sign('HMAC-SHA256', n, gw.keys.apiV2Key)],
    ] as const)('corrupt:%s spoils the first round only; a merchant that refuses it gets a sound retry', async (corruption, spoiled) => {
      const receiver = await startXmlReceiver((n) => (n === 1 ? FAIL_REPLY : SUCCESS_REPLY));
      try {
        await gw.admin.fault({ kind: 'notification', effect: 'corrupt', corruption, eventType: 'V2.PAY' });
        const o = await order('JSAPI', 'MD5', receiver.url);
        await admin.cashier(o.prepayId, 'pay', requestPaymentParams(gw, o.prepayId, 'MD5'));
        await waitFor('two deliveries', () => receiver.received.length >= 2);
        expect(spoiled(receiver.received[0]!.fields)).toBe(true);
        expect(receiver.received[0]!.fields.total_fee).toBe('1234');
        expect(signValid(gw, receiver.received[1]!.fields, 'MD5')).toBe(true);
      } finally {
        await receiver.close();
      }
    });

    it('a dropped notification is never posted; the order still queries as paid (lost notification, recovered by query)', async () => {
      const receiver = await startXmlReceiver();
      try {
        await gw.admin.fault({ kind: 'notification', effect: 'drop', eventType: 'V2.PAY' });
        const o = await order('JSAPI', 'MD5', receiver.url);
        await admin.cashier(o.prepayId, 'pay', requestPaymentParams(gw, o.prepayId, 'MD5'));
        expect((await notificationsFor(o.outTradeNo))[0]?.status).toBe('dropped');
        const query = await v2call(gw, '/pay/orderquery', { appid: gw.keys.appid, mch_id: gw.keys.mchid, out_trade_no: o.outTradeNo });
        expect(query.fields).toMatchObject({ return_code: 'SUCCESS', result_code: 'SUCCESS', trade_state: 'SUCCESS' });
        expect(receiver.received).toEqual([]);
      } finally {
        await receiver.close();
      }
    });
  });

  it('a v2 notification still being retried survives a restart and is posted, as XML, by the new gateway', async () => {
    const restartDir = cloneKeys(dir);
    let acknowledge = false;
    const receiver = await startXmlReceiver(() => (acknowledge ? SUCCESS_REPLY : FAIL_REPLY));
    let first: Gateway | undefined = await startTestGateway(restartDir, { timeScale: 100 });
    let second: Gateway | undefined;
    try {
      const fields = jsapiOrder(first, receiver.url);
      const prepayId = (await v2call(first, '/pay/unifiedorder', fields)).fields!.prepay_id!;
      await createV2Admin(first.url).cashier(prepayId, 'pay', requestPaymentParams(first, prepayId, 'MD5'));
      await waitFor('a refused first attempt', () => receiver.received.length >= 1);
      await first.close();
      first = undefined;
      acknowledge = true;
      second = await startTestGateway(restartDir);
      const gw2 = second;
      const record = await waitFor('delivered after the restart', async () => (await gw2.admin.notifications()).find((n) => n.subject === fields.out_trade_no && n.status === 'delivered'));
      expect(record.format).toBe('v2');
      expect(signValid(gw2, receiver.received.at(-1)!.fields, 'MD5')).toBe(true);
    } finally {
      await first?.close();
      await second?.close();
      await receiver.close();
      removeDir(restartDir);
    }
  });

  it('the dashboard lists v2 orders with the cashier or APP-client link while payable', async () => {
    const jsapi = await order('JSAPI', 'MD5', 'http://127.0.0.1:9/never');
    const app = await order('APP', 'HMAC-SHA256', 'http://127.0.0.1:9/never');
    const html = await (await fetch(`${gw.url}/sandbox/`)).text();
    expect(html).toContain('APIv2 orders');
    expect(html).toContain(jsapi.outTradeNo);
    expect(html).toContain(`/sandbox/v2/cashier/${jsapi.prepayId}`);
    expect(html).toContain(`/sandbox/v2/app/${app.prepayId}`);
    const page = await fetch(`${gw.url}/sandbox/v2/app/${app.prepayId}`);
    expect(page.status).toBe(200);
    expect(await page.text()).toContain('Sign=WXPay');
  });
});
