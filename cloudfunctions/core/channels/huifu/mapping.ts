/**
 * Huifu wire ⇄ channel vocabulary: `trans_stat` → payment and refund states, the settlement facts
 * of a paid trade, and a verified notification's `resp_data` → a channel-neutral event. Pure.
 *
 * `trans_stat` (payment-query.md, PROTOCOL.md §3): P processing and I initial are still payable
 * (PENDING); S paid; F failed (a failed payment, a trade closed or expired at Huifu). `resp_code`
 * alone never makes anything paid.
 */
import { yuanToFen } from '../../gateways/huifu/money';
import { parseHuifuTime, type TradeAnswer, type TransStat } from '../../gateways/huifu/trade';
import { ChannelError, type ChannelNotification, type GatewayPaymentState, type GatewayRefundState, type GatewaySettlement, type StatementEntry } from '../port';
import type { BillRow } from '../../gateways/huifu/bill';

const text = (value: unknown): string | undefined => (typeof value === 'string' && value !== '' ? value : undefined);

function fenOf(value: unknown, field: string): number {
  const yuan = text(value);
  if (yuan === undefined) throw new ChannelError('untrusted', `Huifu answer has no ${field}`);
  try {
    return yuanToFen(yuan);
  } catch (cause) {
    throw new ChannelError('untrusted', `Huifu answer's ${field} is not a yuan amount: ${JSON.stringify(yuan)}`, { cause });
  }
}

const optionalFen = (value: unknown, field: string): number | undefined => (text(value) === undefined ? undefined : fenOf(value, field));

/** `fee_amount` directly (notifications) or inside the `payment_fee` JSON string (the query). */
function feeOf(data: Partial<TradeAnswer>): number | undefined {
  if (text(data.fee_amount)) return fenOf(data.fee_amount, 'fee_amount');
  if (!text(data.payment_fee)) return undefined;
  try {
    const fee = JSON.parse(data.payment_fee!) as { fee_amount?: unknown };
    return optionalFen(fee.fee_amount, 'payment_fee.fee_amount');
  } catch (cause) {
    if (cause instanceof ChannelError) throw cause;
    throw new ChannelError('untrusted', 'Huifu payment_fee is not JSON', { cause });
  }
}

/** Settlement facts of a paid trade: `settlement_amt`, the fee, `acct_stat` S booked / F booking failed. */
export function settlementOf(data: Partial<TradeAnswer>): GatewaySettlement | undefined {
  const settlementAmount = optionalFen(data.settlement_amt, 'settlement_amt');
  const feeAmount = feeOf(data);
  const booking = data.acct_stat === 'S' ? 'BOOKED' : data.acct_stat === 'F' ? 'FAILED' : undefined;
  const settlement: GatewaySettlement = {
    ...(settlementAmount !== undefined ? { settlementAmount } : {}),
    ...(feeAmount !== undefined ? { feeAmount } : {}),
    ...(booking ? { booking } : {}),
  };
  return Object.keys(settlement).length ? settlement : undefined;
}

/** A trade (query answer or notification `resp_data`) in channel terms. */
export function paymentStateOf(data: Partial<TradeAnswer>, now: number): GatewayPaymentState {
  const stat = data.trans_stat as TransStat | undefined;
  switch (stat) {
    case 'P':
    case 'I':
      return { kind: 'PENDING' };
    case 'S': {
      const transactionId = text(data.hf_seq_id);
      if (!transactionId) throw new ChannelError('untrusted', 'Huifu reports a paid trade without hf_seq_id');
      const settlement = settlementOf(data);
      return {
        kind: 'PAID',
        transactionId,
        paidAt: parseHuifuTime(data.end_time) ?? now,
        paidAmount: fenOf(data.trans_amt, 'trans_amt'),
        ...(settlement ? { settlement } : {}),
      };
    }
    case 'F':
      return { kind: 'FAILED', reason: text(data.bank_message) ?? 'Huifu reports the payment failed (trans_stat F)' };
    default:
      throw new ChannelError('untrusted', `Huifu trans_stat ${JSON.stringify(stat)} is not one of P, S, F, I`);
  }
}

/** A refund's `trans_stat`: P/I processing, S succeeded, F failed (the money stayed: CLOSED). */
export function refundStateOf(data: { trans_stat?: unknown; ord_amt?: unknown; hf_seq_id?: unknown; org_hf_seq_id?: unknown }, outRefundNo: string): GatewayRefundState {
  const stat = data.trans_stat;
  const state = stat === 'S' ? 'SUCCESS' : stat === 'F' ? 'CLOSED' : stat === 'P' || stat === 'I' ? 'PROCESSING' : undefined;
  if (!state) throw new ChannelError('untrusted', `Huifu refund trans_stat ${JSON.stringify(stat)} is not one of P, S, F, I`);
  const refundId = text(data.hf_seq_id) ?? text(data.org_hf_seq_id);
  return { outRefundNo, state, amount: fenOf(data.ord_amt, 'ord_amt'), ...(refundId ? { refundId } : {}) };
}

/** Refund notifications name the original trade (`org_req_seq_id`) and are `TRANS_REFUND` (refund.md 异步返回). */
function isRefundNotification(data: Record<string, unknown>): boolean {
  return data.trans_type === 'TRANS_REFUND' || (data.notify_type === undefined && text(data.org_req_seq_id) !== undefined);
}

/**
 * A verified notification's `resp_data` → the event. `notify_type` 1 (trade: S/F) and 2 (accounting:
 * `acct_stat` S/F) of one trade are two events with their own ids, so each is applied and recorded
 * once. `appid`: the `sub_appid` Huifu reports, else the mini-program's (openid mode carries none).
 */
export function notificationEventOf(data: Record<string, unknown>, ctx: { appid: string; now: number }): ChannelNotification {
  const huifuId = text(data.huifu_id);
  const reqSeqId = text(data.req_seq_id);
  if (!huifuId || !reqSeqId) throw new ChannelError('untrusted', 'Huifu notification has no huifu_id or req_seq_id');
  if (isRefundNotification(data)) {
    const outTradeNo = text(data.org_req_seq_id);
    if (!outTradeNo) throw new ChannelError('untrusted', 'Huifu refund notification has no org_req_seq_id');
    const refund = refundStateOf(data, reqSeqId);
    return { kind: 'refund', notificationId: `huifu:refund:${reqSeqId}:${refund.state}`, outTradeNo, mchid: huifuId, refund };
  }
  const notifyType = String(data.notify_type ?? '');
  if (notifyType !== '1' && notifyType !== '2') {
    return { kind: 'ignored', notificationId: `huifu:${notifyType || 'unknown'}:${reqSeqId}:${text(data.hf_seq_id) ?? ''}`, eventType: `huifu.notify_type.${notifyType || 'unknown'}` };
  }
  const state = paymentStateOf(data as Partial<TradeAnswer>, ctx.now);
  const wx = wxResponseOf(data.wx_response);
  return {
    kind: 'payment',
    notificationId: `huifu:${notifyType}:${reqSeqId}:${String(data.trans_stat)}`,
    outTradeNo: reqSeqId,
    appid: text(wx.sub_appid) ?? ctx.appid,
    mchid: huifuId,
    state,
  };
}

/** `wx_response`: an object, or the JSON string seed 002 describes. */
function wxResponseOf(value: unknown): Record<string, unknown> {
  if (typeof value === 'string') {
    try {
      value = JSON.parse(value) as unknown;
    } catch {
      return {};
    }
  }
  return typeof value === 'object' && value !== null && !Array.isArray(value) ? (value as Record<string, unknown>) : {};
}

/** Successful rows of this merchant's trade bill → statement entries (refunds: `TRANS_REFUND`, naming the original by org_req_seq_id). */
export function statementEntriesOf(rows: BillRow[], huifuId: string): StatementEntry[] {
  const entries: StatementEntry[] = [];
  for (const row of rows) {
    if (row.trans_stat !== 'S' || (row.huifu_id && row.huifu_id !== huifuId) || !row.req_seq_id) continue;
    const amount = fenOf(row.trans_amt, 'trans_amt');
    if (row.trans_type === 'TRANS_REFUND') {
      if (!row.org_req_seq_id) throw new ChannelError('untrusted', `bill refund ${row.req_seq_id} names no original trade`);
      entries.push({ kind: 'refund', outTradeNo: row.org_req_seq_id, outRefundNo: row.req_seq_id, refundId: row.hf_seq_id ?? '', amount });
    } else entries.push({ kind: 'payment', outTradeNo: row.req_seq_id, transactionId: row.hf_seq_id ?? '', amount });
  }
  return entries;
}
