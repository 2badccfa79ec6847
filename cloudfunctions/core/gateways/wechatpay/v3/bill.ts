/**
 * 申请交易账单 `GET /v3/bill/tradebill` and the download of its `download_url`
 * (https://pay.weixin.qq.com/docs/merchant/apis/mini-program-payment/get-trade-bill.html,
 * 下载账单 https://pay.weixin.qq.com/doc/v3/merchant/4012810615), as the official Java SDK's
 * `BillDownloadServiceExtension` + `DigestBillEntity` do it
 * (https://github.com/wechatpay-apiv3/wechatpay-java, service/billdownload): the answer names
 * `hash_type` (SHA1), `hash_value` and a short-lived `download_url`; the download is signed by us
 * and NOT by the platform, so the file's integrity is the hash of the original bill (gunzipped when
 * `tar_type=GZIP`: "原始账单（gzip需要解压缩）的摘要值"). The file itself
 * (交易账单文件格式 https://pay.weixin.qq.com/docs/merchant/products/bill-download/format-trade.html)
 * is read strictly into typed rows here: docs/references/trade-bill.md.
 */
import { createHash } from 'node:crypto';
import { gunzipSync } from 'node:zlib';
import type { V3Client } from '../client';
import { WechatPayError } from '../errors';

export const TRADE_BILL_PATH = '/v3/bill/tradebill';

export type TradeBillType = 'ALL' | 'SUCCESS' | 'REFUND';

export interface TradeBillRequest {
  /** `yyyy-MM-dd`: "仅支持三个月内的账单下载申请". */
  bill_date: string;
  /** Default ALL. */
  bill_type?: TradeBillType;
  /** GZIP: the download is a .gzip stream; omitted: the bill as is. */
  tar_type?: 'GZIP';
  /** Service providers only (服务商 page, https://pay.weixin.qq.com/doc/v3/partner/4012759683). */
  sub_mchid?: string;
}

export interface TradeBillAnswer {
  hash_type: string;
  hash_value: string;
  download_url: string;
}

/** Step 1: the bill's download address and hash. Errors (400 NO_STATEMENT_EXIST, STATEMENT_CREATING, INVALID_REQUEST …) are the client's WechatPayErrors. */
export async function applyTradeBill(client: Pick<V3Client, 'request'>, request: TradeBillRequest): Promise<TradeBillAnswer> {
  if (!/^\d{4}-\d{2}-\d{2}$/.test(request.bill_date)) throw new WechatPayError('ARGUMENT_INVALID', `bill_date must be yyyy-MM-dd, got ${request.bill_date}`);
  const res = await client.request<Partial<TradeBillAnswer>>('GET', TRADE_BILL_PATH, undefined, {
    query: { bill_date: request.bill_date, sub_mchid: request.sub_mchid, bill_type: request.bill_type, tar_type: request.tar_type },
  });
  const data = res.data ?? {};
  for (const field of ['hash_type', 'hash_value', 'download_url'] as const) {
    if (typeof data[field] !== 'string' || data[field] === '') throw new WechatPayError('RESPONSE_MALFORMED', `trade bill answer has no ${field}`, { status: res.status, requestId: res.requestId });
  }
  return data as TradeBillAnswer;
}

/** The downloaded bytes → the original bill's text: gunzipped when asked for GZIP, then its hash checked. */
export function billTextOf(bytes: Buffer, answer: Pick<TradeBillAnswer, 'hash_type' | 'hash_value'>, tarType: 'GZIP' | undefined): string {
  let original: Buffer;
  try {
    original = tarType === 'GZIP' ? gunzipSync(bytes) : bytes;
  } catch (cause) {
    throw new WechatPayError('RESPONSE_MALFORMED', 'the trade bill download is not a gzip stream', { cause });
  }
  // DigestBillEntity: SHA1 → "SHA-1", compared with hash_value in lower case.
  if (answer.hash_type.toUpperCase() !== 'SHA1') throw new WechatPayError('RESPONSE_MALFORMED', `unsupported hash_type ${answer.hash_type}`);
  const digest = createHash('sha1').update(original).digest('hex');
  if (digest !== answer.hash_value.toLowerCase()) {
    throw new WechatPayError('BILL_HASH_MISMATCH', `the trade bill's SHA1 ${digest} is not the announced ${answer.hash_value}: download refused`);
  }
  return original.toString('utf8').replace(/^\uFEFF/, '');
}

/** One detail row of an ALL (or SUCCESS / REFUND) bill; money in fen. */
export interface TradeBillRow {
  /** 交易时间 `yyyy-MM-dd HH:mm:ss` (China time): paid, or refund accepted. */
  tradeTime: string;
  appid: string;
  mchid: string;
  /** 特约商户号: `0` for an ordinary merchant. */
  subMchid: string;
  transactionId: string;
  outTradeNo: string;
  tradeType: string;
  /** 交易状态: SUCCESS for a payment row, REFUND for a refund row (REVOKED: 撤销). */
  tradeState: string;
  /** 应结订单金额 (订单金额 minus non-recharge coupons). */
  settlementAmount: number;
  /** 订单金额: what the order asked for (our `amount`). */
  orderAmount: number;
  /** Refund rows only (payment rows carry `0`). */
  refundId?: string;
  outRefundNo?: string;
  /** 退款金额 (settled). */
  refundAmount?: number;
  /** 申请退款金额: what the refund asked for (our refund `amount`). */
  requestedRefundAmount?: number;
  /** 退款状态 as of the bill's making (SUCCESS, PROCESSING, …): "出账后退款状态不会更新". */
  refundStatus?: string;
}

export interface TradeBillSummary {
  /** 总交易单数 */
  count: number;
  /** 应结订单总金额, fen */
  settlementTotal: number;
  /** 退款总金额, fen (ALL / REFUND bills) */
  refundTotal?: number;
}

export interface TradeBill {
  rows: TradeBillRow[];
  summary: TradeBillSummary;
}

/** The columns a row cannot be read without (format-trade.html, ALL / SUCCESS / REFUND tables). */
const REQUIRED = ['交易时间', '公众账号ID', '商户号', '特约商户号', '微信订单号', '商户订单号', '交易类型', '交易状态', '应结订单金额', '订单金额'] as const;
const REFUND_COLUMNS = ['微信退款单号', '商户退款单号', '退款金额', '申请退款金额', '退款状态'] as const;

const malformed = (message: string) => new WechatPayError('RESPONSE_MALFORMED', `trade bill: ${message}`);

/**
 * Yuan as the bill writes it (`0.01`, `-0.02`, `12`) → integer fen, without floating point.
 * Anything else (more than two decimals, exponents such as `4.00123E+27`, empty) is refused.
 */
export function yuanToFen(text: string, what = 'amount'): number {
  const m = /^(-?)(\d+)(?:\.(\d{1,2}))?$/.exec(text);
  if (!m) throw malformed(`${what} "${text}" is not yuan with at most 2 decimals`);
  const fen = Number(m[2]) * 100 + Number((m[3] ?? '').padEnd(2, '0'));
  if (!Number.isSafeInteger(fen)) throw malformed(`${what} "${text}" is out of range`);
  return m[1] === '-' ? -fen : fen;
}

/** One line → its cells. Detail and summary values each start with one backtick, which is removed; headers have none. */
function cellsOf(line: string, backticked: boolean, lineNo: number): string[] {
  return line.split(',').map((cell) => {
    if (!backticked) return cell.trim();
    if (!cell.startsWith('`')) throw malformed(`line ${lineNo}: field "${cell.slice(0, 20)}" lacks the leading backtick`);
    return cell.slice(1);
  });
}

/**
 * The bill's four parts (format-trade.html "文件格式说明"): the detail header, the detail rows,
 * the summary header (总交易单数,…) and the summary values. Strict: every detail field must carry
 * its backtick, every row the header's number of fields, the summary's count must equal the rows.
 */
export function parseTradeBill(text: string): TradeBill {
  const lines = text.replace(/^\uFEFF/, '').split(/\r?\n/).filter((line) => line.trim() !== '');
  const headerLine = lines[0];
  if (!headerLine) throw malformed('empty file');
  const header = cellsOf(headerLine, false, 1);
  const at = (name: string) => header.indexOf(name);
  for (const name of REQUIRED) if (at(name) < 0) throw malformed(`no column ${name}`);
  const hasRefunds = REFUND_COLUMNS.every((name) => at(name) >= 0);

  const summaryAt = lines.findIndex((line, i) => i > 0 && !line.startsWith('`'));
  if (summaryAt < 0 || !lines[summaryAt + 1]) throw malformed('no summary (总交易单数 …)');
  if (lines.length !== summaryAt + 2) throw malformed('lines after the summary');

  const rows: TradeBillRow[] = lines.slice(1, summaryAt).map((line, i) => {
    const lineNo = i + 2;
    const cells = cellsOf(line, true, lineNo);
    if (cells.length !== header.length) throw malformed(`line ${lineNo} has ${cells.length} fields, the header ${header.length}`);
    const cell = (name: string) => cells[at(name)]!;
    const amount = (name: string) => yuanToFen(cell(name), `line ${lineNo} ${name}`);
    const row: TradeBillRow = {
      tradeTime: cell('交易时间'),
      appid: cell('公众账号ID'),
      mchid: cell('商户号'),
      subMchid: cell('特约商户号'),
      transactionId: cell('微信订单号'),
      outTradeNo: cell('商户订单号'),
      tradeType: cell('交易类型'),
      tradeState: cell('交易状态'),
      settlementAmount: amount('应结订单金额'),
      orderAmount: amount('订单金额'),
    };
    if (!row.outTradeNo) throw malformed(`line ${lineNo} has no 商户订单号`);
    if (hasRefunds && row.tradeState === 'REFUND') {
      row.refundId = cell('微信退款单号');
      row.outRefundNo = cell('商户退款单号');
      row.refundAmount = amount('退款金额');
      row.requestedRefundAmount = amount('申请退款金额');
      row.refundStatus = cell('退款状态');
      if (!row.outRefundNo || row.outRefundNo === '0') throw malformed(`line ${lineNo}: a refund row without 商户退款单号`);
    }
    return row;
  });

  const summaryHeader = cellsOf(lines[summaryAt]!, false, summaryAt + 1);
  const summaryValues = cellsOf(lines[summaryAt + 1]!, true, summaryAt + 2);
  if (summaryHeader.length !== summaryValues.length) throw malformed('summary header and values differ in length');
  const sum = (name: string) => {
    const i = summaryHeader.indexOf(name);
    return i < 0 ? undefined : summaryValues[i]!;
  };
  const countText = sum('总交易单数');
  if (countText === undefined || !/^\d+$/.test(countText)) throw malformed('summary has no 总交易单数');
  const settlementText = sum('应结订单总金额');
  if (settlementText === undefined) throw malformed('summary has no 应结订单总金额');
  const refundText = sum('退款总金额');
  const summary: TradeBillSummary = {
    count: Number(countText),
    settlementTotal: yuanToFen(settlementText, '应结订单总金额'),
    ...(refundText === undefined ? {} : { refundTotal: yuanToFen(refundText, '退款总金额') }),
  };
  if (summary.count !== rows.length) throw malformed(`summary counts ${summary.count} rows, the file has ${rows.length}`);
  return { rows, summary };
}

/** Apply, download (signed, unverified), gunzip when asked, hash-check and parse: one day's bill. */
export async function downloadTradeBill(client: Pick<V3Client, 'request' | 'download'>, request: TradeBillRequest): Promise<TradeBill> {
  const answer = await applyTradeBill(client, request);
  const { bytes } = await client.download(answer.download_url);
  return parseTradeBill(billTextOf(bytes, answer, request.tar_type));
}
