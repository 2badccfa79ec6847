import type { HuifuContext } from './context';
import { verifyText } from './envelope';
import { AdminError, esc, jsonObject, page, route, type Reply, type Route } from './http';
import type { TradeRecord } from './state';
import { expireIfDue, markFailed, markPaid } from './trades';
import { yuanOf } from './money';

/**
 * What the payer does with `pay_info` in WeChat's cashier, on the Huifu sandbox's own host (the
 * WeChat sandbox's cashier only knows its own prepay ids):
 * `POST /sandbox/cashier/{prepay_id}/pay|cancel|fail` — the same paths and body (the
 * `wx.requestPayment` parameters) as sandbox/gateway/cashier.ts, so the mini-program's local payment
 * wrapper can use either host — and a page `GET /sandbox/cashier/{prepay_id}`. Given the invoke
 * parameters, the pay sign is checked first (APIv3 rule: SHA256withRSA over
 * `appId\ntimeStamp\nnonceStr\npackage\n`, signType RSA, with the channel pay-sign key).
 * pay → trans_stat S + notifications; fail → F + a notify_type 1 with F; cancel → nothing.
 * Admins can do the same by hf_seq_id: `POST /sandbox/admin/trades/{hf_seq_id}/pay|fail`.
 */

export type CashierAction = 'pay' | 'cancel' | 'fail';

function byPrepay(ctx: HuifuContext, prepayId: string): TradeRecord {
  const trade = ctx.state.tradeByPrepayId(prepayId);
  if (!trade) throw new AdminError(404, 'PREPAY_NOT_FOUND', `prepay_id ${prepayId} 不存在`);
  return trade;
}

function checkPaySign(ctx: HuifuContext, trade: TradeRecord, input: Record<string, unknown>): void {
  if (input.paySign === undefined) return;
  const pkg = `prepay_id=${trade.prepayId}`;
  if (input.package !== pkg) throw new AdminError(400, 'PARAM_ERROR', `package 应为 ${pkg}`);
  if (input.signType !== 'RSA') throw new AdminError(400, 'PARAM_ERROR', 'signType 应为 RSA');
  if (typeof input.timeStamp !== 'string' || typeof input.nonceStr !== 'string' || typeof input.paySign !== 'string') {
    throw new AdminError(400, 'PARAM_ERROR', '缺少 timeStamp、nonceStr 或 paySign');
  }
  const message = `${trade.appId}\n${input.timeStamp}\n${input.nonceStr}\n${input.package}\n`;
  if (!verifyText(message, input.paySign, ctx.keys.paySign.publicKeyPem)) throw new AdminError(401, 'SIGN_ERROR', '支付验证签名失败');
}

/** The payer's action on a trade; throws the cashier's refusal when it cannot be paid now. */
export function act(ctx: HuifuContext, trade: TradeRecord, action: CashierAction, input: Record<string, unknown> = {}): Reply {
  checkPaySign(ctx, trade, input);
  expireIfDue(ctx, trade);
  if (trade.transStat === 'S') throw new AdminError(403, 'ORDERPAID', '订单已支付');
  if (trade.transStat === 'F') throw new AdminError(400, 'ORDER_CLOSED', `订单不可支付: ${trade.bankMessage}`);
  if (action === 'pay') markPaid(ctx, trade);
  if (action === 'fail') markFailed(ctx, trade, typeof input.reason === 'string' && input.reason ? input.reason : '支付失败，余额不足');
  return { status: 200, json: { trans_stat: trade.transStat, req_seq_id: trade.reqSeqId, hf_seq_id: trade.hfSeqId } };
}

export function cashierRoutes(ctx: HuifuContext): Route[] {
  return [
    route('POST', /^\/sandbox\/cashier\/([^/]+)\/(pay|cancel|fail)$/, (r) => act(ctx, byPrepay(ctx, r.params[0]!), r.params[1] as CashierAction, jsonObject(r.body))),
    route('GET', /^\/sandbox\/cashier\/([^/]+)$/, (r) => cashierPage(ctx, r.params[0]!)),
  ];
}

function cashierPage(ctx: HuifuContext, prepayId: string): Reply {
  const trade = ctx.state.tradeByPrepayId(prepayId);
  if (!trade) return { status: 404, html: page('汇付收银台 (sandbox)', `<p class="err">prepay_id ${esc(prepayId)} 不存在</p>`) };
  expireIfDue(ctx, trade);
  const id = JSON.stringify(prepayId).replace(/</g, '\\u003c');
  return {
    status: 200,
    html: page(
      '汇付收银台 (sandbox)',
      `<p>${esc(trade.goodsDesc)}</p><p style="font-size:2rem">¥${yuanOf(trade.transFen)}</p>
<p>req_seq_id <code>${esc(trade.reqSeqId)}</code> trans_stat <b id="state">${trade.transStat}</b></p>
<button data-a="pay">支付</button> <button data-a="cancel">取消</button> <button data-a="fail">支付失败（余额不足）</button>
<pre id="out"></pre>
<script>
for (const b of document.querySelectorAll('button')) b.onclick = async () => {
  const res = await fetch('/sandbox/cashier/' + encodeURIComponent(${id}) + '/' + b.dataset.a, { method: 'POST', headers: { 'Content-Type': 'application/json' }, body: '{}' });
  const json = await res.json();
  document.getElementById('out').textContent = JSON.stringify(json, null, 2);
  if (json.trans_stat) document.getElementById('state').textContent = json.trans_stat;
};
</script>`,
    ),
  };
}
