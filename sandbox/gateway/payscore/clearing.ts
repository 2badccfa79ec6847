import type { GatewayContext } from '../context';
import { CLEARING_DELAY_MS, payscoreNow, scaled } from './clock';
import * as f from './fields';
import { liveRegistration, refresh, settle } from './orders';
import type { ClearingOutcome, DeductRegistration, PayScoreOrderRecord } from './records';

/**
 * The stub clearing institution (UnionPay / NetsUnion in reality, outside WeChat — seed 001
 * step 4): once the institution registers a deduction it "receives the withhold" for that
 * out_trade_no and collects CLEARING_DELAY_MS (time-scaled) later. What it answers is scripted
 * by the admin (`POST /sandbox/admin/payscore/clearing {outcomes}`), one outcome per registration,
 * `succeed` when the script is empty:
 * - `succeed` → the order is DONE/USER_PAID and PAYSCORE.USER_PAID is sent;
 * - `fail` → the registration is spent, the order stays DOING/MCH_COMPLETE (USER_PAYING) and the
 *   institution must register again with a new out_trade_no;
 * - `hold` → the registration stays live (cancel refused) until an admin `collect` or 24 h.
 */

export const CLEARING_OUTCOMES: readonly ClearingOutcome[] = ['succeed', 'fail', 'hold'];

export function arrangeCollection(ctx: GatewayContext, o: PayScoreOrderRecord, r: DeductRegistration): void {
  const next = ctx.state.data.payscore.clearingScript.shift() ?? 'succeed';
  ctx.state.changed();
  if (next === 'hold') {
    r.outcome = 'held';
    ctx.log(`payscore ${o.outOrderNo}: clearing holds ${r.outTradeNo}`);
    return;
  }
  r.plan = next;
  const delay = scaled(ctx, CLEARING_DELAY_MS);
  r.collectAt = payscoreNow(ctx) + delay;
  const outOrderNo = o.outOrderNo;
  ctx.later(() => {
    const current = ctx.state.data.payscore.orders[outOrderNo];
    if (current) refresh(ctx, current);
  }, delay + 1);
}

/** Admin: the clearing institution answers the live registration now. */
export function collectNow(ctx: GatewayContext, o: PayScoreOrderRecord, outcome: 'succeed' | 'fail'): DeductRegistration {
  const live = liveRegistration(o);
  if (!live) throw f.invalidOrderState('没有登记生效中的扣款单');
  settle(ctx, o, live, outcome, 'admin');
  return live;
}
