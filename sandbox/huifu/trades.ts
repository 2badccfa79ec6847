import { DESC, refuse, RESP } from './codes';
import { date8, hfSeqId, nonce, outTransId, partyOrderId, prepayId, time14 } from './clock';
import type { HuifuContext } from './context';
import { signText, type Json } from './envelope';
import { feeOf } from './fees';
import { yuanOf } from './money';
import { tradeKey, type TradeRecord } from './state';
import { optNotifyUrl, optStr, optTime14, reqAmount, reqDate8, reqStr } from './validate';

/**
 * 聚合正扫 `POST /v2/trade/payment/jspay` (T_MINIAPP) and the trade's life: P → S (paid in the
 * cashier) or F (payment failed, closed, expired), with the two notifications of a success.
 * Request and answer fields: dg-payment-skills aggregate-order-request.md / -response.md and the
 * v2 SDK request class (bspay-php-sdk BsPaySdk/request/V2TradePaymentJspayRequest.php: req_date,
 * req_seq_id, huifu_id, goods_desc, trade_type, trans_amt; `wx_data` a JSON string, as the SDK demo
 * V2TradePaymentJspayRequestDemo.php json_encodes it).
 */

/** `trade_type` values published for jspay; the sandbox emulates the mini-program one. */
const TRADE_TYPES = ['T_JSAPI', 'T_MINIAPP', 'T_APP', 'T_MICROPAY', 'A_JSAPI', 'A_NATIVE', 'A_MICROPAY', 'U_JSAPI', 'U_NATIVE', 'U_MICROPAY'];
export const EMULATED_TRADE_TYPES = ['T_MINIAPP'];
/** Seed 002: "不指定微信默认是2小时，超过有效时间的订单会默认被关闭". */
export const DEFAULT_EXPIRY_MS = 2 * 3600_000;

export function jspay(ctx: HuifuContext, data: Json): Json {
  const huifuId = reqStr(data, 'huifu_id', 32);
  const reqDate = reqDate8(data, 'req_date');
  const reqSeqId = reqStr(data, 'req_seq_id', 128);
  const tradeType = reqStr(data, 'trade_type', 16);
  if (!TRADE_TYPES.includes(tradeType)) throw refuse(RESP.PARAM, `trade_type的传入枚举[${tradeType}]不存在`);
  if (!EMULATED_TRADE_TYPES.includes(tradeType)) throw refuse(RESP.UNSUPPORTED, DESC.unsupported);
  const transFen = reqAmount(data, 'trans_amt');
  const goodsDesc = reqStr(data, 'goods_desc', 128);
  const remark = optStr(data, 'remark', 255);
  const notifyUrl = optNotifyUrl(data, 'notify_url', 504);
  const now = ctx.clock.now();
  const expireAt = optTime14(data, 'time_expire');
  if (expireAt !== undefined && expireAt <= now) throw refuse(RESP.PARAM, DESC.expired);
  const wx = readWxData(ctx, data);
  const key = tradeKey(huifuId, reqDate, reqSeqId);
  // "req_seq_id 请求流水号，同一 huifu_id 下当天唯一" (trade-close.md); a reuse is "重复交易".
  if (ctx.state.data.trades[key]) throw refuse(RESP.DUPLICATE, DESC.duplicate);

  const trade: TradeRecord = {
    huifuId,
    reqDate,
    reqSeqId,
    hfSeqId: hfSeqId('0029', now),
    tradeType,
    transFen,
    goodsDesc,
    ...(remark !== undefined ? { remark } : {}),
    ...(notifyUrl !== undefined ? { notifyUrl } : {}),
    wxData: wx.text,
    ...(wx.openid ? { openid: wx.openid } : {}),
    ...(wx.subAppid ? { subAppid: wx.subAppid } : {}),
    ...(wx.subOpenid ? { subOpenid: wx.subOpenid } : {}),
    appId: wx.subAppid ?? ctx.appids[0]!,
    prepayId: prepayId(now),
    partyOrderId: partyOrderId(now),
    createdAt: now,
    expiresAt: expireAt ?? now + DEFAULT_EXPIRY_MS,
    transStat: 'P',
    bankMessage: '',
    refundedFen: 0,
  };
  ctx.state.data.trades[key] = trade;
  ctx.state.changed();
  ctx.log(`huifu jspay ${reqSeqId} ${yuanOf(transFen)} → ${trade.hfSeqId}`);
  return {
    resp_code: RESP.PROCESSING,
    resp_desc: '下单成功',
    req_date: reqDate,
    req_seq_id: reqSeqId,
    hf_seq_id: trade.hfSeqId,
    huifu_id: huifuId,
    trade_type: tradeType,
    trans_amt: yuanOf(transFen),
    // Seed 002: "同步通常返回'处理中'，交易终态以异步返回为准".
    trans_stat: 'P',
    delay_acct_flag: 'N',
    party_order_id: trade.partyOrderId,
    pay_info: payInfo(ctx, trade),
    bank_message: '',
    ...(remark !== undefined ? { remark } : {}),
  };
}

/**
 * `wx_data`: a JSON string with `openid`, or `sub_appid` + `sub_openid` (seed 002: "如填写openid则
 * 无需填写sub_appid+sub_openid。如不填openid，则需填写sub_appid和sub_openid"). A `sub_appid` not
 * configured for the merchant is the published error "sub_mch_id与sub_appid不匹配".
 */
function readWxData(ctx: HuifuContext, data: Json): { text: string; openid?: string; subAppid?: string; subOpenid?: string } {
  const raw = data.wx_data;
  if (raw === undefined || raw === null || raw === '') throw refuse(RESP.PARAM, 'wx_data不能为空');
  if (typeof raw !== 'string') throw refuse(RESP.PARAM, 'wx_data不符合JSON字符串格式');
  let wx: unknown;
  try {
    wx = JSON.parse(raw);
  } catch {
    throw refuse(RESP.PARAM, 'wx_data不符合JSON字符串格式');
  }
  if (!wx || typeof wx !== 'object' || Array.isArray(wx)) throw refuse(RESP.PARAM, 'wx_data不符合JSON字符串格式');
  const w = wx as Json;
  const openid = optStr(w, 'openid', 128);
  const subAppid = optStr(w, 'sub_appid', 32);
  const subOpenid = optStr(w, 'sub_openid', 128);
  if (!openid && !(subAppid && subOpenid)) throw refuse(RESP.PARAM, subAppid ? 'sub_openid不能为空' : 'openid不能为空');
  if (subAppid && !ctx.appids.includes(subAppid)) throw refuse(RESP.BUSINESS, DESC.appidMismatch);
  return { text: raw, ...(openid ? { openid } : {}), ...(subAppid ? { subAppid } : {}), ...(subOpenid ? { subOpenid } : {}) };
}

/**
 * `pay_info`: the `wx.requestPayment` parameters as a JSON string (seed 002: "小程序端使用聚合正扫返回
 * 的pay_info 调用wx.requestPayment"). Its inner layout is not published by Huifu; the sandbox carries
 * WeChat's own invoke fields with an APIv3 pay sign — SHA256withRSA over `appId\ntimeStamp\nnonceStr\n
 * package\n` (https://pay.weixin.qq.com/wiki/doc/apiv3/apis/chapter7_2_9.shtml) — made with the
 * channel pay-sign key, which the sandbox cashier verifies.
 */
function payInfo(ctx: HuifuContext, trade: TradeRecord): string {
  const timeStamp = String(Math.floor(ctx.clock.now() / 1000));
  const nonceStr = nonce();
  const pkg = `prepay_id=${trade.prepayId}`;
  const paySign = signText(`${trade.appId}\n${timeStamp}\n${nonceStr}\n${pkg}\n`, ctx.keys.paySign.privateKeyPem);
  return JSON.stringify({ appId: trade.appId, timeStamp, nonceStr, package: pkg, signType: 'RSA', paySign });
}

/** An unpaid trade past its `time_expire` is closed (seed 002); read lazily on every access. */
export function expireIfDue(ctx: HuifuContext, trade: TradeRecord): void {
  if ((trade.transStat === 'P' || trade.transStat === 'I') && ctx.clock.now() >= trade.expiresAt) {
    trade.transStat = 'F';
    trade.bankMessage = '订单已超时关闭';
    ctx.state.changed();
  }
}

/** The cashier paid: P → S, then the trade notification and, after it, the accounting one. */
export function markPaid(ctx: HuifuContext, trade: TradeRecord): void {
  const now = ctx.clock.now();
  trade.transStat = 'S';
  trade.bankMessage = '交易成功';
  trade.endTime = time14(now);
  trade.outTransId = outTransId(now);
  trade.acctDate = date8(now);
  trade.feeFen = feeOf(trade.transFen, ctx.feeRateBp);
  trade.settlementFen = trade.transFen;
  trade.acctStat = 'P';
  ctx.state.changed();
  ctx.log(`huifu ${trade.reqSeqId} paid (S)`);
  if (!trade.notifyUrl) {
    book(ctx, trade);
    return;
  }
  ctx.notifier.send({
    kind: 'trade',
    url: trade.notifyUrl,
    respData: tradeNotification(trade, 1),
    afterFirstAttempt: () => {
      book(ctx, trade);
      ctx.notifier.send({ kind: 'acct', url: trade.notifyUrl!, respData: tradeNotification(trade, 2) });
    },
  });
}

/** Booking the money (入账): S, or F when an admin armed a booking failure. */
function book(ctx: HuifuContext, trade: TradeRecord): void {
  if (ctx.state.data.failBookings > 0) {
    ctx.state.data.failBookings -= 1;
    trade.acctStat = 'F';
  } else trade.acctStat = 'S';
  ctx.state.changed();
}

/** The cashier reported a failed payment: P → F and a `notify_type` 1 with `trans_stat` F, no accounting one. */
export function markFailed(ctx: HuifuContext, trade: TradeRecord, reason: string): void {
  trade.transStat = 'F';
  trade.bankMessage = reason;
  trade.endTime = time14(ctx.clock.now());
  ctx.state.changed();
  ctx.log(`huifu ${trade.reqSeqId} failed (F): ${reason}`);
  if (trade.notifyUrl) ctx.notifier.send({ kind: 'trade', url: trade.notifyUrl, respData: tradeNotification(trade, 1) });
}

/**
 * `resp_data` of a trade (notify_type 1, "通道通知") or accounting (2, "账务通知") notification,
 * fields from aggregate-order-response.md (异步返回) and seed 002 (settlement_amt, fee_amount,
 * out_trans_id, party_order_id, wx_user_id, wx_response, bank_message). Seed 002 FAQ: 1+S → an
 * accounting notification follows; 1+F → none; 2+S+acct_stat S/F = booked / booking failed.
 */
export function tradeNotification(trade: TradeRecord, notifyType: 1 | 2): Json {
  const paid = trade.transStat === 'S';
  return {
    // The business code of a failed payment's notification is not published: 90000000 "业务执行失败" (sandbox choice).
    resp_code: paid ? RESP.OK : RESP.BUSINESS,
    resp_desc: paid ? '交易成功' : '业务执行失败',
    huifu_id: trade.huifuId,
    req_seq_id: trade.reqSeqId,
    req_date: trade.reqDate,
    trans_type: trade.tradeType,
    hf_seq_id: trade.hfSeqId,
    party_order_id: trade.partyOrderId,
    trans_amt: yuanOf(trade.transFen),
    trans_stat: trade.transStat,
    is_div: '0',
    is_delay_acct: '0',
    bank_message: trade.bankMessage,
    notify_type: notifyType,
    ...(trade.remark !== undefined ? { remark: trade.remark } : {}),
    ...(trade.endTime ? { end_time: trade.endTime } : {}),
    ...(paid
      ? {
          out_trans_id: trade.outTransId,
          pay_amt: yuanOf(trade.settlementFen!),
          settlement_amt: yuanOf(trade.settlementFen!),
          fee_flag: 2,
          fee_amount: yuanOf(trade.feeFen!),
          acct_date: trade.acctDate,
          wx_user_id: trade.subOpenid ?? trade.openid,
          wx_response: {
            ...(trade.subAppid ? { sub_appid: trade.subAppid } : {}),
            openid: trade.openid ?? trade.subOpenid,
            ...(trade.subOpenid ? { sub_openid: trade.subOpenid } : {}),
            bank_type: 'OTHERS',
            cash_fee: yuanOf(trade.settlementFen!),
          },
        }
      : {}),
    ...(notifyType === 2 ? { acct_stat: trade.acctStat } : {}),
  };
}
