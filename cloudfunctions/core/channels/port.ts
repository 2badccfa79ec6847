/**
 * One interface for every payment gateway. The order service talks only to this, so it never
 * branches on a gateway name or sees a gateway's code; each channel (jsapi, combine; native, v2,
 * huifu next) is one folder beside this file that maps our order records to its wire format and
 * its gateway's answers — states, errors — to the channel-neutral outcomes below.
 */
import type { PayScoreGatewayOrder } from '../domain/payscore/gateway';
import type { ClientPaymentParams } from '../../../typings/api';
import { AppError, isAppError } from '../kernel/errors';
import type { Order, Refund } from '../domain/orders/model';
import type { PayChannel } from '../../../typings/pay-channels';

/** What the gateway says about a payment, in our vocabulary. */
export type GatewayPaymentState =
  | ({ kind: 'PENDING' } & GatewayOrderIds)
  | ({ kind: 'PAID'; transactionId: string; paidAt: number; paidAmount: number; subOrders?: GatewaySubOrderState[]; settlement?: GatewaySettlement } & GatewayOrderIds)
  | ({ kind: 'CLOSED'; reason: string; subOrders?: GatewaySubOrderState[] } & GatewayOrderIds)
  | ({ kind: 'FAILED'; reason: string; subOrders?: GatewaySubOrderState[] } & GatewayOrderIds)
  | { kind: 'NOT_FOUND' };

/** Ids the gateway gives the order as a whole, carried with any answer about it. */
export interface GatewayOrderIds {
  /** Combine orders: `combine_transaction_id` (the published 个人收款 queries and notification carry it). */
  combineTransactionId?: string;
}

/**
 * What the gateway says about the money of a paid order once it is booked (Huifu: the trade and
 * accounting notifications, the query). Amounts in fen.
 */
export interface GatewaySettlement {
  /** What reached the merchant's account before fees (less than paid when discounted). */
  settlementAmount?: number;
  /** The gateway's fee. */
  feeAmount?: number;
  /** The booking (入账) result, when the fact reports it: FAILED needs a person. */
  booking?: 'BOOKED' | 'FAILED';
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
  /**
   * What the page or app needs to open the cashier, signed with the same appid the order was
   * created with: the mini-program cashier (`wx.requestPayment`), the APP SDK or Huifu `pay_info`.
   */
  payment: ClientPaymentParams;
  /**
   * The gateway issues these parameters once (Huifu `pay_info`, signed by Huifu): the order keeps
   * them (`Order.issuedPayment`) and `resign` hands them back when the payer tries again.
   */
  keep?: true;
}

/**
 * What a gateway's refusal or failure means, whatever the gateway. Each channel's mapping turns
 * its gateway's answers (codes, statuses, transport failures) into one of these; the domain
 * decides by `kind` alone and never sees a gateway code.
 * - `notFound`: the gateway itself says it has no such order or refund (never a proxy's 404);
 * - `closed`: the order is already closed at the gateway;
 * - `payerPaying`: the payer is in the cashier right now, money may still arrive;
 * - `rejected`: a final refusal of this request; `reason` says why, for a person;
 * - `refundNotTaken`: a refund request refused for good (the gateway never took it: write it off);
 * - `balanceInsufficient`: a refund not taken for lack of merchant funds; the same refund may be
 *   re-sent once topped up;
 * - `unavailable`: no answer that decides anything (network, timeout, 5xx, 429, a proxy); retry;
 * - `untrusted`: an answer that failed verification or is too malformed to act on;
 * - `misconfigured`: the gateway refused our own credentials (key, serial, clock): an operator
 *   must act; retrying unchanged will not help, retrying after the fix will.
 * - `tooEarly`: the gateway does not close an order this soon after it was placed (Huifu: 1 minute).
 */
export type ChannelErrorKind = 'notFound' | 'closed' | 'payerPaying' | 'rejected' | 'refundNotTaken' | 'balanceInsufficient' | 'unavailable' | 'untrusted' | 'misconfigured' | 'tooEarly';

/** A registry-symbol mark, as AppError's: a channel built as a side bundle throws its own copy of this class. */
const CHANNEL_ERROR = Symbol.for('wxpay-miniprogram-stack.ChannelError');

export class ChannelError extends Error {
  override readonly name = 'ChannelError';
  readonly [CHANNEL_ERROR] = true;
  /**
   * @param reason a sentence for a person (logs, admin answers), e.g. `ORDERPAID 订单已支付`;
   *   channel-specific wording lives here, never in a field the domain branches on.
   */
  constructor(
    readonly kind: ChannelErrorKind,
    readonly reason: string,
    options?: { cause?: unknown },
  ) {
    super(reason, options);
  }
}

/** True for a channel error of one of `kinds` (any kind when none are given). */
export function isChannelError(error: unknown, ...kinds: ChannelErrorKind[]): error is ChannelError {
  const marked = typeof error === 'object' && error !== null && (error as { [CHANNEL_ERROR]?: unknown })[CHANNEL_ERROR] === true;
  return marked && (kinds.length === 0 || kinds.includes((error as ChannelError).kind));
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
  /** PAYSCORE.USER_CONFIRM / PAYSCORE.USER_PAID: the service order as the gateway now says it is. */
  | { kind: 'payscore'; notificationId: string; eventType: 'USER_CONFIRM' | 'USER_PAID'; order: PayScoreGatewayOrder }
  /** Verified and understood but not about an order we handle. */
  | { kind: 'ignored'; notificationId: string; eventType: string };

/**
 * One line of a gateway's daily reconciliation file, in our terms: a payment (our out_trade_no)
 * or a refund (our out_refund_no and the order's out_trade_no), with the amount in fen.
 */
export type StatementEntry =
  | { kind: 'payment'; outTradeNo: string; transactionId: string; amount: number }
  | {
      kind: 'refund';
      outTradeNo: string;
      outRefundNo: string;
      refundId: string;
      amount: number;
      /**
       * The refund's state as the file lists it; absent means SUCCESS (Huifu lists finished refunds
       * only). WeChat's trade bill lists a refund on the day it was accepted, with its state at the
       * bill's making ("出账后退款状态不会更新"), so PROCESSING there is no disagreement.
       */
      state?: GatewayRefundState['state'];
    };

/** The raw HTTP request of a notification, body exactly as received. */
export interface RawNotification {
  headers: Record<string, string | undefined>;
  body: string;
}

export interface PaymentChannel {
  readonly name: PayChannel;
  /**
   * Who an order on this channel is made with, when it is not the mini-program's appid and the
   * deployment's default mchid: an APIv2 section has its own mchid, an APP order the mobile app's
   * appid, Huifu its `huifu_id`. Notifications are checked against it.
   */
  readonly orderParty?: { mchid: string; appid?: string };
  /** Places the order at the gateway (idempotent on the order's out_trade_no) and pay-signs it. */
  create(order: Order): Promise<CreatedPayment>;
  /** Re-signs payment params for an order already placed (pay again after a cancel). */
  resign(order: Order): Promise<CreatedPayment>;
  query(order: Order): Promise<GatewayPaymentState>;
  /** Closes at the gateway. Refusals surface as `ChannelError` (`closed`, `notFound`, `rejected`, …). */
  close(order: Order): Promise<CloseOutcome>;
  refund(order: Order, refund: Refund): Promise<GatewayRefundState>;
  queryRefund(order: Order, refund: Refund): Promise<GatewayRefundState>;
  /**
   * The successful payments and refunds of one day as the gateway's reconciliation file lists
   * them (`fileDate` `yyyyMMdd`, China time: the file made that day, of the day before);
   * undefined while the gateway has not produced it yet. Channels without such a file omit it.
   */
  dailyStatement?(fileDate: string): Promise<StatementEntry[] | undefined>;
  /**
   * Verifies and decrypts. Called by its family's notification endpoint (`notification-endpoint.ts`),
   * which alone knows how that gateway wants a refusal answered: errors here are the gateway's own.
   */
  parseNotification(request: RawNotification): Promise<ChannelNotification>;
}

/** The methods that answer in channel-neutral terms (`ChannelError`): all but `parseNotification`. */
export type ChannelOperation = 'create' | 'resign' | 'query' | 'close' | 'refund' | 'queryRefund';

/**
 * A channel error as the app's stable error code (`typings/api.d.ts`), `what` naming the step
 * (`create order`, `close order`, `refund`, …). An `AppError` passes through; anything else is a
 * bug and is rethrown.
 */
export function toChannelAppError(error: unknown, what: string): AppError {
  if (isAppError(error)) return error;
  if (!isChannelError(error)) throw error;
  const message = `${what}: ${error.reason}`;
  switch (error.kind) {
    case 'untrusted':
      return new AppError('GATEWAY_UNTRUSTED', message);
    case 'misconfigured':
      return new AppError('INTERNAL', message, true);
    case 'unavailable':
      return new AppError('GATEWAY_UNAVAILABLE', message, true);
    case 'tooEarly':
      return new AppError('CLOSE_TOO_EARLY', message, true);
    case 'balanceInsufficient':
    case 'notFound':
    case 'closed':
    case 'payerPaying':
    case 'rejected':
    case 'refundNotTaken':
      return new AppError('GATEWAY_REJECTED', message);
  }
}
