/**
 * The APIv2 channel (`channels/wechatpay-v2/`) against a scripted gateway (an injected fetch): the
 * unifiedorder body and the client parameters (mini-program pay-sign, APP PayReq re-sign) checked
 * with wechatpay-axios-plugin, answers verified before any field is used (a forged prepay_id or a
 * declared other sign type never reaches a payer), the err_code → ChannelError table, and
 * notifications (payment sign, refund `req_info` encrypted by the plugin).
 */
import { Aes, Hash, Transformer } from 'wechatpay-axios-plugin';
import type { PaymentChannel } from '../../../cloudfunctions/core/channels/port';
import { ChannelError } from '../../../cloudfunctions/core/channels/port';
import { createV2Channel, unifiedOrderBody } from '../../../cloudfunctions/core/channels/wechatpay-v2/channel';
import { v2ChannelError } from '../../../cloudfunctions/core/channels/wechatpay-v2/errors';
import { fromChinaTime, v2PaymentStateOf } from '../../../cloudfunctions/core/channels/wechatpay-v2/mapping';
import { newOrderRecord, newRefundRecord, type Order } from '../../../cloudfunctions/core/domain/orders/model';
import { WechatPayError } from '../../../cloudfunctions/core/gateways/wechatpay/errors';
import { buildXml, createV2Client, decryptReqInfo, parseXml, signV2, v2Signer, type V2SignType } from '../../../cloudfunctions/core/gateways/wechatpay/v2';

const KEY = 'K'.repeat(16) + '0123456789abcdef';
const MCHID = '1900000109';
const APPID = 'wx1234567890abcdef';
const APP_APPID = 'wxabcdef1234567890';

type Answer = (request: Record<string, string>, path: string) => string;
let answer: Answer;
const sent: Array<{ path: string; fields: Record<string, string> }> = [];

function channel(tradeType: 'JSAPI' | 'APP' = 'JSAPI', signType: V2SignType = 'MD5'): PaymentChannel {
  const signer = v2Signer(KEY, signType);
  return createV2Channel({
    name: tradeType === 'JSAPI' ? 'v2' : 'v2app',
    tradeType,
    mchid: MCHID,
    appAppid: APP_APPID,
    notifyUrl: 'https://pay.example.com/http/payNotifyV2',
    key: KEY,
    signer,
    clientFor: (appId) =>
      createV2Client({
        appId,
        mchId: MCHID,
        key: KEY,
        signer,
        baseUrl: 'https://api.mch.weixin.qq.com',
        fetch: async (url, init) => {
          const path = new URL(url).pathname;
          const fields = parseXml(init.body!);
          sent.push({ path, fields });
          const text = answer(fields, path);
          return { status: 200, text: async () => text };
        },
      }),
    now: () => Date.parse('2026-12-01T12:00:00+08:00'),
    nonce: () => 'NONCE123',
  });
}

/** A signed SUCCESS answer in the request's sign type, as the gateway gives it (no sign_type echoed). */
function signed(request: Record<string, string>, fields: Record<string, string>, signType: V2SignType = (request.sign_type as V2SignType) ?? 'MD5'): string {
  const all = { return_code: 'SUCCESS', return_msg: 'OK', appid: request.appid!, mch_id: request.mch_id!, nonce_str: 'GW', ...fields };
  return buildXml({ ...all, sign: signV2(all, KEY, signType) });
}

function order(overrides: Partial<Order> = {}): Order {
  return {
    ...newOrderRecord({ outTradeNo: 'T20261201000001', channel: 'v2', amount: 1234, description: '咖啡', payerOpenid: 'o-alice', appid: APPID, mchid: MCHID, idempotencyKey: 'idem_0001', expiresAt: Date.parse('2026-12-01T12:30:00+08:00') }, Date.parse('2026-12-01T12:00:00+08:00')),
    ...overrides,
  };
}

describe('create', () => {
  it('sends 统一下单 JSAPI with the payer openid and signs wx.requestPayment (v2 pay-sign, timeStamp a string)', async () => {
    answer = (req) => signed(req, { result_code: 'SUCCESS', prepay_id: 'wx201410272009395522657a690389285100', trade_type: 'JSAPI' });
    const created = await channel().create(order());
    const request = sent.at(-1)!;
    expect(request.path).toBe('/pay/unifiedorder');
    expect(request.fields).toMatchObject({ appid: APPID, mch_id: MCHID, body: '咖啡', out_trade_no: 'T20261201000001', total_fee: '1234', trade_type: 'JSAPI', openid: 'o-alice', time_expire: '20261201123000', notify_url: 'https://pay.example.com/http/payNotifyV2' });
    expect(Hash.sign('MD5', request.fields, KEY)).toBe(request.fields.sign);
    expect(created.payment).toMatchObject({ kind: 'miniprogram', package: 'prepay_id=wx201410272009395522657a690389285100', signType: 'MD5', timeStamp: String(Math.floor(Date.parse('2026-12-01T12:00:00+08:00') / 1000)), nonceStr: 'NONCE123' });
    if (created.payment.kind !== 'miniprogram') throw new Error('kind');
    const { kind: _kind, paySign, ...invoke } = created.payment;
    expect(paySign).toBe(Hash.sign('MD5', { appId: APPID, ...invoke }, KEY));
  });

  it('APP: 统一下单 with the mobile app appid and no openid; PayReq re-signed over exactly appid, partnerid, prepayid, noncestr, timestamp, package=Sign=WXPay', async () => {
    answer = (req) => signed(req, { result_code: 'SUCCESS', prepay_id: 'wx_app_prepay', trade_type: 'APP' }, 'HMAC-SHA256');
    const app = channel('APP', 'HMAC-SHA256');
    expect(app.orderParty).toEqual({ mchid: MCHID, appid: APP_APPID });
    const created = await app.create(order({ appid: APP_APPID, channel: 'v2app' }));
    const request = sent.at(-1)!.fields;
    expect(request).toMatchObject({ appid: APP_APPID, trade_type: 'APP', sign_type: 'HMAC-SHA256' });
    expect(request.openid).toBeUndefined();
    if (created.payment.kind !== 'app') throw new Error('kind');
    const p = created.payment;
    expect(p).toMatchObject({ appId: APP_APPID, partnerId: MCHID, prepayId: 'wx_app_prepay', packageValue: 'Sign=WXPay', nonceStr: 'NONCE123' });
    expect(p.sign).toBe(Hash.sign('HMAC-SHA256', { appid: p.appId, partnerid: p.partnerId, prepayid: p.prepayId, noncestr: p.nonceStr, timestamp: p.timeStamp, package: p.packageValue }, KEY));
  });

  it('the order body is built from the stored order only (a retry sends the same fields)', () => {
    expect(unifiedOrderBody(order(), 'JSAPI', 'https://n')).toEqual(unifiedOrderBody(order(), 'JSAPI', 'https://n'));
  });

  it.each([
    ['a forged sign', (req: Record<string, string>) => buildXml({ return_code: 'SUCCESS', result_code: 'SUCCESS', appid: req.appid!, mch_id: MCHID, prepay_id: 'evil', sign: 'A'.repeat(32) })],
    ['no sign', (req: Record<string, string>) => buildXml({ return_code: 'SUCCESS', result_code: 'SUCCESS', appid: req.appid!, mch_id: MCHID, prepay_id: 'evil' })],
    [
      'a declared other sign type, correctly signed in it (downgrade)',
      (req: Record<string, string>) => {
        const all = { return_code: 'SUCCESS', result_code: 'SUCCESS', appid: req.appid!, mch_id: MCHID, prepay_id: 'evil', sign_type: 'MD5' };
        return buildXml({ ...all, sign: Hash.sign('MD5', all, KEY) });
      },
    ],
    ['a DOCTYPE', () => '<!DOCTYPE xml [<!ENTITY e SYSTEM "file:///etc/passwd">]><xml><return_code>SUCCESS</return_code></xml>'],
  ])('refuses an answer with %s before using any field: untrusted, no payment parameters', async (_name, forged) => {
    answer = forged;
    const error = await channel('JSAPI', 'HMAC-SHA256').create(order()).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ChannelError);
    expect(error).toMatchObject({ kind: 'untrusted' });
  });
});

describe('query, close, refunds', () => {
  it('paid only with trade_state SUCCESS, a transaction_id and total_fee; ORDERNOTEXIST is NOT_FOUND', async () => {
    answer = (req) => signed(req, { result_code: 'SUCCESS', trade_state: 'SUCCESS', transaction_id: '4200000001', total_fee: '1234', time_end: '20261201120503', out_trade_no: req.out_trade_no! });
    expect(await channel().query(order())).toEqual({ kind: 'PAID', transactionId: '4200000001', paidAmount: 1234, paidAt: Date.parse('2026-12-01T12:05:03+08:00') });
    answer = (req) => signed(req, { result_code: 'SUCCESS', trade_state: 'NOTPAY', total_fee: '1234', out_trade_no: req.out_trade_no! });
    expect(await channel().query(order())).toEqual({ kind: 'PENDING' });
    answer = (req) => signed(req, { result_code: 'FAIL', err_code: 'ORDERNOTEXIST', err_code_des: '此交易订单号不存在' });
    expect(await channel().query(order())).toEqual({ kind: 'NOT_FOUND' });
    answer = (req) => signed(req, { result_code: 'SUCCESS', trade_state: 'SUCCESS', total_fee: '1234' });
    await expect(channel().query(order())).rejects.toMatchObject({ kind: 'untrusted' });
  });

  it('close: closed; ORDERCLOSED is `closed`, ORDERPAID a refusal', async () => {
    answer = (req) => signed(req, { result_code: 'SUCCESS' });
    expect(await channel().close(order())).toEqual({ kind: 'closed' });
    expect(sent.at(-1)).toMatchObject({ path: '/pay/closeorder', fields: { out_trade_no: 'T20261201000001' } });
    answer = (req) => signed(req, { result_code: 'FAIL', err_code: 'ORDERCLOSED', err_code_des: '订单已关闭' });
    await expect(channel().close(order())).rejects.toMatchObject({ kind: 'closed' });
    answer = (req) => signed(req, { result_code: 'FAIL', err_code: 'ORDERPAID', err_code_des: '订单已支付' });
    await expect(channel().close(order())).rejects.toMatchObject({ kind: 'rejected' });
  });

  it('refund: /secapi/pay/refund with total_fee, refund_fee and the notify URL; refundquery reads the `_n` fields', async () => {
    const refund = newRefundRecord({ outRefundNo: 'R1', outTradeNo: 'T20261201000001', amount: 500, reason: '缺货' }, Date.parse('2026-12-01T12:00:00+08:00'));
    answer = (req) => signed(req, { result_code: 'SUCCESS', out_refund_no: 'R1', refund_id: '5000001', refund_fee: '500', total_fee: '1234' });
    expect(await channel().refund(order(), refund)).toEqual({ outRefundNo: 'R1', refundId: '5000001', amount: 500, state: 'PROCESSING' });
    expect(sent.at(-1)).toMatchObject({ path: '/secapi/pay/refund', fields: { out_refund_no: 'R1', total_fee: '1234', refund_fee: '500', refund_desc: '缺货' } });
    answer = (req) => signed(req, { result_code: 'SUCCESS', refund_count: '1', out_refund_no_0: 'R1', refund_id_0: '5000001', refund_fee_0: '500', refund_status_0: 'REFUNDCLOSE' });
    expect(await channel().queryRefund(order(), refund)).toMatchObject({ outRefundNo: 'R1', state: 'CLOSED', amount: 500 });
  });
});

describe('v2ChannelError: the gateway code decides the kind', () => {
  const result = (code: string) => new WechatPayError(code, `x: ${code}`, { status: 200, detail: 'v2-result-fail' });
  it.each([
    ['refund', result('NOTENOUGH'), 'balanceInsufficient'],
    ['refund', result('PARAM_ERROR'), 'refundNotTaken'],
    ['refund', result('ERROR'), 'refundNotTaken'],
    ['refund', result('SYSTEMERROR'), 'unavailable'],
    ['refund', new WechatPayError('HTTP_400', 'POST /secapi/pay/refund answered HTTP 400', { status: 400 }), 'misconfigured'],
    ['queryRefund', result('REFUNDNOTEXIST'), 'notFound'],
    ['close', result('ORDERNOTEXIST'), 'notFound'],
    ['close', result('ORDERCLOSED'), 'closed'],
    ['create', result('ORDERPAID'), 'rejected'],
    ['create', result('OUT_TRADE_NO_USED'), 'rejected'],
    ['create', result('APPID_MCHID_NOT_MATCH'), 'misconfigured'],
    ['create', new WechatPayError('V2_RETURN_FAIL', '签名错误'), 'misconfigured'],
    ['create', new WechatPayError('V2_RETURN_FAIL', 'mch_id参数格式错误'), 'rejected'],
    ['create', new WechatPayError('V2_SIGN_INVALID', 'APIv2 sign does not match'), 'untrusted'],
    ['create', new WechatPayError('TIMEOUT', 'no answer', { retryable: true }), 'unavailable'],
    ['query', new WechatPayError('HTTP_502', 'bad gateway', { status: 502 }), 'unavailable'],
    // An unsigned answer claiming a business code is not the gateway's: it decides nothing.
    ['close', new WechatPayError('ORDERNOTEXIST', 'proxy said so', { status: 404 }), 'unavailable'],
  ] as const)('%s %s → %s', (operation, error, kind) => {
    expect(v2ChannelError(error, operation)).toMatchObject({ kind });
  });
});

describe('notifications', () => {
  const pay = { appid: APPID, bank_type: 'OTHERS', mch_id: MCHID, nonce_str: 'n1', openid: 'o-alice', out_trade_no: 'T1', result_code: 'SUCCESS', return_code: 'SUCCESS', time_end: '20261201120000', total_fee: '1234', trade_type: 'JSAPI', transaction_id: '4200000002' };
  const toXml = (data: object) => (Transformer.toXml as unknown as (this: object, d: object) => string).call({}, data);

  it('a payment notification signed by the plugin becomes a payment event keyed by transaction_id', async () => {
    const event = await channel().parseNotification({ headers: {}, body: toXml({ ...pay, sign: Hash.sign('MD5', pay, KEY) }) });
    expect(event).toEqual({ kind: 'payment', notificationId: 'v2pay:4200000002', outTradeNo: 'T1', appid: APPID, mchid: MCHID, state: { kind: 'PAID', transactionId: '4200000002', paidAmount: 1234, paidAt: Date.parse('2026-12-01T12:00:00+08:00') } });
  });

  it('refuses a notification declaring the other sign type, even correctly signed in it', async () => {
    const declared = { ...pay, sign_type: 'HMAC-SHA256' };
    await expect(channel().parseNotification({ headers: {}, body: toXml({ ...declared, sign: Hash.sign('HMAC-SHA256', declared, KEY) }) })).rejects.toMatchObject({ kind: 'untrusted', reason: expect.stringMatching(/^V2_SIGN_INVALID/) });
  });

  it('a refund notification: req_info encrypted by the plugin (AES-256-ECB, key = md5 hex of the APIv2 key) is decrypted and read', async () => {
    const info = '<root><out_refund_no><![CDATA[R1]]></out_refund_no><out_trade_no><![CDATA[T1]]></out_trade_no><refund_fee><![CDATA[500]]></refund_fee><refund_id><![CDATA[5000001]]></refund_id><refund_status><![CDATA[SUCCESS]]></refund_status><success_time><![CDATA[2026-12-01 12:10:00]]></success_time><total_fee><![CDATA[1234]]></total_fee></root>';
    const reqInfo = Aes.AesEcb.encrypt(info, Hash.md5(KEY));
    expect(decryptReqInfo(reqInfo, KEY)).toMatchObject({ out_refund_no: 'R1', refund_fee: '500', success_time: '2026-12-01 12:10:00' });
    const event = await channel().parseNotification({ headers: {}, body: toXml({ return_code: 'SUCCESS', appid: APPID, mch_id: MCHID, nonce_str: 'n', req_info: reqInfo }) });
    expect(event).toEqual({ kind: 'refund', notificationId: 'v2refund:5000001:SUCCESS', outTradeNo: 'T1', mchid: MCHID, refund: { outRefundNo: 'R1', refundId: '5000001', state: 'SUCCESS', amount: 500 } });
    // Encrypted with another key: refused as undecryptable, never read.
    const forged = Aes.AesEcb.encrypt(info, Hash.md5('F'.repeat(32)));
    await expect(channel().parseNotification({ headers: {}, body: toXml({ return_code: 'SUCCESS', mch_id: MCHID, req_info: forged }) })).rejects.toMatchObject({ kind: 'untrusted', reason: expect.stringMatching(/^CIPHERTEXT_INVALID/) });
  });

  it('our XML is read by the plugin and the plugin XML by us (markup in values, leading zeros)', () => {
    const fields = { body: 'a]]>b<c>&', total_fee: '0100', out_trade_no: 'T1' };
    expect((Transformer.toObject as unknown as (this: object, x: string) => Record<string, string>).call({}, buildXml(fields))).toEqual(fields);
    // The plugin wraps "]]>" in one CDATA section unsplit (malformed XML, refused by us), so its direction uses other markup.
    const plain = { body: 'b<c>&"d"', total_fee: '0100', out_trade_no: 'T1' };
    expect(parseXml(toXml(plain))).toEqual(plain);
    expect(() => parseXml(toXml(fields))).toThrow(/not well-formed/);
  });

  it('times: time_end and success_time are China time', () => {
    expect(fromChinaTime('20261201120000', 0)).toBe(Date.parse('2026-12-01T04:00:00Z'));
    expect(fromChinaTime('2026-12-01 12:00:00', 0)).toBe(Date.parse('2026-12-01T04:00:00Z'));
    expect(fromChinaTime('garbage', 7)).toBe(7);
    expect(() => v2PaymentStateOf({ trade_state: 'WHAT' }, 0)).toThrow(/unknown trade_state/);
  });
});
