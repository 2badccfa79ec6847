import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { Hash } from 'wechatpay-axios-plugin';
import {
  buildV2AppPayParams,
  buildV2NotificationReply,
  buildV2PayParams,
  buildV2SignString,
  buildXml,
  createV2Client,
  parseSignedXml,
  parseV2Notification,
  parseXml,
  signV2,
  verifyV2,
  v2Signer,
  WechatPayError,
} from '../../../../../cloudfunctions/core/gateways/wechatpay/v2';
import { errorCodeOf } from '../../../../helpers/error-code';

// Published vector (WeChat Pay APIv2 安全规范; PROTOCOL.md §5).
const VECTOR = { appid: 'wxd930ea5d5a258f4f', mch_id: '10000100', device_info: '1000', body: 'test', nonce_str: 'ibuaiVcKdpRxkhJA' };
const VECTOR_KEY = '192006250b4c09247ec02edce69f6a2d';
const KEY = 'a'.repeat(16) + 'B'.repeat(16);

const codeOf = (fn: () => unknown) => errorCodeOf(fn, WechatPayError);

describe('APIv2 sign', () => {
  it('matches the published MD5 and HMAC-SHA256 vectors', () => {
    expect(buildV2SignString(VECTOR)).toBe('appid=wxd930ea5d5a258f4f&body=test&device_info=1000&mch_id=10000100&nonce_str=ibuaiVcKdpRxkhJA');
    expect(signV2(VECTOR, VECTOR_KEY)).toBe('9A0A8659F005D6984697E2CA0A9CF3B7');
    expect(signV2(VECTOR, VECTOR_KEY, 'HMAC-SHA256')).toBe('6A9AE1657590FD6257D693A078E1C3E4BB6BA4DC30B23E0EE2496E54170DACD6');
  });

  it('excludes sign and empty values; numbers are signed as their digits', () => {
    const withNoise = { ...VECTOR, sign: 'WHATEVER', attach: '', detail: undefined, receipt: null };
    expect(signV2(withNoise, VECTOR_KEY)).toBe('9A0A8659F005D6984697E2CA0A9CF3B7');
    expect(signV2({ total_fee: 1, a: 'x' }, KEY)).toBe(signV2({ total_fee: '1', a: 'x' }, KEY));
  });

  it('agrees with wechatpay-axios-plugin on arbitrary parameters', () => {
    const params = { appid: 'wx1', mch_id: '1', out_trade_no: 'T-中文-1', total_fee: '100', body: 'a b&c=d', sign_type: 'HMAC-SHA256', zeta: '0' };
    expect(signV2(params, KEY, 'MD5')).toBe(Hash.sign('MD5', params, KEY));
    expect(signV2(params, KEY, 'HMAC-SHA256')).toBe(Hash.sign('HMAC-SHA256', params, KEY));
  });

  it('verifyV2 checks the sign field', () => {
    expect(verifyV2({ ...VECTOR, sign: '9A0A8659F005D6984697E2CA0A9CF3B7' }, VECTOR_KEY)).toBe(true);
    expect(verifyV2({ ...VECTOR, body: 'tesT', sign: '9A0A8659F005D6984697E2CA0A9CF3B7' }, VECTOR_KEY)).toBe(false);
    expect(verifyV2({ ...VECTOR }, VECTOR_KEY)).toBe(false);
  });
});

describe('APIv2 XML', () => {
  it('builds CDATA for strings and bare numbers, skipping empty values', () => {
    expect(buildXml({ return_code: 'SUCCESS', total_fee: 100, attach: '' })).toBe('<xml><return_code><![CDATA[SUCCESS]]></return_code><total_fee>100</total_fee></xml>');
  });

  it('parses CDATA and keeps numbers as strings (leading zeros survive)', () => {
    const parsed = parseXml('<xml><return_code><![CDATA[SUCCESS]]></return_code><total_fee>0100</total_fee><body><![CDATA[a<b>&c]]></body><nonce_str>1e3</nonce_str></xml>');
    expect(parsed).toEqual({ return_code: 'SUCCESS', total_fee: '0100', body: 'a<b>&c', nonce_str: '1e3' });
  });

  it('round-trips through build and parse, including "]]>" in a value', () => {
    const params = { a: 'x]]>y', b: '中文', c: '<tag>&amp;' };
    expect(parseXml(buildXml(params))).toEqual(params);
  });

  it('refuses a DOCTYPE (XXE) and an ENTITY', () => {
    expect(codeOf(() => parseXml('<?xml version="1.0"?><!DOCTYPE xml [<!ENTITY xxe SYSTEM "file:///etc/passwd">]><xml><a>&xxe;</a></xml>'))).toBe('XML_DOCTYPE_FORBIDDEN');
    expect(codeOf(() => parseXml('<!ENTITY x "y"><xml></xml>'))).toBe('XML_DOCTYPE_FORBIDDEN');
  });

  it('refuses malformed, nested or repeated elements and another root', () => {
    expect(codeOf(() => parseXml('<xml><a>1</xml>'))).toBe('XML_INVALID');
    expect(codeOf(() => parseXml('<xml><a><b>1</b></a></xml>'))).toBe('XML_INVALID');
    expect(codeOf(() => parseXml('<xml><a>1</a><a>2</a></xml>'))).toBe('XML_INVALID');
    expect(codeOf(() => parseXml('<root><a>1</a></root>'))).toBe('XML_INVALID');
  });
});

describe('APIv2 notifications and responses', () => {
  const notification = { appid: 'wx2421b1c4370ec43b', mch_id: '10000100', nonce_str: 'x1', out_trade_no: '1409811653', result_code: 'SUCCESS', return_code: 'SUCCESS', total_fee: '1', transaction_id: '1004400740201409030005092168' };

  it('verifies a signed notification in the configured sign type (MD5 default, HMAC-SHA256 when configured)', () => {
    expect(parseV2Notification(buildXml({ ...notification, sign: signV2(notification, KEY) }), KEY)).toMatchObject({ total_fee: '1' });
    const hmac = { ...notification, sign_type: 'HMAC-SHA256' };
    expect(parseV2Notification(buildXml({ ...hmac, sign: Hash.sign('HMAC-SHA256', hmac, KEY) }), KEY, 'HMAC-SHA256').out_trade_no).toBe('1409811653');
    expect(parseV2Notification(buildXml({ ...notification, sign: Hash.sign('HMAC-SHA256', notification, KEY) }), KEY, 'HMAC-SHA256').out_trade_no).toBe('1409811653');
  });

  it('refuses a declared sign type other than the configured one, even when that sign is right (no downgrade)', () => {
    const hmac = { ...notification, sign_type: 'HMAC-SHA256' };
    expect(codeOf(() => parseV2Notification(buildXml({ ...hmac, sign: Hash.sign('HMAC-SHA256', hmac, KEY) }), KEY, 'MD5'))).toBe('V2_SIGN_INVALID');
    const md5 = { ...notification, sign_type: 'MD5' };
    expect(codeOf(() => parseSignedXml(buildXml({ ...md5, sign: Hash.sign('MD5', md5, KEY) }), KEY, 'HMAC-SHA256'))).toBe('V2_SIGN_INVALID');
  });

  it('rejects a tampered amount or a missing sign with V2_SIGN_INVALID', () => {
    const xml = buildXml({ ...notification, sign: signV2(notification, KEY) });
    expect(codeOf(() => parseV2Notification(xml.replace('<![CDATA[1]]></total_fee>', '<![CDATA[2]]></total_fee>'), KEY))).toBe('V2_SIGN_INVALID');
    expect(codeOf(() => parseV2Notification(buildXml(notification), KEY))).toBe('V2_SIGN_INVALID');
    expect(codeOf(() => parseV2Notification(buildXml({ ...notification, return_code: 'FAIL' }), KEY))).toBe('V2_SIGN_INVALID');
  });

  it('returns an unsigned FAIL response as is, for the caller to treat as a failure', () => {
    expect(parseSignedXml(buildXml({ return_code: 'FAIL', return_msg: '签名错误' }), KEY)).toEqual({ return_code: 'FAIL', return_msg: '签名错误' });
  });

  it('builds the reply XML', () => {
    expect(buildV2NotificationReply(true)).toBe('<xml><return_code><![CDATA[SUCCESS]]></return_code><return_msg><![CDATA[OK]]></return_msg></xml>');
    expect(parseXml(buildV2NotificationReply(false, '金额不符'))).toEqual({ return_code: 'FAIL', return_msg: '金额不符' });
  });
});

describe('APIv2 pay-sign', () => {
  it('signs appId, nonceStr, package, signType, timeStamp like wechatpay-axios-plugin', async () => {
    const params = await buildV2PayParams({ appId: 'wxd930ea5d5a258f4f', prepayId: 'wx2017033010242291fcfe0db70013231072', signer: v2Signer(KEY), timeStamp: '1490840662', nonceStr: '5K8264ILTKCH16CQ2502SI8ZNMTM67VS' });
    expect(params).toMatchObject({ timeStamp: '1490840662', package: 'prepay_id=wx2017033010242291fcfe0db70013231072', signType: 'MD5' });
    expect(params.paySign).toBe(Hash.sign('MD5', { appId: 'wxd930ea5d5a258f4f', timeStamp: '1490840662', nonceStr: '5K8264ILTKCH16CQ2502SI8ZNMTM67VS', package: 'prepay_id=wx2017033010242291fcfe0db70013231072', signType: 'MD5' }, KEY));
    const hmac = await buildV2PayParams({ appId: 'wx1', prepayId: 'p', signer: v2Signer(KEY, 'HMAC-SHA256') }, { clock: () => 1_700_000_000_000, nonce: () => 'N' });
    expect(hmac.paySign).toBe(Hash.sign('HMAC-SHA256', { appId: 'wx1', timeStamp: '1700000000', nonceStr: 'N', package: 'prepay_id=p', signType: 'HMAC-SHA256' }, KEY));
  });

  it('signs APP invoke parameters with lower-case names and package=Sign=WXPay', async () => {
    const params = await buildV2AppPayParams({ appId: 'wx1', mchId: '1900000109', prepayId: 'WX1217752501201407033233368018', signer: v2Signer(KEY), timestamp: '1412000000', nonceStr: 'N1' });
    const { sign, ...rest } = params;
    expect(rest).toEqual({ appid: 'wx1', partnerid: '1900000109', prepayid: 'WX1217752501201407033233368018', package: 'Sign=WXPay', noncestr: 'N1', timestamp: '1412000000' });
    expect(sign).toBe(Hash.sign('MD5', rest, KEY));
  });
});

describe('APIv2 client over real HTTP', () => {
  let answer: (request: Record<string, string>) => string;
  const received: Record<string, string>[] = [];
  const server = createServer((req, res) => {
    let body = '';
    req.on('data', (c) => (body += c));
    req.on('end', () => {
      const request = parseXml(body);
      received.push(request);
      res.writeHead(200, { 'Content-Type': 'text/xml' });
      res.end(answer(request));
    });
  });
  let baseUrl = '';
  beforeAll(async () => {
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    baseUrl = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  });
  afterAll(() => new Promise<void>((resolve) => server.close(() => resolve())));

  const client = (signType: 'MD5' | 'HMAC-SHA256' = 'MD5') => createV2Client({ appId: 'wx1', mchId: '10000100', key: KEY, signType, baseUrl, nonce: () => 'NONCE' });
  const signedAnswer = (fields: Record<string, string>, signType: 'MD5' | 'HMAC-SHA256' = 'MD5') => buildXml({ ...fields, sign: signV2(fields, KEY, signType) });

  it('sends a signed unifiedorder and returns the verified answer', async () => {
    answer = (request) => signedAnswer({ return_code: 'SUCCESS', return_msg: 'OK', result_code: 'SUCCESS', appid: request.appid!, mch_id: request.mch_id!, nonce_str: 'S1', prepay_id: 'wx201411101639507cbf6ffd8b0779950874', trade_type: 'JSAPI' });
    const result = await client().post('/pay/unifiedorder', { body: '腾讯充值中心-QQ会员充值', out_trade_no: '20150806125346', total_fee: 88, spbill_create_ip: '123.12.12.123', notify_url: 'https://example.com/notify', trade_type: 'JSAPI', openid: 'oUpF8uMuAJO_M2pxb1Q9zNjWeS6o' });
    expect(result.prepay_id).toBe('wx201411101639507cbf6ffd8b0779950874');
    const sent = received.at(-1)!;
    expect(sent).toMatchObject({ appid: 'wx1', mch_id: '10000100', nonce_str: 'NONCE', total_fee: '88' });
    expect(verifyV2(sent, KEY)).toBe(true);
  });

  it('uses HMAC-SHA256 both ways when configured', async () => {
    answer = () => signedAnswer({ return_code: 'SUCCESS', result_code: 'SUCCESS', sign_type: 'HMAC-SHA256', trade_state: 'SUCCESS' }, 'HMAC-SHA256');
    expect((await client('HMAC-SHA256').post('/pay/orderquery', { out_trade_no: 'T1' })).trade_state).toBe('SUCCESS');
    expect(received.at(-1)!.sign_type).toBe('HMAC-SHA256');
    expect(verifyV2(received.at(-1)!, KEY, 'HMAC-SHA256')).toBe(true);
  });

  it('rejects a forged answer and maps return_code FAIL', async () => {
    answer = () => buildXml({ return_code: 'SUCCESS', result_code: 'SUCCESS', prepay_id: 'evil', sign: 'DEADBEEF' });
    await expect(client().post('/pay/unifiedorder', {})).rejects.toMatchObject({ code: 'V2_SIGN_INVALID' });
    answer = () => buildXml({ return_code: 'FAIL', return_msg: '签名错误' });
    await expect(client().post('/pay/unifiedorder', {})).rejects.toMatchObject({ code: 'V2_RETURN_FAIL', reason: '签名错误' });
  });
});
