/**
 * APIv2 answers and notifications in channel vocabulary (`../port.ts`): `trade_state`
 * (查询订单, https://pay.weixin.qq.com/wiki/doc/api/jsapi.php?chapter=9_2), refund statuses
 * (chapter=9_5 / 9_16), `time_end` / `success_time` in China time.
 */
import { WechatPayError } from '../../gateways/wechatpay/errors';
import type { V2RefundStatus } from '../../gateways/wechatpay/v2';
import type { GatewayPaymentState, GatewayRefundState } from '../port';
import { unpaidTradeState } from '../wechatpay-trade-state';

const CHINA_OFFSET = '+08:00';

/** `yyyyMMddHHmmss` (time_end) or `yyyy-MM-dd HH:mm:ss` (success_time), China time → ms; `fallback` when unreadable. */
export function fromChinaTime(text: string | undefined, fallback: number): number {
  const digits = (text ?? '').replace(/[^0-9]/g, '');
  if (digits.length !== 14) return fallback;
  const ms = Date.parse(`${digits.slice(0, 4)}-${digits.slice(4, 6)}-${digits.slice(6, 8)}T${digits.slice(8, 10)}:${digits.slice(10, 12)}:${digits.slice(12, 14)}${CHINA_OFFSET}`);
  return Number.isFinite(ms) ? ms : fallback;
}

/** ms → `yyyyMMddHHmmss` in China time (time_expire). */
export function toChinaCompact(ms: number): string {
  return new Date(ms + 8 * 3600_000).toISOString().slice(0, 19).replace(/[^0-9]/g, '');
}

/**
 * A verified orderquery answer (return_code and result_code already SUCCESS) → our state. Paid
 * only on trade_state SUCCESS (or REFUND: paid, and a refund was started since) with a
 * transaction_id and an integer total_fee (PROTOCOL.md §4: all three SUCCESS).
 */
export function v2PaymentStateOf(answer: Record<string, string>, now: number): GatewayPaymentState {
  const description = answer.trade_state_desc ?? '';
  switch (answer.trade_state) {
    case 'SUCCESS':
    case 'REFUND':
      return paidState(answer, now);
    default: {
      const unpaid = unpaidTradeState(answer.trade_state, description);
      if (unpaid) return unpaid;
      throw new WechatPayError('RESPONSE_MALFORMED', `unknown trade_state ${String(answer.trade_state)}`);
    }
  }
}

/** The paid facts of an orderquery answer or a payment notification (chapter=9_7 carries the same fields). */
export function paidState(fields: Record<string, string>, now: number): GatewayPaymentState {
  const total = fields.total_fee;
  if (!fields.transaction_id || total === undefined || !/^\d{1,15}$/.test(total)) {
    throw new WechatPayError('RESPONSE_MALFORMED', `paid order ${String(fields.out_trade_no)} lacks transaction_id or total_fee`);
  }
  return { kind: 'PAID', transactionId: fields.transaction_id, paidAt: fromChinaTime(fields.time_end, now), paidAmount: Number(total) };
}

/** REFUNDCLOSE: closed, the money stayed with the merchant; CHANGE: 退款异常 (ABNORMAL in v3 words). */
export function v2RefundState(outRefundNo: string, status: V2RefundStatus, amount: number, refundId?: string): GatewayRefundState {
  const state = status === 'REFUNDCLOSE' ? 'CLOSED' : status === 'CHANGE' ? 'ABNORMAL' : status;
  return { outRefundNo, state, amount, ...(refundId ? { refundId } : {}) };
}
