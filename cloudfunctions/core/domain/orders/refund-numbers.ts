/**
 * Refund numbers derived from what the refund is for, never drawn at random: the gateway takes
 * `out_refund_no` as the refund's identity ("同一退款单号多次请求只退一笔", and a failed refund must be
 * re-sent under the original number — https://pay.weixin.qq.com/doc/v3/merchant/4012587971), so a
 * retried call, a duplicate notification or the next reconcile run must land on the same number.
 *
 * Shape: a kind letter + 31 hex of SHA-256 → 32 characters of `[0-9A-Za-z]`, inside what every
 * gateway accepts (`isValidOutTradeNo`).
 */
import { createHash } from 'node:crypto';

function derived(kind: 'R' | 'L', ...parts: string[]): string {
  return `${kind}${createHash('sha256').update(parts.join('\u0000')).digest('hex').slice(0, 31)}`;
}

/** An admin's refund: one number per (order, idempotency key) the admin's client sends. */
export function refundNumberForKey(outTradeNo: string, idempotencyKey: string): string {
  return derived('R', 'refund', outTradeNo, idempotencyKey);
}

/** The automatic refund of a payment that arrived after the order was closed: one per payment. */
export function latePaymentRefundNumber(outTradeNo: string, transactionId: string): string {
  return derived('L', 'paid-after-close', outTradeNo, transactionId);
}
