import { DESC, missing, refuse, RESP } from './codes';
import type { HuifuContext } from './context';
import type { Json } from './envelope';
import { yuanOf } from './money';
import { tradeKey, type TradeRecord } from './state';
import { expireIfDue } from './trades';
import { optDate8, optStr, reqDate8, reqStr } from './validate';

/**
 * 扫码交易查询 `payment/scanpay/query`, 关单 `payment/scanpay/close`, 关单查询
 * `payment/scanpay/closequery`.
 * - query request (v2 SDK, bspay-php-sdk V2TradePaymentScanpayQueryRequest.php): huifu_id,
 *   org_req_date ("传入org_hf_seq_id时非必填，其他场景必填"), one of out_ord_id / org_hf_seq_id /
 *   org_req_seq_id; answer fields and codes from payment-query.md (trans_stat P/S/F/I).
 * - close / closequery: trade-close.md and close-query.md — req_date, req_seq_id, huifu_id,
 *   org_req_date, org_req_seq_id | org_hf_seq_id; "不允许关闭一分钟以内的订单" (20000001); a final
 *   trade "原订单已为终态，无法发起关单操作" (23000000); a second close "关单状态为终态，不能重复关单".
 */

/** The trade named by `org_req_date` + `org_req_seq_id`, or by `org_hf_seq_id` (date optional then). */
export function findTrade(ctx: HuifuContext, huifuId: string, orgReqDate: string | undefined, orgReqSeqId: string | undefined, orgHfSeqId: string | undefined): TradeRecord | undefined {
  let trade: TradeRecord | undefined;
  if (orgHfSeqId) trade = ctx.state.tradeByHfSeqId(orgHfSeqId);
  else if (orgReqSeqId && orgReqDate) trade = ctx.state.data.trades[tradeKey(huifuId, orgReqDate, orgReqSeqId)];
  if (!trade || trade.huifuId !== huifuId) return undefined;
  if (orgReqDate && trade.reqDate !== orgReqDate) return undefined;
  if (orgReqSeqId && trade.reqSeqId !== orgReqSeqId) return undefined;
  expireIfDue(ctx, trade);
  return trade;
}

export function query(ctx: HuifuContext, data: Json): Json {
  const huifuId = reqStr(data, 'huifu_id', 32);
  const orgReqDate = optDate8(data, 'org_req_date');
  const outOrdId = optStr(data, 'out_ord_id', 32);
  const orgHfSeqId = optStr(data, 'org_hf_seq_id', 128);
  const orgReqSeqId = optStr(data, 'org_req_seq_id', 128);
  if (!outOrdId && !orgHfSeqId && !orgReqSeqId) throw refuse(RESP.LOCATOR_MISSING, DESC.queryLocator);
  if (!orgHfSeqId && !orgReqDate) throw missing('org_req_date');
  // The sandbox issues no 汇付服务订单号, so an out_ord_id alone names nothing.
  const trade = orgHfSeqId || orgReqSeqId ? findTrade(ctx, huifuId, orgReqDate, orgReqSeqId, orgHfSeqId) : undefined;
  if (!trade) throw refuse(RESP.NOT_FOUND, DESC.tradeNotFound);
  return {
    resp_code: RESP.OK,
    resp_desc: '查询成功',
    ...tradeView(trade),
  };
}

/** The trade as scanpay/query describes it (payment-query.md 同步返回参数). */
export function tradeView(trade: TradeRecord): Json {
  const paid = trade.transStat === 'S';
  return {
    huifu_id: trade.huifuId,
    req_date: trade.reqDate,
    req_seq_id: trade.reqSeqId,
    hf_seq_id: trade.hfSeqId,
    party_order_id: trade.partyOrderId,
    trans_amt: yuanOf(trade.transFen),
    trade_type: trade.tradeType,
    trans_stat: trade.transStat,
    delay_acct_flag: 'N',
    div_flag: 'N',
    bank_message: trade.bankMessage,
    ...(trade.remark !== undefined ? { remark: trade.remark } : {}),
    ...(trade.endTime && paid ? { end_time: trade.endTime } : {}),
    ...(paid
      ? {
          out_trans_id: trade.outTransId,
          settlement_amt: yuanOf(trade.settlementFen!),
          acct_date: trade.acctDate,
          acct_stat: trade.acctStat,
          wx_user_id: trade.subOpenid ?? trade.openid,
          // payment_fee is a JSON string (payment-query.md 扩展返回参数).
          payment_fee: JSON.stringify({ fee_amount: yuanOf(trade.feeFen!), fee_flag: '2' }),
        }
      : {}),
  };
}

interface CloseRequest {
  huifuId: string;
  reqDate: string;
  reqSeqId: string;
  trade: TradeRecord;
}

function readCloseRequest(ctx: HuifuContext, data: Json): CloseRequest {
  const huifuId = reqStr(data, 'huifu_id', 32);
  const reqDate = reqDate8(data, 'req_date');
  const reqSeqId = reqStr(data, 'req_seq_id', 128);
  const orgReqDate = reqDate8(data, 'org_req_date');
  const orgHfSeqId = optStr(data, 'org_hf_seq_id', 128);
  const orgReqSeqId = optStr(data, 'org_req_seq_id', 128);
  if (!orgHfSeqId && !orgReqSeqId) throw refuse(RESP.LOCATOR_MISSING, DESC.closeLocator);
  const trade = findTrade(ctx, huifuId, orgReqDate, orgReqSeqId, orgHfSeqId);
  if (!trade) throw refuse(RESP.NOT_FOUND, DESC.orgNotFound);
  return { huifuId, reqDate, reqSeqId, trade };
}

function closeAnswer(r: CloseRequest, code: string, desc: string, transStat: string): Json {
  return {
    resp_code: code,
    resp_desc: desc,
    huifu_id: r.huifuId,
    req_date: r.reqDate,
    req_seq_id: r.reqSeqId,
    org_req_date: r.trade.reqDate,
    org_req_seq_id: r.trade.reqSeqId,
    org_hf_seq_id: r.trade.hfSeqId,
    org_trans_stat: r.trade.transStat,
    trans_stat: transStat,
  };
}

export function close(ctx: HuifuContext, data: Json): Json {
  const r = readCloseRequest(ctx, data);
  const { trade } = r;
  if (trade.close?.transStat === 'S') throw refuse(RESP.STATE, DESC.closeAgain);
  if (trade.transStat === 'S' || trade.transStat === 'F') throw refuse(RESP.STATE, DESC.closeFinal);
  if (ctx.clock.now() - trade.createdAt < ctx.minCloseIntervalMs) throw refuse(RESP.CLOSE_TOO_EARLY, DESC.closeTooEarly);
  trade.close = { reqDate: r.reqDate, reqSeqId: r.reqSeqId, transStat: 'S', at: ctx.clock.now() };
  // A closed trade can no longer be paid; it queries as failed (sandbox reading of "关单").
  trade.transStat = 'F';
  trade.bankMessage = '订单已关闭';
  ctx.state.changed();
  ctx.log(`huifu ${trade.reqSeqId} closed`);
  return closeAnswer(r, RESP.OK, '交易成功', 'S');
}

export function closeQuery(ctx: HuifuContext, data: Json): Json {
  const r = readCloseRequest(ctx, data);
  // No close was ever asked for this trade: not published; the sandbox says the record does not exist.
  if (!r.trade.close) throw refuse(RESP.NOT_FOUND, '关单记录不存在');
  return closeAnswer(r, RESP.OK, '查询成功', r.trade.close.transStat);
}
