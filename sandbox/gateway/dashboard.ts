import type { GatewayContext } from './context';
import { esc, page } from './contracts';
import { route, type Route } from './http';
import { renderPayScoreSection } from './payscore';
import type { NotificationRecord } from './state';
import { renderV2Dashboard } from './v2/dashboard';

/**
 * `GET /sandbox/`: the gateway's state at a glance as one server-rendered page, without script
 * (the live console is `/sandbox/console`, console/page.ts) for a developer running `npm start` — orders
 * (with a link to the cashier while payable), combine orders with their sub-orders, refunds, and
 * every notification with each delivery attempt. Read-only; the JSON under `/sandbox/admin/` is
 * what tests use.
 */
export function dashboardRoutes(ctx: GatewayContext): Route[] {
  return [route('GET', /^\/sandbox\/?$/, () => ({ status: 200, html: renderDashboard(ctx) }))];
}

const yuan = (fen: number) => `¥${Math.floor(fen / 100)}.${String(fen % 100).padStart(2, '0')}`;
const newestFirst = <T extends { createdAt: number | string }>(rows: T[]) => [...rows].sort((a, b) => (new Date(b.createdAt).getTime() - new Date(a.createdAt).getTime()));

function table(headers: string[], rows: string[][]): string {
  if (rows.length === 0) return '<p><i>none yet</i></p>';
  const head = headers.map((h) => `<th>${esc(h)}</th>`).join('');
  return `<table><tr>${head}</tr>${rows.map((r) => `<tr>${r.map((c) => `<td>${c}</td>`).join('')}</tr>`).join('')}</table>`;
}

function attempts(n: NotificationRecord): string {
  return n.attempts.map((a) => `#${a.round} ${esc(a.at.slice(11, 19))} → ${a.statusCode ?? esc(a.error ?? '?')}${a.fault ? ` (${esc(a.fault)})` : ''}`).join('<br>');
}

export function renderDashboard(ctx: GatewayContext): string {
  const d = ctx.state.data;
  const cashier = (prepayId: string | undefined, state: string) =>
    prepayId && state === 'NOTPAY' ? ` <a href="/sandbox/cashier/${encodeURIComponent(prepayId)}">收银台</a>` : '';
  const orders = table(
    ['out_trade_no', 'type', 'amount', 'state', 'transaction_id', 'created'],
    newestFirst(Object.values(d.orders)).map((o) => [
      `<code>${esc(o.outTradeNo)}</code>`,
      esc(o.tradeType),
      yuan(o.total) + (o.refunded ? ` (refunded ${yuan(o.refunded)})` : ''),
      `<b>${esc(o.tradeState)}</b>${cashier(o.prepayId, o.tradeState)}`,
      esc(o.transactionId ?? ''),
      esc(new Date(o.createdAt).toISOString()),
    ]),
  );
  const combines = table(
    ['combine_out_trade_no', 'sub-orders (out_trade_no, amount, state)', 'created'],
    newestFirst(Object.values(d.combines)).map((c) => [
      `<code>${esc(c.combineOutTradeNo)}</code>${cashier(c.prepayId, c.subOrders.every((s) => s.tradeState === 'NOTPAY') ? 'NOTPAY' : '')}`,
      c.subOrders.map((s) => `<code>${esc(s.outTradeNo)}</code> ${yuan(s.total)} <b>${esc(s.tradeState)}</b>`).join('<br>'),
      esc(new Date(c.createdAt).toISOString()),
    ]),
  );
  const refunds = table(
    ['out_refund_no', 'out_trade_no', 'amount', 'status'],
    Object.values(d.refunds).map((r) => [`<code>${esc(r.outRefundNo)}</code>`, `<code>${esc(r.outTradeNo)}</code>`, yuan(r.refund), `<b>${esc(r.status)}</b>`]),
  );
  const notifications = table(
    ['event', 'about', 'status', 'attempts'],
    newestFirst(d.notifications).map((n) => [esc(n.eventType), `<code>${esc(n.subject)}</code>`, `<b>${esc(n.status)}</b>`, attempts(n)]),
  );
  const info = `<p>mchid <code>${esc(ctx.keys.mchid)}</code> · appid <code>${esc(ctx.keys.appid)}</code> · signing serial <code>${esc(ctx.signer.serial)}</code> · time scale ${ctx.timeScale}</p>`;
  return page(
    'WeChat Pay sandbox',
    `<style>body{max-width:72rem}table{border-collapse:collapse;width:100%;margin-bottom:1rem}td,th{border:1px solid #ddd;padding:.25rem .5rem;text-align:left;font-size:.9rem;vertical-align:top}</style>
<p><a href="/sandbox/console"><b>Live console →</b></a> (updates as it happens, merchant store beside the gateway, timelines, actions, faults, replays)</p>
${info}<h2>Orders</h2>${orders}<h2>Combine orders</h2>${combines}<h2>Refunds</h2>${refunds}${renderV2Dashboard(ctx)}${renderPayScoreSection(ctx)}<h2>Notifications</h2>${notifications}
<p>JSON: <a href="/sandbox/admin/orders">/sandbox/admin/orders</a> · <a href="/sandbox/admin/notifications">/sandbox/admin/notifications</a> · <a href="/sandbox/admin/faults">/sandbox/admin/faults</a></p>`,
  );
}
