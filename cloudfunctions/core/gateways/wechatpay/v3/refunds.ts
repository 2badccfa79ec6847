/**
 * Domestic refunds: create, query by our refund number. As the Go SDK's
 * `services/refunddomestic` (Create, QueryByOutRefundNo:
 * https://github.com/wechatpay-apiv3/wechatpay-go/tree/main/services/refunddomestic). The answer
 * says `status`; the refund notification says `refund_status`.
 */
import type { RefundStatus } from '../notification-types';
import { seg, type V3Requester } from './requester';

export const REFUND_PATHS = {
  create: '/v3/refund/domestic/refunds',
  queryByOutRefundNo: (outRefundNo: string) => `/v3/refund/domestic/refunds/${seg(outRefundNo)}`,
} as const;

export interface CreateRequest {
  out_trade_no: string;
  out_refund_no: string;
  reason?: string;
  notify_url?: string;
  amount: { refund: number; total: number; currency: string };
}

export interface Refund {
  refund_id: string;
  out_refund_no: string;
  transaction_id?: string;
  out_trade_no?: string;
  status: RefundStatus;
  success_time?: string;
  create_time?: string;
  amount: { refund: number; total: number; payer_total: number; payer_refund: number; currency: string; [extra: string]: unknown };
  [extra: string]: unknown;
}

export function create(client: V3Requester, body: CreateRequest) {
  return client.request<Partial<Refund>>('POST', REFUND_PATHS.create, body);
}

export function queryByOutRefundNo(client: V3Requester, outRefundNo: string) {
  return client.request<Partial<Refund>>('GET', REFUND_PATHS.queryByOutRefundNo(outRefundNo));
}
