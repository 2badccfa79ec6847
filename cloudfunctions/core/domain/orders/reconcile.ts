/**
 * `reconcile` (timer): stale PAYING orders are asked about and what the gateway says is applied;
 * expired ones (and CREATED orders never placed) are closed, never sooner than the gateway's
 * minimum close interval; then every open refund is driven a step towards a final state.
 */
import type { CloseOutcome, GatewayPaymentState } from '../../channels/port';
import type { Store } from '../../store/port';
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

export interface ReconcileDeps {
  store: Store;
  config: { minCloseIntervalMs: number; reconcile: { payingOlderThanMs: number; batchSize: number } };
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
    const limit = config.reconcile.batchSize;
    const stale = await store.listOrdersInState('PAYING', { olderThan: at - config.reconcile.payingOlderThanMs, limit });
    // CREATED orders that were never placed (gateway down at create) are closed once expired.
    const unplaced = await store.listOrdersInState('CREATED', { olderThan: at - config.reconcile.payingOlderThanMs, limit });
    for (const order of [...stale, ...unplaced]) {
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
            continue;
          }
          if (outcome.kind === 'payerPaying') {
            // Stays PAYING: the next run queries first (a payment lands as PAID), then closes again.
            log(`reconcile ${current.outTradeNo}: close not confirmed (${outcome.code}); retried next run`);
            continue;
          }
          const closed = await ledger.apply(current.outTradeNo, { type: 'CLOSED', reason: 'expired' }, 'reconcile');
          if (closed.outcome === 'applied') report.closed++;
        }
      } catch (error) {
        report.errors++;
        log(`reconcile ${order.outTradeNo} failed: ${(error as Error).message}`);
      }
    }
    // Refunds whose result never arrived (lost notification, no answer, unknown at the gateway).
    await refunds.reconcile({ olderThan: at - config.reconcile.payingOlderThanMs, limit }, report);
    return report;
  };
}
