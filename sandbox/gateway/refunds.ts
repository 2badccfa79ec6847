import type { GatewayContext } from './context';
import { GatewayError, jsonBody, paramError, route, type Route } from './http';
import { newRefundId } from './ids';
import type { RefundRecord } from './state';
import { rfc3339China } from './time';
import { expireIfDue } from './transactions';
import * as v from './validate';

/**
 * Refunds (申请退款 https://pay.weixin.qq.com/doc/v3/merchant/4012587971, 查询单笔退款
 * https://pay.weixin.qq.com/doc/v3/merchant/4013071041): PROCESSING at once, then — a short,
 * time-scaled while later — SUCCESS, or ABNORMAL / CLOSED when a refund fault says so, each with
 * its `REFUND.*` notification to the refund's notify_url. One refund per out_refund_no: a repeat
 * with the same order and amount returns it. Refunds of one order never add up to more than it.
 * Errors as the published tables name them: RESOURCE_NOT_EXISTS for an order that does not exist
 * or is unpaid (create) and for a refund never taken (query); 403 NOT_ENOUGH is a fault.
 *
 * Admin actions play the merchant platform's part: turn a refund ABNORMAL or CLOSED, and resolve
 * an ABNORMAL one (a person re-routes it, 手动处理此笔退款) so it ends SUCCESS.
 */

/** How each final refund state is announced (REFUND.SUCCESS / REFUND.ABNORMAL / REFUND.CLOSED). */
const REFUND_EVENTS = {
  SUCCESS: { eventType: 'REFUND.SUCCESS', summary: '退款成功' },
  ABNORMAL: { eventType: 'REFUND.ABNORMAL', summary: '退款异常' },
  CLOSED: { eventType: 'REFUND.CLOSED', summary: '退款关闭' },
} as const;

/** 404 RESOURCE_NOT_EXISTS, as the refund APIs answer it. */
export const resourceNotExists = (message: string) => new GatewayError(404, 'RESOURCE_NOT_EXISTS', message);

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
      if (!refund || refund.mchid !== rc.mchid) throw resourceNotExists('退款单不存在');
      return { status: 200, json: refundView(refund) };
    }),
    route('POST', /^\/sandbox\/admin\/refunds\/([^/]+)\/(abnormal|close|resolve|succeed)$/, (rc) => {
      const refund = ctx.state.data.refunds[rc.params[0]!];
      if (!refund) throw resourceNotExists(`no refund ${rc.params[0]}`);
      const action = rc.params[1] as 'abnormal' | 'close' | 'resolve' | 'succeed';
      settleByAdmin(ctx, refund, action);
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

  // RESOURCE_NOT_EXISTS 订单号不存在: "请检查你的订单号是否正确且是否已支付，未支付的订单不能发起退款".
  const order = transactionId
    ? Object.values(ctx.state.data.orders).find((o) => o.transactionId === transactionId)
    : ctx.state.data.orders[outTradeNoField!];
  if (!order || order.mchid !== mchid) throw resourceNotExists('订单不存在');
  expireIfDue(ctx, order);

  const existing = ctx.state.data.refunds[outRefundNo];
  if (existing) {
    // 同一退款单号多次请求只退一笔: a client retry (same order, same amount) gets the same refund.
    if (existing.outTradeNo === order.outTradeNo && existing.refund === refund) return existing;
    throw new GatewayError(400, 'INVALID_REQUEST', '商户退款单号已被使用');
  }
  if (order.tradeState !== 'SUCCESS' && order.tradeState !== 'REFUND') throw resourceNotExists('订单未支付，不能发起退款');
  if (total !== order.total) throw paramError('amount.total', `原订单金额应为 ${order.total}`);
  if (order.refunded >= order.total) throw new GatewayError(400, 'INVALID_REQUEST', '订单已全额退款');
  if (refund > order.total - order.refunded) throw paramError('amount.refund', `申请退款金额超过订单可退金额 (可退 ${order.total - order.refunded} 分)`);
  const outcome = ctx.faults.takeRefundOutcome();

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
    ...(outcome ? { outcome } : {}),
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
  settle(ctx, r, r.outcome ?? 'SUCCESS');
}

/** A refund reaches a final state: the order's refundable amount follows, and the merchant is told. */
function settle(ctx: GatewayContext, r: RefundRecord, status: 'SUCCESS' | 'ABNORMAL' | 'CLOSED'): void {
  r.status = status;
  if (status === 'SUCCESS') r.successTime = rfc3339China();
  if (status === 'CLOSED') {
    // The money stayed with the merchant: refundable again.
    const order = ctx.state.data.orders[r.outTradeNo];
    if (order) {
      order.refunded -= r.refund;
      const others = Object.values(ctx.state.data.refunds).some((x) => x.outTradeNo === order.outTradeNo && x !== r && x.status !== 'CLOSED');
      if (!others) {
        order.tradeState = 'SUCCESS';
        order.tradeStateDesc = '支付成功';
      }
    }
  }
  ctx.state.changed();
  ctx.log(`refund ${r.outRefundNo} ${status}`);
  if (!r.notifyUrl) return;
  ctx.notifier.send({
    ...REFUND_EVENTS[status],
    originalType: 'refund',
    url: r.notifyUrl,
    subject: r.outRefundNo,
    resource: {
      mchid: r.mchid,
      out_trade_no: r.outTradeNo,
      transaction_id: r.transactionId,
      out_refund_no: r.outRefundNo,
      refund_id: r.refundId,
      refund_status: status,
      ...(r.successTime ? { success_time: r.successTime } : {}),
      user_received_account: '支付用户零钱',
      amount: { total: r.total, refund: r.refund, payer_total: r.total, payer_refund: r.refund },
    },
  });
}

/**
 * The merchant platform's hand on a refund: `abnormal` (the bank refused the payer's card),
 * `close`, or `resolve` — a person re-routed an ABNORMAL refund and it succeeds.
 */
/** `succeed`: a PROCESSING refund arrives now instead of after its delay (the CLI's `trigger refund.success`). */
function settleByAdmin(ctx: GatewayContext, r: RefundRecord, action: 'abnormal' | 'close' | 'resolve' | 'succeed'): void {
  const allowed = { abnormal: ['PROCESSING'], close: ['PROCESSING', 'ABNORMAL'], resolve: ['ABNORMAL'], succeed: ['PROCESSING'] }[action];
  if (!allowed.includes(r.status)) throw new GatewayError(400, 'INVALID_REQUEST', `退款单 ${r.outRefundNo} 状态为 ${r.status}，不能 ${action}`);
  settle(ctx, r, action === 'abnormal' ? 'ABNORMAL' : action === 'close' ? 'CLOSED' : 'SUCCESS');
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
