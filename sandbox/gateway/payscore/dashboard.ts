import type { GatewayContext } from '../context';
import { esc } from '../contracts';
import { refresh } from './orders';

/**
 * The PayScore part of `GET /sandbox/`: every service order (state, amounts, registrations, a
 * link to the confirmation page while CREATED) with each of its notifications' attempts.
 */

const yuan = (fen: number) => `¥${Math.floor(fen / 100)}.${String(fen % 100).padStart(2, '0')}`;

export function renderPayScoreSection(ctx: GatewayContext): string {
  const orders = Object.values(ctx.state.data.payscore.orders).sort((a, b) => b.createdAt - a.createdAt);
  if (orders.length === 0) return '<h2>PayScore (支付分) orders</h2><p><i>none yet</i></p>';
  const rows = orders.map((o) => {
    refresh(ctx, o);
    const state = `<b>${esc(o.state)}</b>${o.state === 'DOING' && o.stateDescription ? `/${esc(o.stateDescription)}` : ''}${o.collectionState ? ` (${esc(o.collectionState)})` : ''}`;
    const confirm = o.state === 'CREATED' ? ` <a href="/sandbox/payscore/confirm?package=${encodeURIComponent(o.package)}">确认页</a>` : '';
    const regs = o.registrations.map((r) => `<code>${esc(r.outTradeNo)}</code> ${esc(r.outcome)}`).join('<br>');
    const notes = ctx.state.data.notifications
      .filter((n) => n.subject === o.outOrderNo && n.eventType.startsWith('PAYSCORE.'))
      .map((n) => `${esc(n.eventType)} <b>${esc(n.status)}</b>: ${n.attempts.map((a) => `#${a.round} ${esc(a.at.slice(11, 19))} → ${a.statusCode ?? esc(a.error ?? '?')}${a.fault ? ` (${esc(a.fault)})` : ''}`).join(', ')}`)
      .join('<br>');
    const cells = [
      `<code>${esc(o.outOrderNo)}</code>`,
      esc(o.serviceIntroduction),
      `risk ${yuan(o.riskFund.amount)}${o.totalAmount !== undefined ? `<br>total ${yuan(o.totalAmount)}` : ''}`,
      state + confirm,
      regs,
      notes,
    ];
    return `<tr>${cells.map((c) => `<td>${c}</td>`).join('')}</tr>`;
  });
  const head = ['out_order_no', 'service', 'amounts', 'state', 'deduct registrations', 'notifications (attempts)'].map((h) => `<th>${h}</th>`).join('');
  return `<h2>PayScore (支付分) orders</h2><table><tr>${head}</tr>${rows.join('')}</table>`;
}
