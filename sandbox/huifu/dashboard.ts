import type { HuifuContext } from './context';
import { esc, page, route, type Route } from './http';
import { yuanOf } from './money';
import type { NotificationRecord } from './state';
import { expireIfDue } from './trades';

/**
 * `GET /sandbox/`: the Huifu sandbox at a glance — trades (with the cashier link and pay/fail
 * buttons while payable), refunds, every notification with its attempts, planted reconciliation
 * mismatches. The JSON under `/sandbox/admin/` is what tests use.
 */
export function dashboardRoutes(ctx: HuifuContext): Route[] {
  return [route('GET', /^\/sandbox\/?$/, () => ({ status: 200, html: render(ctx) }))];
}

function table(headers: string[], rows: string[][]): string {
  if (rows.length === 0) return '<p><i>none yet</i></p>';
  return `<table><tr>${headers.map((h) => `<th>${esc(h)}</th>`).join('')}</tr>${rows.map((r) => `<tr>${r.map((c) => `<td>${c}</td>`).join('')}</tr>`).join('')}</table>`;
}

const attempts = (n: NotificationRecord) =>
  n.attempts.map((a) => `#${a.round} ${esc(a.at.slice(11, 19))} → ${a.statusCode ?? ''} ${esc(a.error ?? a.reply ?? '')}${a.ok ? ' ✓' : ''}`).join('<br>');

function render(ctx: HuifuContext): string {
  const d = ctx.state.data;
  const trades = Object.values(d.trades).sort((a, b) => b.createdAt - a.createdAt);
  for (const t of trades) expireIfDue(ctx, t);
  const action = (hf: string, a: 'pay' | 'fail') => `<button data-hf="${esc(hf)}" data-a="${a}">${a}</button>`;
  const tradeRows = trades.map((t) => [
    `<code>${esc(t.reqSeqId)}</code><br><small>${esc(t.reqDate)} · ${esc(t.hfSeqId)}</small>`,
    `¥${yuanOf(t.transFen)}${t.refundedFen ? ` (refunded ¥${yuanOf(t.refundedFen)})` : ''}`,
    `<b>${t.transStat}</b>${t.acctStat ? ` acct ${t.acctStat}` : ''}${t.close ? ' (closed)' : ''}`,
    t.transStat === 'P' || t.transStat === 'I'
      ? `<a href="/sandbox/cashier/${encodeURIComponent(t.prepayId)}">收银台</a> ${action(t.hfSeqId, 'pay')} ${action(t.hfSeqId, 'fail')}`
      : esc(t.bankMessage),
    esc(t.subOpenid ?? t.openid ?? ''),
  ]);
  const refundRows = Object.values(d.refunds).map((r) => [`<code>${esc(r.reqSeqId)}</code>`, esc(r.tradeKey.split('|')[2] ?? ''), `¥${yuanOf(r.ordFen)}`, `<b>${r.transStat}</b>`]);
  const notificationRows = [...d.notifications].reverse().map((n) => [esc(n.kind), `<code>${esc(n.reqSeqId)}</code>`, `<b>${esc(n.status)}</b>`, attempts(n)]);
  const plantRows = Object.entries(d.plants).flatMap(([day, ps]) => ps.map((p) => [esc(day), esc(p.kind), `<code>${esc(p.hfSeqId)}</code>`]));
  const k = ctx.keys;
  return page(
    'Huifu DouGong sandbox',
    `<p>sys_id <code>${esc(k.sysId)}</code> · product_id <code>${esc(k.productId)}</code> · huifu_id <code>${esc(k.huifuId)}</code> · appids <code>${esc(ctx.appids.join(', '))}</code> · time scale ${ctx.timeScale} · clock offset ${ctx.clock.offset} ms</p>
<h2>Trades</h2>${table(['req_seq_id', 'trans_amt', 'trans_stat', 'action', 'payer'], tradeRows)}
<h2>Refunds</h2>${table(['req_seq_id', 'of trade', 'ord_amt', 'trans_stat'], refundRows)}
<h2>Notifications</h2>${table(['kind', 'req_seq_id', 'status', 'attempts'], notificationRows)}
<h2>Planted reconciliation mismatches</h2>${table(['file_date', 'kind', 'hf_seq_id'], plantRows)}
<p>JSON: <a href="/sandbox/admin/trades">/sandbox/admin/trades</a> · <a href="/sandbox/admin/notifications">/sandbox/admin/notifications</a> · <a href="/sandbox/admin/faults">/sandbox/admin/faults</a> · <a href="/sandbox/admin/info">/sandbox/admin/info</a></p>
<script>
for (const b of document.querySelectorAll('button[data-hf]')) b.onclick = async () => {
  const res = await fetch('/sandbox/admin/trades/' + encodeURIComponent(b.dataset.hf) + '/' + b.dataset.a, { method: 'POST', headers: { 'Content-Type': 'application/json' }, body: '{}' });
  if (res.ok) location.reload(); else alert(await res.text());
};
</script>`,
  );
}
