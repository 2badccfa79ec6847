import { createCipheriv, createPrivateKey, createPublicKey, createSign, createVerify, randomBytes, X509Certificate, type KeyObject } from 'node:crypto';

/**
 * The gateway side of APIv3 cryptography, on node:crypto only. Deliberately independent of
 * `cloudfunctions/core/gateways` so a bug there cannot be mirrored here and hide itself.
 */

export const AUTH_SCHEMA = 'WECHATPAY2-SHA256-RSA2048';

/** `METHOD\nPATH?QUERY\nTIMESTAMP\nNONCE\nBODY\n`: what the merchant signs. */
export function requestMessage(method: string, pathWithQuery: string, timestamp: string, nonce: string, body: string): string {
  return `${method}\n${pathWithQuery}\n${timestamp}\n${nonce}\n${body}\n`;
}

/** `TIMESTAMP\nNONCE\nBODY\n`: what the platform signs on responses and notifications. */
export function responseMessage(timestamp: string, nonce: string, body: string): string {
  return `${timestamp}\n${nonce}\n${body}\n`;
}

export function signSha256Rsa(message: string, privateKeyPem: string): string {
  return createSign('RSA-SHA256').update(message, 'utf8').sign(privateKeyOf(privateKeyPem), 'base64');
}

/** Verifies with a PEM public key or certificate. Never throws on malformed signatures. */
export function verifySha256Rsa(message: string, signatureBase64: string, publicKeyOrCertPem: string): boolean {
  try {
    return createVerify('RSA-SHA256').update(message, 'utf8').verify(publicKeyOf(publicKeyOrCertPem), Buffer.from(signatureBase64, 'base64'));
  } catch {
    return false;
  }
}

/**
 * Parsed keys by their PEM text. Parsing a PEM private key costs about twice the RSA signature
 * itself, and the gateway signs every answer and notification with the same few keys; keyed by
 * the text, so a rotated key (new PEM) is parsed afresh and never confused with the old one.
 * Bounded: the sandbox holds a handful of keys, tests may create many.
 */
const MAX_CACHED_KEYS = 64;
const privateKeys = new Map<string, KeyObject>();
const publicKeys = new Map<string, KeyObject>();

function cached(cache: Map<string, KeyObject>, pem: string, parse: (pem: string) => KeyObject): KeyObject {
  let key = cache.get(pem);
  if (!key) {
    key = parse(pem);
    if (cache.size >= MAX_CACHED_KEYS) cache.delete(cache.keys().next().value!);
    cache.set(pem, key);
  }
  return key;
}

export function privateKeyOf(pem: string): KeyObject {
  return cached(privateKeys, pem, (text) => createPrivateKey(text));
}

/** A PEM public key, or the public key of a PEM certificate. */
export function publicKeyOf(pem: string): KeyObject {
  return cached(publicKeys, pem, (text) => (text.includes('CERTIFICATE') ? new X509Certificate(text).publicKey : createPublicKey(text)));
}

export interface AuthorizationParams {
  mchid: string;
  nonce_str: string;
  timestamp: string;
  serial_no: string;
  signature: string;
}

/** Parses `WECHATPAY2-SHA256-RSA2048 k="v",…`; undefined when the schema or a field is missing. */
export function parseAuthorization(header: string | undefined): AuthorizationParams | undefined {
  if (!header) return undefined;
  const space = header.indexOf(' ');
  if (space < 0 || header.slice(0, space) !== AUTH_SCHEMA) return undefined;
  const fields: Record<string, string> = {};
  for (const m of header.slice(space + 1).matchAll(/([a-z_]+)="([^"]*)"/g)) fields[m[1]!] = m[2]!;
  const { mchid, nonce_str, timestamp, serial_no, signature } = fields;
  if (!mchid || !nonce_str || !timestamp || !serial_no || !signature) return undefined;
  return { mchid, nonce_str, timestamp, serial_no, signature };
}

/** AEAD_AES_256_GCM as WeChat uses it: base64(ciphertext ‖ 16-byte tag). */
export function encryptAes256Gcm(plaintext: string, apiV3Key: string, nonce: string, associatedData: string): string {
  const cipher = createCipheriv('aes-256-gcm', Buffer.from(apiV3Key, 'utf8'), Buffer.from(nonce, 'utf8'));
  cipher.setAAD(Buffer.from(associatedData, 'utf8'));
  const body = Buffer.concat([cipher.update(plaintext, 'utf8'), cipher.final()]);
  return Buffer.concat([body, cipher.getAuthTag()]).toString('base64');
}

const ALNUM = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789';

/** Random alphanumeric string (nonces, GCM nonces of 12 chars). */
export function randomAlnum(length: number): string {
  const bytes = randomBytes(length);
  let out = '';
  for (let i = 0; i < length; i++) out += ALNUM[bytes[i]! % ALNUM.length];
  return out;
}

/** The key that signs responses and notifications, named by the serial the client selects it by. */
export interface PlatformSigner {
  serial: string;
  privateKeyPem: string;
}
