import { createHash, randomBytes } from 'node:crypto';
import { gzipSync } from 'node:zlib';
import type { GatewayContext } from './context';
import { GatewayError, jsonBody, paramError, route, type Route } from './http';
import { newRefundId, newTransactionId } from './ids';
import type { OrderRecord, RefundRecord } from './state';
import { randomDigits } from './time';

/**
 * 申请交易账单 `GET /v3/bill/tradebill` and 下载账单 (`GET` of its `download_url`), for this
 * gateway's own JSAPI/NATIVE orders and their refunds (sources: docs/references/trade-bill.md):
 * - 申请: https://pay.weixin.qq.com/docs/merchant/apis/mini-program-payment/get-trade-bill.html —
 *   bill_date `yyyy-MM-dd` within three months, bill_type ALL (default) | SUCCESS | REFUND,
 *   tar_type GZIP; answer `{hash_type: SHA1, hash_value, download_url}`, the hash over the
 *   original (un-gzipped) bill, the URL valid 30 s; "微信支付在每日10点后生成昨日交易账单文件".
 *   Errors (申请交易账单 error table, wiki chapter3_1): 400 NO_STATEMENT_EXIST (no trade or refund
 *   that day), 400 STATEMENT_CREATING (being made), 400 INVALID_REQUEST (bill_date), 400
 *   PARAM_ERROR, 403 NO_AUTH (sub_mchid: an ordinary merchant has no sub-merchants).
 * - 下载: signed by the merchant like any request; the answer is the bill's bytes WITHOUT the
 *   platform's signature headers ("该接口响应的信息请求头中不包含微信接口响应的签名值"). A token not
 *   issued or expired: 400 INVALID_REQUEST "请按第一步申请账单的API指引，重新获取账单地址后再请求".
 * - the file (https://pay.weixin.qq.com/docs/merchant/products/bill-download/format-trade.html):
 *   header line, detail rows whose every field starts with a backtick, the summary header and its
 *   backticked values. Payments are listed on their success day, refunds on the day they were
 *   accepted, with their state NOW (the sandbox makes the file at each request, not once at 10:00).
 * Sandbox-only (admin): plant mismatches in a day's bill, and publish a day's bill before 10:00 of
 * the next day (the tests cannot wait for the real cut-off). Combine sub-orders are not listed.
 */

const DAY_MS = 86_400_000;
const CHINA_MS = 8 * 3600_000;
/** Three months back, as "仅支持三个月内的账单下载申请" (counted as 92 days). */
const MAX_AGE_DAYS = 92;
const URL_TTL_MS = 30_000;

/** The published headers (format-trade.html, 账单类型 table). */
export const TRADE_BILL_COLUMNS = {
  ALL: ['交易时间', '公众账号ID', '商户号', '特约商户号', '设备号', '微信订单号', '商户订单号', '用户标识', '交易类型', '交易状态', '付款银行', '货币种类', '应结订单金额', '代金券金额', '微信退款单号', '商户退款单号', '退款金额', '充值券退款金额', '退款类型', '退款状态', '商品名称', '商户数据包', '手续费', '费率', '订单金额', '申请退款金额', '费率备注'],
  SUCCESS: ['交易时间', '公众账号ID', '商户号', '特约商户号', '设备号', '微信订单号', '商户订单号', '用户标识', '交易类型', '交易状态', '付款银行', '货币种类', '应结订单金额', '代金券金额', '商品名称', '商户数据包', '手续费', '费率', '订单金额', '费率备注'],
  REFUND: ['交易时间', '公众账号ID', '商户号', '特约商户号', '设备号', '微信订单号', '商户订单号', '用户标识', '交易类型', '交易状态', '付款银行', '货币种类', '应结订单金额', '代金券金额', '退款申请时间', '退款成功时间', '微信退款单号', '商户退款单号', '退款金额', '充值券退款金额', '退款类型', '退款状态', '商品名称', '商户数据包', '手续费', '费率', '订单金额', '申请退款金额', '费率备注'],
} as const;
const SUMMARY_COLUMNS = {
  ALL: ['总交易单数', '应结订单总金额', '退款总金额', '充值券退款总金额', '手续费总金额', '订单总金额', '申请退款总金额'],
  SUCCESS: ['总交易单数', '应结订单总金额', '手续费总金额', '订单总金额'],
  REFUND: ['总交易单数', '应结订单总金额', '退款总金额', '充值券退款总金额', '手续费总金额', '订单总金额', '申请退款总金额'],
} as const;
type BillType = keyof typeof TRADE_BILL_COLUMNS;

/** A mismatch planted in one day's bill (tests and the console). Amounts in fen. */
export type BillPlant =
  | { kind: 'amount'; outTradeNo: string; deltaFen: number }
  | { kind: 'missing'; outTradeNo: string }
  | { kind: 'extra'; outTradeNo: string; transactionId: string; totalFen: number }
  | { kind: 'refund-amount'; outRefundNo: string; deltaFen: number }
  | { kind: 'extra-refund'; outTradeNo: string; outRefundNo: string; refundId: string; refundFen: number };

export interface BillData {
  /** bill_date (yyyy-MM-dd) → mismatches planted in that day's bill. */
  plants: Record<string, BillPlant[]>;
  /** bill_dates whose bill is served before 10:00 of the next day. */
  published: string[];
}

interface Row {
  kind: 'payment' | 'refund';
  key: string;
  cells: Record<string, string>;
  fen: { settlement: number; order: number; refund: number; requested: number };
}

const chinaDay = (ms: number) => new Date(ms + CHINA_MS).toISOString().slice(0, 10);
const chinaTime = (ms: number) => new Date(ms + CHINA_MS).toISOString().slice(0, 19).replace('T', ' ');
const yuan = (fen: number) => `${fen < 0 ? '-' : ''}${Math.floor(Math.abs(fen) / 100)}.${String(Math.abs(fen) % 100).padStart(2, '0')}`;
/** Free text cannot carry the file's separators. */
const text = (value: string | undefined) => (value ?? '').replace(/[,`\r\n]/g, ' ');

function billsOf(ctx: GatewayContext): BillData {
  return (ctx.state.data.bills ??= { plants: {}, published: [] });
}

/** Start of `bill_date`'s China day (ms), or undefined when it is not a real date. */
function dayStart(billDate: string): number | undefined {
  if (!/^\d{4}-\d{2}-\d{2}$/.test(billDate)) return undefined;
  const start = Date.parse(`${billDate}T00:00:00+08:00`);
  return Number.isNaN(start) || chinaDay(start) !== billDate ? undefined : start;
}

function paymentRow(o: OrderRecord): Row {
  return {
    kind: 'payment',
    key: o.outTradeNo,
    cells: {
      交易时间: chinaTime(Date.parse(o.successTime!)),
      公众账号ID: o.appid,
      商户号: o.mchid,
      特约商户号: '0',
      设备号: '',
      微信订单号: o.transactionId ?? '',
      商户订单号: o.outTradeNo,
      用户标识: o.paidBy ?? o.payerOpenid ?? '',
      交易类型: o.tradeType,
      交易状态: 'SUCCESS',
      付款银行: o.bankType ?? 'OTHERS',
      货币种类: o.currency,
      代金券金额: '0.00',
      微信退款单号: '0',
      商户退款单号: '0',
      充值券退款金额: '0.00',
      退款类型: '',
      退款状态: '',
      退款申请时间: '',
      退款成功时间: '',
      商品名称: text(o.description),
      商户数据包: text(o.attach),
      手续费: '0.00000',
      费率: '0.00%',
      费率备注: '',
    },
    fen: { settlement: o.total, order: o.total, refund: 0, requested: 0 },
  };
}

function refundRow(o: OrderRecord, r: RefundRecord): Row {
  return {
    kind: 'refund',
    key: r.outRefundNo,
    cells: {
      ...paymentRow(o).cells,
      交易时间: chinaTime(r.createdAt),
      交易状态: 'REFUND',
      微信退款单号: r.refundId,
      商户退款单号: r.outRefundNo,
      退款类型: 'ORIGINAL',
      退款状态: r.status,
      退款申请时间: chinaTime(r.createdAt),
      退款成功时间: r.successTime ? chinaTime(Date.parse(r.successTime)) : '',
    },
    fen: { settlement: 0, order: 0, refund: r.refund, requested: r.refund },
  };
}

/** The day's rows: payments that succeeded that day, refunds accepted that day, then the plants. */
export function billRows(ctx: GatewayContext, billDate: string): Row[] {
  const d = ctx.state.data;
  let rows: Row[] = [];
  for (const o of Object.values(d.orders)) {
    if (o.successTime && (o.tradeState === 'SUCCESS' || o.tradeState === 'REFUND') && chinaDay(Date.parse(o.successTime)) === billDate) rows.push(paymentRow(o));
  }
  for (const r of Object.values(d.refunds)) {
    const order = d.orders[r.outTradeNo];
    if (order && chinaDay(r.createdAt) === billDate) rows.push(refundRow(order, r));
  }
  for (const p of billsOf(ctx).plants[billDate] ?? []) {
    if (p.kind === 'missing') rows = rows.filter((row) => !(row.kind === 'payment' && row.key === p.outTradeNo));
    if (p.kind === 'amount') {
      for (const row of rows) if (row.kind === 'payment' && row.key === p.outTradeNo) row.fen = { ...row.fen, settlement: row.fen.settlement + p.deltaFen, order: row.fen.order + p.deltaFen };
    }
    if (p.kind === 'refund-amount') {
      for (const row of rows) if (row.kind === 'refund' && row.key === p.outRefundNo) row.fen = { ...row.fen, refund: row.fen.refund + p.deltaFen, requested: row.fen.requested + p.deltaFen };
    }
    if (p.kind === 'extra') {
      const at = dayStart(billDate)! + 12 * 3600_000;
      const ghost: OrderRecord = { tradeType: 'JSAPI', appid: ctx.keys.appid, mchid: ctx.keys.mchid, outTradeNo: p.outTradeNo, description: 'planted', notifyUrl: '', total: p.totalFen, currency: 'CNY', createdAt: at, fingerprint: '', tradeState: 'SUCCESS', tradeStateDesc: '支付成功', successTime: new Date(at).toISOString(), transactionId: p.transactionId, refunded: 0 };
      rows.push(paymentRow(ghost));
    }
    if (p.kind === 'extra-refund') {
      const order = d.orders[p.outTradeNo];
      if (!order) continue;
      const at = dayStart(billDate)! + 13 * 3600_000;
      rows.push(refundRow(order, { mchid: order.mchid, outRefundNo: p.outRefundNo, refundId: p.refundId, outTradeNo: order.outTradeNo, transactionId: order.transactionId ?? '', refund: p.refundFen, total: order.total, currency: order.currency, status: 'SUCCESS', createdAt: at, dueAt: at, successTime: new Date(at).toISOString() }));
    }
  }
  return rows;
}

/** The bill file of one type: header, backticked rows, summary header, backticked summary. */
export function billCsv(rows: Row[], type: BillType): string {
  const listed = rows.filter((r) => type === 'ALL' || (type === 'SUCCESS' ? r.kind === 'payment' : r.kind === 'refund'));
  const cell = (r: Row, name: string): string => {
    switch (name) {
      case '应结订单金额':
        return yuan(r.fen.settlement);
      case '订单金额':
        return yuan(r.fen.order);
      case '退款金额':
        return yuan(r.fen.refund);
      case '申请退款金额':
        return yuan(r.fen.requested);
      default:
        return r.cells[name] ?? '';
    }
  };
  const total = (pick: (r: Row) => number) => yuan(listed.reduce((s, r) => s + pick(r), 0));
  const summary: Record<string, string> = {
    总交易单数: String(listed.length),
    应结订单总金额: total((r) => r.fen.settlement),
    退款总金额: total((r) => r.fen.refund),
    充值券退款总金额: '0.00',
    手续费总金额: '0.00000',
    订单总金额: total((r) => r.fen.order),
    申请退款总金额: total((r) => r.fen.requested),
  };
  const lines = [
    TRADE_BILL_COLUMNS[type].join(','),
    ...listed.map((r) => TRADE_BILL_COLUMNS[type].map((name) => '`' + cell(r, name)).join(',')),
    SUMMARY_COLUMNS[type].join(','),
    SUMMARY_COLUMNS[type].map((name) => '`' + summary[name]).join(','),
  ];
  return lines.join('\r\n') + '\r\n';
}

/** Download tokens (memory only, as short-lived as the real URLs). */
const issued = new WeakMap<GatewayContext, Map<string, { bytes: Buffer; gzip: boolean; expiresAt: number }>>();

function tokensOf(ctx: GatewayContext) {
  let tokens = issued.get(ctx);
  if (!tokens) issued.set(ctx, (tokens = new Map()));
  return tokens;
}

export function billRoutes(ctx: GatewayContext): Route[] {
  return [
    route('GET', /^\/v3\/bill\/tradebill$/, (rc) => {
      const q = rc.url.searchParams;
      const billDate = q.get('bill_date');
      if (!billDate) throw paramError('bill_date', '必填参数缺失', 'query');
      const start = dayStart(billDate);
      const now = Date.now();
      const today = dayStart(chinaDay(now))!;
      if (start === undefined || start > today || start < today - MAX_AGE_DAYS * DAY_MS) throw new GatewayError(400, 'INVALID_REQUEST', `参数错误，请检查bill_date: ${billDate}`);
      const type = (q.get('bill_type') ?? 'ALL') as BillType;
      if (!(type in TRADE_BILL_COLUMNS)) throw paramError('bill_type', '取值应为 ALL、SUCCESS 或 REFUND', 'query');
      const tar = q.get('tar_type');
      if (tar !== null && tar !== 'GZIP') throw paramError('tar_type', '取值应为 GZIP', 'query');
      if (q.get('sub_mchid') !== null) throw new GatewayError(403, 'NO_AUTH', '权限异常（无该子商户账单的权限）');
      const ready = now >= start + DAY_MS + 10 * 3600_000 || billsOf(ctx).published.includes(billDate);
      if (!ready) throw new GatewayError(400, 'STATEMENT_CREATING', '账单生成中，请在T+1日上午10点后再重新下载');
      const rows = billRows(ctx, billDate).filter((r) => type === 'ALL' || (type === 'SUCCESS' ? r.kind === 'payment' : r.kind === 'refund'));
      if (rows.length === 0) throw new GatewayError(400, 'NO_STATEMENT_EXIST', '账单文件不存在，请检查当前商户号是否在指定日期有交易或退款发生');
      const original = Buffer.from(billCsv(rows, type), 'utf8');
      const token = randomBytes(24).toString('base64url');
      const tokens = tokensOf(ctx);
      for (const [t, v] of tokens) if (v.expiresAt < now) tokens.delete(t);
      tokens.set(token, { bytes: tar === 'GZIP' ? gzipSync(original) : original, gzip: tar === 'GZIP', expiresAt: now + URL_TTL_MS });
      const host = rc.req.headers.host ?? '127.0.0.1';
      return {
        status: 200,
        json: { hash_type: 'SHA1', hash_value: createHash('sha1').update(original).digest('hex'), download_url: `http://${host}/v3/billdownload/file?token=${token}` },
      };
    }),
    route('GET', /^\/v3\/billdownload\/file$/, (rc) => {
      const entry = tokensOf(ctx).get(rc.url.searchParams.get('token') ?? '');
      if (!entry || entry.expiresAt < Date.now()) throw new GatewayError(400, 'INVALID_REQUEST', '参数错误，请按第一步申请账单的API指引，重新获取账单地址后再请求');
      // The file itself, without Wechatpay-* signature headers (the download is not signed).
      rc.res.writeHead(200, { 'Content-Type': entry.gzip ? 'application/x-gzip' : 'text/plain; charset=utf-8', 'Content-Length': entry.bytes.length, 'Request-ID': rc.requestId });
      rc.res.end(entry.bytes);
      return { status: 200 };
    }),
  ];
}

/** Admin: plant a mismatch in `bill_date`'s bill (default today, China time). */
export function plantBill(ctx: GatewayContext, spec: Record<string, unknown>): { billDate: string; plant: BillPlant } {
  const billDate = spec.bill_date === undefined ? chinaDay(Date.now()) : String(spec.bill_date);
  if (dayStart(billDate) === undefined) throw paramError('bill_date', 'yyyy-MM-dd');
  const str = (name: string) => {
    const value = spec[name];
    if (typeof value !== 'string' || !value) throw paramError(name, '必填');
    return value;
  };
  const fen = (name: string, positive: boolean) => {
    const value = spec[name];
    if (!Number.isSafeInteger(value) || (positive && (value as number) <= 0) || value === 0) throw paramError(name, positive ? 'a positive integer (fen)' : 'a non-zero integer (fen)');
    return value as number;
  };
  let plant: BillPlant;
  switch (spec.kind) {
    case 'amount':
      plant = { kind: 'amount', outTradeNo: str('out_trade_no'), deltaFen: fen('delta_fen', false) };
      break;
    case 'missing':
      plant = { kind: 'missing', outTradeNo: str('out_trade_no') };
      break;
    case 'extra':
      plant = { kind: 'extra', outTradeNo: `BILL${randomDigits(16)}`, transactionId: newTransactionId(), totalFen: fen('total_fen', true) };
      break;
    case 'refund-amount':
      plant = { kind: 'refund-amount', outRefundNo: str('out_refund_no'), deltaFen: fen('delta_fen', false) };
      break;
    case 'extra-refund':
      plant = { kind: 'extra-refund', outTradeNo: str('out_trade_no'), outRefundNo: `BILLR${randomDigits(16)}`, refundId: newRefundId(), refundFen: fen('refund_fen', true) };
      break;
    default:
      throw paramError('kind', 'amount | missing | extra | refund-amount | extra-refund');
  }
  (billsOf(ctx).plants[billDate] ??= []).push(plant);
  ctx.state.changed();
  return { billDate, plant };
}

export function billAdminRoutes(ctx: GatewayContext): Route[] {
  return [
    route('GET', /^\/sandbox\/admin\/bills$/, () => ({ status: 200, json: billsOf(ctx) })),
    route('POST', /^\/sandbox\/admin\/bills\/plant$/, (rc) => ({ status: 200, json: plantBill(ctx, jsonBody(rc)) })),
    route('POST', /^\/sandbox\/admin\/bills\/publish$/, (rc) => {
      const billDate = String(jsonBody(rc).bill_date ?? '');
      if (dayStart(billDate) === undefined) throw paramError('bill_date', 'yyyy-MM-dd');
      const bills = billsOf(ctx);
      if (!bills.published.includes(billDate)) bills.published.push(billDate);
      ctx.state.changed();
      return { status: 200, json: { billDate, published: true } };
    }),
  ];
}
