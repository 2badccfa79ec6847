/**
 * Combine payments to individual payees (平台收付通 个人收款, seed 000): create for the
 * mini-program, query by the gateway's id (recommended) or by our number, close. Published
 * paths: create https://pay.weixin.qq.com/doc/v3/partner/4012602225, query by id
 * https://pay.weixin.qq.com/doc/v3/partner/4012602242, by number (mirrored at
 * https://wechatpay.im/openapi/v3/combine-transactions/out-trade-no/%7Bcombine_out_trade_no%7D),
 * close https://pay.weixin.qq.com/docs/merchant/apis/personal-collections/close-order.html;
 * none takes a `mchid` query parameter.
 */
import type { CombineTransactionResource } from '../notification-types';
import { seg, type V3Requester } from './requester';

export const COMBINE_PATHS = {
  create: '/v3/combine-transactions/miniprogram',
  queryByOutTradeNo: (combineOutTradeNo: string) => `/v3/combine-transactions/out-trade-no/${seg(combineOutTradeNo)}`,
  queryById: (combineTransactionId: string) => `/v3/combine-transactions/id/${seg(combineTransactionId)}`,
  close: (combineOutTradeNo: string) => `/v3/combine-transactions/out-trade-no/${seg(combineOutTradeNo)}/close`,
} as const;

/** One sub-order of the create request: exactly the fields of the published page. */
export interface CreateSubOrder {
  mchid: string;
  individual_auth_id: string;
  out_trade_no: string;
  amount: { total_amount: number; currency?: string };
  attach: string;
  description: string;
  /** 商品单个人收款方平台昵称 (optional). */
  individual_name?: string;
}

export interface CreateRequest {
  combine_appid: string;
  combine_mchid: string;
  combine_out_trade_no: string;
  combine_payer_info: { openid: string };
  scene_info: { payer_client_ip: string };
  sub_orders: CreateSubOrder[];
  time_expire?: string;
  notify_url: string;
  /** The published page lists one value, RECOMMERCE (docs/references/combine.md). */
  trade_scenario: 'RECOMMERCE';
}

export interface CreateResponse {
  prepay_id: string;
}

/** A query answer is the combine transaction (the same fields as the decrypted notification). */
export type CombineTransaction = CombineTransactionResource;

export interface CloseRequest {
  combine_appid: string;
  sub_orders: Array<{ mchid: string; out_trade_no: string; individual_auth_id?: string; description?: string }>;
}

export function create(client: V3Requester, body: CreateRequest) {
  return client.request<Partial<CreateResponse>>('POST', COMBINE_PATHS.create, body);
}

export function queryByOutTradeNo(client: V3Requester, combineOutTradeNo: string) {
  return client.request<Partial<CombineTransaction>>('GET', COMBINE_PATHS.queryByOutTradeNo(combineOutTradeNo));
}

export function queryById(client: V3Requester, combineTransactionId: string) {
  return client.request<Partial<CombineTransaction>>('GET', COMBINE_PATHS.queryById(combineTransactionId));
}

/** 204 closed; 202 USERPAYING: the payer is paying, nothing was closed (status + data). */
export function close(client: V3Requester, combineOutTradeNo: string, body: CloseRequest) {
  return client.request<{ code?: string; message?: string }>('POST', COMBINE_PATHS.close(combineOutTradeNo), body);
}
