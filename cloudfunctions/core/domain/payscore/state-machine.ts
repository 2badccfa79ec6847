/**
 * The PayScore order's lifecycle: `(order, event) → decision`, pure. The ledger loop
 * (`domain/ledger.ts` applyToLedger) runs it under compare-and-set; every applied event appends
 * one audit entry to `history` in the same write.
 */
import { FINAL_PAYSCORE_STATES, liveDeduction, payscoreLabel, type PayScoreActor, type PayScoreAuditEntry, type PayScoreLine, type PayScoreOrder } from './model';
import type { Decision } from '../ledger';

export type PayScoreEvent =
  /** The user confirmed in PayScore (notification or query). */
  | { type: 'CONFIRMED' }
  /** The merchant completed the service at the gateway with the final amount. */
  | { type: 'COMPLETED'; totalAmount: number; postPayments: PayScoreLine[]; postDiscounts: PayScoreLine[]; endTime: string }
  /** The gateway took a deduction registration (the previous live one, if any, was spent). */
  | { type: 'DEDUCTION_REGISTERED'; outTradeNo: string; lifetimeMs: number }
  /** The clearing institution collected (notification or query). */
  | { type: 'PAID'; paidAmount: number; outTradeNo?: string }
  | { type: 'CANCELLED'; reason: string }
  | { type: 'EXPIRED' };

export type PayScoreRejection = 'INVALID_STATE' | 'AMOUNT_MISMATCH' | 'DEDUCTION_REUSED';

export type PayScoreDecision = Decision<PayScoreOrder, PayScoreAuditEntry, PayScoreRejection>;

const reject = (rejected: PayScoreRejection, message: string): PayScoreDecision => ({ kind: 'rejected', rejected, message });

export function transitionPayScore(order: PayScoreOrder, event: PayScoreEvent, at: number, actor: PayScoreActor): PayScoreDecision {
  const from = payscoreLabel(order);
  const move = (changes: Partial<PayScoreOrder>, note?: string): PayScoreDecision => {
    const next: PayScoreOrder = { ...order, ...changes, updatedAt: at, version: order.version + 1 };
    if (next.state !== 'DOING') delete next.stateDescription;
    const audit: PayScoreAuditEntry = { at, from, to: payscoreLabel(next), event: event.type, actor, ...(note ? { note } : {}) };
    next.history = [...order.history, audit];
    return { kind: 'applied', next, audit };
  };
  const wrongState = () => reject('INVALID_STATE', `service order ${order.outOrderNo} is ${from}: ${event.type} does not apply`);
  const isFinal = FINAL_PAYSCORE_STATES.includes(order.state);

  switch (event.type) {
    case 'CONFIRMED':
      if (order.state === 'DOING' || order.state === 'DONE') return { kind: 'alreadyApplied' };
      if (order.state !== 'CREATED') return wrongState();
      return move({ state: 'DOING', stateDescription: 'USER_CONFIRM' });

    case 'COMPLETED': {
      if (order.completion) {
        return order.completion.totalAmount === event.totalAmount ? { kind: 'alreadyApplied' } : reject('AMOUNT_MISMATCH', `service order ${order.outOrderNo} was completed at ${order.completion.totalAmount} fen, not ${event.totalAmount}`);
      }
      if (order.state !== 'DOING' || order.stateDescription !== 'USER_CONFIRM') return wrongState();
      const completion = { totalAmount: event.totalAmount, postPayments: event.postPayments, postDiscounts: event.postDiscounts, completedAt: at, endTime: event.endTime };
      // Nothing to collect: the gateway finishes the order at once (no USER_PAID follows).
      if (event.totalAmount === 0) return move({ state: 'DONE', completion, paidAmount: 0 }, 'total 0: nothing to collect');
      return move({ state: 'DOING', stateDescription: 'MCH_COMPLETE', collectionState: 'USER_PAYING', completion }, `total ${event.totalAmount} fen`);
    }

    case 'DEDUCTION_REGISTERED': {
      const same = order.deductions.find((d) => d.outTradeNo === event.outTradeNo);
      if (same) return same.outcome === 'live' ? { kind: 'alreadyApplied' } : reject('DEDUCTION_REUSED', `deduction ${event.outTradeNo} was used already (${same.outcome}): a retry needs a new out_trade_no`);
      if (order.state !== 'DOING' || order.stateDescription !== 'MCH_COMPLETE') return wrongState();
      // The gateway takes a new registration only once the previous attempt is over: it was spent.
      const deductions = order.deductions.map((d) => (d.outcome === 'live' ? { ...d, outcome: d.expiresAt > at ? ('spent' as const) : ('lapsed' as const) } : d));
      deductions.push({ outTradeNo: event.outTradeNo, registeredAt: at, expiresAt: at + event.lifetimeMs, outcome: 'live' });
      return move({ deductions }, `deduction ${event.outTradeNo}`);
    }

    case 'PAID': {
      if (order.state === 'DONE' && order.collectionState === 'USER_PAID') {
        return order.paidAmount === event.paidAmount ? { kind: 'alreadyApplied' } : reject('AMOUNT_MISMATCH', `service order ${order.outOrderNo} was paid ${order.paidAmount} fen, not ${event.paidAmount}`);
      }
      if (order.state !== 'DOING' || order.stateDescription !== 'MCH_COMPLETE' || !order.completion) return wrongState();
      if (event.paidAmount !== order.completion.totalAmount) {
        return reject('AMOUNT_MISMATCH', `service order ${order.outOrderNo}: ${event.paidAmount} fen collected, ${order.completion.totalAmount} completed`);
      }
      const deductions = order.deductions.map((d) => (d.outcome === 'live' && (event.outTradeNo === undefined || d.outTradeNo === event.outTradeNo) ? { ...d, outcome: 'paid' as const } : d));
      const paidOutTradeNo = event.outTradeNo ?? deductions.find((d) => d.outcome === 'paid')?.outTradeNo;
      return move({ state: 'DONE', collectionState: 'USER_PAID', paidAmount: event.paidAmount, deductions, ...(paidOutTradeNo ? { paidOutTradeNo } : {}) }, paidOutTradeNo ? `deduction ${paidOutTradeNo}` : undefined);
    }

    case 'CANCELLED':
      if (order.state === 'REVOKED') return { kind: 'alreadyApplied' };
      if (isFinal) return wrongState();
      if (liveDeduction(order, at)) return reject('INVALID_STATE', `service order ${order.outOrderNo} has a live deduction registration: it cannot be cancelled for 24 h`);
      return move({ state: 'REVOKED', cancelReason: event.reason }, event.reason);

    case 'EXPIRED':
      if (order.state === 'EXPIRED') return { kind: 'alreadyApplied' };
      if (order.state !== 'CREATED') return wrongState();
      return move({ state: 'EXPIRED' });
  }
}
