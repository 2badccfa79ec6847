/**
 * PayScore (微信支付分), acquiring-bank mode (收单机构模式, seed 001): the six service-order calls
 * under `/v3/payscore/acquiringbank/serviceorder…`. Wire only: paths, request and response types.
 *
 * Sources (docs/references/sandbox-payscore.md and docs/references/payscore.md list them):
 * - create https://pay.weixin.qq.com/docs/partner/apis/partner-institution-weixin-pay-score/acquiring-bank-service-order/create-acquiring-bank-service-order.html
 *   (https://pay.weixin.qq.com/doc/v3/partner/4012691326);
 * - query 4012691343, cancel 4012458146, complete 4012460791, registerdeductinfo 4012458414,
 *   deduction query 4012458665 (https://pay.weixin.qq.com/doc/v3/partner/<id>), request/response
 *   tables mirrored at https://wechatpay.im/openapi/v3/payscore/acquiringbank/serviceorder…
 * Answers: create, query, registerdeductinfo and the deduction query are 200 with a body; cancel
 * and complete are 204 "无返回内容" (a 200 with an empty body is taken the same way by callers).
 */
import { seg, type V3Requester } from './requester';

const BASE = '/v3/payscore/acquiringbank/serviceorder';

export const PAYSCORE_PATHS = {
  create: BASE,
  query: (q: QueryServiceOrderParams) => `${BASE}?${search({ service_id: q.service_id, sub_mchid: q.sub_mchid, channel_id: q.channel_id, ...('out_order_no' in q ? { out_order_no: q.out_order_no } : { query_id: q.query_id }) })}`,
  cancel: (outOrderNo: string) => `${BASE}/${seg(outOrderNo)}/cancel`,
  complete: (outOrderNo: string) => `${BASE}/${seg(outOrderNo)}/complete`,
  registerDeductInfo: (outOrderNo: string) => `${BASE}/${seg(outOrderNo)}/registerdeductinfo`,
  queryDeduction: (q: QueryDeductionParams) => `${BASE}/deduction?${search({ ...q })}`,
} as const;

function search(params: Record<string, string | undefined>): string {
  return Object.entries(params)
    .filter((e): e is [string, string] => e[1] !== undefined)
    .map(([k, v]) => `${k}=${encodeURIComponent(v)}`)
    .join('&');
}

/** Who the call is for: set at onboarding (seed 001 §2.2). */
export interface PayScoreParties {
  service_id: string;
  sub_mchid: string;
  channel_id: string;
}

export interface PostPayment {
  name: string;
  /** Fen. */
  amount?: number;
  description?: string;
  count?: number;
}

/** Create lists no `amount` for discounts; complete requires it. */
export interface PostDiscount {
  name: string;
  description: string;
  amount?: number;
  count?: number;
}

export interface RiskFund {
  /** e.g. `ESTIMATE_ORDER_COST` (seed 001 sample). */
  name: string;
  /** Fen. */
  amount: number;
  description?: string;
}

/** `yyyyMMddHHmmss` as every published sample writes it. */
export interface TimeRange {
  start_time: string;
  start_time_remark?: string;
  end_time?: string;
  end_time_remark?: string;
}

export interface Location {
  start_location?: string;
  end_location?: string;
}

export interface CreateServiceOrderRequest extends PayScoreParties {
  appid: string;
  sub_appid?: string;
  out_order_no: string;
  service_introduction: string;
  post_payments: PostPayment[];
  post_discounts?: PostDiscount[];
  time_range: TimeRange;
  location?: Location;
  risk_fund: RiskFund;
  attach?: string;
  notify_url: string;
  openid?: string;
  need_user_confirm: true;
}

export type ServiceOrderState = 'CREATED' | 'DOING' | 'DONE' | 'REVOKED' | 'EXPIRED';

export interface Collection {
  state: 'USER_PAYING' | 'USER_PAID';
  total_amount?: number;
  paying_amount?: number;
  paid_amount?: number;
  details?: Array<{ seq?: number; amount?: number; paid_time?: string; [extra: string]: unknown }>;
}

/** The query answer, also the `PAYSCORE.USER_CONFIRM` / `PAYSCORE.USER_PAID` plaintext. */
export interface ServiceOrder {
  out_order_no: string;
  service_id: string;
  appid: string;
  mchid?: string;
  sub_mchid: string;
  channel_id: string;
  service_introduction: string;
  state: ServiceOrderState;
  state_description?: 'USER_CONFIRM' | 'MCH_COMPLETE';
  total_amount?: number;
  need_collection?: boolean;
  collection?: Collection;
  risk_fund: RiskFund;
  order_id: string;
  openid?: string;
  /** USER_PAID only: the deduction that paid. */
  out_trade_no?: string;
  [extra: string]: unknown;
}

export interface CreateServiceOrderResponse extends ServiceOrder {
  /** For `wx.openBusinessView({businessType: 'wxpayScoreUse', extraData: {package}})`. */
  package: string;
}

/** Exactly one of `out_order_no` / `query_id` ("必填一个(不允许都填写或都不填写)"). */
export type QueryServiceOrderParams = PayScoreParties & ({ out_order_no: string } | { query_id: string });

export interface CancelServiceOrderRequest extends PayScoreParties {
  reason: string;
}

export interface CompleteServiceOrderRequest extends PayScoreParties {
  post_payments: PostPayment[];
  post_discounts?: Array<PostDiscount & { amount: number }>;
  total_amount: number;
  time_range?: TimeRange;
  location?: Location;
  /** RFC 3339. */
  complete_time?: string;
}

export interface RegisterDeductInfoRequest extends PayScoreParties {
  appid: string;
  sub_appid?: string;
  out_trade_no: string;
}

export interface RegisterDeductInfoResponse {
  description?: string;
}

export interface QueryDeductionParams extends PayScoreParties {
  appid: string;
  sub_appid?: string;
  out_order_no: string;
}

export interface QueryDeductionResponse {
  description?: string;
  out_trade_no?: string;
}

/** Answers' `data` typed loosely (`Partial`): the channel checks what it relies on. */
export function create(client: V3Requester, body: CreateServiceOrderRequest) {
  return client.request<Partial<CreateServiceOrderResponse>>('POST', PAYSCORE_PATHS.create, body);
}

export function query(client: V3Requester, params: QueryServiceOrderParams) {
  return client.request<Partial<ServiceOrder>>('GET', PAYSCORE_PATHS.query(params));
}

/** 204 on success. */
export function cancel(client: V3Requester, outOrderNo: string, body: CancelServiceOrderRequest) {
  return client.request<unknown>('POST', PAYSCORE_PATHS.cancel(outOrderNo), body);
}

/** 204 on success. */
export function complete(client: V3Requester, outOrderNo: string, body: CompleteServiceOrderRequest) {
  return client.request<unknown>('POST', PAYSCORE_PATHS.complete(outOrderNo), body);
}

export function registerDeductInfo(client: V3Requester, outOrderNo: string, body: RegisterDeductInfoRequest) {
  return client.request<Partial<RegisterDeductInfoResponse>>('POST', PAYSCORE_PATHS.registerDeductInfo(outOrderNo), body);
}

export function queryDeduction(client: V3Requester, params: QueryDeductionParams) {
  return client.request<Partial<QueryDeductionResponse>>('GET', PAYSCORE_PATHS.queryDeduction(params));
}
