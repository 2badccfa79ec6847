/** What a person reads when a call fails: one Chinese sentence per stable error code. */
import type { ApiError, ErrorCode } from '../../typings/api';

const MESSAGES: Record<ErrorCode, string> = {
  INVALID_ARGUMENT: '请求参数有误，请检查金额后重试',
  UNKNOWN_ACTION: '当前版本不支持此操作，请更新小程序',
  UNAUTHENTICATED: '登录已失效，请重新进入小程序',
  FORBIDDEN: '无权查看或操作此订单',
  NOT_FOUND: '订单不存在',
  AMOUNT_OUT_OF_RANGE: '金额超出可支付范围',
  INVALID_STATE: '订单状态已变化，请刷新后再试',
  CLOSE_TOO_EARLY: '订单创建不足 5 分钟，暂不能关闭',
  PAYER_PAYING: '订单正在支付中，请完成或退出支付后再试',
  GATEWAY_REJECTED: '支付平台拒绝了此请求',
  GATEWAY_UNAVAILABLE: '支付服务繁忙，请稍后重试',
  CHANNEL_UNAVAILABLE: '暂不支持该支付方式',
  GATEWAY_UNTRUSTED: '支付平台应答校验失败，请稍后重试',
  PAYEE_NOT_AUTHORIZED: '收款方尚未开通收款',
  PAYEE_ALREADY_AUTHORIZED: '收款方已开通收款',
  SELF_PAY: '不能向自己付款',
  REFUND_EXCEEDS_PAID: '退款金额超过可退金额',
  REFUND_BALANCE_INSUFFICIENT: '商户可退款余额不足，充值后将自动重新发起退款',
  PAYSCORE_TOTAL_MISMATCH: '完结金额与费用明细不符',
  PAYSCORE_EXCEEDS_RISK_FUND: '完结金额超过服务风险金',
  PAYSCORE_APPID_MISMATCH: '请在创建服务的小程序中操作',
  PAYSCORE_DEDUCTION_LIVE: '扣款进行中，暂不能取消',
  PAYSCORE_DEDUCTION_REUSED: '扣款单号已使用，请使用新的单号',
  TRANSPORT_ERROR: '网络不可用，请检查网络后重试',
  INTERNAL: '系统繁忙，请稍后重试',
};

/** The message for an error code; unknown codes (a newer server) get a generic sentence. */
export function messageForCode(code: string): string {
  return (MESSAGES as Record<string, string>)[code] ?? '操作失败，请稍后重试';
}

/** Whether offering "retry" makes sense: the server said so, or the failure was on the way there. */
export function isRetryable(error: Pick<ApiError, 'code' | 'retryable'>): boolean {
  if (error.retryable !== undefined) return error.retryable;
  return error.code === 'TRANSPORT_ERROR' || error.code === 'GATEWAY_UNAVAILABLE' || error.code === 'INTERNAL';
}
