import type { GatewayContext } from '../context';
import { esc, page } from '../contracts';
import { GatewayError, jsonBody, paramError, route, type Reply, type Route } from '../http';
import { DEFAULT_TEST_USER, testOpenid } from '../login';
import { findByPackage, userConfirm, userRefuse } from './orders';
import type { PayScoreOrderRecord } from './records';

/**
 * Stands in for PayScore's confirmation mini-program, which the merchant's mini-program opens with
 * `wx.openBusinessView({businessType: 'wxpayScoreUse', extraData: {package}})` (acquiring-bank
 * page: https://pay.weixin.qq.com/docs/partner/apis/partner-institution-weixin-pay-score/acquiring-bank-service-confirm-order/miniprogram-calls-confirm-order.html).
 * Like the payee signing page (`/sandbox/sign`), a local build's openBusinessView adapter opens
 * `GET /sandbox/payscore/confirm?package=…` or posts the user's decision:
 *
 *   POST /sandbox/payscore/confirm {package, decision: 'confirm' | 'refuse', openid?}
 *   → 200 {out_order_no, query_id, state, state_description?}
 *
 * `confirm` moves the order to DOING/USER_CONFIRM and sends PAYSCORE.USER_CONFIRM; `refuse` (the
 * user leaves without confirming) changes nothing — the order stays CREATED until cancelled or
 * expired. Either way the answer carries `query_id`, which PayScore hands back to the merchant's
 * front end on return (the client must still ask its server, which queries the gateway). The
 * user is `openid` when given, else the order's create-time openid, else the default test user.
 */

export type ConfirmDecision = 'confirm' | 'refuse';

function userOf(o: PayScoreOrderRecord, openid: unknown): string {
  if (openid === undefined) return o.openid ?? testOpenid(o.appid, DEFAULT_TEST_USER);
  if (typeof openid !== 'string' || openid === '') throw paramError('openid', '应为非空字符串');
  return openid;
}

export function decide(ctx: GatewayContext, o: PayScoreOrderRecord, decision: unknown, openid: unknown): Record<string, unknown> {
  if (decision === 'confirm') userConfirm(ctx, o, userOf(o, openid));
  else if (decision === 'refuse') userRefuse(ctx, o);
  else throw paramError('decision', "应为 'confirm' 或 'refuse'");
  return { out_order_no: o.outOrderNo, query_id: o.queryId, state: o.state, ...(o.state === 'DOING' && o.stateDescription ? { state_description: o.stateDescription } : {}) };
}

export function confirmPageRoutes(ctx: GatewayContext): Route[] {
  return [
    route('GET', /^\/sandbox\/payscore\/confirm$/, (rc) => confirmPage(ctx, rc.url.searchParams.get('package') ?? '')),
    route('POST', /^\/sandbox\/payscore\/confirm$/, (rc) => {
      const body = jsonBody(rc);
      if (typeof body.package !== 'string' || body.package === '') throw paramError('package', '字段缺失或为空');
      return { status: 200, json: decide(ctx, findByPackage(ctx, body.package), body.decision, body.openid) };
    }),
  ];
}

const yuan = (fen: number) => `¥${Math.floor(fen / 100)}.${String(fen % 100).padStart(2, '0')}`;

function confirmPage(ctx: GatewayContext, pkg: string): Reply {
  let o: PayScoreOrderRecord;
  try {
    if (!pkg) throw paramError('package', '字段缺失或为空', 'query');
    o = findByPackage(ctx, pkg);
  } catch (err) {
    const e = err as GatewayError;
    return { status: e.status ?? 400, html: page('微信支付分', `<p class="err">${esc(e.code)}: ${esc(e.message)}</p>`) };
  }
  const items = o.postPayments.map((p) => `<li>${esc(p.name)}${p.amount !== undefined ? ` ${yuan(p.amount)}` : ''}${p.description ? ` — ${esc(p.description)}` : ''}</li>`).join('');
  const body = `
<p><b>${esc(o.serviceIntroduction)}</b>（商户 ${esc(o.subMchid)}）</p>
<p>先享后付：服务结束后按实际费用扣款。风险金 <b>${yuan(o.riskFund.amount)}</b>（${esc(o.riskFund.name)}）</p>
${items ? `<ul>${items}</ul>` : ''}
<p>订单 <code>${esc(o.outOrderNo)}</code> 状态: <b id="state">${esc(o.state)}</b></p>
<button id="ok">确认订单</button> <button id="no">暂不使用</button>
<pre id="out"></pre>
<script>
const pkg = ${JSON.stringify(o.package).replace(/</g, '\\u003c')};
async function decide(decision) {
  const res = await fetch('/sandbox/payscore/confirm', { method: 'POST', headers: { 'Content-Type': 'application/json' }, body: JSON.stringify({ package: pkg, decision }) });
  const json = await res.json();
  document.getElementById('out').textContent = JSON.stringify(json, null, 2);
  if (json.state) document.getElementById('state').textContent = json.state;
}
document.getElementById('ok').onclick = () => decide('confirm');
document.getElementById('no').onclick = () => decide('refuse');
</script>`;
  return { status: 200, html: page('微信支付分 · 确认订单 (sandbox)', body) };
}
