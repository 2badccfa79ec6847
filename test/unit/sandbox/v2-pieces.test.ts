import { createHash, createHmac, X509Certificate } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createSecureContext as tlsSecureContext } from 'node:tls';
import { Aes, Hash, Transformer } from 'wechatpay-axios-plugin';
import { ensureSandboxKeys } from '../../../sandbox/keys';
import { ensureSandboxV2Keys } from '../../../sandbox/keys-v2';
import { encryptReqInfo, signV2, verifyV2 } from '../../../sandbox/gateway/v2/sign';
import { buildXml, parseXml, XmlError } from '../../../sandbox/gateway/v2/xml';

/**
 * The APIv2 emulator's own crypto and XML, checked against published vectors and against
 * wechatpay-axios-plugin's v2 helpers (Hash, Transformer, Aes.AesEcb): code neither side shares.
 */

// Formatter/Transformer read `this` (a request config); called bare, they need an empty one.
const pluginToObject = (xml: string) => (Transformer.toObject as unknown as (this: object, x: string) => Record<string, string>).call({}, xml);
const pluginToXml = (data: object) => (Transformer.toXml as unknown as (this: object, d: object) => string).call({}, data);

describe('APIv2 sign (sandbox)', () => {
  // PROTOCOL.md §6.6, the vector of https://pay.weixin.qq.com/wiki/doc/api/jsapi.php?chapter=4_3
  const vector = { appid: 'wxd930ea5d5a258f4f', mch_id: '10000100', device_info: '1000', body: 'test', nonce_str: 'ibuaiVcKdpRxkhJA' };
  const vectorKey = '192006250b4c09247ec02edce69f6a2d';

  it('reproduces the published MD5 vector', () => {
    expect(signV2(vector, vectorKey, 'MD5')).toBe('9A0A8659F005D6984697E2CA0A9CF3B7');
    expect(Hash.sign('MD5', vector, vectorKey)).toBe('9A0A8659F005D6984697E2CA0A9CF3B7');
  });

  it('HMAC-SHA256 is keyed with the API key over the same string with &key=', () => {
    const text = 'appid=wxd930ea5d5a258f4f&body=test&device_info=1000&mch_id=10000100&nonce_str=ibuaiVcKdpRxkhJA&key=' + vectorKey;
    const expected = createHmac('sha256', vectorKey).update(text).digest('hex').toUpperCase();
    expect(signV2(vector, vectorKey, 'HMAC-SHA256')).toBe(expected);
    expect(Hash.sign('HMAC-SHA256', vector, vectorKey)).toBe(expected);
  });

  it('drops sign and empty values, sorts by ASCII (upper case first), and agrees with the plugin both ways', () => {
    const fields = { total_fee: '1', Zeta: 'z', attach: '', body: '中文 & <x>', sign: 'IGNORED', sign_type: 'HMAC-SHA256', nonce_str: 'n' };
    for (const type of ['MD5', 'HMAC-SHA256'] as const) {
      const ours = signV2(fields, vectorKey, type);
      expect(Hash.sign(type, fields, vectorKey)).toBe(ours);
      expect(verifyV2({ ...fields, sign: ours }, vectorKey, type)).toBe(true);
      expect(verifyV2({ ...fields, sign: ours }, vectorKey, type === 'MD5' ? 'HMAC-SHA256' : 'MD5')).toBe(false);
      expect(verifyV2({ ...fields, total_fee: '2', sign: ours }, vectorKey, type)).toBe(false);
    }
    const md5 = createHash('md5').update('Zeta=z&body=中文 & <x>&nonce_str=n&sign_type=HMAC-SHA256&total_fee=1&key=' + vectorKey).digest('hex').toUpperCase();
    expect(signV2(fields, vectorKey, 'MD5')).toBe(md5);
  });
});

describe('APIv2 XML (sandbox)', () => {
  it('reads the published sample (CDATA, bare numbers) as strings', () => {
    const sample = `<xml>
   <return_code><![CDATA[SUCCESS]]></return_code>
   <total_fee>0100</total_fee>
   <attach>a &amp; b &lt;c&gt; &#20013;&#x6587;</attach>
   <body><![CDATA[x]]]]><![CDATA[>y]]></body>
</xml>`;
    expect(parseXml(sample)).toEqual({ return_code: 'SUCCESS', total_fee: '0100', attach: 'a & b <c> 中文', body: 'x]]>y' });
  });

  it('reads empty-element tags (what the plugin writes for empty values) as empty strings', () => {
    expect(parseXml('<?xml version="1.0"?><xml><a/><b >1</b><c></c></xml>')).toEqual({ a: '', b: '1', c: '' });
    expect(parseXml('<xml/>')).toEqual({});
  });

  it.each([
    ['a DOCTYPE', '<!DOCTYPE xml [<!ENTITY x "y">]><xml><a>&x;</a></xml>'],
    ['an ENTITY declaration', '<xml><!ENTITY x SYSTEM "file:///etc/passwd"><a>1</a></xml>'],
    ['a nested element', '<xml><a><b>1</b></a></xml>'],
    ['a repeated element', '<xml><a>1</a><a>2</a></xml>'],
    ['an unknown entity', '<xml><a>&nbsp;</a></xml>'],
    ['another root', '<root><a>1</a></root>'],
    ['trailing content', '<xml><a>1</a></xml><xml/>'],
    ['an unterminated element', '<xml><a>1</xml>'],
    ['attributes', '<xml><a x="1">1</a></xml>'],
  ])('refuses %s', (_what, text) => {
    expect(() => parseXml(text)).toThrow(XmlError);
  });

  it('writes what the plugin reads back, values escaped in CDATA', () => {
    const xml = buildXml([['body', 'a]]>b<&'], ['total_fee', 1], ['skipped', undefined], ['sign', 'S']]);
    expect(xml).toBe('<xml><body><![CDATA[a]]]]><![CDATA[>b<&]]></body><total_fee>1</total_fee><sign><![CDATA[S]]></sign></xml>');
    expect(pluginToObject(xml)).toEqual({ body: 'a]]>b<&', total_fee: '1', sign: 'S' });
    expect(parseXml(pluginToXml({ a: 'x<y', b: '2' }))).toEqual({ a: 'x<y', b: '2' });
  });
});

describe('refund notification req_info (sandbox)', () => {
  it('matches an independent AES-256-ECB/PKCS7 vector (w7corp/easywechat tests/Kernel/Support/AesEcbTest.php)', () => {
    // There the key is md5('1234567890abcdef1234567890abcdef') as lower-case hex, i.e. what the
    // merchant derives from an APIv2 key of 1234567890abcdef1234567890abcdef.
    const plaintext =
      '<root><out_refund_no><![CDATA[123]]></out_refund_no><out_trade_no><![CDATA[abc]]></out_trade_no><refund_account><![CDATA[REFUND_SOURCE_UNSETTLED_FUNDS]]></refund_account><refund_fee><![CDATA[1]]></refund_fee><refund_id><![CDATA[50000303712017072701466990000]]></refund_id><refund_recv_accout><![CDATA[用户零钱]]></refund_recv_accout><refund_request_source><![CDATA[API]]></refund_request_source><refund_status><![CDATA[SUCCESS]]></refund_status><settlement_refund_fee><![CDATA[1]]></settlement_refund_fee><settlement_total_fee><![CDATA[1]]></settlement_total_fee><success_time><![CDATA[2017-07-27 00:33:09]]></success_time><total_fee><![CDATA[1]]></total_fee><transaction_id><![CDATA[4005302001201707272838220000]]></transaction_id></root>';
    const ciphertext =
      'm+cqC5OWNek/jGSeSFjMwxqoQmt9x/XQEPRosjYHR2a6kosdkuS2hFlt1QP/ykVOCm6PXnC0tOc7gsPzP3aG4Hhn7wJwJAvMhSUJhOAOlnXtHupbyiwb9vNgqAwcSr04U1yoI8UemDCz+TnIsbldurZh6UKtDqSutp/KiutgJ/9crss+fh9hy9UcBKO60JkJgka79q6lkQoOKZh3kIHrFEZGFKcvCOJzx/heVtz8AHGoB/IuNV4Mh280FZM1TTe8V54eXgqHNAOdJCoYQuKu34tepA+a4sjCcPOmNU5wLCjEFQ/+w7Ad8U2i3bfaA713DPk5qV8IVSB1cMGZj+zZBGPT4OWBg0vZD4ZJCydf93e95CbxV7FuSPiFnZwjvsHBCA7DNGoAfSx72p5ZBcyCTFV9y4O9xTukHUmJNI8XK+JhR5Imz9u5422lfN5FcM6g4WdLDTVO/DiN4chaTUk9uqEiMqD2Bn3+ZWe/R91YDW8koG3qd7m/9y7sckptNQWU9fi+zk/AbCLHETiUIj4dtFxsZRTBUFIEmSl2ebcPEdowOLzjUe2uW/Qr8dDwFuWGsSYawYnsbsxliNc5DthzhcdB9MDkOab6hckUIC7639s6DKFP44Olgjc+tt5EfDpNxK0rHh4rhlCz9h5ZhzI7CVqJRx5pCLEBaJKntPeF9IWfj92VYMY7o8TesmqhiDWnGVGSK8vXDsQMAWIhHi2STvdVAZkaOTzF+cxVJsUgy2zVlGhNzlqjQZmLoXZ/Kiid7cfUQvg/Bqw4We6KRrAfTHplwjbghjVzqWsgJv8KI3cYjFJEtTy19a0z3yBrcthtjszmBEUyUG/d4O0DzGEG+JNB4VsMz/jWUJ2d2uJmpyvngyt5RkafRH4mCHWkNTPz5UCBZtJbvFzQ/VB/X077Apwgk7lfgULu1uVF9N108kRKQcrqoGEH/oZ6lo0wIXbITx+7lr91eMvu4JgGPSQW4MKbluSa28iwkE5YcnQbYd0=';
    expect(encryptReqInfo(plaintext, '1234567890abcdef1234567890abcdef')).toBe(ciphertext);
  });

  it('decrypts with the plugin Aes.AesEcb and the lower-case hex MD5 of the APIv2 key, whatever the length', () => {
    const apiV2Key = 'K'.repeat(32);
    const md5Key = createHash('md5').update(apiV2Key).digest('hex');
    for (const plaintext of ['<root><a>1</a></root>', 'x'.repeat(32), '<root><refund_recv_accout>支付用户零钱</refund_recv_accout></root>']) {
      expect(Aes.AesEcb.decrypt(encryptReqInfo(plaintext, apiV2Key), md5Key)).toBe(plaintext);
    }
  });
});

describe('ensureSandboxV2Keys', () => {
  let dir: string;
  beforeAll(() => {
    dir = mkdtempSync(join(tmpdir(), 'sandbox-v2-keys-'));
  });
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('issues the server and the merchant client certificate from one sandbox CA, the client one over the APIv3 merchant key', () => {
    const keys = ensureSandboxKeys(dir);
    const v2 = ensureSandboxV2Keys(dir, keys);
    const ca = new X509Certificate(v2.ca.certificatePem);
    const server = new X509Certificate(v2.server.certificatePem);
    const client = new X509Certificate(v2.client.certificatePem);
    expect(ca.ca).toBe(true);
    expect(server.verify(ca.publicKey)).toBe(true);
    expect(client.verify(ca.publicKey)).toBe(true);
    expect(server.subjectAltName).toContain('IP Address:127.0.0.1');
    expect(server.subjectAltName).toContain('DNS:localhost');
    expect(client.subject).toContain(`CN=${keys.mchid}`);
    expect(client.publicKey.export({ type: 'spki', format: 'der' })).toEqual(new X509Certificate(keys.merchant.certificatePem).publicKey.export({ type: 'spki', format: 'der' }));
    expect(v2.appAppid).toMatch(/^wx[0-9a-f]{16}$/);
    expect(v2.appAppid).not.toBe(keys.appid);
    expect(v2.apiV2Key).toBe(keys.apiV2Key);
    for (const file of [v2.client.privateKeyFile, v2.client.p12File, join(v2.dir, 'ca_key.pem'), join(v2.dir, 'server_key.pem')]) {
      expect(statSync(file).mode & 0o777).toBe(0o600);
    }
  });

  it('writes a PKCS#12 that Node opens with the mch_id as password (and not without it)', () => {
    const keys = ensureSandboxKeys(dir);
    const v2 = ensureSandboxV2Keys(dir, keys);
    const pfx = readFileSync(v2.client.p12File);
    expect(v2.client.p12Password).toBe(keys.mchid);
    expect(() => tlsSecureContext({ pfx, passphrase: keys.mchid })).not.toThrow();
    expect(() => tlsSecureContext({ pfx, passphrase: 'wrong' })).toThrow();
  });

  it('is generated once and reused', () => {
    const keys = ensureSandboxKeys(dir);
    const first = ensureSandboxV2Keys(dir, keys);
    const again = ensureSandboxV2Keys(dir, keys);
    expect(again.ca.certificatePem).toBe(first.ca.certificatePem);
    expect(again.client.certificatePem).toBe(first.client.certificatePem);
    expect(again.appAppid).toBe(first.appAppid);
  });
});
