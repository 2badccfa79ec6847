/**
 * Merchant config in sections, one per gateway (wechatpayV3, wechatpayV2, huifu), every one
 * optional: a missing section disables its gateway's channels, said once at cold start; the
 * pre-sections flat shape is still read for one release, with a deprecation warning.
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ConfigError, disabledGatewayNotes, parseMerchantConfig, type MerchantConfigFile } from '../../../../cloudfunctions/core/kernel/config';
import { createRuntime } from '../../../../cloudfunctions/core/runtime';
import { openStore } from '../../../../cloudfunctions/core/store';
import forge from 'node-forge';
import { generateRsaKeyPair, makeCertificate, randomApiV3Key } from '../../../helpers/crypto-fixtures';

const merchant = generateRsaKeyPair();
const certificate = makeCertificate({ keyPair: generateRsaKeyPair() });
const apiV3Key = randomApiV3Key();

const app = {
  appid: 'wx1234567890abcdef',
  amount: { minFen: 1, maxFen: 100000 },
  store: { kind: 'sqlite', file: ':memory:' },
  defaultDescription: '商品',
} satisfies Partial<MerchantConfigFile>;

const v3 = {
  mchid: '1900000109',
  merchant: { serialNo: '5157F09EFDC096DE15EBE81A47057A7232F1B8E1', privateKey: merchant.privatePem },
  platform: { certificates: [certificate.pem] },
  apiV3Key,
  notifyUrl: 'https://pay.example.com/notify',
};

/** The merchant API certificate over the merchant key pair (what APIv2 presents over mutual TLS). */
const clientCert = makeCertificate({ keyPair: merchant, commonName: '1900000109' });
const v2 = {
  mchid: '1900000109',
  key: 'A'.repeat(16) + '0123456789abcdef',
  clientCertificate: { certificate: clientCert.pem, privateKey: merchant.privatePem },
  notifyUrl: 'https://pay.example.com/notify/v2',
};

/** A PKCS#12 file of the merchant key and certificate, as the merchant platform hands it out (password = mch_id). */
function pkcs12Of(password: string): Buffer {
  const asn1 = forge.pkcs12.toPkcs12Asn1(forge.pki.privateKeyFromPem(merchant.privatePem), [forge.pki.certificateFromPem(clientCert.pem)], password, { algorithm: '3des' });
  return Buffer.from(forge.asn1.toDer(asn1).getBytes(), 'binary');
}
const huifu = { sysId: '6666000108854952', productId: 'PAYUN', huifuId: '6666000108854952', privateKey: 'MIIE…base64', huifuPublicKey: 'MIIB…base64', notifyUrl: 'https://pay.example.com/notify/huifu' };

const quiet = { warn: () => undefined };
function fails(raw: unknown, message: RegExp) {
  expect(() => parseMerchantConfig(raw, quiet)).toThrow(ConfigError);
  expect(() => parseMerchantConfig(raw, quiet)).toThrow(message);
}

describe('gateway sections', () => {
  it('reads each gateway in its own section, defaults filled in, app-level fields at the top', () => {
    const config = parseMerchantConfig({ ...app, wechatpayV3: v3, wechatpayV2: v2, huifu }, quiet);
    expect(config.appid).toBe(app.appid);
    expect(config.wechatpayV3).toMatchObject({ mchid: v3.mchid, apiV3Key, gatewayBaseUrl: 'https://api.mch.weixin.qq.com', http: { timeoutMs: 10_000, maxAttempts: 3 } });
    expect(config.wechatpayV2).toMatchObject({ mchid: v2.mchid, key: v2.key, signType: 'MD5', gatewayBaseUrl: 'https://api.mch.weixin.qq.com' });
    expect(config.huifu).toMatchObject({ sysId: huifu.sysId, huifuId: huifu.huifuId, gatewayBaseUrl: 'https://api.huifu.com' });
    expect(disabledGatewayNotes(config)).toEqual([]);
  });

  it('lets a merchant configure any subset; a missing v3 section says which channels are off', () => {
    const onlyV2 = parseMerchantConfig({ ...app, wechatpayV2: v2 }, quiet);
    expect(onlyV2.wechatpayV3).toBeUndefined();
    expect(onlyV2.huifu).toBeUndefined();
    expect(disabledGatewayNotes(onlyV2)).toEqual([
      'WeChat Pay APIv3 is not configured (no "wechatpayV3" section): channels jsapi, combine disabled',
      'Huifu DouGong is not configured (no "huifu" section): channel huifu disabled',
    ]);
    expect(parseMerchantConfig({ ...app }, quiet).wechatpayV2).toBeUndefined();
  });

  it('a runtime without the v3 section answers CHANNEL_UNAVAILABLE, not a crash at the first signature', () => {
    const config = parseMerchantConfig({ ...app }, quiet);
    const store = openStore({ kind: 'sqlite', file: ':memory:' });
    try {
      expect(() => createRuntime(config, { store })).toThrow(expect.objectContaining({ code: 'CHANNEL_UNAVAILABLE', message: expect.stringMatching(/jsapi, combine/) }));
    } finally {
      void store.close();
    }
  });

  it.each([
    ['v2 sign type', { wechatpayV2: { ...v2, signType: 'SHA1' } }, /wechatpayV2\.signType: must be one of MD5, HMAC-SHA256/],
    ['v2 key missing', { wechatpayV2: { ...v2, key: undefined } }, /wechatpayV2\.key is required/],
    ['v2 key empty', { wechatpayV2: { ...v2, key: '' } }, /wechatpayV2\.key must not be empty/],
    ['v2 PKCS#12 without password', { wechatpayV2: { ...v2, clientCertificate: { pkcs12File: 'apiclient_cert.p12' } } }, /wechatpayV2\.clientCertificate\.pkcs12Password is required/],
    ['v2 half a PEM pair', { wechatpayV2: { ...v2, clientCertificate: { certificate: certificate.pem } } }, /wechatpayV2\.clientCertificate needs certificate \+ privateKey/],
    ['v2 without a client certificate', { wechatpayV2: { ...v2, clientCertificate: undefined } }, /wechatpayV2\.clientCertificate is required/],
    ['v2 certificate of another key', { wechatpayV2: { ...v2, clientCertificate: { certificate: certificate.pem, privateKey: merchant.privatePem } } }, /wechatpayV2\.clientCertificate: the client certificate cannot be used: .*mismatch/],
    ['v2 certificate that is no certificate', { wechatpayV2: { ...v2, clientCertificate: { certificate: '-----BEGIN CERTIFICATE-----\nAAAA\n-----END CERTIFICATE-----\n', privateKey: merchant.privatePem } } }, /the client certificate cannot be used/],
    ['huifu without huifu_id', { huifu: { ...huifu, huifuId: undefined } }, /huifu\.huifuId: is required/],
    ['huifu notify URL', { huifu: { ...huifu, notifyUrl: 'not a url' } }, /huifu\.notifyUrl: must be an http\(s\) URL/],
    ['huifu without its public key', { huifu: { ...huifu, huifuPublicKey: undefined } }, /huifu\.huifuPublicKey is required/],
    ['v3 mchid', { wechatpayV3: { ...v3, mchid: 'abc' } }, /wechatpayV3\.mchid: mchid must be digits/],
    ['a field of no section', { mchid2: '1' }, /mchid2: unknown field/],
  ])('names the field: %s', (_name, sections, message) => {
    fails({ ...app, ...sections }, message);
  });

  it('reads a v2 client certificate as PEM pair or as PKCS#12 beside the file (password from env)', () => {
    const dir = mkdtempSync(join(tmpdir(), 'pay-sections-'));
    try {
      writeFileSync(join(dir, 'apiclient_cert.p12'), pkcs12Of(v2.mchid));
      const p12 = parseMerchantConfig(
        { ...app, wechatpayV2: { ...v2, clientCertificate: { pkcs12File: 'apiclient_cert.p12' } } },
        { ...quiet, baseDir: dir, env: { WECHATPAY_V2_PKCS12_PASSWORD: v2.mchid } },
      );
      expect(p12.wechatpayV2?.clientCertificate).toEqual({ kind: 'pkcs12', file: join(dir, 'apiclient_cert.p12'), password: v2.mchid });
      const pem = parseMerchantConfig({ ...app, wechatpayV2: v2 }, quiet);
      expect(pem.wechatpayV2?.clientCertificate).toEqual({ kind: 'pem', certificate: clientCert.pem, privateKey: merchant.privatePem });
      // A wrong password (or a file that is no PKCS#12) is named at load, not found at the first refund.
      expect(() =>
        parseMerchantConfig({ ...app, wechatpayV2: { ...v2, clientCertificate: { pkcs12File: 'apiclient_cert.p12', pkcs12Password: 'wrong' } } }, { ...quiet, baseDir: dir }),
      ).toThrow(/wechatpayV2\.clientCertificate\.pkcs12File: the client certificate cannot be used/);
      writeFileSync(join(dir, 'broken.p12'), Buffer.from([0x30, 0x82]));
      fails({ ...app, wechatpayV2: { ...v2, clientCertificate: { pkcs12File: join(dir, 'broken.p12'), pkcs12Password: 'x' } } }, /pkcs12File: the client certificate cannot be used/);
      fails({ ...app, wechatpayV2: { ...v2, clientCertificate: { pkcs12File: 'gone.p12', pkcs12Password: 'x' } } }, /wechatpayV2\.clientCertificate\.pkcs12File: cannot read gone\.p12/);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('takes v2 and Huifu secrets from env into their sections only', () => {
    const config = parseMerchantConfig({ ...app, wechatpayV2: { ...v2, key: undefined }, huifu: { ...huifu, privateKey: undefined } }, { ...quiet, env: { WECHATPAY_V2_KEY: v2.key, HUIFU_PRIVATE_KEY: 'from-env' } });
    expect(config.wechatpayV2?.key).toBe(v2.key);
    expect(config.huifu?.privateKey).toBe('from-env');
    // An env secret alone does not invent a gateway.
    expect(parseMerchantConfig({ ...app }, { ...quiet, env: { WECHATPAY_API_V3_KEY: apiV3Key, WECHATPAY_V2_KEY: v2.key } }).wechatpayV3).toBeUndefined();
  });
});

describe('the flat shape of earlier releases', () => {
  it('is read into wechatpayV3 with a deprecation warning naming the fields to move', () => {
    const warnings: string[] = [];
    const config = parseMerchantConfig({ ...app, ...v3 }, { warn: (message) => warnings.push(message), env: { WECHATPAY_API_V3_KEY: apiV3Key } });
    expect(config.wechatpayV3).toMatchObject({ mchid: v3.mchid, apiV3Key, notifyUrl: v3.notifyUrl, merchant: { privateKey: merchant.privatePem } });
    expect(warnings).toEqual([expect.stringMatching(/flat WeChat Pay fields \(mchid, merchant, platform, apiV3Key, notifyUrl\) are deprecated: move them into "wechatpayV3"/)]);
  });

  it('keeps naming the field when a flat config is wrong, and refuses a mix of both shapes', () => {
    fails({ ...app, ...v3, apiV3Key: 'short' }, /wechatpayV3\.apiV3Key must be exactly 32 bytes/);
    fails({ ...app, mchid: v3.mchid, wechatpayV3: v3 }, /mchid belong in the wechatpayV3 section/);
  });
});
