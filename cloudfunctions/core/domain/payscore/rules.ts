/**
 * PayScore's business rules, checked before anything reaches the gateway (PROTOCOL.md §2 and the
 * published acquiring-bank pages, docs/references/payscore.md). Each refusal is an AppError with
 * its own stable code (typings/api.d.ts) and nothing is written.
 */
import { AppError } from '../../kernel/errors';
import { liveDeduction, type PayScoreLine, type PayScoreOrder } from './model';

/** "要求32个字符内,只能是数字、大小写字母_-|*" (create page). Deduction numbers use the same alphabet. */
export const PAYSCORE_ORDER_NO = /^[0-9A-Za-z_\-|*]{1,32}$/;
/** `service_introduction` string(20), characters ("汉字、数字、字母、特殊符号都按照1个字符计算"). */
export const SERVICE_INTRODUCTION_MAX_CHARS = 20;
/** "最多包含100条付费项目" / "最多包含30条商户优惠" (create page). */
export const MAX_POST_PAYMENTS = 100;
export const MAX_POST_DISCOUNTS = 30;
/** A registration lives 24 h: one collection attempt (PROTOCOL.md §2 [ref]). */
export const DEDUCTION_LIFETIME_MS = 24 * 3600_000;
/** A CREATED order no one confirms expires after 30 days (PROTOCOL.md §2 [ref]). */
export const CREATED_WINDOW_MS = 30 * 24 * 3600_000;

export const chars = (text: string) => [...text].length;

const sum = (lines: PayScoreLine[]) => lines.reduce((total, line) => total + (line.amount ?? 0), 0);

/** Complete: total = Σ post_payments.amount − Σ post_discounts.amount, and ≤ the risk fund. */
export function checkCompletion(order: PayScoreOrder, input: { totalAmount: number; postPayments: PayScoreLine[]; postDiscounts: PayScoreLine[] }): void {
  const payments = sum(input.postPayments);
  const discounts = sum(input.postDiscounts);
  if (input.totalAmount !== payments - discounts) {
    throw new AppError('PAYSCORE_TOTAL_MISMATCH', `totalAmount ${input.totalAmount} must equal the payments ${payments} minus the discounts ${discounts} (${payments - discounts})`);
  }
  if (input.totalAmount > order.riskFund.amount) {
    throw new AppError('PAYSCORE_EXCEEDS_RISK_FUND', `totalAmount ${input.totalAmount} exceeds the risk fund ${order.riskFund.amount} the user confirmed`);
  }
}

/** complete / cancel / deductions stay on the create-time appid. */
export function checkAppid(order: PayScoreOrder, appid: string): void {
  if (appid !== order.appid) throw new AppError('PAYSCORE_APPID_MISMATCH', `service order ${order.outOrderNo} was created under appid ${order.appid}, not ${appid}`);
}

/** No cancel while a deduction registration is live (24 h). */
export function checkCancellable(order: PayScoreOrder, now: number): void {
  const live = liveDeduction(order, now);
  if (live) throw new AppError('PAYSCORE_DEDUCTION_LIVE', `deduction ${live.outTradeNo} is registered until ${new Date(live.expiresAt).toISOString()}: the order cannot be cancelled meanwhile`);
  if (order.state !== 'CREATED' && order.state !== 'DOING') throw new AppError('INVALID_STATE', `service order ${order.outOrderNo} is ${order.state}: it cannot be cancelled`);
}

/** One attempt per registration: a retry is a new out_trade_no; registration only in DOING/MCH_COMPLETE. */
export function checkRegistration(order: PayScoreOrder, outTradeNo: string): void {
  const used = order.deductions.find((d) => d.outTradeNo === outTradeNo);
  if (used) throw new AppError('PAYSCORE_DEDUCTION_REUSED', `deduction ${outTradeNo} was registered already (${used.outcome}): each registration is one collection attempt, a retry needs a new out_trade_no`);
  if (order.state !== 'DOING' || order.stateDescription !== 'MCH_COMPLETE') throw new AppError('INVALID_STATE', `service order ${order.outOrderNo} is ${order.state}: deductions are registered in DOING/MCH_COMPLETE`);
  // A live registration whose collection failed is known to the clearing institution and the
  // gateway, not to us: whether a new one may be registered now is the gateway's call.
}

/** Query-deduction only in DOING/MCH_COMPLETE or DONE. */
export function checkDeductionQuery(order: PayScoreOrder): void {
  const ok = (order.state === 'DOING' && order.stateDescription === 'MCH_COMPLETE') || order.state === 'DONE';
  if (!ok) throw new AppError('INVALID_STATE', `service order ${order.outOrderNo} is ${order.state}: deductions can be queried in DOING/MCH_COMPLETE or DONE`);
  if (order.deductions.length === 0) throw new AppError('INVALID_STATE', `service order ${order.outOrderNo} has no registered deduction`);
}
