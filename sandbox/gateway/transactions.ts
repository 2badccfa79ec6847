import type { GatewayContext } from './context';
import { GatewayError, jsonBody, paramError, route, type Reply, type Route } from './http';
import { newCodeUrl, newPrepayId, newTransactionId } from './ids';
import type { OrderRecord } from './state';
import { rfc3339China } from './time';
import * as v from './validate';

/**
 * JSAPI / mini-program and Native orders: create, query (by out_trade_no or transaction_id),
 * close. What a payer does to them (pay, cancel, fail) is in `cashier.ts`.
 */

/** Unpaid orders without time_expire stay payable this long. */
export const DEFAULT_EXPIRY_MS = 2 * 3600_000;

export function transactionRoutes(ctx: GatewayContext): Route[] {
  return [
    route('POST', /^\/v3\/pay\/transactions\/jsapi$/, (rc) => {
      const order = createOrder(ctx, rc.mchid, jsonBody(rc), 'JSAPI');
      return { status: 200, json: { prepay_id: order.prepayId } };
    }),
    route('POST', /^\/v3\/pay\/transactions\/native$/, (rc) => {
      const order = createOrder(ctx, rc.mchid, jsonBody(rc), 'NATIVE');
      return { status: 200, json: { code_url: order.codeUrl } };
    }),
    route('GET', /^\/v3\/pay\/transactions\/out-trade-no\/([^/]+)$/, (rc) => {
      v.sameMchid(rc.url.searchParams.get('mchid') ?? undefined, rc.mchid, 'mchid', 'query');
      return { status: 200, json: transactionView(findOrder(ctx, rc.params[0]!)) };
    }),
    route('GET', /^\/v3\/pay\/transactions\/id\/([^/]+)$/, (rc) => {
      v.sameMchid(rc.url.searchParams.get('mchid') ?? undefined, rc.mchid, 'mchid', 'query');
      const order = Object.values(ctx.state.data.orders).find((o) => o.transactionId === rc.params[0]);
      if (!order) throw notFound();
      expireIfDue(ctx, order);
      return { status: 200, json: transactionView(order) };
    }),
    route('POST', /^\/v3\/pay\/transactions\/out-trade-no\/([^/]+)\/close$/, (rc) => {
      const body = jsonBody(rc);
      v.sameMchid(body.mchid, rc.mchid);
      return closeOrder(ctx, findOrder(ctx, rc.params[0]!));
    }),
  ];
}

export const notFound = () => new GatewayError(404, 'ORDER_NOT_EXIST', '订单不存在');

/** 403 OUT_TRADE_NO_USED "商户订单号重复" (published 下单 error tables; older wiki pages list it as 403 too). */
export const outTradeNoUsed = (what = '商户订单号重复') => new GatewayError(403, 'OUT_TRADE_NO_USED', what);

export function findOrder(ctx: GatewayContext, outTradeNo: string): OrderRecord {
  const order = ctx.state.data.orders[outTradeNo];
  if (!order) throw notFound();
  expireIfDue(ctx, order);
  return order;
}

/** An unpaid order past its time_expire is closed, as the gateway closes it. */
export function expireIfDue(ctx: GatewayContext, order: OrderRecord): void {
  if ((order.tradeState === 'NOTPAY' || order.tradeState === 'USERPAYING') && Date.now() > expiryOf(order)) {
    order.tradeState = 'CLOSED';
    order.tradeStateDesc = '订单已过期关闭';
    ctx.state.changed();
  }
}

export function expiryOf(o: { timeExpire?: string; createdAt: number }): number {
  return o.timeExpire ? Date.parse(o.timeExpire) : o.createdAt + DEFAULT_EXPIRY_MS;
}

export function outTradeNoTaken(ctx: GatewayContext, outTradeNo: string): boolean {
  if (ctx.state.data.orders[outTradeNo] || ctx.state.data.combines[outTradeNo]) return true;
  return Object.values(ctx.state.data.combines).some((c) => c.subOrders.some((s) => s.outTradeNo === outTradeNo));
}

function createOrder(ctx: GatewayContext, signer: string | undefined, body: v.Json, tradeType: 'JSAPI' | 'NATIVE'): OrderRecord {
  const appid = v.str(body.appid, 'appid', { maxBytes: 32 });
  // 400 APPID_MCHID_NOT_MATCH "AppID和mch_id不匹配" (the 下单/关单 error tables, e.g.
  // https://pay.weixin.qq.com/doc/v3/merchant/4012556398).
  if (appid !== ctx.keys.appid) throw new GatewayError(400, 'APPID_MCHID_NOT_MATCH', `appid ${appid} 与商户号 ${signer} 不匹配`);
  const mchid = v.sameMchid(body.mchid, signer);
  const description = v.str(body.description, 'description', { maxBytes: 127 });
  const outTradeNo = v.str(body.out_trade_no, 'out_trade_no', { pattern: v.OUT_TRADE_NO, patternText: '6-32位数字、大小写字母或_-|*' });
  const timeExpire = v.optRfc3339(body.time_expire, 'time_expire');
  const attach = v.optStr(body.attach, 'attach', { maxBytes: 128 });
  const notifyUrl = v.notifyUrl(body.notify_url);
  const goodsTag = v.optStr(body.goods_tag, 'goods_tag', { maxBytes: 32 });
  const amount = v.obj(body.amount, 'amount');
  const total = v.positiveInt(amount.total, 'amount.total');
  const currency = v.currency(amount.currency, 'amount.currency');
  let payerOpenid: string | undefined;
  if (tradeType === 'JSAPI') payerOpenid = v.str(v.obj(body.payer, 'payer').openid, 'payer.openid', { maxBytes: 128 });

  const print = v.fingerprint({ tradeType, appid, mchid, description, outTradeNo, timeExpire, attach, notifyUrl, goodsTag, total, currency, payerOpenid });
  const existing = ctx.state.data.orders[outTradeNo];
  if (existing) {
    expireIfDue(ctx, existing);
    if (existing.tradeState === 'SUCCESS' || existing.tradeState === 'REFUND') throw new GatewayError(403, 'ORDERPAID', '该订单已支付');
    if (existing.tradeState === 'CLOSED') throw new GatewayError(400, 'ORDER_CLOSED', '该订单已关闭');
    if (existing.fingerprint !== print) throw outTradeNoUsed();
    // An identical repeat (a client retry) gets the same prepay back.
    return existing;
  }
  if (outTradeNoTaken(ctx, outTradeNo)) throw outTradeNoUsed();
  if (timeExpire && Date.parse(timeExpire) <= Date.now()) throw paramError('time_expire', '订单失效时间已过');

  const order: OrderRecord = {
    tradeType,
    appid,
    mchid,
    outTradeNo,
    description,
    notifyUrl,
    total,
    currency,
    createdAt: Date.now(),
    fingerprint: print,
    tradeState: 'NOTPAY',
    tradeStateDesc: '订单未支付',
    refunded: 0,
    prepayId: newPrepayId(),
    ...(tradeType === 'NATIVE' ? { codeUrl: newCodeUrl() } : {}),
    ...(attach !== undefined ? { attach } : {}),
    ...(timeExpire !== undefined ? { timeExpire } : {}),
    ...(goodsTag !== undefined ? { goodsTag } : {}),
    ...(payerOpenid !== undefined ? { payerOpenid } : {}),
  };
  ctx.state.data.orders[outTradeNo] = order;
  ctx.state.data.prepays[order.prepayId!] = { kind: 'order', key: outTradeNo };
  ctx.state.changed();
  ctx.log(`order ${outTradeNo} ${tradeType} ${total} fen created (prepay ${order.prepayId})`);
  return order;
}

/**
 * `POST …/out-trade-no/{no}/close` (https://pay.weixin.qq.com/doc/v3/merchant/4012556398): 204
 * closed; 400 ORDER_CLOSED when already closed; 202 USER_PAYING while the payer is in the
 * cashier (nothing closed, the order can still be paid). Closing a paid order is refused (403
 * ORDERPAID — not in the v3 close table, kept from the v2 closeorder table; see
 * docs/references/close-errors.md).
 */
export function closeOrder(ctx: GatewayContext, order: OrderRecord): Reply {
  if (order.tradeState === 'SUCCESS' || order.tradeState === 'REFUND') throw new GatewayError(403, 'ORDERPAID', '订单已支付，不能关闭');
  if (order.tradeState === 'CLOSED' || order.tradeState === 'REVOKED') throw new GatewayError(400, 'ORDER_CLOSED', '订单已关闭');
  const age = Date.now() - order.createdAt;
  if (age < ctx.minCloseIntervalMs) {
    throw new GatewayError(400, 'INVALID_REQUEST', `订单创建 ${Math.floor(age / 1000)} 秒，需至少 ${Math.ceil(ctx.minCloseIntervalMs / 1000)} 秒后才能关闭`);
  }
  if (order.cashierOpenedAt !== undefined) {
    ctx.log(`order ${order.outTradeNo}: close refused, the payer is paying`);
    return { status: 202, json: { code: 'USER_PAYING', message: '用户支付中，需要输入密码' } };
  }
  order.tradeState = 'CLOSED';
  order.tradeStateDesc = '订单已关闭';
  ctx.state.changed();
  ctx.log(`order ${order.outTradeNo} closed`);
  return { status: 204 };
}

/** The query answer, which is also the decrypted `TRANSACTION.SUCCESS` resource. */
export function transactionView(o: OrderRecord): Record<string, unknown> {
  const paid = o.tradeState === 'SUCCESS' || o.tradeState === 'REFUND';
  const payer = o.payerOpenid ?? o.paidBy;
  return {
    appid: o.appid,
    mchid: o.mchid,
    out_trade_no: o.outTradeNo,
    ...(o.transactionId ? { transaction_id: o.transactionId } : {}),
    trade_type: o.tradeType,
    trade_state: o.tradeState,
    trade_state_desc: o.tradeStateDesc,
    ...(o.bankType ? { bank_type: o.bankType } : {}),
    attach: o.attach ?? '',
    ...(o.successTime ? { success_time: o.successTime } : {}),
    payer: payer ? { openid: payer } : {},
    amount: paid ? { total: o.total, payer_total: o.total, currency: o.currency, payer_currency: o.currency } : { total: o.total, currency: o.currency, payer_currency: o.currency },
  };
}

/** The payer pays in the cashier: SUCCESS and a `TRANSACTION.SUCCESS` notification. */
export function markPaid(ctx: GatewayContext, order: OrderRecord, payerOpenid: string): void {
  order.tradeState = 'SUCCESS';
  order.tradeStateDesc = '支付成功';
  order.successTime = rfc3339China();
  order.transactionId = newTransactionId();
  order.bankType = 'OTHERS';
  if (!order.payerOpenid) order.paidBy = payerOpenid;
  ctx.state.changed();
  ctx.log(`order ${order.outTradeNo} paid (${order.transactionId})`);
  ctx.notifier.send({
    eventType: 'TRANSACTION.SUCCESS',
    summary: '支付成功',
    originalType: 'transaction',
    resource: transactionView(order),
    url: order.notifyUrl,
    subject: order.outTradeNo,
  });
}
