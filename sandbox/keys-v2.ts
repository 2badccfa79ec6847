import { createPrivateKey, createPublicKey, randomBytes, sign as cryptoSign } from 'node:crypto';
import { chmodSync, existsSync, mkdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import forge from 'node-forge';
import type { SandboxKeys } from './keys';

/**
 * The APIv2 side of the sandbox's key material, generated on first start into
 * `<dataDir>/keys/v2/` (git-ignored with the rest of the data folder) and reused afterwards:
 *
 * - a sandbox CA ("Tenpay.com Root CA (sandbox v2)") that issues
 * - the TLS server certificate of the gateway's HTTPS listener (localhost, 127.0.0.1, ::1), and
 * - the merchant's API client certificate for `/secapi/…` mutual TLS, over the SAME key pair as the
 *   APIv3 merchant certificate (WeChat Pay has one 商户API证书 for both), written as the files a
 *   merchant downloads: `apiclient_cert.pem`, `apiclient_key.pem` and `apiclient_cert.p12`, whose
 *   password is the mch_id, as WeChat Pay's PKCS#12 files are (SDKs open them with the mch_id,
 *   e.g. heyen-zxy/qiaojiao-web `set_apiclient_by_pkcs12(…, mch_id)`).
 *
 * Plus the APP appid: an APP order is made with the 开放平台 mobile-app appid, not the
 * mini-program's, both bound to the one mch_id.
 *
 * `sandbox/local-config.ts` writes the merchant config's `wechatpayV2` section from these files.
 */
export interface SandboxV2Keys {
  /** Directory holding every file below. */
  dir: string;
  /** The APIv2 key (32 characters) — the same `apiV2Key` as in SandboxKeys. */
  apiV2Key: string;
  /** The mobile-app appid bound to the merchant (APP orders). */
  appAppid: string;
  ca: { certificatePem: string; certificateFile: string };
  server: { certificatePem: string; privateKeyPem: string };
  client: {
    certificatePem: string;
    privateKeyPem: string;
    certificateFile: string;
    privateKeyFile: string;
    p12File: string;
    /** The PKCS#12 password: the mch_id. */
    p12Password: string;
  };
}

export const SANDBOX_V2_KEY_FILES = {
  identity: 'identity.json',
  caCert: 'ca_cert.pem',
  caKey: 'ca_key.pem',
  serverCert: 'server_cert.pem',
  serverKey: 'server_key.pem',
  clientCert: 'apiclient_cert.pem',
  clientKey: 'apiclient_key.pem',
  clientP12: 'apiclient_cert.p12',
} as const;

interface V2Identity {
  mchid: string;
  appAppid: string;
}

export function ensureSandboxV2Keys(dataDir: string, keys: SandboxKeys): SandboxV2Keys {
  const dir = join(dataDir, 'keys', 'v2');
  const marker = join(dir, SANDBOX_V2_KEY_FILES.identity);
  // identity.json is written last: its presence means a complete set for this merchant.
  const stale = existsSync(marker) && (JSON.parse(readFileSync(marker, 'utf8')) as V2Identity).mchid !== keys.mchid;
  if (!existsSync(marker) || stale) generate(dir, keys);
  return load(dir, keys);
}

function load(dir: string, keys: SandboxKeys): SandboxV2Keys {
  const read = (name: string) => readFileSync(join(dir, name), 'utf8');
  const identity = JSON.parse(read(SANDBOX_V2_KEY_FILES.identity)) as V2Identity;
  return {
    dir,
    apiV2Key: keys.apiV2Key,
    appAppid: identity.appAppid,
    ca: { certificatePem: read(SANDBOX_V2_KEY_FILES.caCert), certificateFile: join(dir, SANDBOX_V2_KEY_FILES.caCert) },
    server: { certificatePem: read(SANDBOX_V2_KEY_FILES.serverCert), privateKeyPem: read(SANDBOX_V2_KEY_FILES.serverKey) },
    client: {
      certificatePem: read(SANDBOX_V2_KEY_FILES.clientCert),
      privateKeyPem: read(SANDBOX_V2_KEY_FILES.clientKey),
      certificateFile: join(dir, SANDBOX_V2_KEY_FILES.clientCert),
      privateKeyFile: join(dir, SANDBOX_V2_KEY_FILES.clientKey),
      p12File: join(dir, SANDBOX_V2_KEY_FILES.clientP12),
      p12Password: identity.mchid,
    },
  };
}

function generate(dir: string, keys: SandboxKeys): void {
  mkdirSync(dir, { recursive: true });
  // No new key pairs (RSA generation is the slow part of a fresh data folder): the CA signs with
  // the sandbox's platform-certificate key and the TLS server uses the public-key-mode key — both
  // "Tenpay" keys of this throwaway sandbox, never a merchant's.
  const caKeyPem = keys.platformCert.privateKeyPem;
  const serverKeyPem = keys.platformPublicKey.privateKeyPem;
  const caSubject: forge.pki.CertificateField[] = [
    { shortName: 'CN', value: 'Tenpay.com Root CA (sandbox v2)' },
    { shortName: 'O', value: 'Tenpay.com' },
    { shortName: 'OU', value: 'Tenpay.com CA Center (sandbox)' },
    { shortName: 'C', value: 'CN' },
  ];
  const ca = certificate(caKeyPem, caSubject, caSubject, caKeyPem, [
    { name: 'basicConstraints', cA: true, critical: true },
    { name: 'keyUsage', keyCertSign: true, cRLSign: true, critical: true },
    { name: 'subjectKeyIdentifier' },
  ]);
  const server = certificate(serverKeyPem, [{ shortName: 'CN', value: 'localhost' }, { shortName: 'O', value: 'Tenpay.com (sandbox)' }], caSubject, caKeyPem, [
    { name: 'basicConstraints', cA: false },
    { name: 'keyUsage', digitalSignature: true, keyEncipherment: true, critical: true },
    { name: 'extKeyUsage', serverAuth: true },
    { name: 'subjectAltName', altNames: [{ type: 2, value: 'localhost' }, { type: 7, ip: '127.0.0.1' }, { type: 7, ip: '::1' }] },
  ]);
  // The merchant API certificate: the APIv3 merchant key pair, re-issued by this CA.
  const client = certificate(
    keys.merchant.privateKeyPem,
    [
      { shortName: 'CN', value: keys.mchid },
      { shortName: 'O', value: keys.mchid },
      { shortName: 'OU', value: 'Sandbox Merchant' },
      { shortName: 'C', value: 'CN' },
    ],
    caSubject,
    caKeyPem,
    [
      { name: 'basicConstraints', cA: false },
      { name: 'keyUsage', digitalSignature: true, nonRepudiation: true, keyEncipherment: true, critical: true },
      { name: 'extKeyUsage', clientAuth: true },
    ],
  );
  // 3DES keeps the file readable by OpenSSL 3 without its legacy provider (and by Java's KeyStore).
  const merchantKey = forge.pki.privateKeyFromPem(keys.merchant.privateKeyPem);
  const p12 = forge.pkcs12.toPkcs12Asn1(merchantKey, [client, ca], keys.mchid, { algorithm: '3des', friendlyName: 'Tenpay Certificate' });
  const p12Der = Buffer.from(forge.asn1.toDer(p12).getBytes(), 'binary');

  writeFile(dir, SANDBOX_V2_KEY_FILES.caKey, caKeyPem, 0o600);
  writeFile(dir, SANDBOX_V2_KEY_FILES.caCert, forge.pki.certificateToPem(ca), 0o644);
  writeFile(dir, SANDBOX_V2_KEY_FILES.serverKey, serverKeyPem, 0o600);
  writeFile(dir, SANDBOX_V2_KEY_FILES.serverCert, forge.pki.certificateToPem(server), 0o644);
  writeFile(dir, SANDBOX_V2_KEY_FILES.clientKey, keys.merchant.privateKeyPem, 0o600);
  writeFile(dir, SANDBOX_V2_KEY_FILES.clientCert, forge.pki.certificateToPem(client), 0o644);
  writeFile(dir, SANDBOX_V2_KEY_FILES.clientP12, p12Der, 0o600);
  const identity: V2Identity = { mchid: keys.mchid, appAppid: 'wx' + randomBytes(8).toString('hex') };
  writeFile(dir, SANDBOX_V2_KEY_FILES.identity, JSON.stringify(identity, null, 2) + '\n', 0o600);
}

/**
 * An X.509 certificate for the key pair of `subjectKeyPem`, built with forge and signed
 * (SHA256withRSA) by node:crypto, which is far faster than forge's own RSA.
 */
function certificate(
  subjectKeyPem: string,
  subject: forge.pki.CertificateField[],
  issuer: forge.pki.CertificateField[],
  issuerKeyPem: string,
  extensions: object[],
): forge.pki.Certificate {
  const cert = forge.pki.createCertificate();
  cert.publicKey = forge.pki.publicKeyFromPem(createPublicKey(subjectKeyPem).export({ type: 'spki', format: 'pem' }).toString());
  const serial = randomBytes(16);
  serial[0] = (serial[0]! & 0x7f) | 0x10; // positive, no leading zero byte
  cert.serialNumber = serial.toString('hex');
  const now = Date.now();
  cert.validity.notBefore = new Date(now - 24 * 3600_000);
  cert.validity.notAfter = new Date(now + 5 * 365 * 24 * 3600_000);
  cert.setSubject(subject);
  cert.setIssuer(issuer);
  cert.setExtensions(extensions);
  cert.siginfo.algorithmOid = cert.signatureOid = forge.pki.oids.sha256WithRSAEncryption!;
  // getTBSCertificate exists in node-forge but is missing from its typings.
  const tbsAsn1 = (forge.pki as unknown as { getTBSCertificate(c: forge.pki.Certificate): forge.asn1.Asn1 }).getTBSCertificate(cert);
  const tbs = Buffer.from(forge.asn1.toDer(tbsAsn1).getBytes(), 'binary');
  cert.signature = cryptoSign('sha256', tbs, createPrivateKey(issuerKeyPem)).toString('binary');
  return cert;
}

function writeFile(dir: string, name: string, data: string | Buffer, mode: number): void {
  const tmp = join(dir, `${name}.${process.pid}.tmp`);
  writeFileSync(tmp, data, { mode });
  chmodSync(tmp, mode);
  renameSync(tmp, join(dir, name));
}

/** The SPKI DER of a private key's public half (what a presented client certificate must carry). */
export function publicKeyDerOf(privateKeyPem: string): Buffer {
  return createPublicKey(createPrivateKey(privateKeyPem)).export({ type: 'spki', format: 'der' });
}
