import { runtime } from '../core/runtime';
import type { ReconcileReport } from '../core/orders/service';

/**
 * reconcile (timer, every minute): asks the gateway about PAYING orders nobody heard back about,
 * closes expired ones (never sooner than the gateway's minimum close interval), drives refunds in
 * flight to a final state (query; re-send under the same number when the gateway does not know
 * them). Logs and returns the counts.
 */
export async function main(): Promise<ReconcileReport> {
  const started = Date.now();
  const report = await runtime().orders.reconcile();
  console.log(`[reconcile] ${JSON.stringify(report)} in ${Date.now() - started} ms`);
  return report;
}
