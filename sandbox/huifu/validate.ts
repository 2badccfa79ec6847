import { isDate8, parseTime14 } from './clock';
import { badFormat, missing, refuse, RESP, tooLong, type HuifuRefusal } from './codes';
import type { Json } from './envelope';
import { parseYuan } from './money';

/**
 * Field checks with Huifu's published answers (`10000000` "%s不能为空", "%s最大长度为%d位",
 * "%s不符合%s格式"; aggregation-order-errors.md). Lengths are the published String(n) sizes.
 */

export function reqStr(data: Json, field: string, max: number): string {
  const v = data[field];
  if (v === undefined || v === null || v === '') throw missing(field);
  if (typeof v !== 'string') throw badFormat(field, 'String');
  if (v.length > max) throw tooLong(field, max);
  return v;
}

export function optStr(data: Json, field: string, max: number): string | undefined {
  const v = data[field];
  if (v === undefined || v === null || v === '') return undefined;
  if (typeof v !== 'string') throw badFormat(field, 'String');
  if (v.length > max) throw tooLong(field, max);
  return v;
}

export function reqDate8(data: Json, field: string): string {
  const v = reqStr(data, field, 8);
  if (!isDate8(v)) throw badFormat(field, 'yyyyMMdd');
  return v;
}

export function optDate8(data: Json, field: string): string | undefined {
  const v = optStr(data, field, 8);
  if (v !== undefined && !isDate8(v)) throw badFormat(field, 'yyyyMMdd');
  return v;
}

export function optTime14(data: Json, field: string): number | undefined {
  const v = optStr(data, field, 14);
  if (v === undefined) return undefined;
  const ms = parseTime14(v);
  if (ms === undefined) throw badFormat(field, 'yyyyMMddHHmmss');
  return ms;
}

/** A yuan amount, strictly `0.01`-style with two decimals, at least 0.01. */
export function reqAmount(data: Json, field: string): number {
  const v = data[field];
  if (v === undefined || v === null || v === '') throw missing(field);
  const fen = parseYuan(v);
  if (fen === undefined) throw badFormat(field, '金额');
  if (fen < 1) throw refuse(RESP.PARAM, `${field}最低为0.01`);
  return fen;
}

/**
 * notify_url: http(s), at most 504 characters (aggregate-order-request.md). Seed 002 adds "URL 上请勿
 * 附带参数" and "不支持HTTP重定向": the sandbox refuses a query string (sandbox choice of answer).
 */
export function optNotifyUrl(data: Json, field: string, max: number): string | undefined {
  const v = optStr(data, field, max);
  if (v === undefined) return undefined;
  let url: URL;
  try {
    url = new URL(v);
  } catch {
    throw badFormat(field, 'URL');
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') throw refuse(RESP.PARAM, `${field}必须以http或https开头`);
  if (url.search || v.includes('?')) throw refuse(RESP.PARAM, `${field}不能携带参数`);
  return v;
}

export type { HuifuRefusal };
