/**
 * Key material is parsed once into `KeyObject`s. Functions that accept a PEM string go through a
 * small cache, so a caller passing the same PEM on every request never pays for parsing twice.
 */
import { createPrivateKey, createPublicKey, KeyObject, X509Certificate } from 'node:crypto';
import { WechatPayError } from '../errors';
import { PUBLIC_KEY_ID_PREFIX } from '../consts';

export type PrivateKeyInput = KeyObject | string | Buffer;
export type PublicKeyInput = KeyObject | string | Buffer;

const PEM_CACHE_LIMIT = 32;
const privateCache = new Map<string, KeyObject>();
const publicCache = new Map<string, KeyObject>();

function remember(cache: Map<string, KeyObject>, pem: string, key: KeyObject): KeyObject {
  if (cache.size >= PEM_CACHE_LIMIT) cache.delete(cache.keys().next().value as string);
  cache.set(pem, key);
  return key;
}

export function loadPrivateKey(input: PrivateKeyInput): KeyObject {
  if (input instanceof KeyObject) {
    if (input.type !== 'private') throw new WechatPayError('KEY_INVALID', `expected a private key, got a ${input.type} key`);
    return input;
  }
  const pem = typeof input === 'string' ? input : input.toString('utf8');
  const cached = privateCache.get(pem);
  if (cached) return cached;
  try {
    return remember(privateCache, pem, createPrivateKey(pem));
  } catch (cause) {
    throw new WechatPayError('KEY_INVALID', 'private key is not a readable PEM', { cause });
  }
}

/** Accepts a public key (SPKI or PKCS#1 PEM) or a certificate PEM, whose key it extracts. */
export function loadPublicKey(input: PublicKeyInput): KeyObject {
  if (input instanceof KeyObject) {
    if (input.type === 'private') return createPublicKey(input);
    if (input.type !== 'public') throw new WechatPayError('KEY_INVALID', `expected a public key, got a ${input.type} key`);
    return input;
  }
  const pem = typeof input === 'string' ? input : input.toString('utf8');
  const cached = publicCache.get(pem);
  if (cached) return cached;
  try {
    const key = pem.includes('BEGIN CERTIFICATE') ? new X509Certificate(pem).publicKey : createPublicKey(pem);
    return remember(publicCache, pem, key);
  } catch (cause) {
    throw new WechatPayError('KEY_INVALID', 'public key is not a readable PEM', { cause });
  }
}

/** A platform certificate reduced to what verification needs. Times in ms since the epoch. */
export interface PlatformCertificate {
  serialNo: string;
  publicKey: KeyObject;
  notBefore: number;
  notAfter: number;
  pem: string;
}

export function loadCertificate(input: string | Buffer): PlatformCertificate {
  const pem = typeof input === 'string' ? input : input.toString('utf8');
  let x509: X509Certificate;
  try {
    x509 = new X509Certificate(pem);
  } catch (cause) {
    throw new WechatPayError('CERTIFICATE_INVALID', 'certificate is not a readable X.509 PEM', { cause });
  }
  return {
    serialNo: normalizeSerial(x509.serialNumber),
    publicKey: x509.publicKey,
    notBefore: Date.parse(x509.validFrom),
    notAfter: Date.parse(x509.validTo),
    pem,
  };
}

/**
 * Certificate serials are hex numbers: compare them upper-case and without leading zeros (Node
 * prints serials without them, WeChat Pay pads to 40 digits). Public key ids are kept verbatim.
 */
export function normalizeSerial(serial: string): string {
  if (serial.startsWith(PUBLIC_KEY_ID_PREFIX)) return serial;
  const upper = serial.toUpperCase();
  let start = 0;
  while (start < upper.length - 1 && upper.charCodeAt(start) === 48 /* '0' */) start++;
  return start === 0 ? upper : upper.slice(start);
}
