import { generateKeyPairSync, randomBytes, randomInt } from 'node:crypto';
import { chmodSync, existsSync, mkdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import forge from 'node-forge';

/**
 * The sandbox's key material: a merchant key pair with its certificate, the platform
 * certificate, the platform public key (public-key mode) and the APIv3/APIv2 keys.
 * Generated on the first start into `<dataDir>/keys/`, never committed, reused afterwards so
 * a developer's DevTools config and stored orders stay valid across restarts.
 */
export interface SandboxKeys {
  mchid: string;
  appid: string;
  appSecret: string;
  merchant: { serialNo: string; privateKeyPem: string; certificatePem: string };
  platformCert: { serialNo: string; privateKeyPem: string; certificatePem: string };
  platformPublicKey: { keyId: string; privateKeyPem: string; publicKeyPem: string };
  apiV3Key: string;
  apiV2Key: string;
}

interface Identity {
  mchid: string;
  appid: string;
  appSecret: string;
  apiV3Key: string;
  apiV2Key: string;
  platformPublicKeyId: string;
}

/** File names under `<dataDir>/keys/` (the local merchant config points at these). */
export const SANDBOX_KEY_FILES = {
  identity: 'identity.json',
  merchantKey: 'merchant_key.pem',
  merchantCert: 'merchant_cert.pem',
  platformKey: 'platform_key.pem',
  platformCert: 'platform_cert.pem',
  publicKeyPrivate: 'platform_pubkey_private.pem',
  publicKey: 'platform_pubkey.pem',
} as const;

export function ensureSandboxKeys(dataDir: string): SandboxKeys {
  const dir = join(dataDir, 'keys');
  // identity.json is written last, so its presence means a complete set.
  if (!existsSync(join(dir, SANDBOX_KEY_FILES.identity))) generate(dir);
  return load(dir);
}

function load(dir: string): SandboxKeys {
  const read = (name: string) => readFileSync(join(dir, name), 'utf8');
  const identity = JSON.parse(read(SANDBOX_KEY_FILES.identity)) as Identity;
  const merchantCert = read(SANDBOX_KEY_FILES.merchantCert);
  const platformCert = read(SANDBOX_KEY_FILES.platformCert);
  return {
    mchid: identity.mchid,
    appid: identity.appid,
    appSecret: identity.appSecret,
    merchant: { serialNo: certificateSerial(merchantCert), privateKeyPem: read(SANDBOX_KEY_FILES.merchantKey), certificatePem: merchantCert },
    platformCert: { serialNo: certificateSerial(platformCert), privateKeyPem: read(SANDBOX_KEY_FILES.platformKey), certificatePem: platformCert },
    platformPublicKey: { keyId: identity.platformPublicKeyId, privateKeyPem: read(SANDBOX_KEY_FILES.publicKeyPrivate), publicKeyPem: read(SANDBOX_KEY_FILES.publicKey) },
    apiV3Key: identity.apiV3Key,
    apiV2Key: identity.apiV2Key,
  };
}

/** Upper-case hex serial, as WeChat Pay prints certificate serials. */
export function certificateSerial(certificatePem: string): string {
  return forge.pki.certificateFromPem(certificatePem).serialNumber.toUpperCase().replace(/^0+(?=.)/, '');
}

function generate(dir: string): void {
  mkdirSync(dir, { recursive: true });
  const mchid = String(randomInt(1_600_000_000, 1_699_999_999));
  const identity: Identity = {
    mchid,
    appid: 'wx' + randomBytes(8).toString('hex'),
    appSecret: randomBytes(16).toString('hex'),
    apiV3Key: randomAscii(32),
    apiV2Key: randomAscii(32),
    platformPublicKeyId: 'PUB_KEY_ID_' + '01' + mchid + String(randomInt(0, 1e9)).padStart(9, '0') + String(randomInt(0, 1e6)).padStart(6, '0'),
  };
  const merchant = rsaKeyPair();
  const platform = rsaKeyPair();
  const publicKeyPair = rsaKeyPair();
  const merchantCert = issueCertificate(merchant.publicKeyPem, [
    { shortName: 'CN', value: mchid },
    { shortName: 'O', value: mchid },
    { shortName: 'OU', value: 'Sandbox Merchant' },
    { shortName: 'C', value: 'CN' },
  ]);
  const platformCert = issueCertificate(platform.publicKeyPem, PLATFORM_SUBJECT);
  writeSecret(dir, SANDBOX_KEY_FILES.merchantKey, merchant.privateKeyPem);
  writePublic(dir, SANDBOX_KEY_FILES.merchantCert, merchantCert);
  writeSecret(dir, SANDBOX_KEY_FILES.platformKey, platform.privateKeyPem);
  writePublic(dir, SANDBOX_KEY_FILES.platformCert, platformCert);
  writeSecret(dir, SANDBOX_KEY_FILES.publicKeyPrivate, publicKeyPair.privateKeyPem);
  writePublic(dir, SANDBOX_KEY_FILES.publicKey, publicKeyPair.publicKeyPem);
  writeSecret(dir, SANDBOX_KEY_FILES.identity, JSON.stringify(identity, null, 2) + '\n');
}

/** A fresh platform certificate and its key, as WeChat Pay issues one when it rotates (admin rotation). */
export function issuePlatformCertificate(): SandboxKeys['platformCert'] {
  const pair = rsaKeyPair();
  const certificatePem = issueCertificate(pair.publicKeyPem, PLATFORM_SUBJECT);
  return { serialNo: certificateSerial(certificatePem), privateKeyPem: pair.privateKeyPem, certificatePem };
}

const PLATFORM_SUBJECT: forge.pki.CertificateField[] = [
  { shortName: 'CN', value: 'Tenpay.com Sign' },
  { shortName: 'O', value: 'Tenpay.com' },
  { shortName: 'OU', value: 'Tenpay.com CA Center' },
  { shortName: 'C', value: 'CN' },
];

function rsaKeyPair(): { privateKeyPem: string; publicKeyPem: string } {
  const { privateKey, publicKey } = generateKeyPairSync('rsa', {
    modulusLength: 2048,
    privateKeyEncoding: { type: 'pkcs8', format: 'pem' },
    publicKeyEncoding: { type: 'spki', format: 'pem' },
  });
  return { privateKeyPem: privateKey, publicKeyPem: publicKey };
}

/** A self-issued certificate under a sandbox "Tenpay.com Root CA" key made for this purpose. */
function issueCertificate(publicKeyPem: string, subject: forge.pki.CertificateField[]): string {
  // node:crypto generates keys far faster than forge's pure-JS generator.
  const issuerKey = forge.pki.privateKeyFromPem(rsaKeyPair().privateKeyPem);
  const cert = forge.pki.createCertificate();
  cert.publicKey = forge.pki.publicKeyFromPem(publicKeyPem);
  // 20 random bytes with the top bit cleared (serials are positive integers).
  const serial = randomBytes(20);
  serial[0] = (serial[0]! & 0x7f) | 0x10;
  cert.serialNumber = serial.toString('hex');
  const now = Date.now();
  cert.validity.notBefore = new Date(now - 24 * 3600 * 1000);
  cert.validity.notAfter = new Date(now + 5 * 365 * 24 * 3600 * 1000);
  cert.setSubject(subject);
  cert.setIssuer([
    { shortName: 'CN', value: 'Tenpay.com Root CA' },
    { shortName: 'O', value: 'Tenpay.com' },
    { shortName: 'OU', value: 'Tenpay.com CA Center (sandbox)' },
    { shortName: 'C', value: 'CN' },
  ]);
  cert.setExtensions([
    { name: 'basicConstraints', cA: false },
    { name: 'keyUsage', digitalSignature: true, nonRepudiation: true, keyEncipherment: true },
  ]);
  cert.sign(issuerKey, forge.md.sha256.create());
  return forge.pki.certificateToPem(cert);
}

function randomAscii(length: number): string {
  const alphabet = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789';
  let out = '';
  for (let i = 0; i < length; i++) out += alphabet[randomInt(alphabet.length)];
  return out;
}

function writeSecret(dir: string, name: string, text: string): void {
  const tmp = join(dir, `${name}.${process.pid}.tmp`);
  writeFileSync(tmp, text, { mode: 0o600 });
  chmodSync(tmp, 0o600);
  renameSync(tmp, join(dir, name));
}

function writePublic(dir: string, name: string, text: string): void {
  const tmp = join(dir, `${name}.${process.pid}.tmp`);
  writeFileSync(tmp, text, { mode: 0o644 });
  renameSync(tmp, join(dir, name));
}
