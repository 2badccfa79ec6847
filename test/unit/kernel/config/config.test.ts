/**
 * Merchant config: a sound file loads; every missing or malformed field fails fast naming it;
 * secrets come from env when set; key files are read relative to the config file.
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ConfigError, loadMerchantConfig, parseMerchantConfig, type MerchantConfigFile } from '../../../../cloudfunctions/core/kernel/config';
import { generateRsaKeyPair, makeCertificate, randomApiV3Key, randomPublicKeyId } from '../../../helpers/crypto-fixtures';
import { localMerchantConfig, writeLocalMerchantConfig } from '../../../../sandbox/local-config';
import type { SandboxKeys } from '../../../../sandbox/keys';

const merchant = generateRsaKeyPair();
const platform = generateRsaKeyPair();
const certificate = makeCertificate({ keyPair: platform });
const publicKeyId = randomPublicKeyId();
const apiV3Key = randomApiV3Key();

function soundV3() {
  return {
    mchid: '1900000109',
    merchant: { serialNo: '5157F09EFDC096DE15EBE81A47057A7232F1B8E1', privateKey: merchant.privatePem } as { serialNo: string; privateKey?: string; privateKeyFile?: string },
    platform: { certificates: [certificate.pem], publicKeyId, publicKey: platform.publicPem } as Record<string, unknown>,
    apiV3Key: apiV3Key as string | undefined,
    notifyUrl: 'https://pay.example.com/notify',
  };
}

function sound() {
  return {
    appid: 'wx1234567890abcdef',
    wechatpayV3: soundV3(),
    amount: { minFen: 1, maxFen: 100000 },
    admins: ['o_admin'],
    store: { kind: 'sqlite', file: '/tmp/x.sqlite' },
    defaultDescription: '商品',
  } satisfies MerchantConfigFile;
}

/** The sound config with its wechatpayV3 section changed. */
const withV3 = (fields: Record<string, unknown>) => ({ ...sound(), wechatpayV3: { ...soundV3(), ...fields } });
const v3Of = (c: Record<string, unknown>) => c.wechatpayV3 as Record<string, unknown>;

function fails(raw: unknown, field: RegExp, env: Record<string, string> = {}) {
  expect(() => parseMerchantConfig(raw, { env })).toThrow(ConfigError);
  expect(() => parseMerchantConfig(raw, { env })).toThrow(field);
}

describe('parseMerchantConfig', () => {
  it('loads a sound config with defaults filled in', () => {
    const config = parseMerchantConfig(sound());
    expect(config).toMatchObject({
      wechatpayV3: {
        mchid: '1900000109',
        gatewayBaseUrl: 'https://api.mch.weixin.qq.com',
        platform: { certificates: [certificate.pem], publicKey: { id: publicKeyId, pem: platform.publicPem } },
      },
      orderTtlMs: 30 * 60_000,
      minCloseIntervalMs: 5 * 60_000,
      reconcile: { payingOlderThanMs: 60_000, batchSize: 100, concurrency: 8, maxRunMs: 45_000 },
    });
  });

  it.each([
    ['mchid', (c: Record<string, unknown>) => delete v3Of(c).mchid, /wechatpayV3\.mchid/],
    ['appid', (c: Record<string, unknown>) => (c.appid = 'not-an-appid'), /appid/],
    ['notifyUrl query', (c: Record<string, unknown>) => (v3Of(c).notifyUrl = 'https://x.example/n?a=1'), /wechatpayV3\.notifyUrl: notify URL must not carry a query/],
    ['notifyUrl', (c: Record<string, unknown>) => delete v3Of(c).notifyUrl, /wechatpayV3\.notifyUrl/],
    ['amount bounds', (c: Record<string, unknown>) => (c.amount = { minFen: 10, maxFen: 5 }), /amount/],
    ['fractional fen', (c: Record<string, unknown>) => (c.amount = { minFen: 1.5, maxFen: 5 }), /amount\.minFen/],
    ['store kind', (c: Record<string, unknown>) => (c.store = { kind: 'mysql' }), /store/],
    ['unknown field', (c: Record<string, unknown>) => (c.mchId = '1'), /mchId/],
    ['merchant serial', (c: Record<string, unknown>) => ((v3Of(c).merchant as Record<string, unknown>).serialNo = 'zz'), /wechatpayV3\.merchant\.serialNo/],
    ['publicKeyId prefix', (c: Record<string, unknown>) => ((v3Of(c).platform as Record<string, unknown>).publicKeyId = 'KEY_1'), /wechatpayV3\.platform\.publicKeyId/],
  ])('names the field when %s is wrong', (_name, spoil, field) => {
    const raw = sound() as unknown as Record<string, unknown>;
    spoil(raw);
    fails(raw, field);
  });

  it('needs the private key, a 32-byte APIv3 key and some platform verification', () => {
    fails(withV3({ merchant: { serialNo: 'ABCDEF0123456789' } }), /merchant\.privateKey/);
    fails(withV3({ apiV3Key: 'short' }), /apiV3Key must be exactly 32 bytes/);
    fails(withV3({ apiV3Key: undefined }), /apiV3Key is required/);
    fails(withV3({ platform: {} }), /platform needs certificates/);
    fails(withV3({ platform: { publicKeyId } }), /publicKeyId and platform\.publicKey go together/);
  });

  it('accepts certificate download as the only platform verification', () => {
    const config = parseMerchantConfig(withV3({ platform: { downloadCertificates: true } }));
    expect(config.wechatpayV3?.platform).toEqual({ certificates: [], downloadCertificates: true });
  });

  it('combine trade_scenario: RECOMMERCE by default; the seed-only TIP is refused at load, naming the field', () => {
    expect(parseMerchantConfig(sound()).combine).toEqual({ tradeScenario: 'RECOMMERCE' });
    expect(parseMerchantConfig({ ...sound(), combine: { tradeScenario: 'RECOMMERCE' } }).combine).toEqual({ tradeScenario: 'RECOMMERCE' });
    fails({ ...sound(), combine: { tradeScenario: 'TIP' } }, /combine\.tradeScenario: only RECOMMERCE is published/);
  });

  it('takes secrets from env over the file', () => {
    const other = generateRsaKeyPair();
    const otherKey = randomApiV3Key();
    const config = parseMerchantConfig(
      withV3({ apiV3Key: undefined, merchant: { serialNo: 'ABCDEF0123456789' } }),
      { env: { WECHATPAY_MCH_PRIVATE_KEY: other.privatePem, WECHATPAY_API_V3_KEY: otherKey, PAY_MIN_CLOSE_INTERVAL_MS: '2000' } },
    );
    expect(config.wechatpayV3?.merchant.privateKey).toBe(other.privatePem);
    expect(config.wechatpayV3?.apiV3Key).toBe(otherKey);
    expect(config.minCloseIntervalMs).toBe(2000);
    fails(sound(), /minCloseIntervalMs/, { PAY_MIN_CLOSE_INTERVAL_MS: 'soon' });
  });
});

describe('loadMerchantConfig', () => {
  let dir: string;
  beforeEach(() => (dir = mkdtempSync(join(tmpdir(), 'pay-config-'))));
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  it('reads PAY_CONFIG_FILE and key files beside it', () => {
    writeFileSync(join(dir, 'merchant.pem'), merchant.privatePem);
    writeFileSync(join(dir, 'platform.pem'), certificate.pem);
    const file = join(dir, 'pay.json');
    const raw = soundV3();
    writeFileSync(file, JSON.stringify(withV3({ merchant: { serialNo: raw.merchant.serialNo, privateKeyFile: 'merchant.pem' }, platform: { certificateFiles: ['platform.pem'] } })));
    const config = loadMerchantConfig({ env: { PAY_CONFIG_FILE: file } });
    expect(config.wechatpayV3?.merchant.privateKey).toBe(merchant.privatePem);
    expect(config.wechatpayV3?.platform.certificates).toEqual([certificate.pem]);
    expect(config.wechatpayV3?.platform.publicKey).toBeUndefined();
  });

  it('fails fast and says why: unset, unreadable, not JSON, missing key file', () => {
    expect(() => loadMerchantConfig({ env: {} })).toThrow(/PAY_CONFIG_FILE \(or PAY_CONFIG\) is not set/);
    expect(() => loadMerchantConfig({ env: { PAY_CONFIG_FILE: join(dir, 'nope.json') } })).toThrow(/cannot read/);
    writeFileSync(join(dir, 'bad.json'), '{');
    expect(() => loadMerchantConfig({ env: { PAY_CONFIG_FILE: join(dir, 'bad.json') } })).toThrow(/not valid JSON/);
    const raw = soundV3();
    writeFileSync(join(dir, 'missing.json'), JSON.stringify(withV3({ merchant: { serialNo: raw.merchant.serialNo, privateKeyFile: 'gone.pem' } })));
    expect(() => loadMerchantConfig({ env: { PAY_CONFIG_FILE: join(dir, 'missing.json') } })).toThrow(/merchant\.privateKeyFile: cannot read gone\.pem/);
  });

  it('takes the same JSON inline from PAY_CONFIG (cloud function env vars), secrets from their own vars', () => {
    const raw = soundV3();
    const { privateKey: _key, ...merchantWithoutKey } = raw.merchant;
    const env = { PAY_CONFIG: JSON.stringify(withV3({ merchant: merchantWithoutKey })), WECHATPAY_MCH_PRIVATE_KEY: merchant.privatePem };
    const config = loadMerchantConfig({ env });
    expect(config.wechatpayV3?.mchid).toBe(raw.mchid);
    expect(config.wechatpayV3?.merchant.privateKey).toBe(merchant.privatePem);
    expect(() => loadMerchantConfig({ env: { PAY_CONFIG: '{' } })).toThrow(/PAY_CONFIG: not valid JSON/);
    expect(() => loadMerchantConfig({ env: { ...env, PAY_CONFIG_FILE: join(dir, 'pay.json') } })).toThrow(/not both/);
  });
});

describe('writeLocalMerchantConfig', () => {
  let dir: string;
  beforeEach(() => (dir = mkdtempSync(join(tmpdir(), 'local-config-'))));
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  function sandboxKeys(): SandboxKeys {
    // Written where ensureSandboxKeys keeps them, so the config's file paths resolve.
    const keyDir = join(dir, 'keys');
    require('node:fs').mkdirSync(keyDir);
    writeFileSync(join(keyDir, 'merchant_key.pem'), merchant.privatePem);
    writeFileSync(join(keyDir, 'platform_cert.pem'), certificate.pem);
    writeFileSync(join(keyDir, 'platform_pubkey.pem'), platform.publicPem);
    return {
      mchid: '1600000001',
      appid: 'wxabcdef0123456789',
      appSecret: 's',
      merchant: { serialNo: '1A2B3C4D5E6F', privateKeyPem: merchant.privatePem, certificatePem: '' },
      platformCert: { serialNo: certificate.serialNo, privateKeyPem: platform.privatePem, certificatePem: certificate.pem },
      platformPublicKey: { keyId: publicKeyId, privateKeyPem: platform.privatePem, publicKeyPem: platform.publicPem },
      apiV3Key,
      apiV2Key: randomApiV3Key(),
    };
  }

  it('writes a config the functions load: notify URL on the host, sqlite in the data dir, admin by openid', () => {
    const keys = sandboxKeys();
    const file = writeLocalMerchantConfig({ dataDir: dir, keys, gatewayUrl: 'http://127.0.0.1:9400', hostUrl: 'http://127.0.0.1:9401/', openidOf: (u) => `o_${u}` });
    const config = loadMerchantConfig({ env: { PAY_CONFIG_FILE: file } });
    expect(config).toMatchObject({
      appid: keys.appid,
      wechatpayV3: {
        mchid: keys.mchid,
        notifyUrl: 'http://127.0.0.1:9401/http/payNotify',
        gatewayBaseUrl: 'http://127.0.0.1:9400',
        merchant: { privateKey: merchant.privatePem },
        platform: { certificates: [certificate.pem], publicKey: { id: publicKeyId } },
      },
      store: { kind: 'sqlite', file: join(dir, 'store.sqlite') },
      admins: ['o_admin'],
    });
    // Keys are referenced, not copied into the config file.
    expect(require('node:fs').readFileSync(file, 'utf8')).not.toContain('PRIVATE KEY');
  });

  it('writes the huifu section for a running Huifu sandbox: its identity, key files, notifications to huifuNotify', () => {
    const keys = sandboxKeys();
    const huifuDir = join(dir, 'keys', 'huifu');
    require('node:fs').mkdirSync(huifuDir);
    writeFileSync(join(huifuDir, 'merchant_private.pem'), merchant.privatePem);
    writeFileSync(join(huifuDir, 'huifu_public.pem'), platform.publicPem);
    const huifu = { url: 'http://127.0.0.1:9402', keys: { sysId: '6666000000000001', productId: 'SANDBOX', huifuId: '6666000000000002', dir: huifuDir } };
    const file = writeLocalMerchantConfig({ dataDir: dir, keys, gatewayUrl: 'http://127.0.0.1:9400', hostUrl: 'http://127.0.0.1:9401', huifu });
    expect(loadMerchantConfig({ env: { PAY_CONFIG_FILE: file } }).huifu).toEqual({
      sysId: '6666000000000001',
      productId: 'SANDBOX',
      huifuId: '6666000000000002',
      privateKey: merchant.privatePem,
      huifuPublicKey: platform.publicPem,
      payerIdentity: 'sub_openid',
      minCloseIntervalMs: 60_000,
      gatewayBaseUrl: 'http://127.0.0.1:9402',
      notifyUrl: 'http://127.0.0.1:9401/http/huifuNotify',
      http: { timeoutMs: 5_000, maxAttempts: 3 },
    });
    // Without a Huifu sandbox, no section.
    expect(localMerchantConfig({ dataDir: dir, keys, gatewayUrl: 'http://g', hostUrl: 'http://h' })).not.toHaveProperty('huifu');
  });

  it('refuses to write a config the functions would refuse', () => {
    const keys = sandboxKeys();
    expect(() => writeLocalMerchantConfig({ dataDir: dir, keys: { ...keys, apiV3Key: 'x' }, gatewayUrl: 'http://127.0.0.1:1', hostUrl: 'http://127.0.0.1:2' })).toThrow(/apiV3Key/);
    expect(localMerchantConfig({ dataDir: dir, keys, gatewayUrl: 'http://g', hostUrl: 'http://h', platformMode: 'publicKey' }).wechatpayV3?.platform).not.toHaveProperty('certificateFiles');
  });
});

describe('the mini-program never sees merchant config', () => {
  function sources(dir: string): string[] {
    const fs = require('node:fs') as typeof import('node:fs');
    return fs.readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
      const path = join(dir, entry.name);
      if (entry.isDirectory()) return entry.name === 'miniprogram_npm' ? [] : sources(path);
      return /\.(ts|js|json|wxml)$/.test(entry.name) ? [path] : [];
    });
  }

  it('no file under miniprogram/ imports server code or names a config secret', () => {
    const fs = require('node:fs') as typeof import('node:fs');
    const files = sources(join(__dirname, '../../../../miniprogram'));
    expect(files.length).toBeGreaterThan(5);
    for (const file of files) {
      const text = fs.readFileSync(file, 'utf8');
      expect({ file, serverImport: /from\s+['"][./]*(\.\.\/)+cloudfunctions\//.test(text) || /require\(['"][./]*cloudfunctions\//.test(text) }).toEqual({ file, serverImport: false });
      expect({ file, secret: /apiV3Key|privateKey|PAY_CONFIG_FILE|WECHATPAY_API_V3_KEY/.test(text) }).toEqual({ file, secret: false });
    }
  });
});
