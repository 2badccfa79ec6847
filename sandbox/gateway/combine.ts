import type { GatewayContext } from './context';
import { contractByAuthId } from './contracts';
import { GatewayError, jsonBody, paramError, route, type Reply, type Route } from './http';
import { newCombineTransactionId, newPrepayId, newTransactionId } from './ids';
import type { CombineRecord, CombineSubRecord } from './state';
import { rfc3339China } from './time';
import { expiryOf, outTradeNoTaken, outTradeNoUsed } from './transactions';
import * as v from './validate';

/**
 * Combine (合单) orders to individual payees, seed 000: create (mini-program), query (by our
 * number or by the gateway's combine_transaction_id), close. Each sub-order pays an AUTHORIZED
 * individual_auth_id; the payer cannot pay themself.
 *
 * The create request is held to the published 个人收款交易下单-小程序 field list
 * (https://pay.weixin.qq.com/doc/v3/partner/4012602225, mirrored at
 * https://wechatpay.im/openapi/v3/combine-transactions/miniprogram): a field it does not list
 * (the seed samples' `time_start`, `settle_info`, `transfer_scene`, `goods_tag`, `detail`, …) or a
 * `trade_scenario` other than RECOMMERCE is 400 PARAM_ERROR naming the field.
 * See docs/references/combine.md.
 */

export const MAX_SUB_ORDERS = 10;

/** The published request fields, level by level; anything else is refused. */
const CREATE_FIELDS = ['combine_appid', 'combine_mchid', 'combine_out_trade_no', 'combine_payer_info', 'scene_info', 'sub_orders', 'time_expire', 'notify_url', 'trade_scenario'];
const PAYER_FIELDS = ['openid'];
const SCENE_FIELDS = ['device_id', 'payer_client_ip'];
const SUB_ORDER_FIELDS = ['mchid', 'individual_auth_id', 'individual_name', 'out_trade_no', 'amount', 'attach', 'description'];
const AMOUNT_FIELDS = ['total_amount', 'currency'];
/** `trade_scenario`: the published page's only value (the seed's TIP is not published). */
const TRADE_SCENARIOS = /^RECOMMERCE$/;

export function combineRoutes(ctx: GatewayContext): Route[] {
  return [
    route('POST', /^\/v3\/combine-transactions\/miniprogram$/, (rc) => ({ status: 200, json: { prepay_id: createCombine(ctx, rc.mchid!, jsonBody(rc)).prepayId } })),
    route('GET', /^\/v3\/combine-transactions\/out-trade-no\/([^/]+)$/, (rc) => ({ status: 200, json: combineView(ctx, findCombine(ctx, rc.params[0]!)) })),
    // https://pay.weixin.qq.com/doc/v3/partner/4012602242 (个人收款交易通过微信支付订单号查单)
    route('GET', /^\/v3\/combine-transactions\/id\/([^/]+)$/, (rc) => ({ status: 200, json: combineView(ctx, findCombineById(ctx, rc.params[0]!)) })),
    route('POST', /^\/v3\/combine-transactions\/out-trade-no\/([^/]+)\/close$/, (rc) => closeCombine(ctx, findCombine(ctx, rc.params[0]!), jsonBody(rc))),
  ];
}

export function findCombine(ctx: GatewayContext, combineOutTradeNo: string): CombineRecord {
  const c = ctx.state.data.combines[combineOutTradeNo];
  if (!c) throw new GatewayError(404, 'ORDER_NOT_EXIST', '订单不存在');
  expireCombineIfDue(ctx, c);
  return c;
}

export function expireCombineIfDue(ctx: GatewayContext, c: CombineRecord): void {
  if (Date.now() <= expiryOf(c)) return;
  let changed = false;
  for (const s of c.subOrders) {
    if (s.tradeState === 'NOTPAY' || s.tradeState === 'USERPAYING') {
      s.tradeState = 'CLOSED';
      changed = true;
    }
  }
  if (changed) ctx.state.changed();
}

function findCombineById(ctx: GatewayContext, combineTransactionId: string): CombineRecord {
  const c = Object.values(ctx.state.data.combines).find((record) => combineTransactionIdOf(ctx, record) === combineTransactionId);
  if (!c) throw new GatewayError(404, 'ORDER_NOT_EXIST', '订单不存在');
  expireCombineIfDue(ctx, c);
  return c;
}

/**
 * The gateway's id of a combine order. The published 个人收款 query answers mark it required for
 * every state, so it exists from creation; records saved before it was kept get one on first use.
 */
export function combineTransactionIdOf(ctx: GatewayContext, c: CombineRecord): string {
  if (!c.combineTransactionId) {
    c.combineTransactionId = newCombineTransactionId();
    ctx.state.changed();
  }
  return c.combineTransactionId;
}

export const combinePaid = (c: CombineRecord) => c.subOrders.some((s) => s.tradeState === 'SUCCESS' || s.tradeState === 'REFUND');

function createCombine(ctx: GatewayContext, signer: string, body: v.Json): CombineRecord {
  v.onlyFields(body, CREATE_FIELDS);
  const combineAppid = v.str(body.combine_appid, 'combine_appid', { maxBytes: 32 });
  if (combineAppid !== ctx.keys.appid) throw new GatewayError(400, 'PARAM_ERROR', `combine_appid ${combineAppid} 与商户号未绑定`, { field: 'combine_appid', location: 'body' });
  const combineMchid = v.sameMchid(body.combine_mchid, signer, 'combine_mchid');
  const combineOutTradeNo = v.str(body.combine_out_trade_no, 'combine_out_trade_no', { pattern: v.COMBINE_OUT_TRADE_NO, patternText: '32位以内数字、大小写字母或_-|*@' });
  const payerInfo = v.obj(body.combine_payer_info, 'combine_payer_info');
  v.onlyFields(payerInfo, PAYER_FIELDS, 'combine_payer_info');
  const payerOpenid = v.str(payerInfo.openid, 'combine_payer_info.openid', { maxBytes: 128 });
  // Optional as a whole (个人收款 下单-小程序, https://pay.weixin.qq.com/docs/merchant/apis/personal-collections/mini-program-prepay.html);
  // when sent, payer_client_ip is required in it.
  const sceneInfo = v.optObj(body.scene_info, 'scene_info') ?? {};
  if (body.scene_info !== undefined) {
    v.onlyFields(sceneInfo, SCENE_FIELDS, 'scene_info');
    v.str(sceneInfo.payer_client_ip, 'scene_info.payer_client_ip', { maxBytes: 45 });
    v.optStr(sceneInfo.device_id, 'scene_info.device_id', { maxBytes: 32 });
  }
  const timeExpire = v.optRfc3339(body.time_expire, 'time_expire');
  const notifyUrl = body.notify_url === undefined ? undefined : v.notifyUrl(body.notify_url);
  const tradeScenario = v.optStr(body.trade_scenario, 'trade_scenario', { pattern: TRADE_SCENARIOS, patternText: '取值只能为 RECOMMERCE' });
  if (!Array.isArray(body.sub_orders) || body.sub_orders.length < 1 || body.sub_orders.length > MAX_SUB_ORDERS) {
    throw paramError('sub_orders', `子单数量应为 1-${MAX_SUB_ORDERS}`);
  }
  const seen = new Set<string>();
  const subOrders = body.sub_orders.map((raw, i): CombineSubRecord => {
    const f = (name: string) => `sub_orders[${i}].${name}`;
    const sub = v.obj(raw, `sub_orders[${i}]`);
    v.onlyFields(sub, SUB_ORDER_FIELDS, `sub_orders[${i}]`);
    const mchid = v.str(sub.mchid, f('mchid'), { maxBytes: 32 });
    if (mchid !== combineMchid) throw paramError(f('mchid'), '子单商户号应为平台商户号');
    const individualAuthId = v.str(sub.individual_auth_id, f('individual_auth_id'), { maxBytes: 64 });
    const outTradeNo = v.str(sub.out_trade_no, f('out_trade_no'), { pattern: v.COMBINE_OUT_TRADE_NO, patternText: '32位以内数字、大小写字母或_-|*@' });
    if (seen.has(outTradeNo) || outTradeNo === combineOutTradeNo) throw paramError(f('out_trade_no'), '子单商户订单号重复');
    seen.add(outTradeNo);
    const amount = v.obj(sub.amount, f('amount'));
    v.onlyFields(amount, AMOUNT_FIELDS, f('amount'));
    const total = v.positiveInt(amount.total_amount, f('amount.total_amount'));
    // Required on this page (标价币种), unlike the JSAPI order's optional currency.
    if (amount.currency === undefined) throw paramError(f('amount.currency'), '字段缺失或为空');
    const currency = v.currency(amount.currency, f('amount.currency'));
    const attach = v.str(sub.attach, f('attach'), { maxBytes: 128 });
    const description = v.str(sub.description, f('description'), { maxBytes: 127 });
    const individualName = v.optStr(sub.individual_name, f('individual_name'), { maxBytes: 64 });
    const contract = contractByAuthId(ctx, individualAuthId);
    if (!contract) throw paramError(f('individual_auth_id'), `个人收款方 ${individualAuthId} 不存在`);
    if (contract.authState !== 'AUTHORIZED') throw new GatewayError(403, 'NOAUTH', `个人收款方 ${individualAuthId} 未授权或已解除授权`);
    if (contract.openid === payerOpenid) throw paramError('combine_payer_info.openid', '付款人不能与收款人相同');
    return {
      mchid,
      outTradeNo,
      individualAuthId,
      description,
      attach,
      total,
      currency,
      tradeState: 'NOTPAY',
      ...(individualName !== undefined ? { individualName } : {}),
    };
  });

  const print = v.fingerprint({ combineAppid, combineMchid, combineOutTradeNo, payerOpenid, notifyUrl, timeExpire, tradeScenario, subOrders });
  const existing = ctx.state.data.combines[combineOutTradeNo];
  if (existing) {
    expireCombineIfDue(ctx, existing);
    if (combinePaid(existing)) throw new GatewayError(403, 'ORDERPAID', '该订单已支付');
    if (existing.subOrders.every((s) => s.tradeState === 'CLOSED')) throw new GatewayError(400, 'ORDER_CLOSED', '该订单已关闭');
    if (existing.fingerprint !== print) throw outTradeNoUsed();
    return existing;
  }
  if (outTradeNoTaken(ctx, combineOutTradeNo)) throw outTradeNoUsed();
  for (const s of subOrders) if (outTradeNoTaken(ctx, s.outTradeNo)) throw outTradeNoUsed(`子单商户订单号 ${s.outTradeNo} 重复`);
  if (timeExpire && Date.parse(timeExpire) <= Date.now()) throw paramError('time_expire', '订单失效时间已过');

  const record: CombineRecord = {
    combineAppid,
    combineMchid,
    combineOutTradeNo,
    combineTransactionId: newCombineTransactionId(),
    payerOpenid,
    sceneInfo,
    prepayId: newPrepayId(),
    createdAt: Date.now(),
    fingerprint: print,
    subOrders,
    ...(notifyUrl !== undefined ? { notifyUrl } : {}),
    ...(timeExpire !== undefined ? { timeExpire } : {}),
    ...(tradeScenario !== undefined ? { tradeScenario } : {}),
  };
  ctx.state.data.combines[combineOutTradeNo] = record;
  ctx.state.data.prepays[record.prepayId] = { kind: 'combine', key: combineOutTradeNo };
  ctx.state.changed();
  ctx.log(`combine ${combineOutTradeNo} with ${subOrders.length} sub-order(s) created (prepay ${record.prepayId})`);
  return record;
}

/**
 * 个人收款交易关单 (https://pay.weixin.qq.com/docs/merchant/apis/personal-collections/close-order.html):
 * the sub-orders named must be exactly the order's — "关单的平台商户号、交易单订单号、商品单发起商户号、
 * 商品单订单号必须与下单时完全一致", no partial close — else 400 INVALID_REQUEST and nothing closes;
 * 400 APPID_MCHID_NOT_MATCH for an appid not bound to the merchant; 400 ORDER_CLOSED when already
 * closed; 202 USERPAYING while the payer is in the cashier; 204 when closed.
 */
function closeCombine(ctx: GatewayContext, c: CombineRecord, body: v.Json): Reply {
  const appid = v.str(body.combine_appid, 'combine_appid');
  if (appid !== ctx.keys.appid) throw new GatewayError(400, 'APPID_MCHID_NOT_MATCH', `combine_appid ${appid} 与商户号不匹配`);
  if (appid !== c.combineAppid) throw paramError('combine_appid', '与下单时的 combine_appid 不一致');
  if (!Array.isArray(body.sub_orders) || body.sub_orders.length < 1 || body.sub_orders.length > MAX_SUB_ORDERS) {
    throw paramError('sub_orders', `子单数量应为 1-${MAX_SUB_ORDERS}`);
  }
  const mismatch = () => new GatewayError(400, 'INVALID_REQUEST', '输入的请求非法，请求关单的子单信息与下单时的子单信息不一致');
  const named = new Set<string>();
  for (const [i, raw] of body.sub_orders.entries()) {
    const sub = v.obj(raw, `sub_orders[${i}]`);
    const mchid = v.str(sub.mchid, `sub_orders[${i}].mchid`);
    const outTradeNo = v.str(sub.out_trade_no, `sub_orders[${i}].out_trade_no`);
    const target = c.subOrders.find((s) => s.outTradeNo === outTradeNo && s.mchid === mchid);
    if (!target || named.has(outTradeNo)) throw mismatch();
    if (sub.individual_auth_id !== undefined && sub.individual_auth_id !== target.individualAuthId) throw mismatch();
    named.add(outTradeNo);
  }
  // All of them or none: a close naming fewer sub-orders than the order has is refused whole.
  if (named.size !== c.subOrders.length) throw mismatch();
  if (combinePaid(c)) throw new GatewayError(403, 'ORDERPAID', '订单已支付，不能关闭');
  if (c.subOrders.every((s) => s.tradeState === 'CLOSED' || s.tradeState === 'REVOKED')) throw new GatewayError(400, 'ORDER_CLOSED', '订单已关闭');
  if (c.cashierOpenedAt !== undefined) {
    ctx.log(`combine ${c.combineOutTradeNo}: close refused, the payer is paying`);
    return { status: 202, json: { code: 'USERPAYING', message: '用户支付中，需要输入密码' } };
  }
  for (const s of c.subOrders) s.tradeState = 'CLOSED';
  ctx.state.changed();
  ctx.log(`combine ${c.combineOutTradeNo} closed`);
  return { status: 204 };
}

/**
 * The query answer, also the decrypted combine `TRANSACTION.SUCCESS` resource: the published
 * 个人收款 query fields (https://pay.weixin.qq.com/doc/v3/partner/4012602242).
 */
export function combineView(ctx: GatewayContext, c: CombineRecord): Record<string, unknown> {
  return {
    combine_appid: c.combineAppid,
    combine_mchid: c.combineMchid,
    combine_out_trade_no: c.combineOutTradeNo,
    combine_transaction_id: combineTransactionIdOf(ctx, c),
    scene_info: c.sceneInfo.device_id ? { device_id: c.sceneInfo.device_id } : {},
    sub_orders: c.subOrders.map((s) => {
      const paid = s.tradeState === 'SUCCESS' || s.tradeState === 'REFUND';
      return {
        mchid: s.mchid,
        trade_type: 'JSAPI',
        trade_state: s.tradeState,
        ...(s.bankType ? { bank_type: s.bankType } : {}),
        attach: s.attach,
        ...(s.successTime ? { success_time: s.successTime } : {}),
        ...(s.transactionId ? { transaction_id: s.transactionId } : {}),
        out_trade_no: s.outTradeNo,
        individual_auth_id: s.individualAuthId,
        ...(s.individualName !== undefined ? { individual_name: s.individualName } : {}),
        amount: paid
          ? { total_amount: s.total, currency: s.currency, payer_amount: s.total, payer_currency: s.currency }
          : { total_amount: s.total, currency: s.currency },
      };
    }),
    combine_payer_info: { openid: c.payerOpenid },
    ...(c.tradeScenario !== undefined ? { trade_scenario: c.tradeScenario } : {}),
  };
}

export function markCombinePaid(ctx: GatewayContext, c: CombineRecord): void {
  const successTime = rfc3339China();
  for (const s of c.subOrders) {
    s.tradeState = 'SUCCESS';
    s.successTime = successTime;
    s.transactionId = newTransactionId();
    s.bankType = 'OTHERS';
  }
  ctx.state.changed();
  ctx.log(`combine ${c.combineOutTradeNo} paid`);
  // notify_url is optional on the published page; without one there is nowhere to post.
  if (!c.notifyUrl) {
    ctx.log(`combine ${c.combineOutTradeNo}: no notify_url, no notification`);
    return;
  }
  ctx.notifier.send({
    eventType: 'TRANSACTION.SUCCESS',
    summary: '支付成功',
    originalType: 'transaction',
    resource: combineView(ctx, c),
    url: c.notifyUrl,
    subject: c.combineOutTradeNo,
  });
}
