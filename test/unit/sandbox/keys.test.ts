import { createPublicKey, createSign, createVerify, X509Certificate } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ensureSandboxKeys, type SandboxKeys } from '../../../sandbox/keys';

describe('ensureSandboxKeys', () => {
  let dir: string;
  let keys: SandboxKeys;
  beforeAll(() => {
    dir = mkdtempSync(join(tmpdir(), 'sandbox-keys-'));
    keys = ensureSandboxKeys(dir);
  });
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('makes identities shaped like real ones', () => {
    expect(keys.mchid).toMatch(/^\d{10}$/);
    expect(keys.appid).toMatch(/^wx[0-9a-f]{16}$/);
    expect(keys.apiV3Key).toMatch(/^[A-Za-z0-9]{32}$/);
    expect(keys.apiV2Key).toMatch(/^[A-Za-z0-9]{32}$/);
    expect(keys.appSecret).toMatch(/^[0-9a-f]{32}$/);
    expect(keys.platformPublicKey.keyId).toMatch(/^PUB_KEY_ID_\d+$/);
  });

  it.each(['merchant', 'platformCert'] as const)('%s: a 5-year X.509 certificate with an upper-case hex serial matching its key', (name) => {
    const { serialNo, certificatePem, privateKeyPem } = keys[name];
    expect(serialNo).toMatch(/^[0-9A-F]{40}$/);
    const cert = new X509Certificate(certificatePem);
    expect(cert.serialNumber.toUpperCase()).toBe(serialNo);
    expect(cert.publicKey.asymmetricKeyDetails?.modulusLength).toBe(2048);
    expect(Date.parse(cert.validFrom)).toBeLessThan(Date.now() - 23 * 3600_000);
    expect(Date.parse(cert.validTo)).toBeGreaterThan(Date.now() + 4.9 * 365 * 86400_000);
    const sig = createSign('RSA-SHA256').update('m').sign(privateKeyPem);
    expect(createVerify('RSA-SHA256').update('m').verify(cert.publicKey, sig)).toBe(true);
  });

  it('the merchant, platform and public-key pairs are three different keys', () => {
    const pubs = [keys.merchant.certificatePem, keys.platformCert.certificatePem, keys.platformPublicKey.publicKeyPem].map((p) =>
      createPublicKey(p).export({ type: 'spki', format: 'der' }).toString('base64'),
    );
    expect(new Set(pubs).size).toBe(3);
    const sig = createSign('RSA-SHA256').update('m').sign(keys.platformPublicKey.privateKeyPem);
    expect(createVerify('RSA-SHA256').update('m').verify(keys.platformPublicKey.publicKeyPem, sig)).toBe(true);
  });

  it('writes private keys and identity.json with mode 0600', () => {
    for (const f of ['merchant_key.pem', 'platform_key.pem', 'platform_pubkey_private.pem', 'identity.json']) {
      expect(statSync(join(dir, 'keys', f)).mode & 0o777).toBe(0o600);
    }
    expect(JSON.parse(readFileSync(join(dir, 'keys', 'identity.json'), 'utf8')).mchid).toBe(keys.mchid);
  });

  it('reuses what it generated on later calls', () => {
    const again = ensureSandboxKeys(dir);
    expect(again).toEqual(keys);
  });
});
