/**
 * APIv2 signature: drop `sign` and empty values, sort keys by ASCII, join `k=v` with `&`, append
 * `&key=<API key>`, then MD5 (or HMAC-SHA256 keyed with the API key), upper-case hex.
 */
import { timingSafeEqual } from 'node:crypto';
import { WechatPayError } from '../errors';
import type { Signer } from '../auth/signer';
import { HmacSha256Signer } from '../auth/signers/hmac-sha256';
import { Md5Signer } from '../auth/signers/md5';

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

/** The APIv2 signer of this sign type, keyed with the API key (the factory callers use). */
export function v2Signer(key: string, signType: V2SignType = 'MD5'): Md5Signer | HmacSha256Signer {
  return signType === 'MD5' ? new Md5Signer(key) : new HmacSha256Signer(key);
}

/** The sign type a v2 signer stands for; any other algorithm is a wiring mistake. */
export function v2SignTypeOf(signer: Signer): V2SignType {
  if (!isV2SignType(signer.algorithm)) throw new WechatPayError('ARGUMENT_INVALID', `APIv2 needs an MD5 or HMAC-SHA256 signer, got ${signer.algorithm}`);
  return signer.algorithm;
}

/** What the server sends: the sign of `params` through a Signer (the key may live elsewhere). */
export function signV2With(params: Record<string, unknown>, signer: Signer): Promise<string> {
  v2SignTypeOf(signer);
  return signer.sign(buildV2SignString(params));
}

/** The sign computed in place with the key: verification (a recomputation) and test vectors. */
export function signV2(params: Record<string, unknown>, key: string, signType: V2SignType = 'MD5'): string {
  return v2Signer(key, signType).digest(buildV2SignString(params));
}

/** Constant-time check of `params.sign`. */
export function verifyV2(params: Record<string, unknown>, key: string, signType: V2SignType = 'MD5'): boolean {
  const given = params.sign;
  if (typeof given !== 'string' || given === '') return false;
  const expected = Buffer.from(signV2(params, key, signType), 'utf8');
  const actual = Buffer.from(given.toUpperCase(), 'utf8');
  return expected.length === actual.length && timingSafeEqual(expected, actual);
}
