import type { GatewayContext } from '../context';
import { jsonBody, paramError, route, type Route } from '../http';
import { CLEARING_OUTCOMES, collectNow } from './clearing';
import { payscoreNow } from './clock';
import { decide } from './confirm-page';
import { payscoreIdentity } from './identity';
import { findByOutOrderNo, refresh } from './orders';
import type { ClearingOutcome } from './records';

/**
 * `/sandbox/admin/payscore/*` (no auth, loopback, never subject to faults):
 * - `GET  /sandbox/admin/payscore` → identity (service_id, sub_mchid, channel_id), clock, clearing
 *   script and every order (deadlines applied first);
 * - `GET  /sandbox/admin/payscore/orders/{out_order_no}` → `{order, notifications}`;
 * - `POST …/orders/{no}/confirm {openid?}` | `…/refuse` → the user's decision, as the page makes it;
 * - `POST …/orders/{no}/collect {outcome: 'succeed'|'fail'}` → the clearing institution answers the
 *   live registration now (a held one, or before its delay);
 * - `POST /sandbox/admin/payscore/clearing {outcomes: ['fail', 'succeed', 'hold', …]}` → what the
 *   next registrations get, in order (replaces the script; `[]` = always succeed);
 * - `POST /sandbox/admin/payscore/clock {advanceMs}` → moves PayScore's clock forward (deadlines
 *   are 30 d / 24 h divided by the time scale).
 */
export function payscoreAdminRoutes(ctx: GatewayContext): Route[] {
  const data = () => ctx.state.data.payscore;
  const orderAt = (no: string) => findByOutOrderNo(ctx, no);
  return [
    route('GET', /^\/sandbox\/admin\/payscore$/, () => {
      for (const o of Object.values(data().orders)) refresh(ctx, o);
      return {
        status: 200,
        json: { identity: payscoreIdentity(ctx.keys), clock: { offsetMs: data().clockOffsetMs, now: payscoreNow(ctx) }, clearingScript: data().clearingScript, orders: Object.values(data().orders) },
      };
    }),
    route('GET', /^\/sandbox\/admin\/payscore\/orders\/([^/]+)$/, (rc) => {
      const order = orderAt(rc.params[0]!);
      return { status: 200, json: { order, notifications: ctx.state.data.notifications.filter((n) => n.subject === order.outOrderNo && n.eventType.startsWith('PAYSCORE.')) } };
    }),
    route('POST', /^\/sandbox\/admin\/payscore\/orders\/([^/]+)\/confirm$/, (rc) => ({ status: 200, json: decide(ctx, orderAt(rc.params[0]!), 'confirm', jsonBody(rc).openid) })),
    route('POST', /^\/sandbox\/admin\/payscore\/orders\/([^/]+)\/refuse$/, (rc) => ({ status: 200, json: decide(ctx, orderAt(rc.params[0]!), 'refuse', undefined) })),
    route('POST', /^\/sandbox\/admin\/payscore\/orders\/([^/]+)\/collect$/, (rc) => {
      const { outcome } = jsonBody(rc);
      if (outcome !== 'succeed' && outcome !== 'fail') throw paramError('outcome', "应为 'succeed' 或 'fail'");
      const o = orderAt(rc.params[0]!);
      const r = collectNow(ctx, o, outcome);
      return { status: 200, json: { out_trade_no: r.outTradeNo, outcome: r.outcome, state: o.state } };
    }),
    route('POST', /^\/sandbox\/admin\/payscore\/clearing$/, (rc) => {
      const { outcomes } = jsonBody(rc);
      if (!Array.isArray(outcomes) || !outcomes.every((x) => (CLEARING_OUTCOMES as readonly unknown[]).includes(x))) {
        throw paramError('outcomes', `应为数组，元素取 ${CLEARING_OUTCOMES.join(' | ')}`);
      }
      data().clearingScript = [...(outcomes as ClearingOutcome[])];
      ctx.state.changed();
      return { status: 200, json: { clearingScript: data().clearingScript } };
    }),
    route('POST', /^\/sandbox\/admin\/payscore\/clock$/, (rc) => {
      const { advanceMs } = jsonBody(rc);
      if (typeof advanceMs !== 'number' || !Number.isFinite(advanceMs) || advanceMs < 0) throw paramError('advanceMs', '应为非负数（毫秒）');
      data().clockOffsetMs += advanceMs;
      ctx.state.changed();
      for (const o of Object.values(data().orders)) refresh(ctx, o);
      return { status: 200, json: { offsetMs: data().clockOffsetMs, now: payscoreNow(ctx) } };
    }),
  ];
}
