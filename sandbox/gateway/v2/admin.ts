import { adminCaller } from '../admin';
import type { V2OrderRecord, V2RefundRecord } from './records';

/**
 * A typed client of the APIv2 sandbox pages and admin calls (plain HTTP on the gateway's URL, so
 * what a test does here a developer can do with curl). The v2 API itself is not wrapped: clients
 * speak XML to it.
 */
export interface V2Admin {
  info(): Promise<V2AdminInfo>;
  orders(): Promise<{ orders: V2OrderRecord[]; refunds: V2RefundRecord[] }>;
  order(outTradeNo: string): Promise<{ order: V2OrderRecord; refunds: V2RefundRecord[] }>;
  /** The merchant's available refund balance (fen); null = unlimited. Refunds above it get NOTENOUGH. */
  setRefundBalance(fen: number | null): Promise<void>;
  /** The WeChat cashier for a JSAPI order, given the `wx.requestPayment` parameters. */
  cashier(prepayId: string, action: V2UserAction, params: Record<string, string>): Promise<V2ClientResult>;
  /** The simulated APP client, given the OpenSDK `PayReq` fields. */
  app(action: V2UserAction, payReq: Record<string, string>): Promise<V2ClientResult & { errCode: number }>;
  /** The payer's action by order number, without client parameters (admins, the console, the CLI). */
  act(outTradeNo: string, action: V2UserAction): Promise<V2ClientResult>;
}

export type V2UserAction = 'pay' | 'cancel' | 'fail';

export interface V2AdminInfo {
  mchid: string;
  appid: string;
  appAppid: string;
  secureUrl: string;
  caCertificateFile: string;
  clientCertificateFile: string;
  clientKeyFile: string;
  clientP12File: string;
  refundBalance: number | null;
}

export interface V2ClientResult {
  trade_state: string;
  out_trade_no: string;
}

export function createV2Admin(baseUrl: string): V2Admin {
  const call = adminCaller(baseUrl);
  const seg = encodeURIComponent;
  return {
    info: () => call('GET', '/sandbox/admin/v2/info'),
    orders: () => call('GET', '/sandbox/admin/v2/orders'),
    order: (no) => call('GET', `/sandbox/admin/v2/orders/${seg(no)}`),
    setRefundBalance: async (fen) => {
      await call('POST', '/sandbox/admin/v2/refund-balance', { fen });
    },
    cashier: (prepayId, action, params) => call('POST', `/sandbox/v2/cashier/${seg(prepayId)}/${action}`, params),
    app: (action, payReq) => call('POST', `/sandbox/v2/app/${action}`, payReq),
    act: (no, action) => call('POST', `/sandbox/admin/v2/orders/${seg(no)}/${action}`, {}),
  };
}
