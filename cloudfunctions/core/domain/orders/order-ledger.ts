/**
 * The order service's transition + compare-and-set (`ledger.ts`), with the app's errors: a lost
 * race re-reads and re-applies (bounded), so duplicate and concurrent facts apply exactly once.
 */
import { AppError } from '../../kernel/errors';
import type { NotificationEntry, Store } from '../../store/port';
import { isStoreError } from '../../store/port';
import { applyOrderEvent } from '../ledger';
import type { AuditActor, Order } from './model';
import type { OrderEvent, TransitionRejection } from './state-machine';

/** What a transition + compare-and-set answered. */
export type AppliedOutcome =
  /** `notificationRecorded`: the notification given to `apply` was recorded with the change. */
  | { outcome: 'applied'; order: Order; notificationRecorded?: boolean }
  | { outcome: 'alreadyApplied'; order: Order }
  | { outcome: 'rejected'; rejected: TransitionRejection; message: string; order: Order };

/** What a caller already knows: the order as just read (first attempt), the notification reporting the event. */
export interface ApplyContext {
  current?: Order;
  notification?: NotificationEntry;
}

export type ApplyOrderEvent = (outTradeNo: string, event: OrderEvent, actor: AuditActor, context?: ApplyContext) => Promise<AppliedOutcome>;

export interface OrderLedger {
  /** The event re-judged against each fresh read; an order that does not exist is NOT_FOUND. */
  apply: ApplyOrderEvent;
  /** `apply`, with a refusal as the app's error (REFUND_EXCEEDS_PAID, INVALID_STATE, INTERNAL). */
  applyOrThrow(outTradeNo: string, event: OrderEvent, actor: AuditActor): Promise<Order>;
}

export function createOrderLedger(deps: { store: Store; now: () => number; casAttempts: number }): OrderLedger {
  const { store, now } = deps;

  async function apply(outTradeNo: string, event: OrderEvent, actor: AuditActor, context: ApplyContext = {}): Promise<AppliedOutcome> {
    let result;
    try {
      result = await applyOrderEvent(store, outTradeNo, event, { actor, now, maxAttempts: deps.casAttempts, ...context });
    } catch (error) {
      if (isStoreError(error, 'CONTENDED')) throw new AppError('INTERNAL', `order ${outTradeNo} kept changing under ${event.type}; try again`, true);
      throw error;
    }
    switch (result.kind) {
      case 'notFound':
        throw new AppError('NOT_FOUND', `no order ${outTradeNo}`);
      case 'rejected':
        return { outcome: 'rejected', rejected: result.rejected, message: result.message, order: result.order };
      case 'alreadyApplied':
        return { outcome: 'alreadyApplied', order: result.order };
      case 'applied':
        return result.notificationRecorded ? { outcome: 'applied', order: result.order, notificationRecorded: true } : { outcome: 'applied', order: result.order };
    }
  }

  async function applyOrThrow(outTradeNo: string, event: OrderEvent, actor: AuditActor): Promise<Order> {
    const result = await apply(outTradeNo, event, actor);
    if (result.outcome === 'rejected') {
      const code = result.rejected === 'REFUND_EXCEEDS_PAID' ? 'REFUND_EXCEEDS_PAID' : result.rejected === 'INVALID_STATE' ? 'INVALID_STATE' : 'INTERNAL';
      throw new AppError(code, result.message);
    }
    return result.order;
  }

  return { apply, applyOrThrow };
}
