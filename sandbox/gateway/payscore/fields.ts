import { GatewayError, paramError } from '../http';
import * as v from '../validate';
import type { PostDiscount, PostPayment, RiskFund, ServiceLocation, TimeRange } from './records';

/**
 * Field checks of the PayScore acquiring-bank calls. Every refusal is 400 PARAM_ERROR naming the
 * field (dotted path), as the rest of the gateway answers. Field lists and limits come from the
 * published create page
 * (https://pay.weixin.qq.com/docs/partner/apis/partner-institution-weixin-pay-score/acquiring-bank-service-order/create-acquiring-bank-service-order.html)
 * and the request tables mirrored at https://wechatpay.im/openapi/v3/payscore/acquiringbank/…;
 * docs/references/sandbox-payscore.md lists which limit comes from where.
 */

/** "要求32个字符内,只能是数字、大小写字母_-|* 且在同一个商户号下唯一" (create page). */
export const OUT_ORDER_NO = /^[0-9A-Za-z_\-|*]{1,32}$/;
export const OUT_ORDER_NO_TEXT = '32个字符内，只能是数字、大小写字母_-|*';
/** Deduction number: same alphabet (sandbox choice; the published table gives no pattern). */
export const OUT_TRADE_NO = OUT_ORDER_NO;
/** `service_introduction` string(20), counted in characters (汉字、数字、字母、特殊符号都按照1个字符计算). */
export const SERVICE_INTRODUCTION_MAX_CHARS = 20;
/** "最多包含100条付费项目" / "最多包含30条商户优惠" (create page). */
export const MAX_POST_PAYMENTS = 100;
export const MAX_POST_DISCOUNTS = 30;
/** Sandbox choice: cancel `reason` up to 50 characters (no limit found in a stored copy). */
export const CANCEL_REASON_MAX_CHARS = 50;
/** `time_range.*_time` as every published sample writes it: yyyyMMddHHmmss. */
const SERVICE_TIME = /^\d{14}$/;

export const chars = (text: string) => [...text].length;

export function outOrderNo(value: unknown, field = 'out_order_no', location: 'body' | 'query' | 'path' = 'body'): string {
  if (typeof value !== 'string' || value === '') throw paramError(field, '字段缺失或为空', location);
  if (!OUT_ORDER_NO.test(value)) throw paramError(field, `格式不正确: ${OUT_ORDER_NO_TEXT}`, location);
  return value;
}

export function serviceIntroduction(value: unknown): string {
  const text = v.str(value, 'service_introduction');
  if (chars(text) > SERVICE_INTRODUCTION_MAX_CHARS) throw paramError('service_introduction', `长度不能超过${SERVICE_INTRODUCTION_MAX_CHARS}个字符`);
  return text;
}

/** Money in integer fen, 0 allowed where the field may be zero. */
export function fen(value: unknown, field: string, min = 0): number {
  if (typeof value !== 'number' || !Number.isSafeInteger(value) || value < min) throw paramError(field, `应为不小于${min}的整数(单位: 分)`);
  return value;
}

function optFen(value: unknown, field: string): number | undefined {
  return value === undefined ? undefined : fen(value, field);
}

function optCount(value: unknown, field: string): number | undefined {
  if (value === undefined) return undefined;
  if (typeof value !== 'number' || !Number.isSafeInteger(value) || value < 1) throw paramError(field, '应为正整数');
  return value;
}

function list(value: unknown, field: string, max: number, required: boolean): unknown[] {
  if (value === undefined && !required) return [];
  if (!Array.isArray(value)) throw paramError(field, '应为数组');
  if (required && value.length === 0) throw paramError(field, '至少包含1条');
  if (value.length > max) throw paramError(field, `最多包含${max}条`);
  return value;
}

/** `post_payments[]`: name required; amount, description, count optional. */
export function postPayments(value: unknown, required: boolean): PostPayment[] {
  return list(value, 'post_payments', MAX_POST_PAYMENTS, required).map((item, i) => {
    const at = `post_payments[${i}]`;
    const p = v.obj(item, at);
    v.onlyFields(p, ['name', 'amount', 'description', 'count'], at);
    const amount = optFen(p.amount, `${at}.amount`);
    const description = v.optStr(p.description, `${at}.description`);
    const count = optCount(p.count, `${at}.count`);
    return {
      name: v.str(p.name, `${at}.name`),
      ...(amount !== undefined ? { amount } : {}),
      ...(description !== undefined ? { description } : {}),
      ...(count !== undefined ? { count } : {}),
    };
  });
}

/**
 * `post_discounts[]`: name and description required. Create lists no `amount` (create page and
 * seed 001 sample); complete requires it (complete table).
 */
export function postDiscounts(value: unknown, phase: 'create' | 'complete'): PostDiscount[] {
  return list(value, 'post_discounts', MAX_POST_DISCOUNTS, false).map((item, i) => {
    const at = `post_discounts[${i}]`;
    const d = v.obj(item, at);
    v.onlyFields(d, phase === 'create' ? ['name', 'description', 'count'] : ['name', 'description', 'amount', 'count'], at);
    const count = optCount(d.count, `${at}.count`);
    const amount = phase === 'complete' ? fen(d.amount, `${at}.amount`) : undefined;
    return {
      name: v.str(d.name, `${at}.name`),
      description: v.str(d.description, `${at}.description`),
      ...(amount !== undefined ? { amount } : {}),
      ...(count !== undefined ? { count } : {}),
    };
  });
}

/** `risk_fund`: name (an upper-case enum name), amount > 0, description optional. */
export function riskFund(value: unknown): RiskFund {
  const r = v.obj(value, 'risk_fund');
  v.onlyFields(r, ['name', 'amount', 'description'], 'risk_fund');
  const description = v.optStr(r.description, 'risk_fund.description');
  return {
    name: v.str(r.name, 'risk_fund.name', { pattern: /^[A-Z_]{1,32}$/, patternText: '风险金名称枚举值，如 ESTIMATE_ORDER_COST' }),
    amount: fen(r.amount, 'risk_fund.amount', 1),
    ...(description !== undefined ? { description } : {}),
  };
}

export function timeRange(value: unknown): TimeRange {
  const t = v.obj(value, 'time_range');
  v.onlyFields(t, ['start_time', 'start_time_remark', 'end_time', 'end_time_remark'], 'time_range');
  const time = (x: unknown, f: string) => v.str(x, f, { pattern: SERVICE_TIME, patternText: 'yyyyMMddHHmmss' });
  const startTimeRemark = v.optStr(t.start_time_remark, 'time_range.start_time_remark');
  const endTime = t.end_time === undefined ? undefined : time(t.end_time, 'time_range.end_time');
  const endTimeRemark = v.optStr(t.end_time_remark, 'time_range.end_time_remark');
  return {
    startTime: time(t.start_time, 'time_range.start_time'),
    ...(startTimeRemark !== undefined ? { startTimeRemark } : {}),
    ...(endTime !== undefined ? { endTime } : {}),
    ...(endTimeRemark !== undefined ? { endTimeRemark } : {}),
  };
}

export function location(value: unknown): ServiceLocation | undefined {
  if (value === undefined) return undefined;
  const l = v.obj(value, 'location');
  v.onlyFields(l, ['start_location', 'end_location'], 'location');
  const startLocation = v.optStr(l.start_location, 'location.start_location');
  const endLocation = v.optStr(l.end_location, 'location.end_location');
  return { ...(startLocation !== undefined ? { startLocation } : {}), ...(endLocation !== undefined ? { endLocation } : {}) };
}

export function optBool(value: unknown, field: string): boolean | undefined {
  if (value === undefined) return undefined;
  if (typeof value !== 'boolean') throw paramError(field, '应为布尔值');
  return value;
}

/** The query string as a record, refusing a parameter the published table does not list. */
export function queryParams(url: URL, allowed: readonly string[]): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [key, value] of url.searchParams) {
    if (!allowed.includes(key)) throw paramError(key, '接口文档未列出此参数，不是本接口的参数', 'query');
    if (key in out) throw paramError(key, '参数重复', 'query');
    out[key] = value;
  }
  return out;
}

export function requiredQuery(q: Record<string, string>, field: string): string {
  const value = q[field];
  if (!value) throw paramError(field, '字段缺失或为空', 'query');
  return value;
}

/** A business rule broken by well-formed input. */
export const invalidRequest = (message: string) => new GatewayError(400, 'INVALID_REQUEST', message);
/** The order is not in a state the call accepts. */
export const invalidOrderState = (message: string) => new GatewayError(400, 'INVALID_ORDER_STATE', message);
export const orderNotExist = () => new GatewayError(404, 'ORDER_NOT_EXIST', '订单不存在');
