import { HUIFU_FAULT_CATALOGUE } from '../../huifu/console-feed';
import { CORRUPTIONS, ENDPOINT_EFFECTS, NOTIFICATION_EFFECTS, REFUND_CREATE_PATH, REFUND_EFFECTS } from '../faults';
import { HUIFU_FORWARD } from './huifu-source';

/**
 * `GET /sandbox/console`: the sandbox console (`/sandbox/` stays the script-free snapshot, dashboard.ts). One static page; its script reads
 * `/sandbox/console/orders` (filters and paging in the query), re-reads on every server-sent
 * `changed` event, and acts through the cashier and `/sandbox/admin/*` routes. Times are shown in
 * China time (UTC+8, as WeChat Pay writes them) whatever the browser's zone.
 */

/** A ¥ sign on WeChat green. */
export const FAVICON_SVG =
  '<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 64 64"><rect width="64" height="64" rx="14" fill="#07c160"/><text x="32" y="46" font-size="40" font-family="sans-serif" font-weight="bold" text-anchor="middle" fill="#fff">¥</text></svg>';

/** Every fault the gateway can arm (faults.ts), for the page's switches. */
const FAULT_CATALOGUE = {
  endpoint: ENDPOINT_EFFECTS,
  notification: NOTIFICATION_EFFECTS,
  refund: REFUND_EFFECTS,
  corruptions: CORRUPTIONS,
  refundCreatePath: REFUND_CREATE_PATH,
};

// WeChat trade states, PayScore states, then Huifu's trans_stat (I 初始, P 处理中, S 成功, F 失败).
const STATES = ['NOTPAY', 'SUCCESS', 'REFUND', 'CLOSED', 'PAYERROR', 'REVOKED', 'USERPAYING', 'CREATED', 'DOING', 'DONE', 'EXPIRED', 'I', 'P', 'S', 'F'];

const STYLE = `
*{box-sizing:border-box}body{font-family:system-ui,"WenQuanYi Micro Hei",sans-serif;margin:0;color:#222;background:#f6f7f9;font-size:14px}
header{background:#07c160;color:#fff;padding:.6rem 1rem;display:flex;gap:1rem;align-items:center}header h1{font-size:1.1rem;margin:0}
#info{color:#fffc;font-size:.8rem}#live{font-size:.8rem;padding:.1rem .5rem;border-radius:1rem;background:#0003}#live.on{background:#fff;color:#07c160}
main{display:grid;grid-template-columns:minmax(0,3fr) minmax(0,2fr);gap:1rem;padding:1rem}
section{background:#fff;border-radius:6px;padding:.75rem;box-shadow:0 1px 2px #0001;margin-bottom:1rem}h2{font-size:1rem;margin:.1rem 0 .6rem}
table{border-collapse:collapse;width:100%}td,th{border-bottom:1px solid #eee;padding:.3rem .4rem;text-align:left;vertical-align:top}
tr.mismatch{background:#fff1f0}tr.mismatch td.merchant{color:#c00;font-weight:bold}tr.selected{outline:2px solid #07c160}
tbody tr{cursor:pointer}code{font-size:.85em}button{font-size:.8rem;padding:.15rem .5rem;margin:.1rem;cursor:pointer}
.filters{display:flex;gap:.5rem;flex-wrap:wrap;margin-bottom:.5rem}.paging{margin-top:.5rem;display:flex;gap:.5rem;align-items:center}
#msg{min-height:1.2rem;color:#07c160}#msg.err{color:#c00}ol#timeline{padding-left:1.2rem}ol#timeline li{margin-bottom:.35rem}
li.bad .t{color:#c00}.k{display:inline-block;min-width:5.5rem;color:#888;font-size:.8rem}pre{background:#f4f4f4;padding:.4rem;white-space:pre-wrap;word-break:break-all;max-height:12rem;overflow:auto;font-size:.75rem}
.muted{color:#888}label{font-size:.85rem}`;

export function consolePage(): string {
  return `<!doctype html><html lang="zh-CN"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width,initial-scale=1">
<title>WeChat Pay sandbox console</title><link rel="icon" href="/sandbox/favicon.svg" type="image/svg+xml"><style>${STYLE}</style></head>
<body><header><h1>WeChat Pay sandbox</h1><a href="/sandbox/" style="color:#fff;font-size:.8rem">static view</a><span id="live">connecting…</span><span id="info" class="muted"></span></header>
<main><div>
<section><h2>Orders</h2>
<div class="filters"><select id="f-channel"><option value="">all channels</option></select>
<select id="f-state"><option value="">all states</option>${STATES.map((s) => `<option>${s}</option>`).join('')}</select>
<input id="f-q" placeholder="order no / description" size="24"><label><input type="checkbox" id="f-mismatch"> mismatches only</label></div>
<div id="merchant-status" class="muted"></div>
<table id="orders"><thead><tr><th>created (China time)</th><th>channel</th><th>order</th><th>amount</th><th>gateway</th><th>merchant store</th><th>actions</th></tr></thead><tbody></tbody></table>
<div class="paging"><button id="prev">‹ prev</button><span id="pageinfo"></span><button id="next">next ›</button></div></section>
<section><h2>Notifications</h2><table id="notifications"><tbody></tbody></table></section>
</div><div>
<div id="msg"></div>
<section id="detail"><h2>Order timeline</h2><p class="muted">Click an order.</p></section>
<section><h2>Faults</h2>
<div><label>endpoint <input id="fault-path" value="/v3/pay/transactions/jsapi" size="28"></label> <span id="fault-endpoint"></span></div>
<div><label>notification <select id="fault-event"><option value="">any event</option><option>TRANSACTION.SUCCESS</option><option>REFUND.SUCCESS</option></select></label> <span id="fault-notification"></span></div>
<div>refund outcome <span id="fault-refund"></span></div>
<div><label>count <input id="fault-count" type="number" min="1" value="1" style="width:4rem"></label> <button id="fault-clear">clear all</button></div>
<ul id="faults"></ul></section>
<section id="huifu-faults" hidden><h2>Huifu sandbox faults</h2>
<div><label>endpoint <select id="hf-fault-path">${HUIFU_FAULT_CATALOGUE.paths.map((p) => `<option>${p}</option>`).join('')}</select></label> <span id="hf-fault-endpoint"></span></div>
<div><label>notification <select id="hf-fault-event"><option value="">any kind</option>${HUIFU_FAULT_CATALOGUE.eventTypes.map((t) => `<option>${t}</option>`).join('')}</select></label> <span id="hf-fault-notification"></span></div>
<div>next <button id="hf-fail-booking" data-hf-counter="accounting">booking fails</button><button id="hf-fail-refund" data-hf-counter="refunds">refund fails</button> <button id="hf-fault-clear">clear faults</button></div>
<ul id="hf-faults"></ul></section>
<section><h2>Payee contract (sign)</h2><label>test user <input id="sign-user" value="payee" size="10"></label>
<button id="sign">sign</button><button id="revoke">revoke</button></section>
</div></main>
<script>
const FAULTS = ${JSON.stringify(FAULT_CATALOGUE)};
const HF = ${JSON.stringify({ ...HUIFU_FAULT_CATALOGUE, forward: HUIFU_FORWARD })};
const $ = (s) => document.querySelector(s);
const h = (tag, attrs, ...kids) => { const e = document.createElement(tag); for (const [k, v] of Object.entries(attrs || {})) { if (k === 'on') e.onclick = v; else if (v !== undefined && v !== null) e.setAttribute(k, v); } for (const k of kids.flat()) if (k !== undefined && k !== null) e.append(k instanceof Node ? k : String(k)); return e; };
const china = (ms) => new Date(ms + 8 * 3600e3).toISOString().slice(0, 19).replace('T', ' ');
const yuan = (fen) => fen === null || fen === undefined ? '—' : '¥' + Math.floor(fen / 100) + '.' + String(fen % 100).padStart(2, '0');
let page = 1, pages = 1, selected = null, info = null;
const say = (text, bad) => { const m = $('#msg'); m.textContent = text; m.className = bad ? 'err' : ''; };
async function post(path, body, method) {
  const res = await fetch(path, { method: method || 'POST', headers: { 'Content-Type': 'application/json' }, body: method === 'DELETE' ? undefined : JSON.stringify(body || {}) });
  const text = await res.text(); let json; try { json = text ? JSON.parse(text) : undefined; } catch { json = text; }
  if (!res.ok) { say((method || 'POST') + ' ' + path + ' → ' + res.status + ' ' + ((json && json.code) || '') + ' ' + ((json && json.message) || ''), true); throw new Error(String(res.status)); }
  return json;
}
const act = (label, path, body, method) => post(path, body, method).then(() => say(label + ': done'), () => undefined);
function query() {
  const p = new URLSearchParams({ page: String(page) });
  for (const [k, id] of [['channel', '#f-channel'], ['state', '#f-state'], ['q', '#f-q']]) if ($(id).value) p.set(k, $(id).value);
  if ($('#f-mismatch').checked) p.set('mismatch', '1');
  return p;
}
async function refresh() {
  const data = await (await fetch('/sandbox/console/orders?' + query())).json();
  info = data.info; pages = data.pages;
  $('#info').textContent = 'mchid ' + info.mchid + ' · appid ' + info.appid + ' · close after ' + info.minCloseIntervalMs / 1000 + ' s' + (info.huifuUrl ? ' · Huifu sandbox ' + info.huifuUrl : '');
  const ch = $('#f-channel'); for (const c of data.channels) if (![...ch.options].some((o) => o.value === c)) ch.append(h('option', { value: c }, c));
  $('#merchant-status').textContent = data.merchantView.available ? '' : 'merchant store view unavailable' + (data.merchantView.error ? ' (' + data.merchantView.error + ')' : ' (gateway started without the function host)');
  const body = $('#orders tbody'); body.replaceChildren();
  for (const o of data.orders) {
    const m = o.merchant;
    const tr = h('tr', { 'data-order': o.outTradeNo, class: (o.mismatches.length ? 'mismatch' : '') + (o.outTradeNo === selected ? ' selected' : ''), title: o.mismatches.join('; ') },
      h('td', {}, china(o.createdAt)), h('td', {}, o.channel), h('td', {}, h('code', {}, o.outTradeNo), h('div', { class: 'muted' }, o.description)),
      h('td', {}, yuan(o.amount), o.refunded ? h('div', { class: 'muted' }, 'refunded ' + yuan(o.refunded)) : null),
      h('td', { class: 'gateway' }, h('b', {}, o.state)),
      h('td', { class: 'merchant' }, m ? m.state + (m.refundedAmount ? ' (refunded ' + yuan(m.refundedAmount) + ')' : '') : h('span', { class: 'muted' }, '—'), o.mismatches.length ? h('div', {}, '≠ ' + o.mismatches.join('; ')) : null),
      h('td', {}, o.actions.map((a) => h('button', { 'data-action': a.name, on: (ev) => { ev.stopPropagation(); act(a.label + ' ' + o.outTradeNo, a.path, a.body); } }, a.label))));
    tr.onclick = () => { selected = o.outTradeNo; showDetail(); refreshSoon(); };
    body.append(tr);
  }
  if (!data.orders.length) body.append(h('tr', {}, h('td', { colspan: 7, class: 'muted' }, 'none yet')));
  $('#pageinfo').textContent = 'page ' + data.page + ' / ' + data.pages + ' · ' + data.total + ' orders';
  $('#prev').disabled = data.page <= 1; $('#next').disabled = data.page >= data.pages;
  const nb = $('#notifications tbody'); nb.replaceChildren();
  for (const n of data.notifications) nb.append(h('tr', { 'data-notification': n.id }, h('td', {}, n.createdAt.slice(0, 19).replace('T', ' ')), h('td', {}, n.eventType + (n.replayOf ? ' (replay)' : '')), h('td', {}, h('code', {}, n.subject)), h('td', {}, h('b', {}, n.status), ' · ' + n.attempts + ' attempt(s)'), h('td', {}, h('button', { 'data-replay': n.id, on: () => act('replay ' + n.eventType, '/sandbox/admin/notifications/' + encodeURIComponent(n.id) + '/replay') }, 'replay'))));
  if (!data.notifications.length) nb.append(h('tr', {}, h('td', { class: 'muted' }, 'none yet')));
  const fl = $('#faults'); fl.replaceChildren();
  for (const f of data.faults) fl.append(h('li', { 'data-fault': f.id }, f.kind + ' ' + f.effect + (f.path ? ' ' + f.path : '') + (f.eventType ? ' ' + f.eventType : '') + (f.corruption ? ' ' + f.corruption : '') + ' ×' + f.remaining));
  if (!data.faults.length) fl.append(h('li', { class: 'muted' }, 'none armed'));
  $('#huifu-faults').hidden = !data.huifuFaults;
  const hl = $('#hf-faults'); hl.replaceChildren();
  for (const f of data.huifuFaults || []) hl.append(h('li', { 'data-fault': f.id }, f.kind + ' ' + f.effect + (f.path ? ' ' + f.path : '') + (f.eventType ? ' ' + f.eventType : '') + (f.corruption ? ' ' + f.corruption : '') + ' ×' + f.remaining));
  if (data.huifuFaults && !data.huifuFaults.length) hl.append(h('li', { class: 'muted' }, 'none armed'));
}
async function showDetail() {
  if (!selected) return;
  const res = await fetch('/sandbox/console/orders/' + encodeURIComponent(selected));
  const d = $('#detail');
  if (!res.ok) { d.replaceChildren(h('h2', {}, 'Order timeline'), h('p', { class: 'muted' }, selected + ' is gone')); return; }
  const { order, timeline } = await res.json();
  const items = timeline.map((e) => h('li', { class: e.ok === false ? 'bad' : '', 'data-kind': e.kind }, h('span', { class: 'k' }, china(e.at).slice(11)), h('span', { class: 't' }, e.title),
    e.kind === 'notification' && e.id ? h('button', { 'data-replay': e.id, on: () => act('replay', '/sandbox/admin/notifications/' + encodeURIComponent(e.id) + '/replay') }, 'replay') : null,
    e.detail !== undefined ? h('details', {}, h('summary', {}, 'details'), h('pre', {}, JSON.stringify(e.detail, null, 2))) : null));
  d.replaceChildren(h('h2', {}, 'Order timeline: ', h('code', {}, order.outTradeNo)),
    h('p', {}, 'gateway ', h('b', { id: 'detail-gateway' }, order.state), ' · merchant store ', h('b', { id: 'detail-merchant' }, order.merchant ? order.merchant.state : '—'), order.mismatches.length ? h('span', { class: 'err' }, ' ≠ ' + order.mismatches.join('; ')) : null),
    h('ol', { id: 'timeline' }, items));
}
let timer = null;
function refreshSoon() { clearTimeout(timer); timer = setTimeout(() => { refresh().catch((e) => say(String(e), true)); showDetail().catch(() => undefined); }, 30); }
for (const id of ['#f-channel', '#f-state', '#f-mismatch']) $(id).onchange = () => { page = 1; refreshSoon(); };
$('#f-q').oninput = () => { page = 1; refreshSoon(); };
$('#prev').onclick = () => { page = Math.max(1, page - 1); refreshSoon(); };
$('#next').onclick = () => { page = Math.min(pages, page + 1); refreshSoon(); };
const count = () => Number($('#fault-count').value) || 1;
for (const effect of FAULTS.endpoint) $('#fault-endpoint').append(h('button', { 'data-fault-effect': effect, on: () => act('fault ' + effect, '/sandbox/admin/faults', { kind: 'endpoint', method: effect === 'NOT_ENOUGH' ? 'POST' : undefined, path: effect === 'NOT_ENOUGH' ? FAULTS.refundCreatePath : $('#fault-path').value, effect, count: count() }) }, effect));
for (const effect of FAULTS.notification) {
  const spec = () => ({ kind: 'notification', effect, eventType: $('#fault-event').value || undefined, count: count() });
  if (effect === 'corrupt') for (const corruption of FAULTS.corruptions) $('#fault-notification').append(h('button', { 'data-fault-effect': 'corrupt:' + corruption, on: () => act('fault corrupt ' + corruption, '/sandbox/admin/faults', { ...spec(), corruption }) }, 'corrupt:' + corruption));
  else $('#fault-notification').append(h('button', { 'data-fault-effect': effect, on: () => act('fault ' + effect, '/sandbox/admin/faults', spec()) }, effect));
}
for (const effect of FAULTS.refund) $('#fault-refund').append(h('button', { 'data-fault-effect': 'refund:' + effect, on: () => act('refund fault ' + effect, '/sandbox/admin/faults', { kind: 'refund', effect, count: count() }) }, effect));
$('#fault-clear').onclick = () => act('faults cleared', '/sandbox/admin/faults', undefined, 'DELETE');
// The Huifu sandbox's switches, forwarded to it (huifu-source.ts).
const hfFault = (label, spec) => act('huifu ' + label, HF.forward + '/sandbox/admin/faults', { ...spec, count: count() });
for (const effect of HF.endpoint) $('#hf-fault-endpoint').append(h('button', { 'data-hf-fault': effect, on: () => hfFault('fault ' + effect, { kind: 'endpoint', method: 'POST', path: $('#hf-fault-path').value, effect }) }, effect));
for (const effect of HF.notification) {
  const spec = (extra) => ({ kind: 'notification', effect, eventType: $('#hf-fault-event').value || undefined, ...extra });
  if (effect === 'corrupt') for (const corruption of HF.corruptions) $('#hf-fault-notification').append(h('button', { 'data-hf-fault': 'corrupt:' + corruption, on: () => hfFault('fault corrupt ' + corruption, spec({ corruption })) }, 'corrupt:' + corruption));
  else $('#hf-fault-notification').append(h('button', { 'data-hf-fault': effect, on: () => hfFault('fault ' + effect, spec({})) }, effect));
}
for (const b of document.querySelectorAll('[data-hf-counter]')) b.onclick = () => act('huifu next ' + b.dataset.hfCounter + ' fail', HF.forward + '/sandbox/admin/' + b.dataset.hfCounter + '/fail', { count: count() });
$('#hf-fault-clear').onclick = () => act('huifu faults cleared', HF.forward + '/sandbox/admin/faults', undefined, 'DELETE');
const contract = (verb) => fetch('/sandbox/admin/users/' + encodeURIComponent($('#sign-user').value)).then((r) => r.json()).then((u) => act(verb + ' ' + u.user, '/sandbox/admin/contracts/' + encodeURIComponent(u.openid) + '/' + verb), () => undefined);
$('#sign').onclick = () => contract('authorize');
$('#revoke').onclick = () => contract('revoke');
const source = new EventSource('/sandbox/console/events');
source.addEventListener('changed', () => { $('#live').textContent = 'live'; $('#live').className = 'on'; refreshSoon(); });
source.onerror = () => { $('#live').textContent = 'offline — retrying'; $('#live').className = ''; };
refreshSoon();
</script></body></html>`;
}
