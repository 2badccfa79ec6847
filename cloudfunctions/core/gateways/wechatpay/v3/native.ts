/**
 * Native (扫码) payments: the order answers a `code_url` to show as a QR code; query and close are
 * the transactions' own paths, shared with JSAPI. As the Go SDK's `services/payments/native`
 * (Prepay → `code_url`: https://github.com/wechatpay-apiv3/wechatpay-go/tree/main/services/payments/native).
 */
import type { PrepayRequest as JsapiPrepayRequest, Transaction } from './jsapi';
import { close as closeTransaction, queryByOutTradeNo as queryTransaction } from './jsapi';
import type { V3Requester } from './requester';

export const NATIVE_PATHS = {
  prepay: '/v3/pay/transactions/native',
} as const;

/** The JSAPI order without a payer: whoever scans the code pays. */
export type PrepayRequest = Omit<JsapiPrepayRequest, 'payer'>;

export interface PrepayResponse {
  code_url: string;
}

export type { Transaction };

export function prepay(client: V3Requester, body: PrepayRequest) {
  return client.request<Partial<PrepayResponse>>('POST', NATIVE_PATHS.prepay, body);
}

export const queryByOutTradeNo = queryTransaction;
export const close = closeTransaction;
