import { newRefundId } from '../ids';
import { REFUND_PROCESSING_MS } from '../refunds';
import type { V2Call, V2Context, V2Endpoint, V2Fields } from './api';
import { badParam, V2ResultFail } from './errors';
import { isNotifyUrl } from './orders';
import { sendRefundNotification } from './notify';
import type { V2OrderRecord, V2RefundRecord } from './records';

/**
 * `/secapi/pay/refund` (over mutual TLS) and `/pay/refundquery`. A refund is PROCESSING at once
 * and SUCCESS a short (time-scaled) while later, with a refund notification when the request gave
 * a notify_url. Fields and 错误码: https://pay.weixin.qq.com/wiki/doc/api/jsapi.php?chapter=9_4
 * (申请退款), chapter=9_5 (查询退款), chapter=9_16 (退款结果通知).
 */

/** "商户系统内部的退款单号 … 只能是数字、大小写字母_-|*@" (chapter=9_4). */
const OUT_REFUND_NO = /^[0-9A-Za-z_\-|*@]{1,64}$/;
const FEE = /^[1-9][0-9]{0,9}$/;
/** refundquery lists at most this many refunds from `offset` (chapter=9_5: "当部分退款次数超过10次时可使用"). */
const PAGE = 10;

export const refundEndpoints: V2Endpoint[] = [
  { path: '/secapi/pay/refund', secure: true, systemErrorDes: '接口返回错误', frequencyLimited: true, handle: refund },
  { path: '/pay/refundquery', systemErrorDes: '接口返回错误', handle: refundQuery },
];

/** After a restart, refunds still PROCESSING complete on their original schedule. */
export function resumeRefunds(ctx: V2Context): void {
  for (const r of Object.values(ctx.gw.state.data.v2.refunds)) {
    if (r.status === 'PROCESSING') ctx.gw.later(() => completeRefund(ctx, r), Math.max(0, r.dueAt - Date.now()));
  }
}

function refund(ctx: V2Context, call: V2Call): V2Fields {
  const f = call.fields;
  const outRefundNo = f.out_refund_no ?? '';
  if (!OUT_REFUND_NO.test(outRefundNo)) throw badParam('out_refund_no');
  if (!FEE.test(f.total_fee ?? '')) throw badParam('total_fee');
  if (!FEE.test(f.refund_fee ?? '')) throw badParam('refund_fee');
  if (f.refund_fee_type !== undefined && f.refund_fee_type !== 'CNY') throw badParam('refund_fee_type');
  const notifyUrl = f.notify_url || undefined;
  if (notifyUrl !== undefined && !isNotifyUrl(notifyUrl)) throw badParam('notify_url');
  const refundDesc = f.refund_desc || undefined;
  if (refundDesc !== undefined && Buffer.byteLength(refundDesc) > 80) throw badParam('refund_desc');
  const totalFee = Number(f.total_fee);
  const refundFee = Number(f.refund_fee);

  const order = orderOf(ctx, call);
  const d = ctx.gw.state.data.v2;
  const existing = d.refunds[outRefundNo];
  if (existing) {
    // "同一退款单号多次请求只退一笔": the same request again answers the same refund.
    if (existing.outTradeNo === order.outTradeNo && existing.refundFee === refundFee && existing.totalFee === totalFee) return refundFields(existing);
    throw new V2ResultFail('PARAM_ERROR', '商户退款单号已被使用，订单金额或退款金额与之前请求不一致');
  }
  if (order.tradeState !== 'SUCCESS' && order.tradeState !== 'REFUND') throw new V2ResultFail('ERROR', '订单未支付，不能退款');
  if (totalFee !== order.totalFee) throw new V2ResultFail('PARAM_ERROR', '订单金额与实际支付金额不一致');
  const refundable = order.totalFee - order.refunded;
  if (refundable === 0) throw new V2ResultFail('ERROR', '订单已全额退款');
  if (refundFee > refundable) throw new V2ResultFail('ERROR', `退款金额大于可退金额 (可退 ${refundable} 分)`);
  if (d.refundBalance !== null && refundFee > d.refundBalance) throw new V2ResultFail('NOTENOUGH', '余额不足');

  const now = Date.now();
  const record: V2RefundRecord = {
    mchId: order.mchId,
    appid: order.appid,
    outRefundNo,
    refundId: newRefundId(),
    outTradeNo: order.outTradeNo,
    transactionId: order.transactionId!,
    totalFee,
    refundFee,
    signType: call.signType,
    status: 'PROCESSING',
    createdAt: now,
    dueAt: now + REFUND_PROCESSING_MS / ctx.gw.timeScale,
    ...(refundDesc !== undefined ? { refundDesc } : {}),
    ...(notifyUrl !== undefined ? { notifyUrl } : {}),
  };
  d.refunds[outRefundNo] = record;
  if (d.refundBalance !== null) d.refundBalance -= refundFee;
  order.refunded += refundFee;
  order.tradeState = 'REFUND';
  ctx.gw.state.changed();
  ctx.gw.later(() => completeRefund(ctx, record), record.dueAt - now);
  ctx.gw.log(`v2 refund ${outRefundNo} of ${order.outTradeNo}: ${refundFee} fen PROCESSING`);
  return refundFields(record);
}

function refundFields(r: V2RefundRecord): V2Fields {
  return [
    ['transaction_id', r.transactionId],
    ['out_trade_no', r.outTradeNo],
    ['out_refund_no', r.outRefundNo],
    ['refund_id', r.refundId],
    ['refund_fee', r.refundFee],
    ['total_fee', r.totalFee],
    ['cash_fee', r.totalFee],
    ['cash_refund_fee', r.refundFee],
  ];
}

/** The order a refund names: transaction_id or out_trade_no ("二选一"). */
function orderOf(ctx: V2Context, call: V2Call): V2OrderRecord {
  const { transaction_id: transactionId, out_trade_no: outTradeNo } = call.fields;
  if (!transactionId && !outTradeNo) throw badParam('out_trade_no');
  const orders = ctx.gw.state.data.v2.orders;
  if (transactionId) {
    const order = Object.values(orders).find((o) => o.transactionId === transactionId);
    if (!order || order.appid !== call.appid) throw new V2ResultFail('INVALID_TRANSACTIONID', '无效transaction_id');
    return order;
  }
  const order = orders[outTradeNo!];
  if (!order || order.appid !== call.appid) throw new V2ResultFail('ORDERNOTEXIST', '订单不存在');
  return order;
}

function refundQuery(ctx: V2Context, call: V2Call): V2Fields {
  const f = call.fields;
  const d = ctx.gw.state.data.v2;
  const notFound = () => new V2ResultFail('REFUNDNOTEXIST', '退款订单查询失败');
  let refunds: V2RefundRecord[];
  // 四选一, in the page's order of precedence: refund_id, out_refund_no, transaction_id, out_trade_no.
  if (f.refund_id) refunds = Object.values(d.refunds).filter((r) => r.refundId === f.refund_id);
  else if (f.out_refund_no) refunds = d.refunds[f.out_refund_no] ? [d.refunds[f.out_refund_no]!] : [];
  else if (f.transaction_id) refunds = Object.values(d.refunds).filter((r) => r.transactionId === f.transaction_id);
  else if (f.out_trade_no) refunds = Object.values(d.refunds).filter((r) => r.outTradeNo === f.out_trade_no);
  else throw badParam('out_trade_no');
  refunds = refunds.filter((r) => r.appid === call.appid).sort((a, b) => a.createdAt - b.createdAt);
  if (refunds.length === 0) throw notFound();
  const offset = f.offset === undefined ? 0 : Number(f.offset);
  if (!Number.isInteger(offset) || offset < 0) throw badParam('offset');
  const page = refunds.slice(offset, offset + PAGE);
  if (page.length === 0) throw notFound();
  const order = d.orders[refunds[0]!.outTradeNo]!;
  const fields: V2Fields = [
    ['total_refund_count', refunds.length],
    ['transaction_id', order.transactionId],
    ['out_trade_no', order.outTradeNo],
    ['total_fee', order.totalFee],
    ['fee_type', order.feeType],
    ['cash_fee', order.totalFee],
    ['refund_count', page.length],
  ];
  page.forEach((r, n) => {
    fields.push(
      [`out_refund_no_${n}`, r.outRefundNo],
      [`refund_id_${n}`, r.refundId],
      [`refund_channel_${n}`, 'ORIGINAL'],
      [`refund_fee_${n}`, r.refundFee],
      [`settlement_refund_fee_${n}`, r.refundFee],
      [`refund_status_${n}`, r.status],
      [`refund_account_${n}`, 'REFUND_SOURCE_UNSETTLED_FUNDS'],
      [`refund_recv_accout_${n}`, '支付用户零钱'],
      [`refund_success_time_${n}`, r.successTime],
    );
  });
  return fields;
}

function completeRefund(ctx: V2Context, r: V2RefundRecord): void {
  if (r.status !== 'PROCESSING') return;
  r.status = 'SUCCESS';
  r.successTime = chinaDateTime();
  ctx.gw.state.changed();
  ctx.gw.log(`v2 refund ${r.outRefundNo} SUCCESS`);
  if (!r.notifyUrl) return;
  // The decrypted req_info of chapter=9_16, field for field.
  sendRefundNotification(ctx, r.notifyUrl, r.outRefundNo, r.appid, [
    ['out_refund_no', r.outRefundNo],
    ['out_trade_no', r.outTradeNo],
    ['refund_account', 'REFUND_SOURCE_UNSETTLED_FUNDS'],
    ['refund_fee', String(r.refundFee)],
    ['refund_id', r.refundId],
    ['refund_recv_accout', '支付用户零钱'],
    ['refund_request_source', 'API'],
    ['refund_status', 'SUCCESS'],
    ['settlement_refund_fee', String(r.refundFee)],
    ['settlement_total_fee', String(r.totalFee)],
    ['success_time', r.successTime],
    ['total_fee', String(r.totalFee)],
    ['transaction_id', r.transactionId],
  ]);
}

/** `2017-12-15 09:46:01` in China time (chapter=9_16 success_time; chapter=9_5 refund_success_time_$n). */
export function chinaDateTime(ms: number = Date.now()): string {
  return new Date(ms + 8 * 3600_000).toISOString().slice(0, 19).replace('T', ' ');
}
