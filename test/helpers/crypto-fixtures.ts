/**
 * Test-time key material: real RSA-2048 key pairs and self-signed X.509 certificates with hex
 * serials, generated on each run (nothing private is ever committed).
 */
import { generateKeyPairSync, randomBytes, type KeyObject } from 'node:crypto';
import forge from 'node-forge';

export interface RsaKeyPair {
  privateKey: KeyObject;
  publicKey: KeyObject;
  privatePem: string;
  publicPem: string;
}

export function generateRsaKeyPair(bits = 2048): RsaKeyPair {
  const { privateKey, publicKey } = generateKeyPairSync('rsa', { modulusLength: bits });
  return {
    privateKey,
    publicKey,
    privatePem: privateKey.export({ type: 'pkcs8', format: 'pem' }).toString(),
    publicPem: publicKey.export({ type: 'spki', format: 'pem' }).toString(),
  };
}

/** 40 upper-case hex digits like WeChat Pay serials; first digit 1–7 so it is positive and unpadded. */
export function randomSerialHex(): string {
  const hex = randomBytes(20).toString('hex').toUpperCase();
  return String(1 + (randomBytes(1)[0]! % 7)) + hex.slice(1);
}

export interface CertificateOptions {
  keyPair: RsaKeyPair;
  serialHex?: string;
  notBefore?: Date;
  notAfter?: Date;
  commonName?: string;
}

export interface TestCertificate {
  serialNo: string;
  pem: string;
  keyPair: RsaKeyPair;
  notBefore: Date;
  notAfter: Date;
}

/** A self-signed certificate over the key pair, valid one year from a minute ago by default. */
export function makeCertificate(options: CertificateOptions): TestCertificate {
  const serialNo = options.serialHex ?? randomSerialHex();
  const notBefore = options.notBefore ?? new Date(Date.now() - 60_000);
  const notAfter = options.notAfter ?? new Date(notBefore.getTime() + 365 * 24 * 3600 * 1000);
  const cert = forge.pki.createCertificate();
  cert.publicKey = forge.pki.publicKeyFromPem(options.keyPair.publicPem);
  cert.serialNumber = serialNo;
  cert.validity.notBefore = notBefore;
  cert.validity.notAfter = notAfter;
  const attrs = [
    { name: 'commonName', value: options.commonName ?? 'Tenpay.com Root CA test' },
    { name: 'organizationName', value: 'Tenpay.com' },
  ];
  cert.setSubject(attrs);
  cert.setIssuer(attrs);
  cert.sign(forge.pki.privateKeyFromPem(options.keyPair.privatePem) as forge.pki.rsa.PrivateKey, forge.md.sha256.create());
  return { serialNo, pem: forge.pki.certificateToPem(cert), keyPair: options.keyPair, notBefore, notAfter };
}

/** A 32-character APIv3 key. */
export function randomApiV3Key(): string {
  return randomBytes(16).toString('hex');
}

/** Public key id of public-key mode. */
export function randomPublicKeyId(): string {
  return `PUB_KEY_ID_${randomBytes(12).toString('hex').toUpperCase()}`;
}
