/**
 * Checks and cursor codec shared by every adapter, so they refuse the same inputs with the same
 * error codes before touching storage.
 */
import type { Alert } from '../domain/orders/alerts';
import { alertProblems } from '../domain/orders/alerts';
import type { AuditEvent, Order, Refund } from '../domain/orders/model';
import { orderProblems, refundProblems, ORDER_STATES } from '../domain/orders/model';
import type { Payee, PageRequest } from './port';
import { MAX_PAGE_LIMIT, StoreError } from './port';

export function checkOrder(order: Order): void {
  const problems = orderProblems(order);
  if (problems.length) throw new StoreError('INVALID_RECORD', `order ${String(order?.outTradeNo)}: ${problems.join('; ')}`);
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

export function checkRefund(refund: Refund): void {
  const problems = refundProblems(refund);
  if (problems.length) throw new StoreError('INVALID_RECORD', `refund ${String(refund?.outRefundNo)}: ${problems.join('; ')}`);
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

export function checkLimit(limit: number): number {
  if (!Number.isSafeInteger(limit) || limit < 1 || limit > MAX_PAGE_LIMIT) {
    throw new StoreError('INVALID_RECORD', `limit must be an integer 1-${MAX_PAGE_LIMIT}, got ${limit}`);
  }
  return limit;
}

export function initialAudit(order: Order): AuditEvent {
  return { at: order.createdAt, outTradeNo: order.outTradeNo, from: null, to: order.state, event: 'ORDER_CREATED', actor: 'user', detail: { amount: order.amount, channel: order.channel } };
}

/** Position after the last item of a newest-first page. */
export interface ListPosition {
  createdAt: number;
  outTradeNo: string;
}

/** Cursors name the listing they belong to, so a payer cursor cannot page a payee listing. */
export function encodeCursor(listing: string, position: ListPosition): string {
  return Buffer.from(JSON.stringify([listing, position.createdAt, position.outTradeNo])).toString('base64url');
}

export function decodeCursor(listing: string, page: PageRequest): ListPosition | undefined {
  if (page.cursor === undefined) return undefined;
  try {
    const value: unknown = JSON.parse(Buffer.from(page.cursor, 'base64url').toString('utf8'));
    if (Array.isArray(value) && value.length === 3 && value[0] === listing && Number.isSafeInteger(value[1]) && typeof value[2] === 'string') {
      return { createdAt: value[1], outTradeNo: value[2] };
    }
  } catch {
    // fall through: any undecodable cursor is the same client error
  }
  throw new StoreError('INVALID_CURSOR', 'cursor is not valid for this listing');
}

/** Builds a page from `limit + 1` fetched rows: the extra row only says whether more exist. */
export function toPage(listing: string, rows: Order[], limit: number): { items: Order[]; nextCursor?: string } {
  const items = rows.slice(0, limit);
  if (rows.length <= limit) return { items };
  const last = items[items.length - 1];
  return { items, nextCursor: encodeCursor(listing, { createdAt: last.createdAt, outTradeNo: last.outTradeNo }) };
}

/**
 * Keys that identify an order; a CAS update may not change them. The gateway's
 * `combineTransactionId` may be written once (when learned) and never changed or removed after.
 */
export function checkIdentityUnchanged(stored: Order, next: Order): void {
  for (const key of ['payerOpenid', 'idempotencyKey', 'combineOutTradeNo', 'createdAt'] as const) {
    if (stored[key] !== next[key]) throw new StoreError('INVALID_RECORD', `order ${next.outTradeNo}: ${key} cannot change`);
  }
  if (stored.combineTransactionId !== undefined && next.combineTransactionId !== stored.combineTransactionId) {
    throw new StoreError('INVALID_RECORD', `order ${next.outTradeNo}: combineTransactionId cannot change once known`);
  }
}

export function checkAlert(alert: Alert): void {
  const problems = alertProblems(alert);
  if (problems.length) throw new StoreError('INVALID_RECORD', `alert ${String(alert?.id)}: ${problems.join('; ')}`);
}

/** The alerts listing reuses the order cursor codec: (createdAt, id) in place of (createdAt, outTradeNo). */
export const ALERTS_LISTING = 'alerts';

/** Builds a page of alerts from `limit + 1` fetched rows. */
export function toAlertPage(rows: Alert[], limit: number): { items: Alert[]; nextCursor?: string } {
  const items = rows.slice(0, limit);
  if (rows.length <= limit) return { items };
  const last = items[items.length - 1];
  return { items, nextCursor: encodeCursor(ALERTS_LISTING, { createdAt: last.createdAt, outTradeNo: last.id }) };
}
