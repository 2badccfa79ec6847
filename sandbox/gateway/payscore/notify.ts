import type { GatewayContext } from '../context';
import type { PayScoreOrderRecord } from './records';
import { orderView, paidView } from './views';

/**
 * PayScore's notifications go through the gateway's notifier (same envelope, signing and
 * AEAD_AES_256_GCM sealing, same faults and attempt log) with PayScore's own schedule:
 * "通知频率为15/15/30/180/1800/1800/1800/1800/3600,单位:秒" — a first attempt then these 9
 * retries, 10 attempts in all
 * (https://pay.weixin.qq.com/docs/partner/apis/partner-institution-weixin-pay-score/acquiring-bank-service-confirm-order/confirm-order-callback.html),
 * and the v3 reply window "需要在5秒内返回应答报文" (https://pay.weixin.qq.com/doc/v3/merchant/4012075420).
 */
export const PAYSCORE_RETRY_DELAYS_S = [15, 15, 30, 180, 1800, 1800, 1800, 1800, 3600] as const;
export const PAYSCORE_MAX_ATTEMPTS = PAYSCORE_RETRY_DELAYS_S.length + 1;
export const PAYSCORE_NOTIFY_TIMEOUT_MS = 5000;
/** `resource.original_type` (PROTOCOL.md §2 [ref]); the notifier also uses it as associated_data. */
export const PAYSCORE_ORIGINAL_TYPE = 'payscore';

export const USER_CONFIRM = 'PAYSCORE.USER_CONFIRM';
export const USER_PAID = 'PAYSCORE.USER_PAID';

function send(ctx: GatewayContext, o: PayScoreOrderRecord, eventType: string, summary: string, resource: unknown): void {
  ctx.notifier.send({
    eventType,
    summary,
    originalType: PAYSCORE_ORIGINAL_TYPE,
    resource,
    url: o.notifyUrl,
    subject: o.outOrderNo,
    retryDelaysS: PAYSCORE_RETRY_DELAYS_S,
    timeoutMs: PAYSCORE_NOTIFY_TIMEOUT_MS,
  });
}

/** The user confirmed the order in PayScore. */
export function notifyUserConfirm(ctx: GatewayContext, o: PayScoreOrderRecord): void {
  send(ctx, o, USER_CONFIRM, '用户确认订单成功', orderView(o));
}

/** The clearing institution collected `outTradeNo`. */
export function notifyUserPaid(ctx: GatewayContext, o: PayScoreOrderRecord, outTradeNo: string): void {
  send(ctx, o, USER_PAID, '用户支付成功', paidView(o, outTradeNo));
}
