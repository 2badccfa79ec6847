import { createSign, createVerify } from 'node:crypto';

/**
 * The DouGong v2 envelope, the sandbox's own implementation (never shared with cloudfunctions/):
 * - request `{sys_id, product_id, data, sign}`: `sign` = base64 SHA256withRSA (merchant key) over
 *   `data` serialised as compact JSON with its FIRST-LEVEL keys sorted; nested objects travel as
 *   JSON strings and are not sorted inside
 *   (https://github.com/huifurepo/dg-payment-skills huifu-pay-integration/references/shared-signing-v2.md;
 *   the PHP SDK does `ksort($post_data); json_encode(…, JSON_UNESCAPED_SLASHES|JSON_UNESCAPED_UNICODE)`,
 *   https://github.com/huifurepo/bspay-php-sdk BsPaySdk/core/BsPayRequestV2.php createBody);
 * - answer `{data, sign}`: signed with Huifu's key over the `data` text exactly as emitted. Clients
 *   either verify that raw text (Go SDK, bspay-go-sdk BsPaySdk/http.go HandleResponse, after
 *   un-escaping \u003c \u003e \u0026) or re-sort the first level and re-encode (PHP SDK
 *   BsPayTools::verifySign_sort). The sandbox emits compact JSON sorted at every level with `<>&`
 *   and non-ASCII unescaped, so both ways yield the very bytes that were signed.
 */

export type Json = Record<string, unknown>;

/** Compact JSON, first-level keys sorted (nested values as they are). */
export function firstLevelSorted(data: Json): string {
  return JSON.stringify(Object.fromEntries(Object.keys(data).sort().map((k) => [k, data[k]])));
}

/** Compact JSON, keys sorted at every level (arrays keep their order). */
export function allLevelsSorted(value: unknown): string {
  return JSON.stringify(sortDeep(value));
}

function sortDeep(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(sortDeep);
  if (value && typeof value === 'object') {
    return Object.fromEntries(Object.keys(value as Json).sort().map((k) => [k, sortDeep((value as Json)[k])]));
  }
  return value;
}

export function signText(text: string, privateKeyPem: string): string {
  return createSign('RSA-SHA256').update(text, 'utf8').sign(privateKeyPem, 'base64');
}

export function verifyText(text: string, signature: string, publicKeyPem: string): boolean {
  try {
    return createVerify('RSA-SHA256').update(text, 'utf8').verify(publicKeyPem, Buffer.from(signature, 'base64'));
  } catch {
    return false;
  }
}

export interface ParsedRequest {
  sysId: unknown;
  productId: unknown;
  data: Json;
  sign: string;
}

export class EnvelopeError extends Error {}

/** Reads `{sys_id, product_id, data, sign}`; structural faults only (the signature is checked apart). */
export function parseRequest(body: string): ParsedRequest {
  let value: unknown;
  try {
    value = JSON.parse(body);
  } catch {
    throw new EnvelopeError('请求内容体不是合法的JSON');
  }
  if (!value || typeof value !== 'object' || Array.isArray(value)) throw new EnvelopeError('请求内容体不能为空');
  const v = value as Json;
  if (!v.data || typeof v.data !== 'object' || Array.isArray(v.data)) throw new EnvelopeError('data不能为空');
  if (typeof v.sign !== 'string' || !v.sign) throw new EnvelopeError('sign不能为空');
  return { sysId: v.sys_id, productId: v.product_id, data: v.data as Json, sign: v.sign };
}

/**
 * True when `sign` verifies over the first-level-sorted `data` (the published rule). Sandbox
 * tolerance: also over the all-levels-sorted text, which is what the Go SDK (Go's map marshalling)
 * and the lightning SDK's `sort4JsonString` produce; the two texts only differ when a nested object
 * is sent as an object instead of the JSON string the rule asks for.
 */
export function requestSignatureValid(req: ParsedRequest, merchantPublicKeyPem: string): boolean {
  const first = firstLevelSorted(req.data);
  if (verifyText(first, req.sign, merchantPublicKeyPem)) return true;
  const deep = allLevelsSorted(req.data);
  return deep !== first && verifyText(deep, req.sign, merchantPublicKeyPem);
}

/** The answer body `{"data":…,"sign":…}` over the exact data text emitted. */
export function signedAnswer(data: Json, huifuPrivateKeyPem: string): { body: string; dataText: string } {
  const dataText = allLevelsSorted(data);
  return { body: `{"data":${dataText},"sign":${JSON.stringify(signText(dataText, huifuPrivateKeyPem))}}`, dataText };
}
