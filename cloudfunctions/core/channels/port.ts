/**
 * One interface for every payment gateway. The order service talks only to this, so it never
 * branches on a gateway name; each channel (jsapi, native, combine, v2, huifu) is one file beside
 * this one that maps our order records to its wire format and back.
 */
import type { PayChannel, RequestPaymentParams } from '../../../typings/api';
import type { Order, Refund } from '../domain/orders/model';

/** What the gateway says about a payment, in our vocabulary. */
export type GatewayPaymentState =
  | ({ kind: 'PENDING' } & GatewayOrderIds)
  | ({ kind: 'PAID'; transactionId: string; paidAt: number; paidAmount: number; subOrders?: GatewaySubOrderState[] } & GatewayOrderIds)
  | ({ kind: 'CLOSED'; reason: string; subOrders?: GatewaySubOrderState[] } & GatewayOrderIds)
  | ({ kind: 'FAILED'; reason: string; subOrders?: GatewaySubOrderState[] } & GatewayOrderIds)
  | { kind: 'NOT_FOUND' };

/** Ids the gateway gives the order as a whole, carried with any answer about it. */
export interface GatewayOrderIds {
  /** Combine orders: `combine_transaction_id` (the published 个人收款 queries and notification carry it). */
  combineTransactionId?: string;
}

export interface GatewaySubOrderState {
  mchid: string;
  outTradeNo: string;
  tradeState: string;
  amount: number;
  transactionId?: string;
  /** Combine notifications and queries carry it back; checked against what we stored. */
  individualAuthId?: string;
}

export type GatewayRefundState = {
  outRefundNo: string;
  refundId?: string;
  state: 'PROCESSING' | 'SUCCESS' | 'ABNORMAL' | 'CLOSED';
  amount: number;
};

/**
 * What a close request achieved. Only `closed` lets the order service mark an order CLOSED:
 * `payerPaying` is the gateway's 202 (`USERPAYING` / `USER_PAYING`, the payer is in the cashier
 * right now), after which money can still arrive — the order stays PAYING and is closed later.
 */
export type CloseOutcome = { kind: 'closed' } | { kind: 'payerPaying'; code: string; message: string };

export interface CreatedPayment {
  prepayId: string;
  /** Ready for `wx.requestPayment`, signed with the same appid the order was created with. */
  payment: RequestPaymentParams;
}

/** A verified, decrypted notification mapped onto our order identifiers. */
export type ChannelNotification =
  | {
      kind: 'payment';
      notificationId: string;
      /** Our key for the order: `out_trade_no`, or `combine_out_trade_no` for combine orders. */
      outTradeNo: string;
      appid: string;
      mchid: string;
      state: GatewayPaymentState;
    }
  | { kind: 'refund'; notificationId: string; outTradeNo: string; mchid: string; refund: GatewayRefundState }
  /** Verified and understood but not about an order we handle (e.g. a PayScore event on this URL). */
  | { kind: 'ignored'; notificationId: string; eventType: string };

/** The raw HTTP request of a notification, body exactly as received. */
export interface RawNotification {
  headers: Record<string, string | undefined>;
  body: string;
}

export interface PaymentChannel {
  readonly name: PayChannel;
  /** Places the order at the gateway (idempotent on the order's out_trade_no) and pay-signs it. */
  create(order: Order): Promise<CreatedPayment>;
  /** Re-signs payment params for an order already placed (pay again after a cancel). */
  resign(order: Order): Promise<CreatedPayment>;
  query(order: Order): Promise<GatewayPaymentState>;
  /** Closes at the gateway. Gateway refusals (ORDER_CLOSED, ORDERPAID, …) surface as errors. */
  close(order: Order): Promise<CloseOutcome>;
  refund(order: Order, refund: Refund): Promise<GatewayRefundState>;
  queryRefund(order: Order, refund: Refund): Promise<GatewayRefundState>;
  /** Verifies and decrypts; throws a typed error (with a stable code) for anything untrusted. */
  parseNotification(request: RawNotification): Promise<ChannelNotification>;
}
