import { date8, hfSeqId, time14 } from './clock';
import { DESC, missing, refuse, RESP } from './codes';
import type { HuifuContext } from './context';
import type { Json } from './envelope';
import { refundFeeOf } from './fees';
import { yuanOf } from './money';
import { tradeKey, type RefundRecord, type TradeRecord } from './state';
import { findTrade } from './orders';
import { optDate8, optNotifyUrl, optStr, reqAmount, reqDate8, reqStr } from './validate';

/**
 * 扫码交易退款 `payment/scanpay/refund` and 退款查询 `payment/scanpay/refundquery`
 * (dg-payment-skills donggong-aggregation-aggregate-refund/references/refund.md,
 * dougong-aggregation-aggregate-refund/references/refund-query.md; v2 request fields as in
 * bspay-php-sdk BsPayDemo/V2TradePaymentScanpayRefundRequestDemo.php and …RefundqueryRequestDemo.php).
 * Partial refunds are allowed, their total never above the trade ("多次退款场景下退款总额不能高于原交易
 * 金额", seed 002 §3.3.2; "申请退款金额大于可退余额" 23000003). A refund is accepted as P
 * (00000100 "交易处理中") and turns S (or F when an admin armed a failure) after refundDelayMs ÷
 * timeScale, then posts a notification when the request named a notify_url.
 */

export function refund(ctx: HuifuContext, data: Json): Json {
  const huifuId = reqStr(data, 'huifu_id', 32);
  const reqDate = reqDate8(data, 'req_date');
  const reqSeqId = reqStr(data, 'req_seq_id', 128);
  const ordFen = reqAmount(data, 'ord_amt');
  const orgReqDate = reqDate8(data, 'org_req_date');
  const orgHfSeqId = optStr(data, 'org_hf_seq_id', 128);
  const orgPartyOrderId = optStr(data, 'org_party_order_id', 64);
  const orgReqSeqId = optStr(data, 'org_req_seq_id', 128);
  const remark = optStr(data, 'remark', 84);
  const notifyUrl = optNotifyUrl(data, 'notify_url', 512);
  if (!orgHfSeqId && !orgPartyOrderId && !orgReqSeqId) throw refuse(RESP.LOCATOR_MISSING, DESC.refundLocator);
  let trade = findTrade(ctx, huifuId, orgReqDate, orgReqSeqId, orgHfSeqId);
  if (!orgHfSeqId && !orgReqSeqId && orgPartyOrderId) {
    trade = Object.values(ctx.state.data.trades).find((t) => t.partyOrderId === orgPartyOrderId && t.huifuId === huifuId && t.reqDate === orgReqDate);
  }
  if (!trade) throw refuse(RESP.NOT_FOUND, DESC.orgNotFound);
  const key = tradeKey(huifuId, reqDate, reqSeqId);
  if (ctx.state.data.refunds[key]) throw refuse(RESP.DUPLICATE, DESC.duplicate);
  // Only a paid and booked trade can be refunded ("原交易未入账，不能发起退款").
  if (trade.transStat !== 'S' || trade.acctStat === 'F') throw refuse(RESP.STATE, DESC.refundNotBooked);
  if (ordFen > trade.transFen - trade.refundedFen) throw refuse(RESP.AMOUNT, DESC.refundTooMuch);

  const now = ctx.clock.now();
  const failing = ctx.state.data.failRefunds > 0;
  if (failing) ctx.state.data.failRefunds -= 1;
  const record: RefundRecord = {
    huifuId,
    reqDate,
    reqSeqId,
    hfSeqId: hfSeqId('0031', now),
    tradeKey: tradeKey(trade.huifuId, trade.reqDate, trade.reqSeqId),
    ordFen,
    transStat: 'P',
    ...(remark !== undefined ? { remark } : {}),
    ...(notifyUrl !== undefined ? { notifyUrl } : {}),
    createdAt: now,
    dueAt: Date.now() + ctx.refundDelayMs / ctx.timeScale,
    outcome: failing ? 'F' : 'S',
    feeFen: refundFeeOf(trade.feeFen ?? 0, trade.transFen, ordFen),
  };
  trade.refundedFen += ordFen;
  ctx.state.data.refunds[key] = record;
  ctx.state.changed();
  scheduleRefund(ctx, record);
  ctx.log(`huifu refund ${reqSeqId} ${yuanOf(ordFen)} of ${trade.reqSeqId} accepted (P)`);
  return {
    resp_code: RESP.PROCESSING,
    resp_desc: '交易处理中',
    product_id: ctx.keys.productId,
    huifu_id: huifuId,
    req_date: reqDate,
    req_seq_id: reqSeqId,
    org_req_date: trade.reqDate,
    org_req_seq_id: trade.reqSeqId,
    org_hf_seq_id: trade.hfSeqId,
    ord_amt: yuanOf(ordFen),
    trans_date: date8(now),
    trans_time: time14(now).slice(8),
    trans_stat: 'P',
    trade_type: 'TRANS_REFUND',
    pay_channel: 'T',
    fee_amount: yuanOf(record.feeFen),
    bank_message: '',
    ...(remark !== undefined ? { remark } : {}),
  };
}

/** Arms the P → S/F turn of a refund (also after a restart). */
export function scheduleRefund(ctx: HuifuContext, record: RefundRecord): void {
  if (record.transStat !== 'P') return;
  ctx.later(() => completeRefund(ctx, record), Math.max(0, record.dueAt - Date.now()));
}

function completeRefund(ctx: HuifuContext, record: RefundRecord): void {
  if (record.transStat !== 'P') return;
  const trade = ctx.state.data.trades[record.tradeKey];
  record.transStat = record.outcome;
  record.finishTime = time14(ctx.clock.now());
  if (record.outcome === 'F' && trade) trade.refundedFen -= record.ordFen;
  ctx.state.changed();
  ctx.log(`huifu refund ${record.reqSeqId} ${record.transStat}`);
  if (record.notifyUrl && trade) ctx.notifier.send({ kind: 'refund', url: record.notifyUrl, respData: refundNotification(ctx, record, trade) });
}

/** Refund notification `resp_data` (refund.md 异步返回参数). */
function refundNotification(ctx: HuifuContext, r: RefundRecord, trade: TradeRecord): Json {
  const done = Object.values(ctx.state.data.refunds).filter((x) => x.tradeKey === r.tradeKey && x.transStat === 'S');
  return {
    resp_code: r.transStat === 'S' ? RESP.OK : RESP.BUSINESS,
    resp_desc: r.transStat === 'S' ? '交易成功' : '业务执行失败',
    huifu_id: r.huifuId,
    req_date: r.reqDate,
    req_seq_id: r.reqSeqId,
    hf_seq_id: r.hfSeqId,
    org_req_date: trade.reqDate,
    org_req_seq_id: trade.reqSeqId,
    org_ord_amt: yuanOf(trade.transFen),
    org_fee_amt: yuanOf(trade.feeFen ?? 0),
    trans_date: date8(r.createdAt),
    trans_time: time14(r.createdAt).slice(8),
    ...(r.finishTime ? { trans_finish_time: r.finishTime } : {}),
    trans_type: 'TRANS_REFUND',
    trans_stat: r.transStat,
    ord_amt: yuanOf(r.ordFen),
    actual_ref_amt: yuanOf(r.transStat === 'S' ? r.ordFen : 0),
    total_ref_amt: yuanOf(done.reduce((n, x) => n + x.ordFen, 0)),
    total_ref_fee_amt: yuanOf(done.reduce((n, x) => n + x.feeFen, 0)),
    ref_cut: String(done.length),
    acct_split_bunch: { acct_infos: [{ div_amt: yuanOf(r.ordFen), huifu_id: r.huifuId }], fee_amt: yuanOf(r.feeFen) },
    party_order_id: trade.partyOrderId,
    pay_channel: 'T',
    bank_message: r.transStat === 'S' ? '退款成功' : '退款失败',
    ...(r.remark !== undefined ? { remark: r.remark } : {}),
  };
}

export function refundQuery(ctx: HuifuContext, data: Json): Json {
  const huifuId = reqStr(data, 'huifu_id', 32);
  const orgReqDate = optDate8(data, 'org_req_date');
  const orgHfSeqId = optStr(data, 'org_hf_seq_id', 128);
  const orgReqSeqId = optStr(data, 'org_req_seq_id', 128);
  const merOrdId = optStr(data, 'mer_ord_id', 50);
  if (!orgHfSeqId && !orgReqSeqId && !merOrdId) throw refuse(RESP.LOCATOR_MISSING, DESC.refundQueryLocator);
  if (!orgHfSeqId && !orgReqDate) throw missing('org_req_date');
  let r: RefundRecord | undefined;
  if (orgHfSeqId) r = Object.values(ctx.state.data.refunds).find((x) => x.hfSeqId === orgHfSeqId);
  else if (orgReqSeqId) r = ctx.state.data.refunds[tradeKey(huifuId, orgReqDate!, orgReqSeqId)];
  if (r && (r.huifuId !== huifuId || (orgReqDate && r.reqDate !== orgReqDate) || (orgReqSeqId && r.reqSeqId !== orgReqSeqId))) r = undefined;
  if (!r) throw refuse(RESP.NOT_FOUND, DESC.orgNotFound);
  return {
    resp_code: RESP.OK,
    resp_desc: '查询成功',
    huifu_id: r.huifuId,
    org_hf_seq_id: r.hfSeqId,
    org_req_date: r.reqDate,
    org_req_seq_id: r.reqSeqId,
    ord_amt: yuanOf(r.ordFen),
    actual_ref_amt: yuanOf(r.transStat === 'S' ? r.ordFen : 0),
    trans_date: date8(r.createdAt),
    trans_time: time14(r.createdAt).slice(8),
    trade_type: 'TRANS_REFUND',
    trans_stat: r.transStat,
    fee_amount: yuanOf(r.feeFen),
    pay_channel: 'T',
    bank_message: r.transStat === 'S' ? '退款成功' : r.transStat === 'F' ? '退款失败' : '',
    ...(r.finishTime ? { trans_finish_time: r.finishTime } : {}),
    ...(r.remark !== undefined ? { remark: r.remark } : {}),
  };
}
