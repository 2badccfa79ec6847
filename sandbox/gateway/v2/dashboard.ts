import type { GatewayContext } from '../context';
import { esc } from '../contracts';

/**
 * The APIv2 section of `GET /sandbox/`: v2 orders (with a link to the v2 cashier or the simulated
 * APP client while payable) and v2 refunds. Their notifications are listed with the others.
 */

const yuan = (fen: number) => `¥${Math.floor(fen / 100)}.${String(fen % 100).padStart(2, '0')}`;

function table(headers: string[], rows: string[][]): string {
  if (rows.length === 0) return '<p><i>none yet</i></p>';
  return `<table><tr>${headers.map((h) => `<th>${esc(h)}</th>`).join('')}</tr>${rows.map((r) => `<tr>${r.map((c) => `<td>${c}</td>`).join('')}</tr>`).join('')}</table>`;
}

export function renderV2Dashboard(ctx: GatewayContext): string {
  const d = ctx.state.data.v2;
  const client = (prepayId: string, tradeType: string, state: string) =>
    state === 'NOTPAY' ? ` <a href="/sandbox/v2/${tradeType === 'APP' ? 'app' : 'cashier'}/${encodeURIComponent(prepayId)}">${tradeType === 'APP' ? 'APP 客户端' : '收银台'}</a>` : '';
  const orders = table(
    ['out_trade_no', 'trade_type', 'sign_type', 'total_fee', 'trade_state', 'transaction_id', 'created'],
    Object.values(d.orders)
      .sort((a, b) => b.createdAt - a.createdAt)
      .map((o) => [
        `<code>${esc(o.outTradeNo)}</code>`,
        esc(o.tradeType),
        esc(o.signType),
        yuan(o.totalFee) + (o.refunded ? ` (refunded ${yuan(o.refunded)})` : ''),
        `<b>${esc(o.tradeState)}</b>${client(o.prepayId, o.tradeType, o.tradeState)}`,
        esc(o.transactionId ?? ''),
        esc(new Date(o.createdAt).toISOString()),
      ]),
  );
  const refunds = table(
    ['out_refund_no', 'out_trade_no', 'refund_fee', 'status'],
    Object.values(d.refunds).map((r) => [`<code>${esc(r.outRefundNo)}</code>`, `<code>${esc(r.outTradeNo)}</code>`, yuan(r.refundFee), `<b>${esc(r.status)}</b>`]),
  );
  return `<h2>APIv2 orders</h2>${orders}<h2>APIv2 refunds</h2>${refunds}`;
}
