import type { AuditEvent, Order, OrderState } from '../../domain/orders/model';
import type { NotificationEntry } from './notifications';
import type { Page, PageRequest } from './paging';

/**
 * Orders and their audit trail: one aggregate, because an order's change and its audit entry are
 * one atomic step. Every change is a compare-and-set on `version`; a lost race is `false`.
 */
/** A position in a listOrdersInState listing: the last order of a page. */
export interface StatePosition {
  updatedAt: number;
  outTradeNo: string;
}

/** A position in a listOrdersPaidIn listing: the last order of a page. */
export interface PaidPosition {
  paidAt: number;
  outTradeNo: string;
}

export interface OrderRepository {
  /**
   * Inserts a new order (version 1) and its creation audit entry, atomically.
   * Throws StoreError DUPLICATE (field outTradeNo | idempotencyKey | combineOutTradeNo | combineTransactionId) when a
   * unique key is taken — `(payerOpenid, idempotencyKey)` is unique — and INVALID_RECORD when
   * the record is unsound. Nothing is written on error.
   */
  insertOrder(order: Order): Promise<void>;
  getOrder(outTradeNo: string): Promise<Order | null>;
  getOrderByCombineOutTradeNo(combineOutTradeNo: string): Promise<Order | null>;
  findOrderByIdempotencyKey(payerOpenid: string, idempotencyKey: string): Promise<Order | null>;
  /**
   * Compare-and-set: replaces the order only if its stored version is `expectedVersion`, and in
   * the same atomic step appends `audit`. `next.version` must be `expectedVersion + 1`.
   * Resolves `true` if this write won, `false` if the version had moved (nothing written).
   * `combineTransactionId` is written once: changing or dropping it is INVALID_RECORD, and one
   * already held by another order is DUPLICATE (field combineTransactionId); nothing written.
   * `notification`, when given, is recorded in the same atomic step as `recordNotification`
   * would (an id already recorded stays as it was); a lost compare-and-set records nothing.
   */
  updateOrder(next: Order, expectedVersion: number, audit: AuditEvent, notification?: NotificationEntry): Promise<boolean>;
  /** Newest first (createdAt, then outTradeNo, descending). */
  listOrdersByPayer(payerOpenid: string, page: PageRequest): Promise<Page<Order>>;
  /** Orders whose `payee.openid` is this openid, newest first. */
  listOrdersByPayee(payeeOpenid: string, page: PageRequest): Promise<Page<Order>>;
  /**
   * Orders in `state` not changed since before `olderThan` (ms epoch), least recently changed
   * first (updatedAt, then outTradeNo); with `after`, only those past that position (the last
   * order of the previous page), so a pass pages on past orders that stay in the state.
   */
  listOrdersInState(state: OrderState, query: { olderThan: number; limit: number; after?: StatePosition }): Promise<Order[]>;
  /**
   * Orders paid (`paidAt`, ms epoch) in [from, before), whatever happened to them since, in
   * (paidAt, outTradeNo) order; with `after`, only those past that position (the last order of
   * the previous page). The daily statement looks for each of the day's payments in the file.
   */
  listOrdersPaidIn(range: { from: number; before: number }, query: { limit: number; after?: PaidPosition }): Promise<Order[]>;
  /** The order's history, oldest first. Entries are never changed or removed. */
  listAudit(outTradeNo: string): Promise<AuditEvent[]>;
}
