/**
 * Structural record checks shared by every adapter, so they refuse the same inputs with the same
 * error codes before touching storage. Structural only (types, integer fen, versions, keys that
 * identify a record): which transitions are allowed is the domain's business, never the store's.
 */
import type { Alert } from '../domain/orders/alerts';
import { alertProblems } from '../domain/orders/alerts';
import type { AuditEvent, Order, Refund } from '../domain/orders/model';
import { orderProblems, refundProblems, ORDER_STATES } from '../domain/orders/model';
import type { Payee } from './port';
import { StoreError } from './port';

export function checkOrder(order: Order): void {
  const problems = orderProblems(order);
  if (problems.length) throw new StoreError('INVALID_RECORD', `order ${String(order?.outTradeNo)}: ${problems.join('; ')}`);
}

/** A new order enters at version 1. */
export function checkNewOrder(order: Order): void {
  checkOrder(order);
  if (order.version !== 1) throw new StoreError('INVALID_RECORD', `new order ${order.outTradeNo} must have version 1`);
}

export function checkOrderUpdate(next: Order, expectedVersion: number, audit: AuditEvent): void {
  checkOrder(next);
  if (!Number.isSafeInteger(expectedVersion) || next.version !== expectedVersion + 1) {
    throw new StoreError('INVALID_RECORD', `order ${next.outTradeNo}: next.version ${next.version} must be expectedVersion ${expectedVersion} + 1`);
  }
  checkAudit(audit, next.outTradeNo);
}

export function checkAudit(audit: AuditEvent, outTradeNo: string): void {
  if (!audit || audit.outTradeNo !== outTradeNo) throw new StoreError('INVALID_RECORD', `audit entry must belong to order ${outTradeNo}`);
  if (!Number.isSafeInteger(audit.at) || typeof audit.event !== 'string' || !ORDER_STATES.includes(audit.to)) {
    throw new StoreError('INVALID_RECORD', `audit entry for ${outTradeNo} is malformed`);
  }
}

/**
 * Keys that identify an order; a CAS update may not change them. The gateway's
 * `combineTransactionId` may be written once (when learned) and never changed or removed after.
 */
export function checkIdentityUnchanged(stored: Pick<Order, 'payerOpenid' | 'idempotencyKey' | 'combineOutTradeNo' | 'createdAt' | 'combineTransactionId'>, next: Order): void {
  for (const key of ['payerOpenid', 'idempotencyKey', 'combineOutTradeNo', 'createdAt'] as const) {
    if (stored[key] !== next[key]) throw new StoreError('INVALID_RECORD', `order ${next.outTradeNo}: ${key} cannot change`);
  }
  if (stored.combineTransactionId !== undefined && next.combineTransactionId !== stored.combineTransactionId) {
    throw new StoreError('INVALID_RECORD', `order ${next.outTradeNo}: combineTransactionId cannot change once known`);
  }
}

/** The audit entry `insertOrder` writes with a new order (the trail starts where the order does). */
export function initialAudit(order: Order): AuditEvent {
  return { at: order.createdAt, outTradeNo: order.outTradeNo, from: null, to: order.state, event: 'ORDER_CREATED', actor: 'user', detail: { amount: order.amount, channel: order.channel } };
}

export function checkRefund(refund: Refund): void {
  const problems = refundProblems(refund);
  if (problems.length) throw new StoreError('INVALID_RECORD', `refund ${String(refund?.outRefundNo)}: ${problems.join('; ')}`);
}

/** A new refund enters at version 1. */
export function checkNewRefund(refund: Refund): void {
  checkRefund(refund);
  if (refund.version !== 1) throw new StoreError('INVALID_RECORD', `new refund ${refund.outRefundNo} must have version 1`);
}

export function checkRefundUpdate(next: Refund, expectedVersion: number): void {
  checkRefund(next);
  if (next.version !== expectedVersion + 1) throw new StoreError('INVALID_RECORD', `refund ${next.outRefundNo}: version must be expectedVersion + 1`);
}

export function checkPayee(payee: Payee): void {
  const problems: string[] = [];
  if (typeof payee.openid !== 'string' || !payee.openid) problems.push('openid is required');
  if (typeof payee.shareCode !== 'string' || !payee.shareCode) problems.push('shareCode is required');
  if (typeof payee.displayName !== 'string') problems.push('displayName must be a string');
  if (payee.authState !== 'AUTHORIZED' && payee.authState !== 'UNAUTHORIZED') problems.push('authState is unknown');
  if (!Number.isSafeInteger(payee.checkedAt)) problems.push('checkedAt must be a ms epoch integer');
  if (!Number.isSafeInteger(payee.version) || payee.version < 1) problems.push('version must be an integer >= 1');
  if (problems.length) throw new StoreError('INVALID_RECORD', `payee: ${problems.join('; ')}`);
}

export function checkNotificationId(notificationId: string): void {
  if (typeof notificationId !== 'string' || !notificationId) throw new StoreError('INVALID_RECORD', 'notification id is required');
}

/** A totals window: ms epochs, `from` before `before`. */
export function checkTimeRange(range: { from: number; before: number }): void {
  if (!Number.isSafeInteger(range?.from) || !Number.isSafeInteger(range?.before) || range.from >= range.before) {
    throw new StoreError('INVALID_RECORD', `time range must be ms epoch integers with from < before`);
  }
}

/** The stamp of an alert's acknowledgement: a ms epoch. */
export function checkAcknowledgement(at: number): void {
  if (!Number.isSafeInteger(at) || at <= 0) throw new StoreError('INVALID_RECORD', `acknowledgedAt must be a ms epoch integer, got ${at}`);
}

export function checkAlert(alert: Alert): void {
  const problems = alertProblems(alert);
  if (problems.length) throw new StoreError('INVALID_RECORD', `alert ${String(alert?.id)}: ${problems.join('; ')}`);
}
