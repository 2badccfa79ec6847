/**
 * Which cashier a `pay.create` answer is for (`ClientPaymentParams.kind`), without any wx API:
 * shared by `payment.ts` and the amount control's adapter.
 */
import type { ClientPaymentParams, MiniProgramPaymentParams, RequestPaymentParams } from '../../typings/api';

/** Why this mini-program cannot open a cashier of `kind` (only the mini-program cashier opens here). */
export function unsupportedPaymentReason(kind: Exclude<ClientPaymentParams['kind'], 'miniprogram'>): string {
  return kind === 'app' ? '该订单需在 App 中支付，小程序无法打开' : '该订单的支付方式（汇付 pay_info）本小程序暂不支持';
}

/** Exactly the fields `wx.requestPayment` takes, without our `kind` tag. */
export function cashierParamsOf(params: MiniProgramPaymentParams): RequestPaymentParams {
  return { timeStamp: params.timeStamp, nonceStr: params.nonceStr, package: params.package, signType: params.signType, paySign: params.paySign };
}
