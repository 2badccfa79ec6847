import { combinePaid, expireCombineIfDue, markCombinePaid } from './combine';
import type { GatewayContext } from './context';
import { esc, page } from './contracts';
import { verifySha256Rsa } from './crypto';
import { GatewayError, jsonBody, route, type Reply, type RequestContext, type Route } from './http';
import { DEFAULT_TEST_USER, testOpenid } from './login';
import type { CombineRecord, OrderRecord, TradeState } from './state';
import { expireIfDue, markPaid } from './transactions';

/**
 * What a person does in the WeChat cashier, as plain JSON calls (the mini-program's local
 * payment wrapper uses them with wx.request) and as a small HTML page:
 * open → the payer is in the cashier, not finished (a close now answers 202 USERPAYING; the page
 * does this when it loads); pay → SUCCESS + notification; cancel → the payer leaves, nothing else
 * changes (pay again until time_expire); fail → PAYERROR, no notification. Expired or closed
 * orders cannot be paid. Given the invoke parameters, the pay sign is verified first.
 */

type Target = { kind: 'order'; order: OrderRecord } | { kind: 'combine'; combine: CombineRecord };

function resolvePrepay(ctx: GatewayContext, prepayId: string): Target {
  const ref = ctx.state.data.prepays[prepayId];
  if (ref?.kind === 'order' && ctx.state.data.orders[ref.key]) {
    const order = ctx.state.data.orders[ref.key]!;
    expireIfDue(ctx, order);
    return { kind: 'order', order };
  }
  if (ref?.kind === 'combine' && ctx.state.data.combines[ref.key]) {
    const combine = ctx.state.data.combines[ref.key]!;
    expireCombineIfDue(ctx, combine);
    return { kind: 'combine', combine };
  }
  throw new GatewayError(404, 'PREPAY_NOT_FOUND', `prepay_id ${prepayId} 不存在`);
}

function stateOf(t: Target): { trade_state: TradeState; out_trade_no: string } {
  if (t.kind === 'order') return { trade_state: t.order.tradeState, out_trade_no: t.order.outTradeNo };
  const states = t.combine.subOrders.map((s) => s.tradeState);
  const trade_state = states.every((s) => s === states[0]) ? states[0]! : states.includes('SUCCESS') ? 'SUCCESS' : 'NOTPAY';
  return { trade_state, out_trade_no: t.combine.combineOutTradeNo };
}

/** Throws the cashier's refusal when the order cannot be paid now. */
function assertPayable(t: Target): void {
  const { trade_state } = stateOf(t);
  if (trade_state === 'SUCCESS' || trade_state === 'REFUND') throw new GatewayError(403, 'ORDERPAID', '订单已支付');
  if (trade_state === 'CLOSED' || trade_state === 'REVOKED') throw new GatewayError(400, 'ORDER_CLOSED', '订单已关闭或已过期');
  if (trade_state === 'PAYERROR') throw new GatewayError(400, 'INVALID_REQUEST', '订单支付失败，请重新下单');
}

/** What the payer's client sends: optionally the full `wx.requestPayment` parameters. */
export interface CashierInput {
  /** Who pays a NATIVE order (JSAPI and combine orders name their payer). */
  openid?: string;
  /** fail: why (default: insufficient balance). */
  reason?: string;
  timeStamp?: string;
  nonceStr?: string;
  package?: string;
  signType?: string;
  paySign?: string;
}

/**
 * When the caller hands over the invoke parameters, check them as WeChat's cashier does: the
 * package names this prepay and the pay sign (SHA256withRSA over `appId\ntimeStamp\nnonceStr\npackage\n`
 * with the order's appid) verifies with the merchant certificate.
 */
function checkPaySign(ctx: GatewayContext, t: Target, prepayId: string, input: CashierInput): void {
  if (input.paySign === undefined) return;
  const appid = t.kind === 'order' ? t.order.appid : t.combine.combineAppid;
  if (input.package !== `prepay_id=${prepayId}`) throw new GatewayError(400, 'PARAM_ERROR', `package 应为 prepay_id=${prepayId}`);
  if (input.signType !== 'RSA') throw new GatewayError(400, 'PARAM_ERROR', 'APIv3 订单的 signType 应为 RSA');
  if (typeof input.timeStamp !== 'string' || typeof input.nonceStr !== 'string') throw new GatewayError(400, 'PARAM_ERROR', '缺少 timeStamp 或 nonceStr');
  const message = `${appid}\n${input.timeStamp}\n${input.nonceStr}\n${input.package}\n`;
  if (!verifySha256Rsa(message, input.paySign, ctx.keys.merchant.certificatePem)) throw new GatewayError(401, 'SIGN_ERROR', '支付验证签名失败');
}

/** Marks (or clears) "the payer is in the cashier" on the order or combine order. */
function setOpened(ctx: GatewayContext, t: Target, opened: boolean): void {
  const record = t.kind === 'order' ? t.order : t.combine;
  if (opened) record.cashierOpenedAt = Date.now();
  else delete record.cashierOpenedAt;
  ctx.state.changed();
}

export function open(ctx: GatewayContext, prepayId: string, input: CashierInput = {}): Reply {
  const t = resolvePrepay(ctx, prepayId);
  checkPaySign(ctx, t, prepayId, input);
  assertPayable(t);
  setOpened(ctx, t, true);
  ctx.log(`cashier: payer opened ${stateOf(t).out_trade_no}`);
  return { status: 200, json: stateOf(t) };
}

export function pay(ctx: GatewayContext, prepayId: string, input: CashierInput = {}): Reply {
  const t = resolvePrepay(ctx, prepayId);
  checkPaySign(ctx, t, prepayId, input);
  assertPayable(t);
  if (t.kind === 'order') markPaid(ctx, t.order, input.openid ?? t.order.payerOpenid ?? testOpenid(t.order.appid, DEFAULT_TEST_USER));
  else {
    if (combinePaid(t.combine) || t.combine.subOrders.some((s) => s.tradeState === 'CLOSED')) throw new GatewayError(400, 'ORDER_CLOSED', '合单中有子单已关闭');
    markCombinePaid(ctx, t.combine);
  }
  setOpened(ctx, t, false);
  return { status: 200, json: stateOf(t) };
}

export function cancel(ctx: GatewayContext, prepayId: string, input: CashierInput = {}): Reply {
  const t = resolvePrepay(ctx, prepayId);
  checkPaySign(ctx, t, prepayId, input);
  assertPayable(t);
  setOpened(ctx, t, false);
  ctx.log(`cashier: payer left ${stateOf(t).out_trade_no} unpaid`);
  return { status: 200, json: stateOf(t) };
}

export function fail(ctx: GatewayContext, prepayId: string, input: CashierInput = {}): Reply {
  const t = resolvePrepay(ctx, prepayId);
  checkPaySign(ctx, t, prepayId, input);
  assertPayable(t);
  const reason = input.reason ?? '支付失败，余额不足';
  if (t.kind === 'order') {
    t.order.tradeState = 'PAYERROR';
    t.order.tradeStateDesc = reason;
  } else {
    for (const s of t.combine.subOrders) s.tradeState = 'PAYERROR';
  }
  setOpened(ctx, t, false);
  ctx.log(`cashier: ${stateOf(t).out_trade_no} PAYERROR (${reason})`);
  return { status: 200, json: stateOf(t) };
}

function cashierInput(rc: RequestContext): CashierInput {
  if (!rc.body.trim()) return {};
  const body = jsonBody(rc);
  for (const key of ['openid', 'reason', 'timeStamp', 'nonceStr', 'package', 'signType', 'paySign'] as const) {
    const value = body[key];
    if (value !== undefined && (typeof value !== 'string' || !value)) throw new GatewayError(400, 'PARAM_ERROR', `${key} must be a non-empty string`);
  }
  return body as CashierInput;
}

export function cashierRoutes(ctx: GatewayContext): Route[] {
  return [
    route('POST', /^\/sandbox\/cashier\/([^/]+)\/open$/, (rc) => open(ctx, rc.params[0]!, cashierInput(rc))),
    route('POST', /^\/sandbox\/cashier\/([^/]+)\/pay$/, (rc) => pay(ctx, rc.params[0]!, cashierInput(rc))),
    route('POST', /^\/sandbox\/cashier\/([^/]+)\/cancel$/, (rc) => cancel(ctx, rc.params[0]!, cashierInput(rc))),
    route('POST', /^\/sandbox\/cashier\/([^/]+)\/fail$/, (rc) => fail(ctx, rc.params[0]!, cashierInput(rc))),
    route('GET', /^\/sandbox\/cashier\/([^/]+)$/, (rc) => cashierPage(ctx, rc.params[0]!)),
  ];
}

function cashierPage(ctx: GatewayContext, prepayId: string): Reply {
  let t: Target;
  try {
    t = resolvePrepay(ctx, prepayId);
  } catch (err) {
    const e = err as GatewayError;
    return { status: 404, html: page('微信支付 (sandbox)', `<p class="err">${esc(e.message)}</p>`) };
  }
  const total = t.kind === 'order' ? t.order.total : t.combine.subOrders.reduce((sum, s) => sum + s.total, 0);
  const description = t.kind === 'order' ? t.order.description : t.combine.subOrders.map((s) => s.description).join(' / ');
  const { trade_state, out_trade_no } = stateOf(t);
  const payable = trade_state === 'NOTPAY' || trade_state === 'USERPAYING';
  const yuan = `${Math.floor(total / 100)}.${String(total % 100).padStart(2, '0')}`;
  const id = JSON.stringify(prepayId).replace(/</g, '\\u003c');
  return {
    status: 200,
    html: page(
      '微信支付 (sandbox)',
      `<p>${esc(description)}</p><p style="font-size:2rem">¥${yuan}</p>
<p>订单 <code>${esc(out_trade_no)}</code> 状态 <b id="state">${trade_state}</b></p>
<button data-a="pay">支付</button> <button data-a="cancel">取消</button> <button data-a="fail">支付失败（余额不足）</button>
<pre id="out"></pre>
<script>
const act = async (action) => {
  const res = await fetch('/sandbox/cashier/' + encodeURIComponent(${id}) + '/' + action, { method: 'POST', headers: { 'Content-Type': 'application/json' }, body: '{}' });
  const json = await res.json();
  document.getElementById('out').textContent = JSON.stringify(json, null, 2);
  if (json.trade_state) document.getElementById('state').textContent = json.trade_state;
};
for (const b of document.querySelectorAll('button')) b.onclick = () => act(b.dataset.a);
// The payer is in the cashier now: until pay, cancel or fail, a close answers 202 USERPAYING.
if (${JSON.stringify(payable)}) void act('open');
</script>`,
    ),
  };
}
