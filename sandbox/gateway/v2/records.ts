import type { V2SignType } from './sign';

/**
 * What the gateway remembers of APIv2 orders and refunds: a `v2` record inside the gateway state
 * (`<dataDir>/gateway.json`), kept apart from the APIv3 records so neither side's code has to
 * know the other's shapes. Amounts are integer fen (`total_fee`, `refund_fee`).
 */

/** `trade_state` of /pay/orderquery (https://pay.weixin.qq.com/wiki/doc/api/jsapi.php?chapter=9_2). */
export type V2TradeState = 'SUCCESS' | 'REFUND' | 'NOTPAY' | 'CLOSED' | 'REVOKED' | 'USERPAYING' | 'PAYERROR';

export interface V2OrderRecord {
  tradeType: 'JSAPI' | 'APP';
  appid: string;
  mchId: string;
  outTradeNo: string;
  body: string;
  attach?: string;
  deviceInfo?: string;
  totalFee: number;
  feeType: string;
  spbillCreateIp: string;
  timeExpire?: string;
  notifyUrl: string;
  /** JSAPI: the payer named at order time. */
  openid?: string;
  /** The sign type of the unifiedorder call: the pay-sign, APP re-sign and notification use it too. */
  signType: V2SignType;
  prepayId: string;
  createdAt: number;
  /** The business fields of the creating request: a repeat with others is OUT_TRADE_NO_USED. */
  fingerprint: string;
  tradeState: V2TradeState;
  transactionId?: string;
  /** yyyyMMddHHmmss, China time. */
  timeEnd?: string;
  bankType?: string;
  /** Who paid an APP order (the payer's openid under the APP appid). */
  paidBy?: string;
  refunded: number;
}

export interface V2RefundRecord {
  mchId: string;
  appid: string;
  outRefundNo: string;
  refundId: string;
  outTradeNo: string;
  transactionId: string;
  totalFee: number;
  refundFee: number;
  refundDesc?: string;
  notifyUrl?: string;
  /** The sign type of the refund call (the notification itself is unsigned: req_info is encrypted). */
  signType: V2SignType;
  status: 'PROCESSING' | 'SUCCESS';
  createdAt: number;
  /** When PROCESSING turns SUCCESS (epoch ms); survives restarts. */
  dueAt: number;
  /** yyyy-MM-dd HH:mm:ss, China time, as in the refund notification and refundquery. */
  successTime?: string;
}

export interface V2Data {
  orders: Record<string, V2OrderRecord>;
  refunds: Record<string, V2RefundRecord>;
  /** prepay_id → out_trade_no. */
  prepays: Record<string, string>;
  /**
   * The merchant's available refund balance in fen (`NOTENOUGH` when a refund exceeds it), set
   * through the admin API; null = unlimited.
   */
  refundBalance: number | null;
}

export function emptyV2(): V2Data {
  return { orders: {}, refunds: {}, prepays: {}, refundBalance: null };
}
