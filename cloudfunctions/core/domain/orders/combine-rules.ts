/**
 * Combine (合单) rules: how the gateway's facts about sub-orders change a combine order's
 * sub-orders, and what closing leaves of them. Pure, used by the order state machine.
 */
import type { Order, SubOrder, SubOrderState } from './model';
import { isPositiveFen } from './model';
import type { OrderEvent, TransitionRejection } from './state-machine';

/** A sub-order's fact from a combine notification or query. */
export interface SubOrderUpdate {
  outTradeNo: string;
  state: SubOrderState;
  transactionId?: string;
  /** When given, checked against the stored sub-order. */
  mchid?: string;
  /** fen; when given, checked against the stored sub-order. */
  amount?: number;
}

/** A combine rule's refusal, in the state machine's terms. */
export type CombineRejection = { kind: 'rejected'; rejected: TransitionRejection; message: string };

function reject(rejected: TransitionRejection, message: string): CombineRejection {
  return { kind: 'rejected', rejected, message };
}

export function isRejection(value: unknown): value is CombineRejection {
  return typeof value === 'object' && value !== null && 'kind' in value && (value as { kind: unknown }).kind === 'rejected';
}

function nonEmpty(value: unknown): value is string {
  return typeof value === 'string' && value.length > 0;
}

export function subOrderMalformed(update: SubOrderUpdate): string | undefined {
  if (!nonEmpty(update.outTradeNo)) return 'sub-order outTradeNo is required';
  if (!nonEmpty(update.state)) return 'sub-order state is required';
  if (update.amount !== undefined && !isPositiveFen(update.amount)) return 'sub-order amount must be a positive integer (fen)';
  return undefined;
}

export function subOrdersMalformed(updates: SubOrderUpdate[] | undefined): string | undefined {
  return updates?.map(subOrderMalformed).find(Boolean);
}

/** Applies sub-order facts; returns the new list, null when nothing changes, or a rejection. */
export function applySubOrders(order: Order, updates: SubOrderUpdate[]): SubOrder[] | null | CombineRejection {
  if (order.channel !== 'combine' || !order.subOrders) return reject('INVALID_EVENT', `order ${order.outTradeNo} has no sub-orders`);
  const next = order.subOrders.map((s) => ({ ...s }));
  let changed = false;
  for (const update of updates) {
    const sub = next.find((s) => s.outTradeNo === update.outTradeNo);
    if (!sub) return reject('UNKNOWN_SUB_ORDER', `sub-order ${update.outTradeNo} is not part of ${order.outTradeNo}`);
    if (update.mchid !== undefined && update.mchid !== sub.mchid) return reject('CONFLICT', `sub-order ${sub.outTradeNo} belongs to mchid ${sub.mchid}`);
    if (update.amount !== undefined && update.amount !== sub.amount) {
      return reject('AMOUNT_MISMATCH', `sub-order ${sub.outTradeNo}: ${update.amount} fen reported, ${sub.amount} fen recorded`);
    }
    if (update.transactionId !== undefined && sub.transactionId !== undefined && update.transactionId !== sub.transactionId) {
      return reject('CONFLICT', `sub-order ${sub.outTradeNo} already has transaction ${sub.transactionId}`);
    }
    if (sub.state !== update.state || (update.transactionId !== undefined && sub.transactionId === undefined)) {
      sub.state = update.state;
      if (update.transactionId !== undefined) sub.transactionId = update.transactionId;
      changed = true;
    }
  }
  return changed ? next : null;
}

/**
 * The order change that the gateway's facts about sub-orders (when it sent any) make: `{}` when
 * there is nothing to change, `{ subOrders }` when there is, or a rejection.
 */
export function subOrderChanges(order: Order, updates: SubOrderUpdate[] | undefined): { subOrders?: SubOrder[] } | CombineRejection {
  if (!updates || updates.length === 0) return {};
  const next = applySubOrders(order, updates);
  if (next === null) return {};
  return isRejection(next) ? next : { subOrders: next };
}

/** Sub-order states in which nothing more can be paid, so closing leaves them as they are. */
const SETTLED_SUB_ORDER_STATES = new Set<SubOrderState>(['SUCCESS', 'REFUND', 'CLOSED', 'REVOKED', 'PAYERROR']);

/** Sub-orders of a closed order: what was not paid can no longer be. */
export function closedSubOrders(subOrders: SubOrder[] | undefined): { subOrders?: SubOrder[] } {
  if (!subOrders) return {};
  return { subOrders: subOrders.map((s) => (SETTLED_SUB_ORDER_STATES.has(s.state) ? { ...s } : { ...s, state: 'CLOSED' })) };
}

/**
 * The gateway id an event teaches: `{}` when it brings none or the order has it already, the id to
 * store in the same change, or a CONFLICT when it contradicts the one recorded (never overwritten).
 */
export function learnedIds(order: Order, event: OrderEvent): { combineTransactionId?: string } | CombineRejection {
  const id = 'combineTransactionId' in event ? event.combineTransactionId : undefined;
  if (id === undefined || order.combineTransactionId === id) return {};
  if (order.combineTransactionId !== undefined) {
    return reject('CONFLICT', `order ${order.outTradeNo} is combine transaction ${order.combineTransactionId}, not ${id}`);
  }
  return { combineTransactionId: id };
}
