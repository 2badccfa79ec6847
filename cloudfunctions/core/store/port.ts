/**
 * The Store port: everything the services persist goes through this interface. Two adapters
 * implement it — `sqlite` (embedded, local/tests) and `cloudbase` (production) — and one contract
 * suite (`test/unit/store/contract.ts`) holds both to the same semantics.
 *
 * Every state change is a compare-and-set on the record's `version`: a writer that read version n
 * writes n+1 only if the stored record is still at n. A lost race is `false`, never an exception,
 * so concurrent notifications and queries can each re-read and retry or stop.
 */
import type { Alert } from '../domain/orders/alerts';
import type { AuditEvent, Order, OrderState, Refund } from '../domain/orders/model';

export type StoreErrorCode =
  /** A unique key is taken (see `field`). */
  | 'DUPLICATE'
  /** The record failed structural checks (fractional fen, broken version, …); nothing written. */
  | 'INVALID_RECORD'
  /** A cursor that this store did not issue (or for another listing). */
  | 'INVALID_CURSOR'
  /** `applyOrderEvent` kept losing compare-and-sets (pathological contention); retry later. */
  | 'CONTENDED';

export class StoreError extends Error {
  constructor(
    readonly code: StoreErrorCode,
    message: string,
    /** For DUPLICATE: which unique key collided. */
    readonly field?: 'outTradeNo' | 'idempotencyKey' | 'combineOutTradeNo' | 'combineTransactionId' | 'outRefundNo' | 'shareCode' | 'openid',
  ) {
    super(message);
    this.name = 'StoreError';
  }
}

export function isStoreError(error: unknown, code?: StoreErrorCode): error is StoreError {
  return error instanceof StoreError && (code === undefined || error.code === code);
}

export interface PageRequest {
  /** 1–100 */
  limit: number;
  /** `nextCursor` of the previous page; absent for the first page. */
  cursor?: string;
}
export interface Page<T> {
  items: T[];
  /** Present when there may be more (older) items. Opaque. */
  nextCursor?: string;
}

export type PayeeAuthState = 'AUTHORIZED' | 'UNAUTHORIZED';

export interface Payee {
  openid: string;
  displayName: string;
  /** Others pay this person by this code; unique. */
  shareCode: string;
  individualAuthId?: string;
  authState: PayeeAuthState;
  /** ms epoch of the gateway query `authState` comes from. */
  checkedAt: number;
  /** The version being written: 1 creates, n > 1 replaces the stored version n − 1. */
  version: number;
}

export interface NotificationReceipt {
  eventType: string;
  receivedAt: number;
  outTradeNo?: string;
}

export interface Store {
  // ── orders ──────────────────────────────────────────────────────────────────────────────────
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
   */
  updateOrder(next: Order, expectedVersion: number, audit: AuditEvent): Promise<boolean>;
  /** Newest first (createdAt, then outTradeNo, descending). */
  listOrdersByPayer(payerOpenid: string, page: PageRequest): Promise<Page<Order>>;
  /** Orders whose `payee.openid` is this openid, newest first. */
  listOrdersByPayee(payeeOpenid: string, page: PageRequest): Promise<Page<Order>>;
  /** Orders in `state` not changed since before `olderThan` (ms epoch), least recently changed first. */
  listOrdersInState(state: OrderState, query: { olderThan: number; limit: number }): Promise<Order[]>;

  // ── refunds ─────────────────────────────────────────────────────────────────────────────────
  /** Throws StoreError DUPLICATE (field outRefundNo) if the number exists. */
  insertRefund(refund: Refund): Promise<void>;
  getRefund(outRefundNo: string): Promise<Refund | null>;
  listRefunds(outTradeNo: string): Promise<Refund[]>;
  /** Compare-and-set on version, as `updateOrder` (refund history lives in the order's audit). */
  updateRefund(next: Refund, expectedVersion: number): Promise<boolean>;

  // ── payees ──────────────────────────────────────────────────────────────────────────────────
  /**
   * CAS upsert: `version` 1 creates (false if the openid exists), n > 1 replaces only the stored
   * version n − 1 (false otherwise). Throws DUPLICATE (field shareCode) if another openid holds
   * the share code.
   */
  upsertPayee(payee: Payee): Promise<boolean>;
  getPayee(openid: string): Promise<Payee | null>;
  getPayeeByShareCode(shareCode: string): Promise<Payee | null>;

  // ── notifications ───────────────────────────────────────────────────────────────────────────
  /** Records a notification id; `true` only for the first caller, atomically, ever. */
  recordNotification(notificationId: string, receipt: NotificationReceipt): Promise<boolean>;

  // ── alerts ──────────────────────────────────────────────────────────────────────────────────
  /**
   * Records an admin alert; `false` (nothing written) when one with this id exists — ids are
   * derived from the fact, so a fact reported again is one alert. Throws INVALID_RECORD when unsound.
   */
  insertAlert(alert: Alert): Promise<boolean>;
  /** Newest first (createdAt, then id, descending); cursor as for orders. */
  listAlerts(page: PageRequest): Promise<Page<Alert>>;

  // ── audit ───────────────────────────────────────────────────────────────────────────────────
  /** The order's history, oldest first. Entries are never changed or removed. */
  listAudit(outTradeNo: string): Promise<AuditEvent[]>;

  close(): Promise<void>;
}

export const MAX_PAGE_LIMIT = 100;
