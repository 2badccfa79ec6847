/**
 * `resp_code` / `resp_desc` as Huifu publishes them. Sources (the official reference transcripts
 * in https://github.com/huifurepo/dg-payment-skills):
 * - jspay (聚合正扫): huifu-pay-integration/references/aggregation-order-errors.md
 * - scanpay/query: dougong-aggregation-aggregate-query/references/payment-query.md
 * - scanpay/close: dougong-aggregation-aggregate-query/references/trade-close.md
 * - scanpay/closequery: donggong-aggregation-aggregate-query/references/close-query.md
 * - scanpay/refund: donggong-aggregation-aggregate-refund/references/refund.md
 * - scanpay/refundquery: dougong-aggregation-aggregate-refund/references/refund-query.md
 * Entries marked SANDBOX are the sandbox's choices where no code is published (see
 * docs/references/sandbox-huifu.md).
 */
export const RESP = {
  /** jspay "交易受理成功"; query/closequery/refundquery "查询成功"; close/refund "交易成功". */
  OK: '00000000',
  /** jspay "下单成功"; refund "交易处理中". */
  PROCESSING: '00000100',
  /** "入参数据不符合接口要求", "%s不能为空", "%s不符合%s格式", "%s的传入枚举[%s]不存在", "订单已超时". */
  PARAM: '10000000',
  /** jspay "重复交易". */
  DUPLICATE: '20000000',
  /** close "不允许关闭一分钟以内的订单" (also "并发冲突，请稍后重试"). */
  CLOSE_TOO_EARLY: '20000001',
  /** "原请求流水号和原全局流水号不能同时为空" and kin. */
  LOCATOR_MISSING: '21000000',
  /** close "原订单已为终态，无法发起关单操作" / "关单状态为终态，不能重复关单"; refund "原交易未入账，不能发起退款". */
  STATE: '23000000',
  /** "原交易不存在" / query "交易不存在". */
  NOT_FOUND: '23000001',
  /** refund "申请退款金额大于可退余额". */
  AMOUNT: '23000003',
  /** jspay "交易类型不支持". */
  UNSUPPORTED: '23000004',
  /** "业务执行失败" — SANDBOX: also the code of "数据权限认证失败" and "sub_mch_id与sub_appid不匹配", whose codes are not published. */
  BUSINESS: '90000000',
  /** "通道异常，请稍后重试" (retry). */
  CHANNEL: '91111119',
  /** "系统错误". */
  SYSTEM: '98888888',
  /** "系统异常，请稍后重试". */
  SYSTEM_RETRY: '99999999',
} as const;

/** Published `resp_desc` texts the sandbox answers with. */
export const DESC = {
  dataPermission: '数据权限认证失败',
  appidMismatch: 'sub_mch_id与sub_appid不匹配',
  duplicate: '重复交易',
  closeTooEarly: '不允许关闭一分钟以内的订单',
  closeFinal: '原订单已为终态，无法发起关单操作',
  closeAgain: '关单状态为终态，不能重复关单',
  orgNotFound: '原交易不存在',
  tradeNotFound: '交易不存在',
  refundNotBooked: '原交易未入账，不能发起退款',
  refundTooMuch: '申请退款金额大于可退余额',
  unsupported: '交易类型不支持',
  expired: '订单已超时',
  system: '系统错误',
  channel: '通道异常，请稍后重试',
  systemRetry: '系统异常，请稍后重试',
  closeLocator: '原请求流水号和原全局流水号不能同时为空',
  queryLocator: '原机构请求流水号、交易返回全局流水号、用户账单商户订单号、用户账单交易订单号、外部订单号、终端订单号不能同时为空',
  refundLocator: '原交易请求流水号、原交易微信支付宝商户单号、原交易全局流水号不能同时为空',
  refundQueryLocator: '原退款全局流水号、原退款请求流水号、外部订单号不能同时为空',
} as const;

/** A business refusal: answered as a signed `data` with this code and text (always HTTP 200). */
export class HuifuRefusal extends Error {
  constructor(
    readonly respCode: string,
    readonly respDesc: string,
  ) {
    super(`${respCode} ${respDesc}`);
  }
}

export const refuse = (code: string, desc: string) => new HuifuRefusal(code, desc);
/** `10000000` with the published message patterns. */
export const missing = (field: string) => refuse(RESP.PARAM, `${field}不能为空`);
export const badFormat = (field: string, format: string) => refuse(RESP.PARAM, `${field}不符合${format}格式`);
export const tooLong = (field: string, max: number) => refuse(RESP.PARAM, `${field}最大长度为${max}位`);
export const badEnum = (field: string, value: string) => refuse(RESP.PARAM, `${field}的传入枚举[${value}]不存在`);
