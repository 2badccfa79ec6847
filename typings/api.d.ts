/**
 * The one contract between mini-program pages and cloud functions.
 *
 * A call is named `<function>.<action>` (or just `<function>` when the function has one job).
 * The page sends `{ action, ...request }` as the function's event data; the function answers an
 * `ApiResult`. Both `miniprogram/services/api.ts` and the handlers are typed against `Calls`, so
 * a renamed field breaks the build, not production.
 *
 * Money is integer fen everywhere in this file.
 */

/** Stable error codes. Pages switch on these; never rename one, only add. */
export type ErrorCode =
  /** The event failed its schema: wrong type, missing field, fractional fen, … */
  | 'INVALID_ARGUMENT'
  /** The function has no such action. */
  | 'UNKNOWN_ACTION'
  /** No caller identity (local host: missing/invalid session). */
  | 'UNAUTHENTICATED'
  /** Caller is known but not allowed (e.g. refund by a non-admin, someone else's order). */
  | 'FORBIDDEN'
  | 'NOT_FOUND'
  /** Amount outside the merchant's configured bounds. */
  | 'AMOUNT_OUT_OF_RANGE'
  /** The order is in a state that does not allow this step (e.g. close a paid order). */
  | 'INVALID_STATE'
  /** The gateway refuses to close an order younger than its minimum close interval. */
  | 'CLOSE_TOO_EARLY'
  /**
   * A close the gateway did not perform because the payer is paying right now (202 USERPAYING):
   * the order stays PAYING and may still be paid. Retryable; reconcile closes it once expired.
   */
  | 'PAYER_PAYING'
  /** The gateway rejected the request for a final reason (PARAM_ERROR, …); not retryable. */
  | 'GATEWAY_REJECTED'
  /** The gateway is unavailable after our bounded retries; retrying later may work. */
  | 'GATEWAY_UNAVAILABLE'
  /** The channel asked for is not configured on this server (its gateway's config section is missing); not retryable. */
  | 'CHANNEL_UNAVAILABLE'
  /** A gateway response failed signature verification. */
  | 'GATEWAY_UNTRUSTED'
  /** The payee has not (or no longer) authorized receiving money. */
  | 'PAYEE_NOT_AUTHORIZED'
  /** signParams asked by a payee who is already authorized. */
  | 'PAYEE_ALREADY_AUTHORIZED'
  /** A user tried to pay themself. */
  | 'SELF_PAY'
  /** Refund larger than what is left to refund. */
  | 'REFUND_EXCEEDS_PAID'
  /**
   * The gateway refused a refund with 403 NOT_ENOUGH: the merchant account's balance available
   * for refunds is too low. The refund keeps its number and `reconcile` re-sends it once topped up.
   */
  | 'REFUND_BALANCE_INSUFFICIENT'
  /** PayScore complete: totalAmount ≠ Σ postPayments.amount − Σ postDiscounts.amount. */
  | 'PAYSCORE_TOTAL_MISMATCH'
  /** PayScore complete: totalAmount above the risk fund the user confirmed. */
  | 'PAYSCORE_EXCEEDS_RISK_FUND'
  /** PayScore: a step from another appid than the service order was created under. */
  | 'PAYSCORE_APPID_MISMATCH'
  /** PayScore cancel while a deduction registration is live (24 h). */
  | 'PAYSCORE_DEDUCTION_LIVE'
  /** PayScore registerDeduction with an out_trade_no already registered: a retry needs a new one. */
  | 'PAYSCORE_DEDUCTION_REUSED'
  /** The mini-program could not reach the function (network, host down, cloud error). */
  | 'TRANSPORT_ERROR'
  | 'INTERNAL';

export interface ApiError {
  ok: false;
  code: ErrorCode;
  message: string;
  /** True when the same call may succeed if retried unchanged. */
  retryable?: boolean;
}
export interface ApiOk<T> {
  ok: true;
  data: T;
}
export type ApiResult<T> = ApiOk<T> | ApiError;

export type OrderState = 'CREATED' | 'PAYING' | 'PAID' | 'CLOSED' | 'FAILED' | 'REFUNDING' | 'REFUNDED';
/** Channel names come from one list (`pay-channels.ts`; adding a channel is one line there). */
export type { PayChannel, LivePayChannel } from './pay-channels';
import type { PayChannel, LivePayChannel } from './pay-channels';
/** The merchant console (function `admin`): its own file. */
import type { AdminCalls } from './admin-api';
export type * from './admin-api';

/** What a page may see of an order. Never contains keys, auth ids or the payer's openid. */
export interface OrderView {
  outTradeNo: string;
  channel: PayChannel;
  /** fen */
  amount: number;
  description: string;
  state: OrderState;
  /** ISO 8601 */
  createdAt: string;
  /** ISO 8601; after this the order can no longer be paid. */
  expiresAt: string;
  paidAt?: string;
  transactionId?: string;
  /** fen refunded so far (partial refunds add up). */
  refundedAmount: number;
  /** Combine orders: who receives the money. */
  payee?: { displayName: string };
  /** Set when the state is FAILED or CLOSED for a reason worth showing. */
  reason?: string;
}

/** Arguments for `wx.requestPayment` (v3: signType RSA; v2/Huifu may be MD5 or HMAC-SHA256). */
export interface RequestPaymentParams {
  timeStamp: string;
  nonceStr: string;
  package: string;
  signType: 'RSA' | 'MD5' | 'HMAC-SHA256';
  paySign: string;
}

/** The mini-program cashier: exactly what `wx.requestPayment` takes, tagged. */
export interface MiniProgramPaymentParams extends RequestPaymentParams {
  kind: 'miniprogram';
}

/**
 * An APP's cashier: the OpenSDK `PayReq` (appId, partnerId, prepayId, packageValue = `Sign=WXPay`,
 * nonceStr, timeStamp, sign). Field names as the published APP 调起支付 samples set them
 * (https://pay.weixin.qq.com/doc/v3/partner/4012167492); the sign's rule differs by API version
 * (v2: PROTOCOL.md §4, seed 003 "APP invoke"). `appId` optional: seed 003 sets it on Android only.
 */
export interface AppPaymentParams {
  kind: 'app';
  appId?: string;
  partnerId: string;
  prepayId: string;
  packageValue: string;
  nonceStr: string;
  timeStamp: string;
  sign: string;
}

/**
 * Huifu DouGong: the `pay_info` of 聚合正扫, a JSON string carrying the mini-program cashier's
 * values as Huifu signed them (PROTOCOL.md §3: pass through what it carries).
 */
export interface HuifuPaymentParams {
  kind: 'huifu';
  payInfo: string;
}

/** What a page or app receives to open a cashier; `kind` says which one. */
export type ClientPaymentParams = MiniProgramPaymentParams | AppPaymentParams | HuifuPaymentParams;

export interface PayCreateRequest {
  channel: LivePayChannel;
  /** fen, positive integer */
  amount: number;
  /** Optional note shown to the payer; the merchant's default description otherwise. */
  description?: string;
  /** Client-generated; a retried create with the same key returns the same order. 8–64 chars [A-Za-z0-9_-]. */
  idempotencyKey: string;
  /** channel `combine`: the payee's share code. */
  payeeCode?: string;
}
export interface PayCreateResponse {
  order: OrderView;
  /** Present while the order can be paid. */
  payment?: ClientPaymentParams;
}

export interface PayListResponse {
  orders: OrderView[];
  /** Pass back as `cursor` to get the next (older) page; absent on the last page. */
  nextCursor?: string;
}

export interface PayeeStatus {
  /** Whether the caller can receive money now (gateway says AUTHORIZED). */
  authorized: boolean;
  authState: 'AUTHORIZED' | 'UNAUTHORIZED';
  /** ISO 8601 of the gateway query this answer comes from. */
  checkedAt: string;
}

/** Input of the individual-payee signing page (seed 000 requestSign). */
export interface PayeeSignParams {
  mchid: string;
  appid: string;
  timeStamp: string;
  nonceStr: string;
  /** `openid=<openid>&permissionType=INDIVIDUAL_PAYEE` */
  package: string;
  signType: 'RSA';
  /** Serial of the merchant API certificate that signed (the published requestSign page requires it). */
  certSerialNo: string;
  signature: string;
}

export interface PayeeProfile {
  displayName: string;
  /** Others pay this person by opening checkout with this code. */
  shareCode: string;
  authorized: boolean;
}

/** What made an admin alert: money or a refund that needs a person to look. */
export type AlertKind =
  /** A verified payment arrived for an order already CLOSED: refunded automatically. */
  | 'PAID_AFTER_CLOSE'
  /** A verified payment could not be recorded (amount, another transaction, a state that takes no money). */
  | 'PAYMENT_NOT_APPLIED'
  /** The gateway reports a refund ABNORMAL (e.g. the payer's card was cancelled): handle it in the merchant platform. */
  | 'REFUND_ABNORMAL'
  /** The gateway closed a refund: the money stayed with the merchant. */
  | 'REFUND_CLOSED'
  /** The gateway refused a refund for good (PARAM_ERROR, INVALID_REQUEST, USER_ACCOUNT_ABNORMAL, …), or the channel cannot refund. */
  | 'REFUND_REJECTED'
  /** 403 NOT_ENOUGH: the refund waits for the merchant account to be topped up. */
  | 'REFUND_BALANCE_INSUFFICIENT'
  /** The gateway took the money but could not book it to the merchant's account (Huifu accounting notification acct_stat F). */
  | 'BOOKING_FAILED'
  /** The gateway's daily reconciliation file and our store disagree about an order or refund. */
  | 'RECONCILIATION_MISMATCH';

/** What a daily reconciliation file and our store disagree about (`pay.statement`, `reconcile`). */
export type StatementMismatchKind =
  /** Paid there, and no such order here. */
  | 'UNKNOWN_PAYMENT'
  /** Paid there, not paid here. */
  | 'NOT_PAID_HERE'
  /** Paid on both sides, amounts differ. */
  | 'AMOUNT_DIFFERS'
  /** Paid here that day, absent from the file. */
  | 'MISSING_THERE'
  /** Refunded there, no such refund here. */
  | 'UNKNOWN_REFUND'
  /** Refunded there, still open (or failed) here. */
  | 'REFUND_NOT_SETTLED_HERE'
  /** Refunded on both sides, amounts differ. */
  | 'REFUND_AMOUNT_DIFFERS';

export interface StatementMismatch {
  kind: StatementMismatchKind;
  outTradeNo: string;
  outRefundNo?: string;
  /** fen: the file's amount (ours for MISSING_THERE). */
  amount: number;
  /** The store now agrees with the gateway (recorded after a verified query). */
  corrected: boolean;
  detail: string;
}

/** One channel's daily file compared with the store; every mismatch is also an alert. */
export interface StatementReport {
  channel: PayChannel;
  /** `yyyyMMdd` (China time): the file made that day, listing the day before. */
  fileDate: string;
  /** False while the gateway has not produced the file. */
  ready: boolean;
  entries: number;
  mismatches: StatementMismatch[];
}

/** An alert as an admin lists it. Money in fen; no openids. */
export interface AlertView {
  id: string;
  kind: AlertKind;
  /** ISO 8601 */
  createdAt: string;
  outTradeNo: string;
  outRefundNo?: string;
  transactionId?: string;
  /** fen */
  amount?: number;
  /** What happened and what to do next. */
  message: string;
  /** ISO 8601; present once an admin acknowledged it (`admin.acknowledgeAlert`). */
  acknowledgedAt?: string;
}

export type { PayScoreCreateRequest, PayScoreCompleteRequest, PayScoreView, PayScoreConfirmParams, PayScoreLine } from './payscore';
import type { PayScoreCreateRequest, PayScoreCompleteRequest, PayScoreView } from './payscore';

/** Every call: request (without `action`) and the `data` of a successful answer. */
export interface Calls extends AdminCalls {
  login: { req: Record<string, never>; res: { openid: string; appid: string; unionid?: string } };

  'pay.create': { req: PayCreateRequest; res: PayCreateResponse };
  'pay.query': { req: { outTradeNo: string }; res: { order: OrderView } };
  'pay.close': { req: { outTradeNo: string }; res: { order: OrderView } };
  'pay.list': { req: { pageSize?: number; cursor?: string; role?: 'payer' | 'payee' }; res: PayListResponse };
  'pay.refund': {
    /**
     * `idempotencyKey` (8–64 chars [A-Za-z0-9_-]) fixes the refund's out_refund_no: a retried call
     * (after a timeout) resumes the same refund and never starts a second one.
     */
    req: { outTradeNo: string; amount: number; reason?: string; idempotencyKey: string };
    res: { order: OrderView; refund: { outRefundNo: string; amount: number; state: 'PROCESSING' | 'SUCCESS' | 'ABNORMAL' | 'CLOSED' } };
  };

  /** Admins only: alerts newest first. */
  'pay.alerts': { req: { pageSize?: number; cursor?: string }; res: { alerts: AlertView[]; nextCursor?: string } };
  /** Admins only: compare the gateways' reconciliation file of `fileDate` (default today, China time) with the store, correcting by query. */
  'pay.statement': { req: { fileDate?: string }; res: { reports: StatementReport[] } };

  'payee.status': { req: Record<string, never>; res: PayeeStatus };
  'payee.signParams': { req: Record<string, never>; res: PayeeSignParams };
  'payee.confirm': { req: Record<string, never>; res: PayeeStatus };
  'payee.profile': { req: { displayName?: string }; res: PayeeProfile };
  'payee.card': { req: { shareCode: string }; res: { displayName: string; canReceive: boolean } };

  /** PayScore (先享后付): the user's own service orders; complete and deductions are admins'. */
  'payscore.create': { req: PayScoreCreateRequest; res: { order: PayScoreView } };
  'payscore.query': { req: { outOrderNo: string }; res: { order: PayScoreView } };
  'payscore.cancel': { req: { outOrderNo: string; reason: string }; res: { order: PayScoreView } };
  'payscore.complete': { req: PayScoreCompleteRequest; res: { order: PayScoreView } };
  'payscore.registerDeduction': { req: { outOrderNo: string; outTradeNo: string }; res: { order: PayScoreView } };
  'payscore.queryDeduction': { req: { outOrderNo: string }; res: { order: PayScoreView; outTradeNo?: string; description?: string } };
}

export type CallName = keyof Calls;
export type CallRequest<N extends CallName> = Calls[N]['req'];
export type CallResponse<N extends CallName> = Calls[N]['res'];

/** The cloud function a call goes to: `pay.create` → `pay`. */
export type FunctionOf<N extends CallName> = N extends `${infer F}.${string}` ? F : N;
