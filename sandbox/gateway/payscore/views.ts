import type { PayScoreOrderRecord, PostDiscount, PostPayment, RiskFund, ServiceLocation, TimeRange } from './records';

/**
 * Records → the published wire shapes:
 * - create answer: the order plus `order_id` and `package`
 *   (https://wechatpay.im/openapi/v3/payscore/acquiringbank/serviceorder#post, response table);
 * - query answer: the order with `total_amount`, `need_collection`, `collection`, `openid`
 *   (same page #get, mirroring …/get-acquiring-bank-service-order.html);
 * - notification plaintexts `PAYSCORE.USER_CONFIRM` / `PAYSCORE.USER_PAID` (the query shape, plus
 *   `out_trade_no` for USER_PAID; https://wechatpay.im/webhook/v3/PAYSCORE.USER_PAID).
 * Optional fields are left out when empty rather than sent as null.
 */

const payment = (p: PostPayment) => ({
  name: p.name,
  ...(p.amount !== undefined ? { amount: p.amount } : {}),
  ...(p.description !== undefined ? { description: p.description } : {}),
  ...(p.count !== undefined ? { count: p.count } : {}),
});

const discount = (d: PostDiscount) => ({
  name: d.name,
  description: d.description,
  ...(d.amount !== undefined ? { amount: d.amount } : {}),
  ...(d.count !== undefined ? { count: d.count } : {}),
});

const risk = (r: RiskFund) => ({ name: r.name, amount: r.amount, ...(r.description !== undefined ? { description: r.description } : {}) });

const range = (t: TimeRange) => ({
  start_time: t.startTime,
  ...(t.startTimeRemark !== undefined ? { start_time_remark: t.startTimeRemark } : {}),
  ...(t.endTime !== undefined ? { end_time: t.endTime } : {}),
  ...(t.endTimeRemark !== undefined ? { end_time_remark: t.endTimeRemark } : {}),
});

const place = (l: ServiceLocation) => ({
  ...(l.startLocation !== undefined ? { start_location: l.startLocation } : {}),
  ...(l.endLocation !== undefined ? { end_location: l.endLocation } : {}),
});

function common(o: PayScoreOrderRecord): Record<string, unknown> {
  return {
    out_order_no: o.outOrderNo,
    service_id: o.serviceId,
    appid: o.appid,
    mchid: o.mchid,
    ...(o.subAppid !== undefined ? { sub_appid: o.subAppid } : {}),
    sub_mchid: o.subMchid,
    channel_id: o.channelId,
    service_introduction: o.serviceIntroduction,
    state: o.state,
    ...(o.state === 'DOING' && o.stateDescription ? { state_description: o.stateDescription } : {}),
    post_payments: o.postPayments.map(payment),
    post_discounts: o.postDiscounts.map(discount),
    risk_fund: risk(o.riskFund),
    time_range: range(o.timeRange),
    ...(o.location ? { location: place(o.location) } : {}),
    ...(o.attach !== undefined ? { attach: o.attach } : {}),
    notify_url: o.notifyUrl,
    order_id: o.orderId,
  };
}

/** The create answer (200 with body). */
export function createView(o: PayScoreOrderRecord): Record<string, unknown> {
  return { ...common(o), package: o.package };
}

/** The `collection` object, once the merchant completed the order with an amount to collect. */
function collection(o: PayScoreOrderRecord): Record<string, unknown> | undefined {
  if (!o.collectionState || o.totalAmount === undefined) return undefined;
  const paid = o.collectionDetails.reduce((sum, d) => sum + d.amount, 0);
  return {
    state: o.collectionState,
    total_amount: o.totalAmount,
    paying_amount: o.totalAmount - paid,
    paid_amount: paid,
    details: o.collectionDetails.map((d) => ({ seq: d.seq, amount: d.amount, paid_time: d.paidTime })),
  };
}

/** The query answer, also the `PAYSCORE.USER_CONFIRM` plaintext. */
export function orderView(o: PayScoreOrderRecord): Record<string, unknown> {
  const c = collection(o);
  return {
    ...common(o),
    // The published confirm plaintext carries total_amount 0 before completion.
    total_amount: o.totalAmount ?? 0,
    need_collection: o.totalAmount === undefined ? true : o.totalAmount > 0,
    ...(c ? { collection: c } : {}),
    ...(o.openid !== undefined ? { openid: o.openid } : {}),
    ...(o.subOpenid !== undefined ? { sub_openid: o.subOpenid } : {}),
  };
}

/** The `PAYSCORE.USER_PAID` plaintext: the order and the deduction that paid it. */
export function paidView(o: PayScoreOrderRecord, outTradeNo: string): Record<string, unknown> {
  return { ...orderView(o), out_trade_no: outTradeNo };
}
