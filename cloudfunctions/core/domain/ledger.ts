/**
 * The one read → transition → compare-and-set → audit loop, for every aggregate (orders, refund
 * records; PayScore orders next). A lost CAS means someone else changed the record meanwhile:
 * re-read and decide again, so a duplicate notification racing a query ends as one `applied` and
 * one `alreadyApplied`, and two concurrent refunds can never add up to more than was paid.
 *
 * The store only stores: it keeps versions and writes atomically; the rules (`decide`) are the
 * domain's and run here, never inside a store adapter.
 */
import type { AuditActor, AuditEvent, Order } from './orders/model';
import type { Refund } from './orders/model';
import { transitionRefund, type RefundUpdate } from './orders/refund-rules';
import type { OrderEvent, TransitionRejection } from './orders/state-machine';
import { transition } from './orders/state-machine';
import type { NotificationEntry, Store } from '../store/port';
import { StoreError } from '../store/port';

/** What a transition decides about the record it was given. */
export type Decision<Record, Audit, Rejection> =
  | { kind: 'applied'; next: Record; audit?: Audit }
  | { kind: 'alreadyApplied' }
  | { kind: 'rejected'; rejected: Rejection; message: string };

export type LedgerOutcome<Record, Audit, Rejection> =
  | { kind: 'applied'; record: Record; audit?: Audit }
  /** The fact was already recorded; `record` is the current one. */
  | { kind: 'alreadyApplied'; record: Record }
  | { kind: 'rejected'; record: Record; rejected: Rejection; message: string }
  | { kind: 'notFound' };

/** One aggregate's part in the loop: how to read it, judge a change, and write it back. */
export interface LedgerEntry<Record extends { version: number }, Audit, Rejection> {
  /** Names the change in the CONTENDED error, e.g. `order T1: PAID`. */
  describe: string;
  read(): Promise<Record | null | undefined>;
  decide(current: Record, now: number): Decision<Record, Audit, Rejection>;
  /** Compare-and-set on `expectedVersion`, the audit entry in the same atomic step; false when lost. */
  write(next: Record, expectedVersion: number, audit: Audit | undefined): Promise<boolean>;
}

export interface LedgerOptions {
  /** Clock for `updatedAt`/audit time; read once per attempt. */
  now?: () => number;
  /** Lost compare-and-sets tolerated before giving up with StoreError CONTENDED. */
  maxAttempts?: number;
}

/** `applyToLedger`'s options for one record. */
export interface LedgerEntryOptions<Record> extends LedgerOptions {
  /**
   * The record as the caller has just read it: the first attempt decides on it instead of reading
   * again. Only a write proves it current (the compare-and-set on its version loses if it was
   * stale, and the next attempt reads afresh), so any other decision on it — already applied,
   * rejected — is taken again on a fresh read, as without it.
   */
  current?: Record;
}

export async function applyToLedger<Record extends { version: number }, Audit, Rejection>(
  entry: LedgerEntry<Record, Audit, Rejection>,
  options: LedgerEntryOptions<Record> = {},
): Promise<LedgerOutcome<Record, Audit, Rejection>> {
  const now = options.now ?? Date.now;
  const maxAttempts = options.maxAttempts ?? 20;
  let callers: Record | undefined = options.current;
  for (let attempt = 1; attempt <= maxAttempts; ) {
    const unconfirmed = callers !== undefined;
    const current = callers ?? (await entry.read());
    callers = undefined;
    if (!current) return { kind: 'notFound' };
    const decision = entry.decide(current, now());
    if (decision.kind === 'applied') {
      if (await entry.write(decision.next, current.version, decision.audit)) return { kind: 'applied', record: decision.next, audit: decision.audit };
      attempt++;
      continue;
    }
    // The caller's copy may be stale: a refusal is decided again on a fresh read.
    if (unconfirmed) continue;
    if (decision.kind === 'alreadyApplied') return { kind: 'alreadyApplied', record: current };
    return { kind: 'rejected', record: current, rejected: decision.rejected, message: decision.message };
  }
  throw new StoreError('CONTENDED', `${entry.describe} lost ${maxAttempts} compare-and-sets in a row`);
}

export type ApplyOutcome =
  /** `notificationRecorded`: the options' notification was recorded in the same write. */
  | { kind: 'applied'; order: Order; audit: AuditEvent; notificationRecorded: boolean }
  /** The fact was already recorded; `order` is the current record. */
  | { kind: 'alreadyApplied'; order: Order }
  | { kind: 'rejected'; order: Order; rejected: TransitionRejection; message: string }
  | { kind: 'notFound' };

export interface ApplyOptions extends LedgerEntryOptions<Order> {
  actor: AuditActor;
  /** The notification that reported the event: recorded in the order's own write (one commit). */
  notification?: NotificationEntry;
}

/** An order event through the loop (the order state machine decides). */
export async function applyOrderEvent(store: Store, outTradeNo: string, event: OrderEvent, options: ApplyOptions): Promise<ApplyOutcome> {
  const outcome = await applyToLedger<Order, AuditEvent, TransitionRejection>(
    {
      describe: `order ${outTradeNo}: ${event.type}`,
      read: () => store.getOrder(outTradeNo),
      decide: (order, at) => transition(order, event, at, options.actor),
      write: (next, expectedVersion, audit) =>
        options.notification ? store.updateOrder(next, expectedVersion, audit as AuditEvent, options.notification) : store.updateOrder(next, expectedVersion, audit as AuditEvent),
    },
    options,
  );
  switch (outcome.kind) {
    case 'applied':
      return { kind: 'applied', order: outcome.record, audit: outcome.audit as AuditEvent, notificationRecorded: options.notification !== undefined };
    case 'alreadyApplied':
      return { kind: 'alreadyApplied', order: outcome.record };
    case 'rejected':
      return { kind: 'rejected', order: outcome.record, rejected: outcome.rejected, message: outcome.message };
    case 'notFound':
      return outcome;
  }
}

/**
 * A refund record's update through the same loop (the refund rules decide). `fallback` stands in
 * for a record not found, as the caller read it.
 */
export function applyRefundUpdate(store: Store, fallback: Refund, update: RefundUpdate, options: LedgerOptions = {}) {
  return applyToLedger<Refund, never, 'INVALID_STATE' | 'CONFLICT'>(
    {
      describe: `refund ${fallback.outRefundNo}: ${update.state}`,
      read: async () => (await store.getRefund(fallback.outRefundNo)) ?? fallback,
      decide: (refund, at) => transitionRefund(refund, update, at),
      write: (next, expectedVersion) => store.updateRefund(next, expectedVersion),
    },
    options,
  );
}
