import type { GatewayContext } from './context';
import { GatewayError, jsonBody, paramError, route, type Route } from './http';
import { newRefundId } from './ids';
import type { RefundRecord } from './state';
import { rfc3339China } from './time';
import { findOrder, notFound } from './transactions';
import * as v from './validate';

/**
 * Refunds: PROCESSING at once, SUCCESS a short (time-scaled) while later with a `REFUND.SUCCESS`
 * notification to the refund's notify_url. Refunds of one order never add up to more than it.
 */

/** How long a refund stays PROCESSING, before the time scale. */
export const REFUND_PROCESSING_MS = 3000;

export function refundRoutes(ctx: GatewayContext): Route[] {
  // After a restart, refunds still PROCESSING complete on their original schedule.
  for (const r of Object.values(ctx.state.data.refunds)) {
    if (r.status === 'PROCESSING') ctx.later(() => completeRefund(ctx, r), Math.max(0, r.dueAt - Date.now()));
  }
  return [
    route('POST', /^\/v3\/refund\/domestic\/refunds$/, (rc) => ({ status: 200, json: refundView(createRefund(ctx, rc.mchid!, jsonBody(rc))) })),
    route('GET', /^\/v3\/refund\/domestic\/refunds\/([^/]+)$/, (rc) => {
      const refund = ctx.state.data.refunds[rc.params[0]!];
      if (!refund) throw new GatewayError(404, 'RESOURCE_NOT_EXISTS', '退款单不存在');
      return { status: 200, json: refundView(refund) };
    }),
  ];
}

function createRefund(ctx: GatewayContext, mchid: string, body: v.Json): RefundRecord {
  const transactionId = v.optStr(body.transaction_id, 'transaction_id', { maxBytes: 32 });
  const outTradeNoField = v.optStr(body.out_trade_no, 'out_trade_no', { maxBytes: 32 });
  if (!transactionId && !outTradeNoField) throw paramError('out_trade_no', 'transaction_id 与 out_trade_no 必须填写一个');
  const outRefundNo = v.str(body.out_refund_no, 'out_refund_no', { pattern: v.OUT_REFUND_NO, patternText: '1-64位数字、大小写字母或_-|*@' });
  const reason = v.optStr(body.reason, 'reason', { maxBytes: 80 });
  const notifyUrl = body.notify_url === undefined ? undefined : v.notifyUrl(body.notify_url);
  const amount = v.obj(body.amount, 'amount');
  const refund = v.positiveInt(amount.refund, 'amount.refund');
  const total = v.positiveInt(amount.total, 'amount.total');
  const currency = v.currency(amount.currency, 'amount.currency');

  const order = transactionId
    ? Object.values(ctx.state.data.orders).find((o) => o.transactionId === transactionId)
    : ctx.state.data.orders[outTradeNoField!];
  if (!order) throw notFound();
  findOrder(ctx, order.outTradeNo);
  if (order.mchid !== mchid) throw notFound();

  const existing = ctx.state.data.refunds[outRefundNo];
  if (existing) {
    if (existing.outTradeNo === order.outTradeNo && existing.refund === refund) return existing; // a client retry
    throw new GatewayError(400, 'INVALID_REQUEST', '商户退款单号已被使用');
  }
  if (order.tradeState !== 'SUCCESS' && order.tradeState !== 'REFUND') throw new GatewayError(400, 'INVALID_REQUEST', '订单未支付，不能退款');
  if (total !== order.total) throw paramError('amount.total', `原订单金额应为 ${order.total}`);
  if (refund > order.total - order.refunded) throw paramError('amount.refund', `申请退款金额超过订单可退金额 (可退 ${order.total - order.refunded} 分)`);

  const record: RefundRecord = {
    mchid,
    outRefundNo,
    refundId: newRefundId(),
    outTradeNo: order.outTradeNo,
    transactionId: order.transactionId!,
    refund,
    total,
    currency,
    status: 'PROCESSING',
    createdAt: Date.now(),
    dueAt: Date.now() + REFUND_PROCESSING_MS / ctx.timeScale,
    ...(reason !== undefined ? { reason } : {}),
    ...(notifyUrl !== undefined ? { notifyUrl } : {}),
  };
  ctx.state.data.refunds[outRefundNo] = record;
  order.refunded += refund;
  order.tradeState = 'REFUND';
  order.tradeStateDesc = '转入退款';
  ctx.state.changed();
  ctx.later(() => completeRefund(ctx, record), record.dueAt - Date.now());
  ctx.log(`refund ${outRefundNo} of ${order.outTradeNo}: ${refund} fen PROCESSING`);
  return record;
}

function completeRefund(ctx: GatewayContext, r: RefundRecord): void {
  if (r.status !== 'PROCESSING') return;
  r.status = 'SUCCESS';
  r.successTime = rfc3339China();
  ctx.state.changed();
  ctx.log(`refund ${r.outRefundNo} SUCCESS`);
  if (!r.notifyUrl) return;
  ctx.notifier.send({
    eventType: 'REFUND.SUCCESS',
    summary: '退款成功',
    originalType: 'refund',
    url: r.notifyUrl,
    subject: r.outRefundNo,
    resource: {
      mchid: r.mchid,
      out_trade_no: r.outTradeNo,
      transaction_id: r.transactionId,
      out_refund_no: r.outRefundNo,
      refund_id: r.refundId,
      refund_status: 'SUCCESS',
      success_time: r.successTime,
      user_received_account: '支付用户零钱',
      amount: { total: r.total, refund: r.refund, payer_total: r.total, payer_refund: r.refund },
    },
  });
}

export function refundView(r: RefundRecord): Record<string, unknown> {
  return {
    refund_id: r.refundId,
    out_refund_no: r.outRefundNo,
    transaction_id: r.transactionId,
    out_trade_no: r.outTradeNo,
    channel: 'ORIGINAL',
    user_received_account: '支付用户零钱',
    ...(r.successTime ? { success_time: r.successTime } : {}),
    create_time: rfc3339China(r.createdAt),
    status: r.status,
    funds_account: 'AVAILABLE',
    amount: {
      total: r.total,
      refund: r.refund,
      payer_total: r.total,
      payer_refund: r.refund,
      settlement_refund: r.refund,
      settlement_total: r.total,
      discount_refund: 0,
      currency: r.currency,
      refund_fee: 0,
    },
  };
}
