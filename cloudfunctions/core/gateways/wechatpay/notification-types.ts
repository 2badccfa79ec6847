/** Decrypted notification resources, typed snake_case as on the wire. */

export interface TransactionAmount {
  total: number;
  payer_total: number;
  currency: string;
  payer_currency: string;
}

/** `TRANSACTION.SUCCESS` of a JSAPI / mini-program / native order. */
export interface TransactionResource {
  appid: string;
  mchid: string;
  out_trade_no: string;
  transaction_id: string;
  trade_type?: string;
  trade_state: string;
  trade_state_desc?: string;
  bank_type?: string;
  attach?: string;
  success_time: string;
  payer: { openid: string };
  amount: TransactionAmount;
  [extra: string]: unknown;
}

export interface CombineSubOrder {
  mchid: string;
  trade_type?: string;
  trade_state: string;
  bank_type?: string;
  attach?: string;
  success_time?: string;
  transaction_id?: string;
  out_trade_no: string;
  individual_auth_id?: string;
  amount: { total_amount: number; currency?: string; payer_amount?: number; payer_currency?: string };
  [extra: string]: unknown;
}

/** `TRANSACTION.SUCCESS` of a combine order: recognised by `combine_out_trade_no`. */
export interface CombineTransactionResource {
  combine_appid: string;
  combine_mchid: string;
  combine_out_trade_no: string;
  /** The gateway's id of the combine order (个人收款: in every query answer and notification). */
  combine_transaction_id?: string;
  scene_info?: { device_id?: string };
  sub_orders: CombineSubOrder[];
  combine_payer_info: { openid: string };
  [extra: string]: unknown;
}

export type RefundStatus = 'SUCCESS' | 'ABNORMAL' | 'CLOSED' | 'PROCESSING';

export interface RefundResource {
  mchid: string;
  out_trade_no: string;
  transaction_id?: string;
  out_refund_no: string;
  refund_id: string;
  refund_status: RefundStatus;
  success_time?: string;
  user_received_account?: string;
  amount: { total: number; refund: number; payer_total: number; payer_refund: number };
  [extra: string]: unknown;
}

export interface PayScoreResource {
  appid?: string;
  mchid?: string;
  out_order_no: string;
  service_id?: string;
  order_id?: string;
  state?: string;
  state_description?: string;
  total_amount?: number;
  collection?: { state?: string; total_amount?: number; paying_amount?: number; paid_amount?: number; details?: unknown[] };
  [extra: string]: unknown;
}

export type RefundEventType = 'REFUND.SUCCESS' | 'REFUND.ABNORMAL' | 'REFUND.CLOSED';
export type PayScoreEventType = 'PAYSCORE.USER_CONFIRM' | 'PAYSCORE.USER_PAID';

/** Fields of every notification besides the resource. */
export interface NotificationMeta {
  id: string;
  create_time: string;
  summary: string;
  resource_type: string;
  /** `original_type` of the encrypted resource (e.g. `transaction`, `refund`). */
  original_type: string;
}

export type WechatPayNotification =
  | (NotificationMeta & { kind: 'transaction'; event_type: 'TRANSACTION.SUCCESS'; resource: TransactionResource })
  | (NotificationMeta & { kind: 'combine_transaction'; event_type: 'TRANSACTION.SUCCESS'; resource: CombineTransactionResource })
  | (NotificationMeta & { kind: 'refund'; event_type: RefundEventType; resource: RefundResource })
  | (NotificationMeta & { kind: 'payscore'; event_type: PayScoreEventType; resource: PayScoreResource })
  /** Verified and decrypted, but an event type we do not model. */
  | (NotificationMeta & { kind: 'other'; event_type: string; resource: Record<string, unknown> });
