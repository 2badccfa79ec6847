import type { GatewayContext } from '../context';
import { jsonBody, paramError, route, type RequestContext, type Route } from '../http';
import * as v from '../validate';
import { arrangeCollection } from './clearing';
import * as f from './fields';
import { cancelOrder, checkParties, completeOrder, createServiceOrder, findByOutOrderNo, findByQueryId, latestRegistration, registerDeduction } from './orders';
import type { PayScoreOrderRecord } from './records';
import { createView, orderView } from './views';

/**
 * The six acquiring-bank calls under `/v3/payscore/acquiringbank/serviceorder…` (seed 001 §3.2;
 * request and response tables at https://wechatpay.im/openapi/v3/payscore/acquiringbank/…,
 * each linking its pay.weixin.qq.com page). Authentication and response signing are the gateway
 * dispatch's (index.ts). Answers, as published:
 * - create → 200 with the order and `package`; query → 200 with the order;
 * - cancel, complete → 204 (no body, "空字符串(无返回内容)");
 * - registerdeductinfo → 200 `{description}`; deduction → 200 `{description, out_trade_no}`.
 * A field or query parameter the published table does not list is 400 PARAM_ERROR naming it.
 */

const BASE = '/v3/payscore/acquiringbank/serviceorder';
const QUERY_PARAMS = ['service_id', 'sub_mchid', 'channel_id', 'out_order_no', 'query_id'];
const CANCEL_FIELDS = ['service_id', 'channel_id', 'sub_mchid', 'reason'];
const COMPLETE_FIELDS = ['service_id', 'channel_id', 'sub_mchid', 'post_payments', 'post_discounts', 'total_amount', 'time_range', 'location', 'profit_sharing', 'complete_time', 'goods_tag'];
const REGISTER_FIELDS = ['service_id', 'appid', 'sub_mchid', 'sub_appid', 'channel_id', 'out_trade_no'];
const DEDUCTION_PARAMS = ['service_id', 'appid', 'sub_mchid', 'sub_appid', 'channel_id', 'out_order_no'];

const pathOrderNo = (rc: RequestContext) => f.outOrderNo(rc.params[0], 'out_order_no', 'path');

/** The order at `{out_order_no}`, which must belong to the signing institution. */
function ownOrder(ctx: GatewayContext, rc: RequestContext): PayScoreOrderRecord {
  const o = findByOutOrderNo(ctx, pathOrderNo(rc));
  if (o.mchid !== rc.mchid) throw f.orderNotExist();
  return o;
}

export function payscoreRoutes(ctx: GatewayContext): Route[] {
  return [
    // 创建订单 (create-acquiring-bank-service-order.html; https://pay.weixin.qq.com/doc/v3/partner/4012691326)
    route('POST', new RegExp(`^${BASE}$`), (rc) => ({ status: 200, json: createView(createServiceOrder(ctx, rc.mchid!, jsonBody(rc))) })),

    // 查询订单 (get-acquiring-bank-service-order.html; https://pay.weixin.qq.com/doc/v3/partner/4012691343). Exactly one
    // of out_order_no / query_id: "out_order_no字段和query_id字段必填一个(不允许都填写或都不填写)"
    // (the sibling 服务商 page, https://pay.weixin.qq.com/doc/v3/partner/4013138559).
    route('GET', new RegExp(`^${BASE}$`), (rc) => {
      const q = f.queryParams(rc.url, QUERY_PARAMS);
      checkParties(ctx, q, 'query');
      const byNo = q.out_order_no !== undefined && q.out_order_no !== '';
      const byQueryId = q.query_id !== undefined && q.query_id !== '';
      if (byNo && byQueryId) throw paramError('query_id', 'out_order_no 与 query_id 只能填写其一，不允许都填写', 'query');
      if (!byNo && !byQueryId) throw paramError('out_order_no', 'out_order_no 与 query_id 必须填写其一', 'query');
      const o = byNo ? findByOutOrderNo(ctx, f.outOrderNo(q.out_order_no, 'out_order_no', 'query')) : findByQueryId(ctx, v.str(q.query_id, 'query_id', { maxBytes: 512 }));
      if (o.mchid !== rc.mchid) throw f.orderNotExist();
      return { status: 200, json: orderView(o) };
    }),

    // 查询扣款信息 (get-acquiring-bank-deduct-info.html; https://pay.weixin.qq.com/doc/v3/partner/4012458665): "前置条件：
    // 服务订单状态为“已完成”或者“进行中”且商户已经完成登记扣款信息". Registered before the routes
    // with a path parameter so `deduction` is never read as an out_order_no.
    route('GET', new RegExp(`^${BASE}/deduction$`), (rc) => {
      const q = f.queryParams(rc.url, DEDUCTION_PARAMS);
      checkParties(ctx, q, 'query');
      const appid = f.requiredQuery(q, 'appid');
      const o = findByOutOrderNo(ctx, f.outOrderNo(f.requiredQuery(q, 'out_order_no'), 'out_order_no', 'query'));
      if (o.mchid !== rc.mchid) throw f.orderNotExist();
      if (appid !== o.appid) throw f.invalidRequest(`appid ${appid} 与创单时的 appid ${o.appid} 不一致`);
      const doingComplete = o.state === 'DOING' && o.stateDescription === 'MCH_COMPLETE';
      if (!doingComplete && o.state !== 'DONE') throw f.invalidOrderState(`订单状态为 ${o.state}，只有 DOING/MCH_COMPLETE 或 DONE 可以查询扣款信息`);
      const r = latestRegistration(o);
      if (!r) throw f.invalidOrderState('该订单尚未登记扣款信息');
      return { status: 200, json: { description: o.serviceIntroduction, out_trade_no: r.outTradeNo } };
    }),

    // 取消订单 (cancel-acquiring-bank-service-order.html; https://pay.weixin.qq.com/doc/v3/partner/4012458146) → 204
    route('POST', new RegExp(`^${BASE}/([^/]+)/cancel$`), (rc) => {
      const body = jsonBody(rc);
      v.onlyFields(body, CANCEL_FIELDS);
      checkParties(ctx, body, 'body');
      const reason = v.str(body.reason, 'reason');
      if (f.chars(reason) > f.CANCEL_REASON_MAX_CHARS) throw paramError('reason', `长度不能超过${f.CANCEL_REASON_MAX_CHARS}个字符`);
      cancelOrder(ctx, ownOrder(ctx, rc), reason);
      return { status: 204 };
    }),

    // 完结订单 (complete-acquiring-bank-service-order.html; https://pay.weixin.qq.com/doc/v3/partner/4012460791) → 204
    route('POST', new RegExp(`^${BASE}/([^/]+)/complete$`), (rc) => {
      const body = jsonBody(rc);
      v.onlyFields(body, COMPLETE_FIELDS);
      checkParties(ctx, body, 'body', false);
      const postPayments = f.postPayments(body.post_payments, true);
      const postDiscounts = f.postDiscounts(body.post_discounts, 'complete');
      const totalAmount = f.fen(body.total_amount, 'total_amount');
      const timeRange = body.time_range === undefined ? undefined : f.timeRange(body.time_range);
      const location = f.location(body.location);
      const completeTime = v.optRfc3339(body.complete_time, 'complete_time');
      const profitSharing = f.optBool(body.profit_sharing, 'profit_sharing');
      const goodsTag = v.optStr(body.goods_tag, 'goods_tag', { maxBytes: 32 });
      completeOrder(ctx, ownOrder(ctx, rc), {
        postPayments,
        postDiscounts,
        totalAmount,
        ...(timeRange ? { timeRange } : {}),
        ...(location ? { location } : {}),
        ...(completeTime !== undefined ? { completeTime } : {}),
        ...(profitSharing !== undefined ? { profitSharing } : {}),
        ...(goodsTag !== undefined ? { goodsTag } : {}),
      });
      return { status: 204 };
    }),

    // 登记扣款信息 (register-deduct-info.html; https://pay.weixin.qq.com/doc/v3/partner/4012458414) → 200 {description}
    route('POST', new RegExp(`^${BASE}/([^/]+)/registerdeductinfo$`), (rc) => {
      const body = jsonBody(rc);
      v.onlyFields(body, REGISTER_FIELDS);
      checkParties(ctx, body, 'body');
      const appid = v.optStr(body.appid, 'appid', { maxBytes: 32 });
      const subAppid = v.optStr(body.sub_appid, 'sub_appid', { maxBytes: 32 });
      const outTradeNo = v.str(body.out_trade_no, 'out_trade_no', { pattern: f.OUT_TRADE_NO, patternText: f.OUT_ORDER_NO_TEXT });
      const o = ownOrder(ctx, rc);
      const { registration, repeated } = registerDeduction(ctx, o, { outTradeNo, ...(appid !== undefined ? { appid } : {}), ...(subAppid !== undefined ? { subAppid } : {}) });
      if (!repeated) arrangeCollection(ctx, o, registration);
      return { status: 200, json: { description: o.serviceIntroduction } };
    }),
  ];
}
