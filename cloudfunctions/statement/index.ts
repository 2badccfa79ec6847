import { runtime } from '../core/runtime';
import { createTimerHandler, timerTriggerNames } from '../core/kernel/platform/timer';
import config from './config.json';

/**
 * statement (timer, once a day at 11:00 — after Huifu's 03:00 bill batch and WeChat Pay's trade
 * bill, made "每日10点后" (https://pay.weixin.qq.com/docs/merchant/apis/mini-program-payment/get-trade-bill.html):
 * at 10:00 sharp it would still answer STATEMENT_CREATING): compares each gateway's daily
 * reconciliation file with the store (Huifu `check/filequery`, WeChat `GET /v3/bill/tradebill`), corrects by query
 * what the gateway can settle and raises an alert per mismatch; logs and returns the reports.
 *
 * Its own function rather than a second trigger of `reconcile`: a cloud function takes one timer
 * trigger when deployed by miniprogram-ci (its README, 云函数添加定时触发器: "目前仅支持一个触发器").
 * Timer only, like `reconcile`: any other caller is refused with FORBIDDEN.
 */
export const main = createTimerHandler({
  triggers: timerTriggerNames(config),
  run: async () => {
    const started = Date.now();
    const reports = await runtime().orders.reconcileStatements();
    console.log(`[statement] ${JSON.stringify(reports.map((r) => ({ channel: r.channel, fileDate: r.fileDate, ready: r.ready, entries: r.entries, mismatches: r.mismatches.length })))} in ${Date.now() - started} ms`);
    return { statements: reports };
  },
});
