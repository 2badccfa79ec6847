/**
 * AEAD_AES_256_GCM for notification resources and downloaded certificates (tag always checked),
 * and RSA-OAEP (SHA-1, MGF1) for sensitive request/response fields.
 */
import { constants, createCipheriv, createDecipheriv, privateDecrypt, publicEncrypt } from 'node:crypto';
import { WechatPayError } from './errors';
import { API_V3_KEY_BYTES, GCM_TAG_BYTES } from './consts';
import { loadPrivateKey, loadPublicKey, type PrivateKeyInput, type PublicKeyInput } from './auth/keys';

export interface EncryptedResource {
  ciphertext: string;
  nonce: string;
  associated_data?: string;
}

/** Decodes strict base64: Node silently skips invalid characters, so check the decoded length. */
function decodeBase64(text: string): Buffer | undefined {
  if (text.length % 4 !== 0) return undefined;
  const data = Buffer.from(text, 'base64');
  const padding = text.endsWith('==') ? 2 : text.endsWith('=') ? 1 : 0;
  return data.length === (text.length / 4) * 3 - padding ? data : undefined;
}

function aesKey(apiV3Key: string | Buffer): Buffer {
  const key = typeof apiV3Key === 'string' ? Buffer.from(apiV3Key, 'utf8') : apiV3Key;
  if (key.length !== API_V3_KEY_BYTES) {
    throw new WechatPayError('KEY_INVALID', `APIv3 key must be ${API_V3_KEY_BYTES} bytes, got ${key.length}`);
  }
  return key;
}

/** Decrypts `ciphertext‖tag` (base64); throws `TAG_MISMATCH` if the key, nonce, AAD or data differ. */
export function decryptResource(resource: EncryptedResource, apiV3Key: string | Buffer): string {
  const key = aesKey(apiV3Key);
  const { ciphertext, nonce } = resource;
  const data = typeof ciphertext === 'string' ? decodeBase64(ciphertext) : undefined;
  if (data === undefined || typeof nonce !== 'string' || nonce.length === 0) {
    throw new WechatPayError('CIPHERTEXT_INVALID', 'resource needs a base64 ciphertext and a nonce');
  }
  if (data.length < GCM_TAG_BYTES) {
    throw new WechatPayError('CIPHERTEXT_INVALID', `ciphertext shorter than the ${GCM_TAG_BYTES}-byte tag`);
  }
  const decipher = createDecipheriv('aes-256-gcm', key, Buffer.from(nonce, 'utf8'), { authTagLength: GCM_TAG_BYTES });
  decipher.setAuthTag(data.subarray(data.length - GCM_TAG_BYTES));
  decipher.setAAD(Buffer.from(resource.associated_data ?? '', 'utf8'));
  const head = decipher.update(data.subarray(0, data.length - GCM_TAG_BYTES));
  try {
    return Buffer.concat([head, decipher.final()]).toString('utf8');
  } catch (cause) {
    throw new WechatPayError('TAG_MISMATCH', 'AES-GCM tag check failed: wrong APIv3 key or tampered resource', { cause });
  }
}

/** Encrypts like WeChat Pay does (for the sandbox and tests): base64 of ciphertext‖tag. */
export function encryptResource(plaintext: string, apiV3Key: string | Buffer, nonce: string, associatedData = ''): string {
  const key = aesKey(apiV3Key);
  if (nonce.length === 0) throw new WechatPayError('ARGUMENT_INVALID', 'nonce must not be empty');
  const cipher = createCipheriv('aes-256-gcm', key, Buffer.from(nonce, 'utf8'), { authTagLength: GCM_TAG_BYTES });
  cipher.setAAD(Buffer.from(associatedData, 'utf8'));
  return Buffer.concat([cipher.update(plaintext, 'utf8'), cipher.final(), cipher.getAuthTag()]).toString('base64');
}

/** RSA-OAEP(SHA-1) with the platform key; send `Wechatpay-Serial` naming that key with the request. */
export function encryptSensitive(plaintext: string, platformKey: PublicKeyInput): string {
  return publicEncrypt(
    { key: loadPublicKey(platformKey), padding: constants.RSA_PKCS1_OAEP_PADDING, oaepHash: 'sha1' },
    Buffer.from(plaintext, 'utf8'),
  ).toString('base64');
}

/** Decrypts a sensitive field WeChat Pay encrypted with the merchant's public key. */
export function decryptSensitive(ciphertext: string, merchantKey: PrivateKeyInput): string {
  try {
    return privateDecrypt(
      { key: loadPrivateKey(merchantKey), padding: constants.RSA_PKCS1_OAEP_PADDING, oaepHash: 'sha1' },
      Buffer.from(ciphertext, 'base64'),
    ).toString('utf8');
  } catch (cause) {
    if (cause instanceof WechatPayError) throw cause;
    throw new WechatPayError('CIPHERTEXT_INVALID', 'RSA-OAEP decryption failed', { cause });
  }
}

/** What the client needs to encrypt fields: the key, and the serial to announce. */
export interface SensitiveEncryptor {
  readonly serial: string;
  encrypt(plaintext: string): string;
}

export function createSensitiveEncryptor(serial: string, platformKey: PublicKeyInput): SensitiveEncryptor {
  const key = loadPublicKey(platformKey);
  return { serial, encrypt: (plaintext) => encryptSensitive(plaintext, key) };
}
