/**
 * APIv2 signature: drop `sign` and empty values, sort keys by ASCII, join `k=v` with `&`, append
 * `&key=<API key>`, then MD5 (or HMAC-SHA256 keyed with the API key), upper-case hex.
 */
import { createHash, createHmac, timingSafeEqual } from 'node:crypto';

export type V2SignType = 'MD5' | 'HMAC-SHA256';

export function isV2SignType(value: unknown): value is V2SignType {
  return value === 'MD5' || value === 'HMAC-SHA256';
}

/** The string that is hashed, without the key: `a=1&b=2`. */
export function buildV2SignString(params: Record<string, unknown>): string {
  const keys = Object.keys(params)
    .filter((key) => key !== 'sign' && !isEmpty(params[key]))
    .sort();
  let text = '';
  for (const key of keys) text += (text === '' ? '' : '&') + key + '=' + String(params[key]);
  return text;
}

function isEmpty(value: unknown): boolean {
  return value === undefined || value === null || value === '';
}

export function signV2(params: Record<string, unknown>, key: string, signType: 'MD5' | 'HMAC-SHA256' = 'MD5'): string {
  const text = `${buildV2SignString(params)}&key=${key}`;
  const digest = signType === 'MD5' ? createHash('md5').update(text, 'utf8') : createHmac('sha256', key).update(text, 'utf8');
  return digest.digest('hex').toUpperCase();
}

/** Constant-time check of `params.sign`. */
export function verifyV2(params: Record<string, unknown>, key: string, signType: V2SignType = 'MD5'): boolean {
  const given = params.sign;
  if (typeof given !== 'string' || given === '') return false;
  const expected = Buffer.from(signV2(params, key, signType), 'utf8');
  const actual = Buffer.from(given.toUpperCase(), 'utf8');
  return expected.length === actual.length && timingSafeEqual(expected, actual);
}
