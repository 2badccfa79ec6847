import { runtime } from '../core/runtime';
import { createTimerHandler, timerTriggerNames } from '../core/kernel/platform/timer';
import config from './config.json';

/** Once a day at 10:00 (config.json), well after Huifu's 03:00 bill batch: the gateways' reconciliation files. */
const DAILY_STATEMENT_TRIGGER = 'dailyStatement';

/**
 * reconcile (timer, every minute): asks the gateway about PAYING orders nobody heard back about,
 * closes expired ones (never sooner than the gateway's minimum close interval), drives refunds in
 * flight to a final state (query; re-send under the same number when the gateway does not know
 * them); PayScore: recovers lost confirmations and collections by query, expires orders past
 * their window. Logs and returns the counts.
 *
 * Its `dailyStatement` trigger instead compares each gateway's daily reconciliation file with the
 * store (Huifu `check/filequery`), correcting by query and raising an alert per mismatch.
 *
 * Timer only: a call from the mini-program (`wx.cloud.callFunction`, the local host's `/call`) or
 * anything that is not its own timer trigger is refused with FORBIDDEN before the store or the
 * gateway is touched.
 */
export const main = createTimerHandler({
  triggers: timerTriggerNames(config),
  run: async (event) => {
    const started = Date.now();
    const rt = runtime();
    if (event.TriggerName === DAILY_STATEMENT_TRIGGER) {
      const reports = await rt.orders.reconcileStatements();
      console.log(`[reconcile] statements ${JSON.stringify(reports.map((r) => ({ channel: r.channel, fileDate: r.fileDate, ready: r.ready, entries: r.entries, mismatches: r.mismatches.length })))} in ${Date.now() - started} ms`);
      return { statements: reports };
    }
    const report = { ...(await rt.orders.reconcile()), ...(rt.payscore ? { payscore: await rt.payscore.reconcile() } : {}) };
    console.log(`[reconcile] ${JSON.stringify(report)} in ${Date.now() - started} ms`);
    return report;
  },
});
