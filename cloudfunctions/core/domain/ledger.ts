/**
 * The read → transition → compare-and-set loop every caller of the state machine needs, written
 * once. A lost CAS means someone else changed the order meanwhile: re-read and decide again, so a
 * duplicate notification racing a query ends as one `applied` and one `alreadyApplied`, and two
 * concurrent refunds can never add up to more than was paid.
 */
import type { AuditActor, AuditEvent, Order } from './orders/model';
import type { OrderEvent, TransitionRejection } from './orders/state-machine';
import { transition } from './orders/state-machine';
import type { Store } from '../store/port';
import { StoreError } from '../store/port';

export type ApplyOutcome =
  | { kind: 'applied'; order: Order; audit: AuditEvent }
  /** The fact was already recorded; `order` is the current record. */
  | { kind: 'alreadyApplied'; order: Order }
  | { kind: 'rejected'; order: Order; rejected: TransitionRejection; message: string }
  | { kind: 'notFound' };

export interface ApplyOptions {
  actor: AuditActor;
  /** Clock for `updatedAt`/audit time; read once per attempt. */
  now?: () => number;
  /** Lost compare-and-sets tolerated before giving up with StoreError CONTENDED. */
  maxAttempts?: number;
}

export async function applyOrderEvent(store: Store, outTradeNo: string, event: OrderEvent, options: ApplyOptions): Promise<ApplyOutcome> {
  const now = options.now ?? Date.now;
  const maxAttempts = options.maxAttempts ?? 20;
  for (let attempt = 1; attempt <= maxAttempts; attempt++) {
    const order = await store.getOrder(outTradeNo);
    if (!order) return { kind: 'notFound' };
    const result = transition(order, event, now(), options.actor);
    if (result.kind === 'alreadyApplied') return { kind: 'alreadyApplied', order };
    if (result.kind === 'rejected') return { kind: 'rejected', order, rejected: result.rejected, message: result.message };
    if (await store.updateOrder(result.next, order.version, result.audit)) return { kind: 'applied', order: result.next, audit: result.audit };
  }
  throw new StoreError('CONTENDED', `order ${outTradeNo}: ${event.type} lost ${maxAttempts} compare-and-sets in a row`);
}
