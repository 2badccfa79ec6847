/**
 * The only way an order changes state. Pure: the same (order, event, now, actor) always gives the
 * same answer, and nothing is written — the caller stores `next` with a compare-and-set on
 * `order.version` and appends `audit` in the same atomic step.
 *
 *   CREATED ──PREPAY_CREATED──▶ PAYING ──PAID──▶ PAID ──REFUND_STARTED──▶ REFUNDING
 *      │                          │                ▲                          │
 *      ├─CREATE_REJECTED─▶ FAILED ◀─PAYMENT_FAILED │   partial success / fail │
 *      └─CLOSED──────────▶ CLOSED ◀─CLOSED         └──────────────────────────┤
 *                            │                          full amount refunded ─▶ REFUNDED
 *                            └─PAID_AFTER_CLOSE─▶ PAID (marked: refunded automatically)
 *
 * A refund the gateway reports ABNORMAL (REFUND_ABNORMAL) keeps its money reserved and the order
 * REFUNDING until a person re-routes it and the gateway reports SUCCESS or CLOSED.
 *
 * Replaying a fact that is already recorded (a duplicate notification, a query racing a
 * notification) answers `alreadyApplied`, so handlers can reply success without writing.
 *
 * The rules of combine sub-orders live in `combine-rules.ts`, those of refund records in
 * `refund-rules.ts`; this file is the order's own lifecycle.
 */
import type { ClientPaymentParams } from '../../../../typings/api';
import type { AuditActor, AuditEvent, Order, RefundEntry } from './model';
import { isPositiveFen, refundableAmount } from './model';
import { applySubOrders, closedSubOrders, learnedIds, subOrderChanges, subOrderMalformed, subOrdersMalformed, type SubOrderUpdate } from './combine-rules';
import { refundSettledState } from './refund-rules';

export type { SubOrderUpdate };
export { transitionRefund, type RefundTransitionResult, type RefundUpdate } from './refund-rules';

/** The gateway's id of the whole order, when the fact came with one (combine orders). */
export interface GatewayIdFact {
  combineTransactionId?: string;
}

/** Money facts of a paid order the gateway reports once booked (Huifu `settlement_amt`, `fee_amount`), in fen. */
export interface SettlementFact {
  settlementAmount?: number;
  feeAmount?: number;
}

export type OrderEvent =
  | { type: 'PREPAY_CREATED'; prepayId: string; issuedPayment?: ClientPaymentParams }
  | { type: 'CREATE_REJECTED'; reason: string }
  | ({ type: 'PAID'; transactionId: string; paidAt: number; paidAmount: number; subOrders?: SubOrderUpdate[]; settlement?: SettlementFact } & GatewayIdFact)
  | ({ type: 'PAYMENT_FAILED'; reason: string; subOrders?: SubOrderUpdate[] } & GatewayIdFact)
  | ({ type: 'CLOSED'; reason: string; subOrders?: SubOrderUpdate[] } & GatewayIdFact)
  /** A query that found the order still payable, but told us the gateway's id. */
  | { type: 'COMBINE_TRANSACTION_ID_LEARNED'; combineTransactionId: string }
  | { type: 'REFUND_STARTED'; outRefundNo: string; amount: number }
  | { type: 'REFUND_SUCCEEDED'; outRefundNo: string; amount: number }
  | { type: 'REFUND_FAILED'; outRefundNo: string }
  /** The gateway could not deliver the refund (REFUND.ABNORMAL): reserved until a person re-routes it. */
  | { type: 'REFUND_ABNORMAL'; outRefundNo: string }
  /** A verified payment for an order we had closed: recorded (never hidden) and marked for an automatic refund. */
  | { type: 'PAID_AFTER_CLOSE'; transactionId: string; paidAt: number; paidAmount: number; subOrders?: SubOrderUpdate[] }
  | ({ type: 'SUB_ORDER_UPDATED' } & SubOrderUpdate);

export type OrderEventType = OrderEvent['type'];

export type TransitionRejection =
  /** The event is not allowed in the order's current state. */
  | 'INVALID_STATE'
  /** The paid / refunded amount differs from what we recorded. */
  | 'AMOUNT_MISMATCH'
  /** The refund is larger than what is left (paid − refunded − in flight). */
  | 'REFUND_EXCEEDS_PAID'
  /** The event contradicts a recorded fact (another transaction id, another prepay id, …). */
  | 'CONFLICT'
  /** A refund result for a refund this order never started. */
  | 'UNKNOWN_REFUND'
  /** A sub-order this combine order does not have. */
  | 'UNKNOWN_SUB_ORDER'
  /** Malformed event: empty ids, fractional fen, sub-order event on a non-combine order. */
  | 'INVALID_EVENT';

export type TransitionResult =
  | { kind: 'applied'; next: Order; audit: AuditEvent }
  | { kind: 'alreadyApplied'; alreadyApplied: true }
  | { kind: 'rejected'; rejected: TransitionRejection; message: string };

const ALREADY: TransitionResult = Object.freeze({ kind: 'alreadyApplied', alreadyApplied: true }) as TransitionResult;

function reject(rejected: TransitionRejection, message: string): TransitionResult {
  return { kind: 'rejected', rejected, message };
}

function nonEmpty(value: unknown): value is string {
  return typeof value === 'string' && value.length > 0;
}

/** Facts of the event kept in the audit trail (no openids, no auth ids). */
function auditDetail(event: OrderEvent): AuditEvent['detail'] {
  const detail: AuditEvent['detail'] = {};
  for (const [key, value] of Object.entries(event)) {
    if (key === 'type' || key === 'subOrders') continue;
    if (typeof value === 'string' || typeof value === 'number' || typeof value === 'boolean') detail[key] = value;
  }
  if ('subOrders' in event && event.subOrders) detail.subOrders = event.subOrders.length;
  return detail;
}

function malformed(event: OrderEvent): string | undefined {
  if ('combineTransactionId' in event && event.combineTransactionId !== undefined && !nonEmpty(event.combineTransactionId)) {
    return 'combineTransactionId must be a non-empty string';
  }
  switch (event.type) {
    case 'PREPAY_CREATED':
      return nonEmpty(event.prepayId) ? undefined : 'prepayId is required';
    case 'CREATE_REJECTED':
      return typeof event.reason === 'string' ? undefined : 'reason must be a string';
    case 'PAYMENT_FAILED':
    case 'CLOSED':
      if (typeof event.reason !== 'string') return 'reason must be a string';
      return subOrdersMalformed(event.subOrders);
    case 'PAID':
    case 'PAID_AFTER_CLOSE':
      if (!nonEmpty(event.transactionId)) return 'transactionId is required';
      if (!Number.isSafeInteger(event.paidAt) || event.paidAt <= 0) return 'paidAt must be a ms epoch integer';
      if (!isPositiveFen(event.paidAmount)) return 'paidAmount must be a positive integer (fen)';
      return subOrdersMalformed(event.subOrders);
    case 'REFUND_STARTED':
    case 'REFUND_SUCCEEDED':
      if (!nonEmpty(event.outRefundNo)) return 'outRefundNo is required';
      return isPositiveFen(event.amount) ? undefined : 'amount must be a positive integer (fen)';
    case 'REFUND_FAILED':
    case 'REFUND_ABNORMAL':
      return nonEmpty(event.outRefundNo) ? undefined : 'outRefundNo is required';
    case 'SUB_ORDER_UPDATED':
      return subOrderMalformed(event);
    case 'COMBINE_TRANSACTION_ID_LEARNED':
      return nonEmpty(event.combineTransactionId) ? undefined : 'combineTransactionId is required';
    default:
      return `unknown event type ${String((event as { type?: unknown }).type)}`;
  }
}

function isResult(value: unknown): value is TransitionResult {
  return typeof value === 'object' && value !== null && 'kind' in value;
}

export function transition(order: Order, event: OrderEvent, now: number, actor: AuditActor): TransitionResult {
  const problem = malformed(event);
  if (problem) return reject('INVALID_EVENT', problem);

  const learned = learnedIds(order, event);
  if (isResult(learned)) return learned;

  const from = order.state;
  const wrongState = () => reject('INVALID_STATE', `${event.type} is not allowed on a ${from} order`);
  const apply = (changes: Partial<Order>): TransitionResult => {
    // A gateway id the event taught is written in the same change as the fact it came with.
    const next: Order = { ...order, ...learned, ...changes, version: order.version + 1, updatedAt: now };
    const audit: AuditEvent = { at: now, outTradeNo: order.outTradeNo, from, to: next.state, event: event.type, actor, detail: auditDetail(event) };
    return { kind: 'applied', next, audit };
  };
  /** A replayed fact is already recorded, unless it also brings the gateway id we lacked. */
  const already = (): TransitionResult => (learned.combineTransactionId ? apply({}) : ALREADY);

  switch (event.type) {
    case 'PREPAY_CREATED':
      if (from === 'CREATED') return apply({ state: 'PAYING', prepayId: event.prepayId, placedAt: now, ...(event.issuedPayment ? { issuedPayment: event.issuedPayment } : {}) });
      if (order.prepayId === event.prepayId) return ALREADY;
      if (from === 'PAYING') return reject('CONFLICT', `order ${order.outTradeNo} already has prepay id ${order.prepayId ?? '(none)'}`);
      return wrongState();

    case 'CREATE_REJECTED':
      if (from === 'CREATED') return apply({ state: 'FAILED', reason: event.reason });
      if (from === 'FAILED' && order.prepayId === undefined) return ALREADY;
      return wrongState();

    case 'PAID': {
      if (event.paidAmount !== order.amount) {
        return reject('AMOUNT_MISMATCH', `order ${order.outTradeNo}: ${event.paidAmount} fen paid, ${order.amount} fen expected`);
      }
      if (from === 'PAID' || from === 'REFUNDING' || from === 'REFUNDED') {
        if (order.transactionId === event.transactionId) {
          // A later fact about the same payment may bring what the first lacked (the fee, once booked).
          const learnedMoney = newSettlement(order, event.settlement);
          return learnedMoney ? apply(learnedMoney) : already();
        }
        return reject('CONFLICT', `order ${order.outTradeNo} was paid by transaction ${order.transactionId ?? '(none)'}`);
      }
      // FAILED → PAID: a verified gateway says the money arrived (the payer retried in the cashier
      // after a failed attempt). Refusing a fact about money taken would hide it; the audit keeps
      // `from: FAILED`. CLOSED stays refused: the gateway itself no longer accepts payment then.
      if (from !== 'PAYING' && from !== 'FAILED') return wrongState();
      const subOrders = subOrderChanges(order, event.subOrders);
      if (isResult(subOrders)) return subOrders;
      return apply({ state: 'PAID', transactionId: event.transactionId, paidAt: event.paidAt, ...subOrders, ...settlementChanges(event.settlement) });
    }

    case 'PAYMENT_FAILED': {
      if (from === 'FAILED') return already();
      if (from !== 'PAYING') return wrongState();
      // The gateway's per-sub-order facts (which one failed) are stored with the failure.
      const subOrders = subOrderChanges(order, event.subOrders);
      if (isResult(subOrders)) return subOrders;
      return apply({ state: 'FAILED', reason: event.reason, ...subOrders });
    }

    case 'CLOSED': {
      if (from === 'CLOSED') return already();
      if (from !== 'CREATED' && from !== 'PAYING') return wrongState();
      // A closed combine order closes its unpaid sub-orders in the same step, so the stored
      // sub-order states never say NOTPAY for money that can no longer arrive; what the gateway
      // reported about each (REVOKED, PAYERROR, …) is kept.
      const reported = subOrderChanges(order, event.subOrders);
      if (isResult(reported)) return reported;
      return apply({ state: 'CLOSED', reason: event.reason, ...closedSubOrders(reported.subOrders ?? order.subOrders) });
    }

    case 'REFUND_STARTED': {
      const existing = order.refunds.find((r) => r.outRefundNo === event.outRefundNo);
      if (existing) {
        return existing.amount === event.amount ? ALREADY : reject('CONFLICT', `refund ${event.outRefundNo} was started for ${existing.amount} fen`);
      }
      if (from !== 'PAID' && from !== 'REFUNDING') return wrongState();
      const left = refundableAmount(order);
      if (event.amount > left) return reject('REFUND_EXCEEDS_PAID', `refund of ${event.amount} fen exceeds the ${left} fen left on ${order.outTradeNo}`);
      const refunds: RefundEntry[] = [...order.refunds, { outRefundNo: event.outRefundNo, amount: event.amount, state: 'PROCESSING' }];
      return apply({ state: 'REFUNDING', refunds });
    }

    case 'REFUND_SUCCEEDED': {
      const existing = order.refunds.find((r) => r.outRefundNo === event.outRefundNo);
      if (!existing) return reject('UNKNOWN_REFUND', `order ${order.outTradeNo} has no refund ${event.outRefundNo}`);
      if (existing.amount !== event.amount) {
        return reject('AMOUNT_MISMATCH', `refund ${event.outRefundNo}: ${event.amount} fen reported, ${existing.amount} fen started`);
      }
      if (existing.state === 'SUCCESS') return ALREADY;
      // A refund we had written off (ABNORMAL/CLOSED) can still succeed later (abnormal refunds
      // are retried by the merchant): the money left, so record it if it fits.
      if (existing.state === 'FAILED' && event.amount > refundableAmount(order)) {
        return reject('REFUND_EXCEEDS_PAID', `late success of ${event.outRefundNo} exceeds what is left on ${order.outTradeNo}`);
      }
      if (from !== 'REFUNDING' && from !== 'PAID') return wrongState();
      const refunds = order.refunds.map((r) => (r.outRefundNo === event.outRefundNo ? { ...r, state: 'SUCCESS' as const } : r));
      const refundedAmount = order.refundedAmount + event.amount;
      return apply({ refunds, refundedAmount, state: refundSettledState(order.amount, refundedAmount, refunds) });
    }

    case 'REFUND_FAILED': {
      const existing = order.refunds.find((r) => r.outRefundNo === event.outRefundNo);
      if (!existing) return reject('UNKNOWN_REFUND', `order ${order.outTradeNo} has no refund ${event.outRefundNo}`);
      if (existing.state === 'FAILED') return ALREADY;
      if (existing.state === 'SUCCESS') return reject('CONFLICT', `refund ${event.outRefundNo} already succeeded`);
      if (from !== 'REFUNDING') return wrongState();
      const refunds = order.refunds.map((r) => (r.outRefundNo === event.outRefundNo ? { ...r, state: 'FAILED' as const } : r));
      return apply({ refunds, state: refundSettledState(order.amount, order.refundedAmount, refunds) });
    }

    case 'COMBINE_TRANSACTION_ID_LEARNED':
      if (order.channel !== 'combine') return reject('INVALID_EVENT', `order ${order.outTradeNo} is not a combine order`);
      return already();

    case 'REFUND_ABNORMAL': {
      const existing = order.refunds.find((r) => r.outRefundNo === event.outRefundNo);
      if (!existing) return reject('UNKNOWN_REFUND', `order ${order.outTradeNo} has no refund ${event.outRefundNo}`);
      if (existing.state === 'ABNORMAL') return ALREADY;
      // ABNORMAL comes before SUCCESS / CLOSED (a person re-routes the money): a report of it after
      // either is a late, reordered delivery of a step already passed, not a contradiction — answered
      // as applied, changing nothing (a 409 would have the gateway retry it for a day; issue 17 simulation).
      if (existing.state === 'SUCCESS' || existing.state === 'FAILED') return ALREADY;
      if (existing.state !== 'PROCESSING') return reject('CONFLICT', `refund ${event.outRefundNo} is already ${existing.state}`);
      if (from !== 'REFUNDING') return wrongState();
      const refunds = order.refunds.map((r) => (r.outRefundNo === event.outRefundNo ? { ...r, state: 'ABNORMAL' as const } : r));
      return apply({ refunds, state: refundSettledState(order.amount, order.refundedAmount, refunds) });
    }

    case 'PAID_AFTER_CLOSE': {
      if (event.paidAmount !== order.amount) {
        return reject('AMOUNT_MISMATCH', `order ${order.outTradeNo}: ${event.paidAmount} fen paid, ${order.amount} fen expected`);
      }
      if (order.transactionId !== undefined) {
        if (order.transactionId === event.transactionId && order.paidAfterClose) return ALREADY;
        return reject('CONFLICT', `order ${order.outTradeNo} was paid by transaction ${order.transactionId}`);
      }
      if (from !== 'CLOSED') return wrongState();
      const subOrders = subOrderChanges(order, event.subOrders);
      if (isResult(subOrders)) return subOrders;
      return apply({ state: 'PAID', transactionId: event.transactionId, paidAt: event.paidAt, paidAfterClose: true, ...subOrders });
    }

    case 'SUB_ORDER_UPDATED': {
      const { type: _type, ...update } = event;
      const subOrders = applySubOrders(order, [update]);
      if (isResult(subOrders)) return subOrders;
      if (subOrders === null) return ALREADY;
      return apply({ subOrders });
    }
  }
}

function settlementChanges(fact: SettlementFact | undefined): Partial<Order> {
  return {
    ...(fact?.settlementAmount !== undefined ? { settlementAmount: fact.settlementAmount } : {}),
    ...(fact?.feeAmount !== undefined ? { feeAmount: fact.feeAmount } : {}),
  };
}

/** The settlement facts an event adds to (or changes on) a paid order; undefined when nothing is new. */
function newSettlement(order: Order, fact: SettlementFact | undefined): Partial<Order> | undefined {
  const changes = settlementChanges(fact);
  const changed = (Object.keys(changes) as Array<'settlementAmount' | 'feeAmount'>).some((key) => order[key] !== changes[key]);
  return changed ? changes : undefined;
}
