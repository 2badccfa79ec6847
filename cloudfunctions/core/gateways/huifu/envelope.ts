/**
 * Huifu DouGong envelope: requests `{sys_id, product_id, data, sign}` with `sign` = base64
 * SHA256withRSA over the canonical JSON of `data`; responses `{data, sign}` and notifications
 * (`resp_data`) verified over the data text exactly as received, never re-serialised.
 */
import { createPrivateKey, createPublicKey, KeyObject, verify } from 'node:crypto';
import type { Signer } from '../wechatpay/auth/signer';
import type { Verifier } from '../wechatpay/auth/verifier';
import { Sha256RsaSigner } from '../wechatpay/auth/signers/sha256-rsa';
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

/** The merchant's Huifu signer from its key (PEM or the console's bare base64): SHA256withRSA, no key id. */
export function huifuSigner(privateKey: KeyObject | string): Signer {
  return new Sha256RsaSigner(undefined, loadHuifuPrivateKey(privateKey));
}

/** Huifu names no key in its messages: its one public key answers under this id. */
export const HUIFU_PUBLIC_KEY_ID = 'huifu';

/** Huifu's verifier: SHA256withRSA with its public key; a mismatch is HuifuError SIGNATURE_INVALID. */
export class HuifuVerifier implements Verifier {
  private readonly publicKey: KeyObject;

  constructor(publicKey: KeyObject | string) {
    this.publicKey = loadHuifuPublicKey(publicKey);
  }

  has(keyId: string): boolean {
    return keyId === HUIFU_PUBLIC_KEY_ID;
  }

  verify(keyId: string, message: string, signature: string): void {
    if (keyId !== HUIFU_PUBLIC_KEY_ID) throw new HuifuError('KEY_INVALID', `no Huifu public key named ${keyId}`);
    if (!verify('sha256', Buffer.from(message, 'utf8'), this.publicKey, Buffer.from(signature, 'base64'))) {
      throw new HuifuError('SIGNATURE_INVALID', 'sign does not match the Huifu public key');
    }
  }
}

function verifyOrThrow(verifier: Verifier, text: string, signature: string, what: string): void {
  try {
    verifier.verify(HUIFU_PUBLIC_KEY_ID, text, signature);
  } catch (cause) {
    if (cause instanceof HuifuError && cause.code === 'SIGNATURE_INVALID') throw new HuifuError('SIGNATURE_INVALID', `${what} sign does not match`);
    throw cause;
  }
}

export interface HuifuRequestEnvelope {
  /** The JSON body to POST: `data` embedded as the exact canonical text that was signed. */
  body: string;
  sign: string;
  dataText: string;
}

export async function buildHuifuRequest(input: {
  sysId: string;
  productId: string;
  data: Record<string, unknown>;
  signer: Signer;
}): Promise<HuifuRequestEnvelope> {
  if (input.signer.algorithm !== 'SHA256withRSA') throw new HuifuError('ARGUMENT_INVALID', `Huifu needs a SHA256withRSA signer, got ${input.signer.algorithm}`);
  const dataText = canonicalJson(input.data);
  const signature = await input.signer.sign(dataText);
  const body = `{"sys_id":${JSON.stringify(input.sysId)},"product_id":${JSON.stringify(input.productId)},"data":${dataText},"sign":${JSON.stringify(signature)}}`;
  return { body, sign: signature, dataText };
}

export interface VerifiedHuifuResponse<T = Record<string, unknown>> {
  data: T;
  /** The signed text, as received. */
  dataText: string;
}

/**
 * The text Huifu signed, from the `data` text as received: Huifu's Go SDK turns the escapes
 * `\u003c` `\u003e` `\u0026` back into `<` `>` `&` before verifying (HandleResponse in
 * https://github.com/huifurepo/bspay-go-sdk/blob/main/BsPaySdk/http.go), so we do the same.
 */
export function huifuSignedText(dataText: string): string {
  // Most answers carry none of them: skip the three passes.
  if (!dataText.includes('\\u00')) return dataText;
  return dataText.replace(/\\u003c/g, '<').replace(/\\u003e/g, '>').replace(/\\u0026/g, '&');
}

/** Verifies a response body `{data, sign}` over the raw `data` text (un-escaped as Huifu's SDK does). */
export function verifyHuifuResponse<T = Record<string, unknown>>(body: string, verifier: Verifier): VerifiedHuifuResponse<T> {
  const dataText = rawMember(body, 'data');
  const signText = rawMember(body, 'sign');
  if (dataText === undefined) throw new HuifuError('RESPONSE_MALFORMED', 'response has no data');
  if (signText === undefined) throw new HuifuError('RESPONSE_UNSIGNED', 'response has no sign');
  const signature = JSON.parse(signText) as unknown;
  if (typeof signature !== 'string' || signature === '') throw new HuifuError('RESPONSE_UNSIGNED', 'response sign is empty');
  verifyOrThrow(verifier, huifuSignedText(dataText), signature, 'response');
  const data = JSON.parse(dataText) as unknown;
  if (typeof data !== 'object' || data === null || Array.isArray(data)) throw new HuifuError('RESPONSE_MALFORMED', 'response data is not an object');
  return { data: data as T, dataText };
}
