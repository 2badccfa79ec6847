/**
 * `reconcile` (timer): stale PAYING orders are asked about and what the gateway says is applied;
 * expired ones (and CREATED orders never placed) are closed, never sooner than the gateway's
 * minimum close interval; then every open refund is driven a step towards a final state.
 *
 * One run is a pass: it pages through every stale order (`batchSize` a page, each page after the
 * last order of the previous one, so orders that stay PAYING are not met twice), `concurrency`
 * orders at a time, and starts no new page once `maxRunMs` have gone, leaving the rest to the
 * next run, within the timer's period. The bound on concurrent gateway calls keeps the run from
 * crowding out payments served by the same instance and from tripping the gateway's rate limits.
 */
import type { CloseOutcome, GatewayPaymentState } from '../../channels/port';
import type { Store } from '../../store/port';
import type { Order, OrderState } from './model';
import type { GatewaySync } from './gateway-sync';
import { earliestCloseAt } from './lifecycle';
import type { OrderLedger } from './order-ledger';
import type { RefundFlow } from './refund-flow';

export interface ReconcileReport {
  checked: number;
  paid: number;
  closed: number;
  failed: number;
  refunds: number;
  /** Refunds re-sent (same number, same body) because the gateway did not know them. */
  resent: number;
  errors: number;
}

export interface ReconcileSettings {
  payingOlderThanMs: number;
  /** Orders a page (the store's listing limit). */
  batchSize: number;
  /** Orders reconciled at once (each one or two gateway calls). */
  concurrency?: number;
  /** No new page is started after this long (the timer fires every minute). */
  maxRunMs?: number;
}

export const RECONCILE_DEFAULTS = { concurrency: 8, maxRunMs: 45_000 } as const;

export interface ReconcileDeps {
  store: Store;
  config: { minCloseIntervalMs: number; reconcile: ReconcileSettings };
  ledger: OrderLedger;
  sync: GatewaySync;
  refunds: Pick<RefundFlow, 'reconcile'>;
  now: () => number;
  log: (line: string, detail?: Record<string, unknown>) => void;
}

export function createReconciler(deps: ReconcileDeps) {
  const { store, config, ledger, sync, refunds, now, log } = deps;

  return async function reconcile(): Promise<ReconcileReport> {
    const report: ReconcileReport = { checked: 0, paid: 0, closed: 0, failed: 0, refunds: 0, resent: 0, errors: 0 };
    const at = now();
    const { batchSize: limit, concurrency = RECONCILE_DEFAULTS.concurrency, maxRunMs = RECONCILE_DEFAULTS.maxRunMs } = config.reconcile;
    const olderThan = at - config.reconcile.payingOlderThanMs;
    const inTime = () => now() - at < maxRunMs;
    // CREATED orders that were never placed (gateway down at create) are closed once expired.
    for (const state of ['PAYING', 'CREATED'] as const satisfies readonly OrderState[]) {
      for (let after: { updatedAt: number; outTradeNo: string } | undefined, first = true; first || inTime(); first = false) {
        const page = await store.listOrdersInState(state, { olderThan, limit, ...(after ? { after } : {}) });
        await forEachBounded(page, concurrency, (order) => reconcileOrder(order, at, report));
        if (page.length < limit) break;
        const last = page[page.length - 1]!;
        after = { updatedAt: last.updatedAt, outTradeNo: last.outTradeNo };
      }
    }
    // Refunds whose result never arrived (lost notification, no answer, unknown at the gateway).
    await refunds.reconcile({ olderThan, limit }, report);
    return report;
  };

  async function reconcileOrder(order: Order, at: number, report: ReconcileReport): Promise<void> {
    report.checked++;
    try {
      let current = order;
      let gatewayState: GatewayPaymentState | undefined;
      if (order.state === 'PAYING') {
        const synced = await sync.syncWithGateway(order, 'reconcile');
        current = synced.order;
        gatewayState = synced.state;
      }
      if (current.state === 'PAID') report.paid++;
      else if (current.state === 'FAILED') report.failed++;
      else if (current.state === 'CLOSED') report.closed++;
      else if (current.expiresAt <= at && earliestCloseAt(current, config.minCloseIntervalMs) <= at && gatewayState?.kind !== 'PAID') {
        let outcome: CloseOutcome;
        try {
          outcome = await sync.closeAtGateway(current);
        } catch (error) {
          const settled = await sync.settleRefusedClose(current, error, 'reconcile');
          if (settled.state === 'PAID') report.paid++;
          else if (settled.state === 'CLOSED') report.closed++;
          else if (settled.state === 'FAILED') report.failed++;
          return;
        }
        if (outcome.kind === 'payerPaying') {
          // Stays PAYING: the next run queries first (a payment lands as PAID), then closes again.
          log(`reconcile ${current.outTradeNo}: close not confirmed (${outcome.code}); retried next run`);
          return;
        }
        const closed = await ledger.apply(current.outTradeNo, { type: 'CLOSED', reason: 'expired' }, 'reconcile');
        if (closed.outcome === 'applied') report.closed++;
      }
    } catch (error) {
      report.errors++;
      log(`reconcile ${order.outTradeNo} failed: ${(error as Error).message}`);
    }
  }
}

/** `fn` over `items`, at most `limit` at a time, in order of start. */
export async function forEachBounded<T>(items: readonly T[], limit: number, fn: (item: T) => Promise<void>): Promise<void> {
  let next = 0;
  const worker = async () => {
    while (next < items.length) await fn(items[next++]!);
  };
  await Promise.all(Array.from({ length: Math.min(Math.max(1, limit), items.length) }, worker));
}
