/**
 * Refund rules: the refund record's own small state machine (gateway refund states) and the state
 * an order settles in as its refunds move on. Pure; the order state machine and the refund flow
 * use them.
 */
import type { OrderState, Refund, RefundEntry, RefundState } from './model';
import { OPEN_REFUND_STATES } from './model';

/** The state an order settles in once refunds move on. */
export function refundSettledState(amount: number, refundedAmount: number, refunds: RefundEntry[]): OrderState {
  if (refunds.some((r) => OPEN_REFUND_STATES.has(r.state))) return 'REFUNDING';
  return refundedAmount >= amount ? 'REFUNDED' : 'PAID';
}

export type RefundUpdate = { state: RefundState; refundId?: string; reason?: string; failure?: string };
export type RefundTransitionResult =
  | { kind: 'applied'; next: Refund }
  | { kind: 'alreadyApplied'; alreadyApplied: true }
  | { kind: 'rejected'; rejected: 'INVALID_STATE' | 'CONFLICT'; message: string };

const REFUND_NEXT: Record<RefundState, readonly RefundState[]> = {
  PROCESSING: ['SUCCESS', 'ABNORMAL', 'CLOSED'],
  // An abnormal refund (e.g. the card was cancelled) can be re-routed and still succeed.
  ABNORMAL: ['SUCCESS', 'CLOSED'],
  SUCCESS: [],
  CLOSED: [],
};

/** The refund record's own small state machine (gateway refund states). */
export function transitionRefund(refund: Refund, update: RefundUpdate, now: number): RefundTransitionResult {
  if (update.refundId !== undefined && refund.refundId !== undefined && update.refundId !== refund.refundId) {
    return { kind: 'rejected', rejected: 'CONFLICT', message: `refund ${refund.outRefundNo} has gateway id ${refund.refundId}` };
  }
  const learnsId = update.refundId !== undefined && refund.refundId === undefined;
  if (update.state === refund.state && !learnsId) return { kind: 'alreadyApplied', alreadyApplied: true };
  if (update.state !== refund.state && !REFUND_NEXT[refund.state].includes(update.state)) {
    return { kind: 'rejected', rejected: 'INVALID_STATE', message: `refund ${refund.outRefundNo} cannot go ${refund.state} → ${update.state}` };
  }
  const next: Refund = { ...refund, state: update.state, version: refund.version + 1, updatedAt: now };
  if (update.refundId !== undefined) next.refundId = update.refundId;
  if (update.reason !== undefined) next.reason = update.reason;
  if (update.failure !== undefined) next.failure = update.failure;
  if (update.state === 'SUCCESS' && refund.state !== 'SUCCESS') next.succeededAt = now;
  return { kind: 'applied', next };
}
