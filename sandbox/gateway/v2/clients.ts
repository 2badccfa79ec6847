import { esc, page } from '../contracts';
import { GatewayError, jsonBody, route, type Reply, type RequestContext, type Route } from '../http';
import { DEFAULT_TEST_USER, testOpenid } from '../login';
import type { V2Context } from './api';
import { expireIfDue, markV2Paid } from './orders';
import type { V2OrderRecord } from './records';
import { verifyV2 } from './sign';

/**
 * The payer's side of an APIv2 order, as sandbox pages and JSON calls:
 *
 * - the WeChat cashier for a JSAPI order (`wx.requestPayment` with v2 parameters):
 *   `POST /sandbox/v2/cashier/{prepay_id}/pay|cancel|fail` with `{timeStamp, nonceStr, package,
 *   signType, paySign}`; it pays only if `package` is `prepay_id=<this prepay>`, `signType` is
 *   the one the order was made with ("签名算法，应与后台下单时的值一致", wx.requestPayment) and
 *   paySign is the v2 sign over exactly appId, nonceStr, package, signType, timeStamp with the
 *   order's appid (https://pay.weixin.qq.com/wiki/doc/api/wxa/wxa_api.php?chapter=7_7).
 * - a simulated APP client (the OpenSDK's `PayReq`): `POST /sandbox/v2/app/pay|cancel|fail`
 *   with `{appid?, partnerid, prepayid, package, noncestr, timestamp, sign}`; it pays only if the
 *   re-sign over exactly appid, partnerid, prepayid, noncestr, timestamp, package=Sign=WXPay
 *   verifies (https://pay.weixin.qq.com/wiki/doc/api/app/app.php?chapter=9_12; seed 003). PayReq
 *   carries no sign type: the order's is used. The answer carries the `onResp` errCode
 *   (0 paid, -1 failed, -2 cancelled).
 *
 * - the same three actions by order number, without the client's signed parameters, for admins,
 *   the sandbox console and CLI (as the Huifu sandbox's `/sandbox/admin/trades/{hf_seq_id}/pay`):
 *   `POST /sandbox/admin/v2/orders/{out_trade_no}/pay|cancel|fail`; the payer is the order's
 *   openid (JSAPI) or the default test user (APP, as the APP client without `user`).
 *
 * pay → SUCCESS + notification; cancel → nothing changes; fail → PAYERROR, no notification.
 */

type Action = 'pay' | 'cancel' | 'fail';
const ERR_CODE: Record<Action, number> = { pay: 0, fail: -1, cancel: -2 };

export interface V2UserActionResult {
  trade_state: string;
  out_trade_no: string;
}

export function clientRoutes(ctx: V2Context): Route[] {
  return [
    route('POST', /^\/sandbox\/v2\/cashier\/([^/]+)\/(pay|cancel|fail)$/, (rc) => cashier(ctx, rc.params[0]!, rc.params[1] as Action, stringFields(rc))),
    route('GET', /^\/sandbox\/v2\/cashier\/([^/]+)$/, (rc) => clientPage(ctx, rc.params[0]!, 'JSAPI')),
    route('POST', /^\/sandbox\/v2\/app\/(pay|cancel|fail)$/, (rc) => appClient(ctx, rc.params[0] as Action, stringFields(rc))),
    route('GET', /^\/sandbox\/v2\/app\/([^/]+)$/, (rc) => clientPage(ctx, rc.params[0]!, 'APP')),
    route('POST', /^\/sandbox\/admin\/v2\/orders\/([^/]+)\/(pay|cancel|fail)$/, (rc) => {
      const order = ctx.gw.state.data.v2.orders[rc.params[0]!];
      if (!order) throw new GatewayError(404, 'ORDER_NOT_EXIST', `no v2 order ${rc.params[0]}`);
      const input = stringFields(rc);
      return act(ctx, order, rc.params[1] as Action, order.openid ?? testOpenid(order.appid, DEFAULT_TEST_USER), input.reason);
    }),
  ];
}

function cashier(ctx: V2Context, prepayId: string, action: Action, input: Record<string, string>): Reply {
  const order = orderOfPrepay(ctx, prepayId);
  if (order.tradeType !== 'JSAPI') throw new GatewayError(400, 'PARAM_ERROR', 'APP 订单须由 APP 调起支付 (/sandbox/v2/app)');
  for (const key of ['timeStamp', 'nonceStr', 'package', 'signType', 'paySign']) {
    if (!input[key]) throw new GatewayError(400, 'PARAM_ERROR', `缺少 ${key}`);
  }
  if (input.package !== `prepay_id=${prepayId}`) throw new GatewayError(400, 'PARAM_ERROR', `package 应为 prepay_id=${prepayId}`);
  const signed = { appId: order.appid, nonceStr: input.nonceStr, package: input.package, signType: input.signType, timeStamp: input.timeStamp, sign: input.paySign };
  if (input.signType !== order.signType || !verifyV2(signed, ctx.keys.apiV2Key, order.signType)) {
    throw new GatewayError(401, 'SIGN_ERROR', '支付验证签名失败');
  }
  return act(ctx, order, action, order.openid!, input.reason);
}

function appClient(ctx: V2Context, action: Action, req: Record<string, string>): Reply {
  for (const key of ['partnerid', 'prepayid', 'package', 'noncestr', 'timestamp', 'sign']) {
    if (!req[key]) throw new GatewayError(400, 'PARAM_ERROR', `PayReq 缺少 ${key}`);
  }
  const order = orderOfPrepay(ctx, req.prepayid!);
  if (order.tradeType !== 'APP') throw new GatewayError(400, 'PARAM_ERROR', '不是 APP 订单');
  // The APP calls with the appid it registered (WXApi registerApp): the order's.
  if (req.appid !== undefined && req.appid !== order.appid) throw new GatewayError(400, 'PARAM_ERROR', 'appid 与订单不一致');
  const signed = { appid: order.appid, partnerid: req.partnerid, prepayid: req.prepayid, noncestr: req.noncestr, timestamp: req.timestamp, package: req.package, sign: req.sign };
  if (req.partnerid !== order.mchId || req.package !== 'Sign=WXPay' || !verifyV2(signed, ctx.keys.apiV2Key, order.signType)) {
    throw new GatewayError(401, 'SIGN_ERROR', '支付验证签名失败');
  }
  const reply = act(ctx, order, action, testOpenid(order.appid, req.user ?? DEFAULT_TEST_USER), req.reason);
  return { status: 200, json: { ...(reply.json as object), errCode: ERR_CODE[action] } };
}

function act(ctx: V2Context, order: V2OrderRecord, action: Action, payer: string, reason?: string): Reply {
  expireIfDue(ctx, order);
  if (order.tradeState === 'SUCCESS' || order.tradeState === 'REFUND') throw new GatewayError(403, 'ORDERPAID', '订单已支付');
  if (order.tradeState === 'CLOSED' || order.tradeState === 'REVOKED') throw new GatewayError(400, 'ORDER_CLOSED', '订单已关闭或已过期');
  if (order.tradeState === 'PAYERROR') throw new GatewayError(400, 'INVALID_REQUEST', '订单支付失败，请重新下单');
  if (action === 'pay') markV2Paid(ctx, order, payer);
  if (action === 'fail') {
    order.tradeState = 'PAYERROR';
    ctx.gw.state.changed();
    ctx.gw.log(`v2 ${order.outTradeNo} PAYERROR (${reason ?? '支付失败，余额不足'})`);
  }
  const result: V2UserActionResult = { trade_state: order.tradeState, out_trade_no: order.outTradeNo };
  return { status: 200, json: result };
}

function orderOfPrepay(ctx: V2Context, prepayId: string): V2OrderRecord {
  const no = ctx.gw.state.data.v2.prepays[prepayId];
  const order = no === undefined ? undefined : ctx.gw.state.data.v2.orders[no];
  if (!order) throw new GatewayError(404, 'PREPAY_NOT_FOUND', `prepay_id ${prepayId} 不存在`);
  return order;
}

function stringFields(rc: RequestContext): Record<string, string> {
  if (!rc.body.trim()) return {};
  const body = jsonBody(rc);
  const out: Record<string, string> = {};
  for (const [key, value] of Object.entries(body)) {
    if (typeof value !== 'string') throw new GatewayError(400, 'PARAM_ERROR', `${key} must be a string`);
    out[key] = value;
  }
  return out;
}

/** The cashier / APP client page: the order, a box for the parameters the merchant server signed, three actions. */
function clientPage(ctx: V2Context, prepayId: string, kind: 'JSAPI' | 'APP'): Reply {
  let order: V2OrderRecord;
  try {
    order = orderOfPrepay(ctx, prepayId);
  } catch (err) {
    return { status: 404, html: page('微信支付 (sandbox v2)', `<p class="err">${esc((err as Error).message)}</p>`) };
  }
  expireIfDue(ctx, order);
  const yuan = `${Math.floor(order.totalFee / 100)}.${String(order.totalFee % 100).padStart(2, '0')}`;
  const example =
    kind === 'JSAPI'
      ? { timeStamp: '', nonceStr: '', package: `prepay_id=${prepayId}`, signType: order.signType, paySign: '' }
      : { appid: order.appid, partnerid: order.mchId, prepayid: prepayId, package: 'Sign=WXPay', noncestr: '', timestamp: '', sign: '' };
  const target = kind === 'JSAPI' ? `/sandbox/v2/cashier/${encodeURIComponent(prepayId)}/` : '/sandbox/v2/app/';
  const title = kind === 'JSAPI' ? '微信支付 (sandbox v2 收银台)' : '模拟 APP 客户端 (sandbox v2)';
  return {
    status: 200,
    html: page(
      title,
      `<p>${esc(order.body)}</p><p style="font-size:2rem">¥${yuan}</p>
<p>订单 <code>${esc(order.outTradeNo)}</code> ${esc(order.tradeType)} · ${esc(order.signType)} · 状态 <b id="state">${order.tradeState}</b></p>
<p>${kind === 'JSAPI' ? 'wx.requestPayment 参数' : 'PayReq'} (商户服务器签名):</p>
<textarea id="params" rows="9" style="width:100%;font-family:monospace">${esc(JSON.stringify(example, null, 2))}</textarea>
<button data-a="pay">支付</button> <button data-a="cancel">取消</button> <button data-a="fail">支付失败</button>
<pre id="out"></pre>
<script>
for (const b of document.querySelectorAll('button')) b.onclick = async () => {
  const res = await fetch(${JSON.stringify(target).replace(/</g, '\\u003c')} + b.dataset.a, { method: 'POST', headers: { 'Content-Type': 'application/json' }, body: document.getElementById('params').value });
  const json = await res.json();
  document.getElementById('out').textContent = JSON.stringify(json, null, 2);
  if (json.trade_state) document.getElementById('state').textContent = json.trade_state;
};
</script>`,
    ),
  };
}
