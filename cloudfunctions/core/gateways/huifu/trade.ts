/**
 * Huifu DouGong trade calls (聚合正扫 and its companions), one typed function per call, as the
 * official SDKs' request classes: paths and request fields from bspay-php-sdk
 * (`BsPaySdk/core/BsPay.php` paths; `BsPaySdk/request/V2TradePaymentJspayRequest.php`,
 * `V2TradePaymentScanpayQueryRequest.php`, `BsPayDemo/V2TradePaymentScanpayRefundRequestDemo.php`,
 * `…RefundqueryRequestDemo.php`, `…V2TradeCheckFilequeryRequestDemo.php`,
 * https://github.com/huifurepo/bspay-php-sdk) and the reference transcripts in
 * https://github.com/huifurepo/dg-payment-skills (aggregate-order-request.md / -response.md,
 * payment-query.md, trade-close.md, close-query.md, refund.md, refund-query.md, reconciliation.md).
 * Wire only: no business words. Answers are verified by the client before they reach here; their
 * fields are typed loosely (`Partial`) and the channel checks what it relies on.
 */
import type { HuifuClient } from './client';

export const HUIFU_PATHS = {
  jspay: '/v2/trade/payment/jspay',
  query: '/v2/trade/payment/scanpay/query',
  close: '/v2/trade/payment/scanpay/close',
  closeQuery: '/v2/trade/payment/scanpay/closequery',
  refund: '/v2/trade/payment/scanpay/refund',
  refundQuery: '/v2/trade/payment/scanpay/refundquery',
  fileQuery: '/v2/trade/check/filequery',
} as const;

/** `resp_code`s named by the published pages (PROTOCOL.md §3, sandbox/huifu/codes.ts sources). */
export const HUIFU_RESP = {
  /** 交易受理成功 / 查询成功 — accepted, never "paid". */
  OK: '00000000',
  /** 下单成功 / 交易处理中 — processing, never "paid". */
  PROCESSING: '00000100',
  PARAM: '10000000',
  DUPLICATE: '20000000',
  /** 不允许关闭一分钟以内的订单 (also 并发冲突，请稍后重试). */
  CLOSE_TOO_EARLY: '20000001',
  /** 原订单已为终态 / 关单状态为终态 / 原交易未入账. */
  STATE: '23000000',
  /** 原交易不存在 / 交易不存在. */
  NOT_FOUND: '23000001',
  /** 申请退款金额大于可退余额. */
  AMOUNT: '23000003',
  /** 通道异常，请稍后重试. */
  CHANNEL: '91111119',
  /** 系统错误. */
  SYSTEM: '98888888',
  /** 系统异常，请稍后重试. */
  SYSTEM_RETRY: '99999999',
} as const;

/** `trans_stat`: I (initial, rare), P (processing), S (success), F (failure). */
export type TransStat = 'I' | 'P' | 'S' | 'F';

/** Every answer's common head. */
export interface HuifuAnswer {
  resp_code: string;
  resp_desc: string;
}

export interface JspayRequest {
  /** `yyyyMMdd`; with `req_seq_id` unique per `huifu_id` per day. */
  req_date: string;
  req_seq_id: string;
  huifu_id: string;
  /** `T_MINIAPP` for a mini-program. */
  trade_type: 'T_MINIAPP';
  /** Yuan string, two decimals (`"12.34"`). */
  trans_amt: string;
  goods_desc: string;
  /** `yyyyMMddHHmmss`. */
  time_expire?: string;
  notify_url?: string;
  /** A JSON string: `{"openid":…}` or `{"sub_appid":…,"sub_openid":…}` (seed 002). */
  wx_data: string;
  remark?: string;
}

export interface JspayAnswer extends HuifuAnswer {
  req_date: string;
  req_seq_id: string;
  hf_seq_id: string;
  trans_stat: TransStat;
  trans_amt: string;
  /** The cashier parameters as a JSON string, passed to `wx.requestPayment` as they are. */
  pay_info: string;
  party_order_id: string;
  bank_message: string;
}

/** `org_req_date` + `org_req_seq_id` names the trade (the query also takes `org_hf_seq_id`). */
export interface TradeLocator {
  huifu_id: string;
  org_req_date: string;
  org_req_seq_id?: string;
  org_hf_seq_id?: string;
}

export interface TradeAnswer extends HuifuAnswer {
  huifu_id: string;
  req_date: string;
  req_seq_id: string;
  hf_seq_id: string;
  trans_amt: string;
  trans_stat: TransStat;
  bank_message: string;
  end_time: string;
  out_trans_id: string;
  party_order_id: string;
  settlement_amt: string;
  acct_stat: string;
  /** A JSON string `{fee_amount, fee_flag}` (payment-query.md 扩展返回参数). */
  payment_fee: string;
  /** Notifications carry it directly. */
  fee_amount: string;
  /** Notifications: 1 trade (通道通知), 2 accounting (账务通知). */
  notify_type: number | string;
}

export interface CloseRequest extends TradeLocator {
  req_date: string;
  req_seq_id: string;
}

export interface CloseAnswer extends HuifuAnswer {
  org_trans_stat: TransStat;
  /** The close's own state: S closed, F not closed, P processing. */
  trans_stat: TransStat;
}

export interface RefundRequest {
  req_date: string;
  req_seq_id: string;
  huifu_id: string;
  /** Yuan string. */
  ord_amt: string;
  org_req_date: string;
  org_req_seq_id?: string;
  org_hf_seq_id?: string;
  remark?: string;
  notify_url?: string;
}

export interface RefundAnswer extends HuifuAnswer {
  req_date: string;
  req_seq_id: string;
  hf_seq_id: string;
  org_req_seq_id: string;
  ord_amt: string;
  trans_stat: TransStat;
  bank_message: string;
}

export interface RefundQueryRequest {
  huifu_id: string;
  /** The refund's own `req_date` and `req_seq_id`. */
  org_req_date: string;
  org_req_seq_id?: string;
  org_hf_seq_id?: string;
}

export interface RefundQueryAnswer extends HuifuAnswer {
  org_req_seq_id: string;
  org_hf_seq_id: string;
  ord_amt: string;
  trans_stat: TransStat;
  bank_message: string;
}

export interface FileQueryRequest {
  req_date: string;
  req_seq_id: string;
  huifu_id: string;
  /** `yyyyMMdd`: the file of the trades of the day before. */
  file_date: string;
  bill_type?: string;
}

export interface FileDetail {
  download_url: string;
  file_date: string;
  file_id: string;
  /** Spelled so in reconciliation.md. */
  file_Name: string;
  huifu_id: string;
  bill_type: string;
}

export interface FileQueryAnswer extends HuifuAnswer {
  file_details: FileDetail[];
  task_details: Array<{ task_stat: string; data_date: string; download_url?: string; bill_type: string }>;
}

type Answer<T> = Promise<{ data: Partial<T>; dataText: string }>;

export const jspay = (client: HuifuClient, body: JspayRequest): Answer<JspayAnswer> => client.post(HUIFU_PATHS.jspay, { ...body });
export const query = (client: HuifuClient, body: TradeLocator): Answer<TradeAnswer> => client.post(HUIFU_PATHS.query, { ...body });
export const close = (client: HuifuClient, body: CloseRequest): Answer<CloseAnswer> => client.post(HUIFU_PATHS.close, { ...body });
export const closeQuery = (client: HuifuClient, body: CloseRequest): Answer<CloseAnswer> => client.post(HUIFU_PATHS.closeQuery, { ...body });
export const refund = (client: HuifuClient, body: RefundRequest): Answer<RefundAnswer> => client.post(HUIFU_PATHS.refund, { ...body });
export const refundQuery = (client: HuifuClient, body: RefundQueryRequest): Answer<RefundQueryAnswer> => client.post(HUIFU_PATHS.refundQuery, { ...body });
export const fileQuery = (client: HuifuClient, body: FileQueryRequest): Answer<FileQueryAnswer> => client.post(HUIFU_PATHS.fileQuery, { ...body });

const BEIJING_OFFSET_MS = 8 * 3600_000;

/** `yyyyMMdd` in China time (Huifu's `req_date`, `file_date`). */
export function huifuDate(at: number): string {
  return new Date(at + BEIJING_OFFSET_MS).toISOString().slice(0, 10).replace(/-/g, '');
}

/** `yyyyMMddHHmmss` in China time (`time_expire`, `end_time`). */
export function huifuTime(at: number): string {
  return new Date(at + BEIJING_OFFSET_MS).toISOString().slice(0, 19).replace(/[-:T]/g, '');
}

/** `yyyyMMddHHmmss` China time → ms; undefined when it is not one. */
export function parseHuifuTime(text: unknown): number | undefined {
  if (typeof text !== 'string' || !/^\d{14}$/.test(text)) return undefined;
  const iso = `${text.slice(0, 4)}-${text.slice(4, 6)}-${text.slice(6, 8)}T${text.slice(8, 10)}:${text.slice(10, 12)}:${text.slice(12, 14)}+08:00`;
  const at = Date.parse(iso);
  return Number.isNaN(at) ? undefined : at;
}
