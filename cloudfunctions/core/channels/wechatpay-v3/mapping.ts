/**
 * What every WeChat Pay v3 channel shares: the deps shape, times on the wire, and the mapping of
 * gateway answers and notifications (snake_case, `trade_state`, `refund_status`) to the channel
 * vocabulary of `channel.ts`. The channels stay one screen each; this file is their dictionary.
 */
import { WechatPayError } from '../../gateways/wechatpay/errors';
import type { V3Client } from '../../gateways/wechatpay/client';
import type { Clock, NonceSource } from '../../kernel/nonce';
import { parseNotificationOrThrow } from '../../gateways/wechatpay/notification';
import { payscoreOrderOf } from '../wechatpay-payscore/mapping';
import type { CombineTransactionResource, RefundResource, TransactionResource, WechatPayNotification } from '../../gateways/wechatpay/notification-types';
import type { Verifier } from '../../gateways/wechatpay/auth/verifier';
import type { Signer } from '../../gateways/wechatpay/auth/signer';
import type { Order } from '../../domain/orders/model';
import { buildPayParams } from '../../gateways/wechatpay/paysign';
import type { V3Response } from '../../gateways/wechatpay/client';
import { unpaidTradeState } from '../wechatpay-trade-state';
import type { ChannelNotification, CloseOutcome, CreatedPayment, GatewayPaymentState, GatewayRefundState, GatewaySubOrderState, RawNotification } from '../port';

/** Merchant facts a v3 channel needs (a projection of `MerchantConfig`, keys already loaded). */
export interface V3ChannelConfig {
  appid: string;
  mchid: string;
  /** No query string (seed 004). */
  notifyUrl: string;
  /** Signs `wx.requestPayment` parameters (the merchant API key's Signer; never the key itself). */
  signer: Signer;
  /** Decrypts notification resources. */
  apiV3Key: string;
  /** Verifies notifications (the client verifies responses itself). */
  verifier: Verifier;
  /**
   * Certificate mode: a notification names a platform serial we do not hold. Fetches the
   * certificates (single-flight, rate-limited) and says whether the serial is known now.
   */
  onUnknownSerial?: (serial: string) => Promise<boolean>;
}

/** The small object every v3 channel factory takes (jsapi, native, combine). */
export interface V3ChannelDeps {
  config: V3ChannelConfig;
  /** `download` (bill files) is optional: without it the channel offers no daily statement. */
  client: Pick<V3Client, 'request'> & Partial<Pick<V3Client, 'download'>>;
  /** ms epoch; default Date.now. */
  now?: Clock;
  nonce?: NonceSource;
}

const BEIJING_OFFSET_MS = 8 * 3600_000;

/** RFC 3339 with the +08:00 offset WeChat Pay uses in its samples, e.g. `2026-11-25T20:00:00+08:00`. */
export function toRfc3339(ms: number): string {
  return new Date(Math.floor(ms / 1000) * 1000 + BEIJING_OFFSET_MS).toISOString().replace(/\.\d{3}Z$/, '+08:00');
}

/** Parses a gateway time; `fallback` when absent or unreadable (the fact matters more than the time). */
export function fromRfc3339(text: unknown, fallback: number): number {
  const ms = typeof text === 'string' ? Date.parse(text) : NaN;
  return Number.isFinite(ms) && ms > 0 ? ms : fallback;
}

/** `trade_state` of a JSAPI/native transaction (query answer or notification) → our state. */
export function paymentStateOf(tx: Partial<TransactionResource>, now: number): GatewayPaymentState {
  const description = typeof tx.trade_state_desc === 'string' ? tx.trade_state_desc : '';
  switch (tx.trade_state) {
    case 'SUCCESS':
    // REFUND: paid, and a refund was started since; the payment itself stands.
    case 'REFUND': {
      const total = tx.amount?.total;
      if (typeof tx.transaction_id !== 'string' || !tx.transaction_id || !Number.isSafeInteger(total)) {
        throw new WechatPayError('RESPONSE_MALFORMED', `paid transaction ${String(tx.out_trade_no)} lacks transaction_id or amount.total`);
      }
      return { kind: 'PAID', transactionId: tx.transaction_id, paidAt: fromRfc3339(tx.success_time, now), paidAmount: total as number };
    }
    default: {
      const unpaid = unpaidTradeState(tx.trade_state, description);
      if (unpaid) return unpaid;
      throw new WechatPayError('RESPONSE_MALFORMED', `unknown trade_state ${String(tx.trade_state)}`);
    }
  }
}

/** A combine order is paid when every sub-order is; its id is the first sub-order's transaction. */
export function combinePaymentStateOf(resource: Partial<CombineTransactionResource>, now: number): GatewayPaymentState {
  const subs = Array.isArray(resource.sub_orders) ? resource.sub_orders : [];
  if (subs.length === 0) throw new WechatPayError('RESPONSE_MALFORMED', 'combine transaction without sub_orders');
  const subOrders: GatewaySubOrderState[] = subs.map((s) => ({
    mchid: s.mchid,
    outTradeNo: s.out_trade_no,
    tradeState: s.trade_state,
    amount: s.amount?.total_amount,
    ...(s.transaction_id ? { transactionId: s.transaction_id } : {}),
    ...(s.individual_auth_id ? { individualAuthId: s.individual_auth_id } : {}),
  }));
  const states = subs.map((s) => s.trade_state);
  // Stored on the order once known: the published 个人收款 query by id needs it.
  const ids = typeof resource.combine_transaction_id === 'string' && resource.combine_transaction_id ? { combineTransactionId: resource.combine_transaction_id } : {};
  if (states.every((s) => s === 'SUCCESS' || s === 'REFUND')) {
    const transactionId = subs[0].transaction_id;
    if (!transactionId) throw new WechatPayError('RESPONSE_MALFORMED', 'paid combine sub-order lacks transaction_id');
    const paidAt = Math.max(...subs.map((s) => fromRfc3339(s.success_time, now)));
    const paidAmount = subs.reduce((sum, s) => sum + (s.amount?.total_amount ?? NaN), 0);
    return { kind: 'PAID', transactionId, paidAt, paidAmount, subOrders, ...ids };
  }
  if (states.some((s) => s === 'PAYERROR')) return { kind: 'FAILED', reason: 'payment failed', subOrders, ...ids };
  if (states.some((s) => s === 'CLOSED' || s === 'REVOKED')) return { kind: 'CLOSED', reason: 'closed at the gateway', subOrders, ...ids };
  return { kind: 'PENDING', ...ids };
}

/** A refund answer or notification → our refund state. */
export function refundStateOf(resource: Partial<RefundResource> & { status?: string }): GatewayRefundState {
  // The refund API answers `status`; refund notifications say `refund_status`.
  const status = resource.refund_status ?? resource.status;
  if (status !== 'SUCCESS' && status !== 'PROCESSING' && status !== 'ABNORMAL' && status !== 'CLOSED') {
    throw new WechatPayError('RESPONSE_MALFORMED', `unknown refund status ${String(status)}`);
  }
  const amount = resource.amount?.refund;
  if (typeof resource.out_refund_no !== 'string' || !Number.isSafeInteger(amount)) {
    throw new WechatPayError('RESPONSE_MALFORMED', 'refund answer lacks out_refund_no or amount.refund');
  }
  return { outRefundNo: resource.out_refund_no, state: status, amount: amount as number, ...(resource.refund_id ? { refundId: resource.refund_id } : {}) };
}

/** A verified, decrypted v3 notification in channel vocabulary. */
export function toChannelNotification(n: WechatPayNotification, now: number): ChannelNotification {
  switch (n.kind) {
    case 'transaction':
      return {
        kind: 'payment',
        notificationId: n.id,
        outTradeNo: n.resource.out_trade_no,
        appid: n.resource.appid,
        mchid: n.resource.mchid,
        state: paymentStateOf(n.resource, now),
      };
    case 'combine_transaction':
      return {
        kind: 'payment',
        notificationId: n.id,
        outTradeNo: n.resource.combine_out_trade_no,
        appid: n.resource.combine_appid,
        mchid: n.resource.combine_mchid,
        state: combinePaymentStateOf(n.resource, now),
      };
    case 'refund':
      return { kind: 'refund', notificationId: n.id, outTradeNo: n.resource.out_trade_no, mchid: n.resource.mchid, refund: refundStateOf(n.resource) };
    case 'payscore':
      return { kind: 'payscore', notificationId: n.id, eventType: n.event_type === 'PAYSCORE.USER_PAID' ? 'USER_PAID' : 'USER_CONFIRM', order: payscoreOrderOf(n.resource) };
    default:
      return { kind: 'ignored', notificationId: n.id, eventType: n.event_type };
  }
}

/**
 * Verify on the raw body, decrypt, map. Throws WechatPayError with a stable code when untrusted.
 * A notification signed under a serial we do not hold gets one certificate fetch and one more
 * verification before it is refused: WeChat Pay announces a new platform certificate and then
 * signs with it (平台证书更新指引, https://pay.weixin.qq.com/wiki/doc/apiv3/wechatpay/wechatpay5_0.shtml,
 * "惰性加载").
 */
export async function parseV3Notification(request: RawNotification, deps: Pick<V3ChannelDeps, 'config' | 'now'>): Promise<ChannelNotification> {
  const clock = deps.now ?? Date.now;
  const parse = () => parseNotificationOrThrow({ headers: request.headers, body: request.body }, { verifier: deps.config.verifier, apiV3Key: deps.config.apiV3Key, clock });
  let notification: WechatPayNotification;
  try {
    notification = parse();
  } catch (error) {
    const serial = error instanceof WechatPayError && error.code === 'SERIAL_UNKNOWN' ? error.serial : undefined;
    if (!serial || !deps.config.onUnknownSerial || !(await deps.config.onUnknownSerial(serial))) throw error;
    notification = parse();
  }
  try {
    return toChannelNotification(notification, clock());
  } catch (error) {
    // A verified notification whose facts we cannot read: malformed, not untrusted.
    if (error instanceof WechatPayError) throw new WechatPayError('NOTIFICATION_MALFORMED', error.reason);
    throw error;
  }
}

/**
 * What a verified 2xx answer to a close request means. 204 No Content is the documented success
 * (https://pay.weixin.qq.com/doc/v3/merchant/4012556398). 202 is "USER_PAYING 用户支付中" on the
 * current JSAPI/mini-program close page and "USERPAYING" on the older tables and the 个人收款 close
 * page (https://pay.weixin.qq.com/docs/merchant/apis/personal-collections/close-order.html): the
 * payer is in the cashier, nothing was closed. Any other 2xx confirms nothing either.
 */
export function closeOutcomeOf(res: V3Response<unknown>, what: string): CloseOutcome {
  if (res.status === 204 || (res.status === 200 && res.body === '')) return { kind: 'closed' };
  const body = (res.data && typeof res.data === 'object' ? res.data : {}) as { code?: unknown; message?: unknown };
  const code = typeof body.code === 'string' ? body.code : `HTTP_${res.status}`;
  const message = typeof body.message === 'string' ? body.message : '';
  if (res.status === 202) return { kind: 'payerPaying', code, message };
  throw new WechatPayError('RESPONSE_MALFORMED', `${what}: unexpected ${res.status} ${code} to a close`, { status: res.status, requestId: res.requestId });
}

/**
 * The prepay id of an order-placing answer, or RESPONSE_MALFORMED: a 2xx without one is a
 * gateway fault, never something to sign.
 */
export function prepayIdOf(res: V3Response<{ prepay_id?: unknown }>, what: string): string {
  const prepayId = res.data?.prepay_id;
  if (typeof prepayId !== 'string' || !prepayId) throw new WechatPayError('RESPONSE_MALFORMED', `${what} answer lacks prepay_id`, { status: res.status, requestId: res.requestId });
  return prepayId;
}

/** Pay-sign a prepay with the appid the order was created with, never a fresh read of config (seed 000 step 7). */
export async function signPrepay(deps: V3ChannelDeps, order: Order, prepayId: string): Promise<CreatedPayment> {
  return {
    prepayId,
    // The mini-program cashier's kind of parameters (`wx.requestPayment`).
    payment: { kind: 'miniprogram', ...(await buildPayParams({ appId: order.appid, prepayId, signer: deps.config.signer }, { clock: deps.now ?? Date.now, nonce: deps.nonce })) },
  };
}

/** Pay again after a cancel: the same prepay, freshly signed. */
export async function resignPrepay(deps: V3ChannelDeps, order: Order): Promise<CreatedPayment> {
  if (!order.prepayId) throw new WechatPayError('ARGUMENT_INVALID', `order ${order.outTradeNo} has no prepay id to sign`);
  return signPrepay(deps, order, order.prepayId);
}
