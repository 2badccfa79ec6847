import { createDecipheriv, generateKeyPairSync } from 'node:crypto';
import { encryptAes256Gcm, parseAuthorization, randomAlnum, requestMessage, signSha256Rsa, verifySha256Rsa } from '../../../sandbox/gateway/crypto';
import { issuePlatformCertificate } from '../../../sandbox/keys';
import { Faults, pathPattern } from '../../../sandbox/gateway/faults';
import { GatewayError } from '../../../sandbox/gateway/http';
import { testOpenid, testUnionid, testUserOfCode } from '../../../sandbox/gateway/login';
import { MAX_ATTEMPTS, RETRY_DELAYS_S } from '../../../sandbox/gateway/notifier';
import { rfc3339China } from '../../../sandbox/gateway/time';
import * as v from '../../../sandbox/gateway/validate';

describe('gateway crypto', () => {
  const { privateKey, publicKey } = generateKeyPairSync('rsa', {
    modulusLength: 2048,
    privateKeyEncoding: { type: 'pkcs8', format: 'pem' },
    publicKeyEncoding: { type: 'spki', format: 'pem' },
  });

  it('builds the request message with a trailing newline after the body, empty body for GET', () => {
    expect(requestMessage('GET', '/v3/certificates', '1554208460', 'N', '')).toBe('GET\n/v3/certificates\n1554208460\nN\n\n');
  });

  it('signs and verifies SHA256withRSA; garbage signatures are false, not exceptions', () => {
    const sig = signSha256Rsa('hello', privateKey);
    expect(verifySha256Rsa('hello', sig, publicKey)).toBe(true);
    expect(verifySha256Rsa('hellO', sig, publicKey)).toBe(false);
    expect(verifySha256Rsa('hello', '!!not base64', publicKey)).toBe(false);
    expect(verifySha256Rsa('hello', sig, 'not a key')).toBe(false);
  });

  it('parses a signing key once, not on every signature; a rotated key (new PEM) signs with itself', () => {
    // The module object itself (what the sandbox's compiled imports read at call time).
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    const parse = jest.spyOn(require('node:crypto') as typeof import('node:crypto'), 'createPrivateKey');
    const pair = () => generateKeyPairSync('rsa', { modulusLength: 2048, privateKeyEncoding: { type: 'pkcs8', format: 'pem' }, publicKeyEncoding: { type: 'spki', format: 'pem' } });
    const key = pair();
    try {
      const first = signSha256Rsa('one', key.privateKey);
      signSha256Rsa('two', key.privateKey);
      signSha256Rsa('three', key.privateKey);
      expect(parse).toHaveBeenCalledTimes(1);
      const rotated = pair();
      const second = signSha256Rsa('one', rotated.privateKey);
      expect(parse).toHaveBeenCalledTimes(2);
      expect(verifySha256Rsa('one', second, rotated.publicKey)).toBe(true);
      expect(verifySha256Rsa('one', second, key.publicKey)).toBe(false);
      expect(verifySha256Rsa('one', first, key.publicKey)).toBe(true);
      expect(() => signSha256Rsa('x', 'not a key')).toThrow();
    } finally {
      parse.mockRestore();
    }
  });

  it('verifies with a certificate as with its public key; a different certificate does not verify', () => {
    const platform = issuePlatformCertificate();
    const sig = signSha256Rsa('msg', platform.privateKeyPem);
    expect(verifySha256Rsa('msg', sig, platform.certificatePem)).toBe(true);
    expect(verifySha256Rsa('msg', sig, platform.certificatePem)).toBe(true);
    expect(verifySha256Rsa('msg!', sig, platform.certificatePem)).toBe(false);
    expect(verifySha256Rsa('msg', sig, issuePlatformCertificate().certificatePem)).toBe(false);
  });

  it('parses the seed 000 Authorization sample and refuses other schemas', () => {
    const header =
      'WECHATPAY2-SHA256-RSA2048 mchid="1900009191",nonce_str="593BEC0C930BF1AFEB40B4A08C8FB242",signature="uOVRnA4q==",timestamp="1554208460",serial_no="1DDE55AD98ED71D6EDD4A4A16996DE7B47773A8C"';
    expect(parseAuthorization(header)).toEqual({
      mchid: '1900009191',
      nonce_str: '593BEC0C930BF1AFEB40B4A08C8FB242',
      signature: 'uOVRnA4q==',
      timestamp: '1554208460',
      serial_no: '1DDE55AD98ED71D6EDD4A4A16996DE7B47773A8C',
    });
    expect(parseAuthorization(header.replace('RSA2048', 'RSA1024'))).toBeUndefined();
    expect(parseAuthorization(header.replace(/,timestamp="\d+"/, ''))).toBeUndefined();
    expect(parseAuthorization(undefined)).toBeUndefined();
  });

  it('AEAD_AES_256_GCM: ciphertext ‖ 16-byte tag, base64, decryptable by a plain decipher', () => {
    const key = 'k'.repeat(32);
    const ct = Buffer.from(encryptAes256Gcm('{"a":1}', key, 'nonce1234567', 'transaction'), 'base64');
    expect(ct).toHaveLength(7 + 16);
    const d = createDecipheriv('aes-256-gcm', Buffer.from(key), Buffer.from('nonce1234567'));
    d.setAAD(Buffer.from('transaction'));
    d.setAuthTag(ct.subarray(-16));
    expect(Buffer.concat([d.update(ct.subarray(0, -16)), d.final()]).toString()).toBe('{"a":1}');
    expect(randomAlnum(12)).toMatch(/^[A-Za-z0-9]{12}$/);
  });
});

describe('fault switches', () => {
  it('path patterns: * is one segment, ** anything', () => {
    expect(pathPattern('/v3/pay/transactions/out-trade-no/*').test('/v3/pay/transactions/out-trade-no/A1')).toBe(true);
    expect(pathPattern('/v3/pay/transactions/out-trade-no/*').test('/v3/pay/transactions/out-trade-no/A1/close')).toBe(false);
    expect(pathPattern('/v3/**').test('/v3/pay/transactions/out-trade-no/A1/close')).toBe(true);
    expect(pathPattern('/v3/pay.x').test('/v3/payXx')).toBe(false);
  });

  it('uses faults up call by call and matches method and event type', () => {
    const f = new Faults();
    f.add({ kind: 'endpoint', method: 'post', path: '/v3/**', effect: 'SYSTEM_ERROR', count: 2 });
    f.add({ kind: 'notification', effect: 'drop', eventType: 'REFUND.SUCCESS' });
    expect(f.takeEndpoint('GET', '/v3/x')).toBeUndefined();
    expect(f.takeEndpoint('POST', '/v3/x')?.effect).toBe('SYSTEM_ERROR');
    expect(f.takeEndpoint('POST', '/v3/x')?.effect).toBe('SYSTEM_ERROR');
    expect(f.takeEndpoint('POST', '/v3/x')).toBeUndefined();
    expect(f.takeNotification('TRANSACTION.SUCCESS')).toBeUndefined();
    expect(f.takeNotification('REFUND.SUCCESS')?.effect).toBe('drop');
    expect(f.list()).toEqual([]);
  });

  it('refund faults decide how the next refunds end, one by one', () => {
    const f = new Faults();
    f.add({ kind: 'refund', effect: 'ABNORMAL' });
    f.add({ kind: 'refund', effect: 'CLOSED', count: 2 });
    f.add({ kind: 'endpoint', method: 'POST', path: '/v3/refund/domestic/refunds', effect: 'NOT_ENOUGH' });
    expect([f.takeRefundOutcome(), f.takeRefundOutcome(), f.takeRefundOutcome(), f.takeRefundOutcome()]).toEqual(['ABNORMAL', 'CLOSED', 'CLOSED', undefined]);
    expect(f.takeEndpoint('POST', '/v3/refund/domestic/refunds')?.effect).toBe('NOT_ENOUGH');
  });

  it.each([
    [{}],
    [{ kind: 'endpoint', path: '/v3', effect: 'boom' }],
    [{ kind: 'endpoint', path: '/v3', effect: 'hang', count: 0 }],
    [{ kind: 'notification', effect: 'corrupt', corruption: 'everything' }],
    [{ kind: 'notification', effect: 'duplicate', copies: 1.5 }],
    [{ kind: 'endpoint', path: '/v3/pay/transactions/jsapi', effect: 'NOT_ENOUGH' }],
    [{ kind: 'endpoint', method: 'GET', path: '/v3/refund/domestic/refunds', effect: 'NOT_ENOUGH' }],
    [{ kind: 'refund', effect: 'SUCCESS' }],
  ])('rejects %j with PARAM_ERROR', (spec) => {
    expect(() => new Faults().add(spec)).toThrow(GatewayError);
  });
});

describe('validation helpers', () => {
  it('notify_url: https anywhere, http only to loopback, never a query string', () => {
    expect(v.notifyUrl('https://m.example.com/notify')).toBe('https://m.example.com/notify');
    expect(v.notifyUrl('http://127.0.0.1:3000/notify')).toBe('http://127.0.0.1:3000/notify');
    expect(() => v.notifyUrl('http://m.example.com/notify')).toThrow(GatewayError);
    expect(() => v.notifyUrl('https://m.example.com/notify?x=1')).toThrow(GatewayError);
    expect(() => v.notifyUrl('https://m.example.com/notify?')).toThrow(GatewayError);
    expect(() => v.notifyUrl('not a url')).toThrow(GatewayError);
  });

  it('out_trade_no alphabet and lengths', () => {
    expect(v.OUT_TRADE_NO.test('Ab1_-|*9')).toBe(true);
    expect(v.OUT_TRADE_NO.test('12345')).toBe(false);
    expect(v.OUT_TRADE_NO.test('a@bcdef')).toBe(false);
    expect(v.COMBINE_OUT_TRADE_NO.test('a@b')).toBe(true);
  });

  it('string(n) counts UTF-8 bytes', () => {
    expect(v.str('好'.repeat(42) + 'a', 'd', { maxBytes: 127 })).toHaveLength(43);
    expect(() => v.str('好'.repeat(43), 'd', { maxBytes: 127 })).toThrow(expect.objectContaining({ code: 'PARAM_ERROR', detail: expect.objectContaining({ field: 'd' }) }));
  });

  it('fingerprints ignore key order', () => {
    expect(v.fingerprint({ a: 1, b: { c: 2, d: [1, { e: 1, f: 2 }] } })).toBe(v.fingerprint({ b: { d: [1, { f: 2, e: 1 }], c: 2 }, a: 1 }));
  });
});

describe('test users and schedule', () => {
  it('openids are stable per appid and user, 28 chars', () => {
    expect(testOpenid('wx1', 'alice')).toBe(testOpenid('wx1', 'alice'));
    expect(testOpenid('wx1', 'alice')).not.toBe(testOpenid('wx2', 'alice'));
    expect(testOpenid('wx1', 'alice')).toHaveLength(28);
    expect(testUnionid('alice')).not.toBe(testUnionid('bob'));
    expect(testUserOfCode('user:alice:7')).toBe('alice');
    expect(testUserOfCode('071abc')).toBe('tester');
  });

  it('the retry schedule is 15s/15s/30s/3m/10m/20m/30m/30m/30m/60m/3h/3h/3h/6h/6h = 24h4m, 16 attempts', () => {
    expect(RETRY_DELAYS_S.reduce((a, b) => a + b, 0)).toBe(24 * 3600 + 4 * 60);
    expect(MAX_ATTEMPTS).toBe(16);
  });

  it('times are RFC 3339 in +08:00', () => {
    expect(rfc3339China(Date.UTC(2018, 5, 8, 2, 34, 56))).toBe('2018-06-08T10:34:56+08:00');
  });
});
