import { GatewayError, paramError } from './http';

/**
 * Field checks with the gateway's answers: a missing or malformed field is 400 PARAM_ERROR whose
 * detail names it (dotted path, e.g. `amount.total`, `sub_orders[1].out_trade_no`).
 */

export type Json = Record<string, unknown>;

/** out_trade_no / out_refund_no alphabet (combine orders also allow `@`). */
export const OUT_TRADE_NO = /^[0-9A-Za-z_\-|*]{6,32}$/;
export const COMBINE_OUT_TRADE_NO = /^[0-9A-Za-z_\-|*@]{1,32}$/;
export const OUT_REFUND_NO = /^[0-9A-Za-z_\-|*@]{1,64}$/;

export function obj(value: unknown, field: string): Json {
  if (!value || typeof value !== 'object' || Array.isArray(value)) throw paramError(field, '字段缺失或不是对象');
  return value as Json;
}

/**
 * Refuses a field the published request does not list (`prefix` names where, e.g. `sub_orders[0]`):
 * 400 PARAM_ERROR naming it, so a request leaning on an unpublished field fails here first.
 */
export function onlyFields(value: Json, allowed: readonly string[], prefix = ''): void {
  for (const key of Object.keys(value)) {
    if (!allowed.includes(key)) throw paramError(prefix ? `${prefix}.${key}` : key, '接口文档未列出此字段，不是本接口的参数');
  }
}

export function optObj(value: unknown, field: string): Json | undefined {
  return value === undefined ? undefined : obj(value, field);
}

interface StrRule {
  /** Maximum length in UTF-8 bytes (the gateway's string(n) counts bytes). */
  maxBytes?: number;
  minLength?: number;
  pattern?: RegExp;
  patternText?: string;
}

export function str(value: unknown, field: string, rule: StrRule = {}): string {
  if (typeof value !== 'string' || value.length === 0) throw paramError(field, '字段缺失或为空');
  return checkStr(value, field, rule);
}

export function optStr(value: unknown, field: string, rule: StrRule = {}): string | undefined {
  if (value === undefined) return undefined;
  if (typeof value !== 'string') throw paramError(field, '字段类型应为字符串');
  return checkStr(value, field, rule);
}

function checkStr(value: string, field: string, rule: StrRule): string {
  if (rule.maxBytes !== undefined && Buffer.byteLength(value) > rule.maxBytes) throw paramError(field, `长度超过 ${rule.maxBytes} 字节`);
  if (rule.minLength !== undefined && value.length < rule.minLength) throw paramError(field, `长度不足 ${rule.minLength}`);
  if (rule.pattern && !rule.pattern.test(value)) throw paramError(field, `格式不正确${rule.patternText ? `: ${rule.patternText}` : ''}`);
  return value;
}

export function positiveInt(value: unknown, field: string): number {
  if (typeof value !== 'number' || !Number.isSafeInteger(value) || value < 1) throw paramError(field, '应为不小于1的整数(单位: 分)');
  return value;
}

export function currency(value: unknown, field: string): string {
  if (value === undefined) return 'CNY';
  if (value !== 'CNY') throw paramError(field, '境内商户仅支持人民币 CNY');
  return value;
}

/** RFC 3339 with an offset, e.g. `2018-06-08T10:34:56+08:00`. */
export function optRfc3339(value: unknown, field: string): string | undefined {
  const text = optStr(value, field, { pattern: /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d+)?([+-]\d{2}:\d{2}|Z)$/, patternText: 'yyyy-MM-DDTHH:mm:ss+TIMEZONE' });
  if (text !== undefined && !Number.isFinite(Date.parse(text))) throw paramError(field, '不是有效的时间');
  return text;
}

/**
 * notify_url: https, or http to loopback (the sandbox's merchant is local); never a query
 * string, as the seeds require.
 */
export function notifyUrl(value: unknown, field = 'notify_url'): string {
  const text = str(value, field, { maxBytes: 255 });
  let url: URL;
  try {
    url = new URL(text);
  } catch {
    throw paramError(field, '不是合法的URL');
  }
  const loopback = url.hostname === '127.0.0.1' || url.hostname === 'localhost' || url.hostname === '[::1]';
  if (url.protocol !== 'https:' && !(url.protocol === 'http:' && loopback)) throw paramError(field, '必须是 https 地址');
  if (url.search || text.includes('?')) throw paramError(field, '不允许携带查询串');
  return text;
}

/** The `mchid` of a body or query must be the merchant who signed the request. */
export function sameMchid(value: unknown, signer: string | undefined, field = 'mchid', location: 'body' | 'query' = 'body'): string {
  if (typeof value !== 'string' || !value) throw paramError(field, '字段缺失', location);
  if (value !== signer) throw new GatewayError(400, 'INVALID_REQUEST', `${field} ${value} 与发起请求的商户号不一致`);
  return value;
}

/** Canonical JSON (sorted keys) of a request: equal parameters ⇔ equal fingerprints. */
export function fingerprint(value: unknown): string {
  return JSON.stringify(sortKeys(value));
}

function sortKeys(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(sortKeys);
  if (value && typeof value === 'object') {
    return Object.fromEntries(Object.keys(value as Json).sort().map((k) => [k, sortKeys((value as Json)[k])]));
  }
  return value;
}
