/**
 * Huifu DouGong envelope: requests `{sys_id, product_id, data, sign}` with `sign` = base64
 * SHA256withRSA over the canonical JSON of `data`; responses `{data, sign}` and notifications
 * (`resp_data`) verified over the data text exactly as received, never re-serialised.
 */
import { createPrivateKey, createPublicKey, KeyObject, sign, verify } from 'node:crypto';
import { HuifuError } from './errors';
import { canonicalJson, rawMember } from './json';

export function loadHuifuPrivateKey(key: KeyObject | string): KeyObject {
  if (key instanceof KeyObject) return key;
  try {
    return createPrivateKey(toPem(key, 'PRIVATE KEY'));
  } catch (cause) {
    throw new HuifuError('KEY_INVALID', 'merchant private key is not readable', { cause });
  }
}

export function loadHuifuPublicKey(key: KeyObject | string): KeyObject {
  if (key instanceof KeyObject) return key.type === 'private' ? createPublicKey(key) : key;
  try {
    return createPublicKey(toPem(key, 'PUBLIC KEY'));
  } catch (cause) {
    throw new HuifuError('KEY_INVALID', 'Huifu public key is not readable', { cause });
  }
}

/** The Huifu console hands out bare base64 keys; wrap them as PEM. */
function toPem(key: string, label: string): string {
  if (key.includes('-----BEGIN')) return key;
  const body = key.replace(/\s+/g, '').replace(/(.{64})/g, '$1\n');
  return `-----BEGIN ${label}-----\n${body}\n-----END ${label}-----\n`;
}

export function signText(text: string, privateKey: KeyObject): string {
  return sign('sha256', Buffer.from(text, 'utf8'), privateKey).toString('base64');
}

export function verifyText(text: string, signature: string, publicKey: KeyObject): boolean {
  return verify('sha256', Buffer.from(text, 'utf8'), publicKey, Buffer.from(signature, 'base64'));
}

export interface HuifuRequestEnvelope {
  /** The JSON body to POST: `data` embedded as the exact canonical text that was signed. */
  body: string;
  sign: string;
  dataText: string;
}

export function buildHuifuRequest(input: {
  sysId: string;
  productId: string;
  data: Record<string, unknown>;
  privateKey: KeyObject;
}): HuifuRequestEnvelope {
  const dataText = canonicalJson(input.data);
  const signature = signText(dataText, input.privateKey);
  const body = `{"sys_id":${JSON.stringify(input.sysId)},"product_id":${JSON.stringify(input.productId)},"data":${dataText},"sign":${JSON.stringify(signature)}}`;
  return { body, sign: signature, dataText };
}

export interface VerifiedHuifuResponse<T = Record<string, unknown>> {
  data: T;
  /** The signed text, as received. */
  dataText: string;
}

/** Verifies a response body `{data, sign}` over the raw `data` text. */
export function verifyHuifuResponse<T = Record<string, unknown>>(body: string, publicKey: KeyObject): VerifiedHuifuResponse<T> {
  const dataText = rawMember(body, 'data');
  const signText = rawMember(body, 'sign');
  if (dataText === undefined) throw new HuifuError('RESPONSE_MALFORMED', 'response has no data');
  if (signText === undefined) throw new HuifuError('RESPONSE_UNSIGNED', 'response has no sign');
  const signature = JSON.parse(signText) as unknown;
  if (typeof signature !== 'string' || signature === '') throw new HuifuError('RESPONSE_UNSIGNED', 'response sign is empty');
  if (!verifyText(dataText, signature, publicKey)) throw new HuifuError('SIGNATURE_INVALID', 'response sign does not match data');
  const data = JSON.parse(dataText) as unknown;
  if (typeof data !== 'object' || data === null || Array.isArray(data)) throw new HuifuError('RESPONSE_MALFORMED', 'response data is not an object');
  return { data: data as T, dataText };
}
