/**
 * Which cashier a `pay.create` answer is for (`ClientPaymentParams.kind`), without any wx API:
 * shared by `payment.ts` and the amount control's adapter.
 */
import type { ClientPaymentParams, MiniProgramPaymentParams, RequestPaymentParams } from '../../typings/api';

/** Why this mini-program cannot open a cashier of `kind` (only the mini-program cashier opens here). */
export function unsupportedPaymentReason(kind: Exclude<ClientPaymentParams['kind'], 'miniprogram'>): string {
  return kind === 'app' ? '该订单需在 App 中支付，小程序无法打开' : '该订单的汇付支付参数（pay_info）无效';
}

/** Exactly the fields `wx.requestPayment` takes, without our `kind` tag. */
export function cashierParamsOf(params: MiniProgramPaymentParams): RequestPaymentParams {
  return { timeStamp: params.timeStamp, nonceStr: params.nonceStr, package: params.package, signType: params.signType, paySign: params.paySign };
}

/**
 * Huifu's `pay_info` (a JSON string, seed 002: "小程序端使用聚合正扫返回的pay_info 调用wx.requestPayment")
 * → the `wx.requestPayment` fields it carries, passed through as they are (whatever `signType`
 * Huifu chose). Undefined when it does not carry them all.
 */
export function huifuCashierParamsOf(payInfo: string): RequestPaymentParams | undefined {
  let info: unknown;
  try {
    info = JSON.parse(payInfo);
  } catch {
    return undefined;
  }
  if (typeof info !== 'object' || info === null) return undefined;
  const { timeStamp, nonceStr, package: pkg, signType, paySign } = info as Record<string, unknown>;
  if (![timeStamp, nonceStr, pkg, signType, paySign].every((v) => typeof v === 'string' && v !== '')) return undefined;
  return { timeStamp, nonceStr, package: pkg, signType, paySign } as RequestPaymentParams;
}
