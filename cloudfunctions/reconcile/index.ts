import { runtime } from '../core/runtime';
import { createTimerHandler, timerTriggerNames } from '../core/kernel/platform/timer';
import config from './config.json';

/**
 * reconcile (timer, every minute): asks the gateway about PAYING orders nobody heard back about,
 * closes expired ones (never sooner than the gateway's minimum close interval), drives refunds in
 * flight to a final state (query; re-send under the same number when the gateway does not know
 * them); PayScore: recovers lost confirmations and collections by query, expires orders past
 * their window. Logs and returns the counts.
 *
 * The gateways' daily reconciliation files are the `statement` function's job.
 *
 * Timer only: a call from the mini-program (`wx.cloud.callFunction`, the local host's `/call`) or
 * anything that is not its own timer trigger is refused with FORBIDDEN before the store or the
 * gateway is touched.
 */
export const main = createTimerHandler({
  triggers: timerTriggerNames(config),
  run: async () => {
    const started = Date.now();
    const rt = runtime();
    const report = { ...(await rt.orders.reconcile()), ...(rt.payscore ? { payscore: await rt.payscore.reconcile() } : {}) };
    console.log(`[reconcile] ${JSON.stringify(report)} in ${Date.now() - started} ms`);
    return report;
  },
});
