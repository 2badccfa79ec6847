import { createCipheriv, createHash, createHmac, randomBytes, timingSafeEqual } from 'node:crypto';

/**
 * APIv2 signing and the refund-notification cipher, on node:crypto only (independent of
 * `cloudfunctions/core/wechatpay/v2`, so a bug there cannot be mirrored here).
 *
 * Sign rule (https://pay.weixin.qq.com/wiki/doc/api/jsapi.php?chapter=4_3, PROTOCOL.md §6.6):
 * drop `sign` and empty values, sort the keys by ASCII, join `k=v` with `&`, append
 * `&key=<APIv2 key>`, then MD5 — or HMAC-SHA256 keyed with the APIv2 key — as upper-case hex.
 * `sign_type` (when sent) takes part in the string like any other field.
 */

export type V2SignType = 'MD5' | 'HMAC-SHA256';
export const V2_SIGN_TYPES: readonly V2SignType[] = ['MD5', 'HMAC-SHA256'];

export const isV2SignType = (value: unknown): value is V2SignType => value === 'MD5' || value === 'HMAC-SHA256';

/** `a=1&b=2` over the non-empty fields except `sign`, keys in ASCII order. */
export function signString(fields: Record<string, string | number | undefined>): string {
  return Object.keys(fields)
    .filter((k) => k !== 'sign' && fields[k] !== undefined && fields[k] !== '')
    .sort()
    .map((k) => `${k}=${fields[k]}`)
    .join('&');
}

export function signV2(fields: Record<string, string | number | undefined>, key: string, type: V2SignType): string {
  const text = `${signString(fields)}&key=${key}`;
  const digest = type === 'MD5' ? createHash('md5') : createHmac('sha256', key);
  return digest.update(text, 'utf8').digest('hex').toUpperCase();
}

/** Constant-time check of `fields.sign` (hex compared case-sensitively: the gateway emits upper case). */
export function verifyV2(fields: Record<string, string | undefined>, key: string, type: V2SignType): boolean {
  const given = fields.sign;
  if (!given) return false;
  const expected = Buffer.from(signV2(fields, key, type));
  const actual = Buffer.from(given);
  return expected.length === actual.length && timingSafeEqual(expected, actual);
}

/**
 * `req_info` of a refund notification (https://pay.weixin.qq.com/wiki/doc/api/jsapi.php?chapter=9_16):
 * the merchant decrypts by base64-decoding, then AES-256-ECB with key = lower-case hex MD5 of the
 * APIv2 key (its 32 ASCII characters are the 32 key bytes), PKCS7 padding. This is the inverse.
 */
export function encryptReqInfo(plaintext: string, apiV2Key: string): string {
  const key = Buffer.from(createHash('md5').update(apiV2Key, 'utf8').digest('hex'), 'ascii');
  const cipher = createCipheriv('aes-256-ecb', key, null); // node pads with PKCS#7
  return Buffer.concat([cipher.update(plaintext, 'utf8'), cipher.final()]).toString('base64');
}

const ALNUM = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789';

/** A random alphanumeric nonce_str (the gateway's own are 16 characters, as in its samples). */
export function nonceStr(length = 16): string {
  const bytes = randomBytes(length);
  let out = '';
  for (let i = 0; i < length; i++) out += ALNUM[bytes[i]! % ALNUM.length];
  return out;
}
