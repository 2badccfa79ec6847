/**
 * JSAPI / mini-program payments (直连商户): place, query and close an order. Paths and wire types
 * as the official Go SDK's `services/payments/jsapi` (Prepay, QueryOrderByOutTradeNo, CloseOrder:
 * https://github.com/wechatpay-apiv3/wechatpay-go/tree/main/services/payments/jsapi) and the
 * JSAPI pages (https://pay.weixin.qq.com/doc/v3/merchant/4012556398 family).
 */
import type { TransactionResource } from '../notification-types';
import { seg, type V3Requester } from './requester';

export const JSAPI_PATHS = {
  prepay: '/v3/pay/transactions/jsapi',
  queryByOutTradeNo: (outTradeNo: string, mchid: string) => `/v3/pay/transactions/out-trade-no/${seg(outTradeNo)}?mchid=${seg(mchid)}`,
  close: (outTradeNo: string) => `/v3/pay/transactions/out-trade-no/${seg(outTradeNo)}/close`,
} as const;

export interface Amount {
  /** Fen. */
  total: number;
  currency?: string;
}

export interface PrepayRequest {
  appid: string;
  mchid: string;
  description: string;
  out_trade_no: string;
  /** RFC 3339, e.g. `2026-11-25T20:00:00+08:00`. */
  time_expire?: string;
  attach?: string;
  notify_url: string;
  amount: Amount;
  payer: { openid: string };
}

export interface PrepayResponse {
  prepay_id: string;
}

/** A query answer is the transaction (the same fields as the decrypted notification). */
export type Transaction = TransactionResource;

export interface CloseRequest {
  mchid: string;
}

/** The answer's `data` is typed loosely (`Partial`): the channel checks what it relies on. */
export function prepay(client: V3Requester, body: PrepayRequest) {
  return client.request<Partial<PrepayResponse>>('POST', JSAPI_PATHS.prepay, body);
}

export function queryByOutTradeNo(client: V3Requester, mchid: string, outTradeNo: string) {
  return client.request<Partial<Transaction>>('GET', JSAPI_PATHS.queryByOutTradeNo(outTradeNo, mchid));
}

/** 204 closed; 202 USER_PAYING/USERPAYING: the payer is paying, nothing was closed (status + data). */
export function close(client: V3Requester, mchid: string, outTradeNo: string) {
  const body: CloseRequest = { mchid };
  return client.request<{ code?: string; message?: string }>('POST', JSAPI_PATHS.close(outTradeNo), body);
}
