import { createHash, randomBytes } from 'node:crypto';
import { date8, hfSeqId, isDate8, nextDay, parseTime14, time14 } from './clock';
import { badEnum, refuse, RESP } from './codes';
import type { HuifuContext } from './context';
import type { Json } from './envelope';
import { parseYuan, yuanOf } from './money';
import type { PlantedMismatch } from './state';
import { reqDate8, reqStr } from './validate';
import { zipStored } from './zip';

/**
 * 交易结算对账单查询 `POST /v2/trade/check/filequery` and the daily trade bill it links to
 * (dg-payment-skills donggong-aggregation-aggregate-query/references/reconciliation.md and
 * huifu-pay-integration/references/aggregation-query-reconciliation.md):
 * - request: req_date, req_seq_id, huifu_id, file_date ("文件生成日期 … 交易日期+1天"), bill_type
 *   (TRADE_BILL, SPLIT_BILL, …; optional);
 * - answer: resp_code, resp_desc, req_date, req_seq_id, file_details[{download_url, file_date,
 *   file_id, file_Name, huifu_id, bill_type}], task_details[{data_date, download_url, file_id,
 *   file_name, bill_type, huifu_id, task_start_time, task_end_time, task_stat}]; "file_details 为空
 *   … task_stat=S 但无文件表示前一日无记录";
 * - the file: a zip holding a csv named "年月日_商户号_order_批次号.csv".
 * The csv's columns are NOT published in any source reachable here: the sandbox's layout (BILL_COLUMNS)
 * uses the API's own field names — see docs/references/sandbox-huifu.md.
 * Only TRADE_BILL is produced; other published bill types answer with no files.
 */

export const BILL_TYPES = ['TRADE_BILL', 'SPLIT_BILL', 'WITHDRAWAL_BILL', 'SETTLE_BILL', 'TRADE_BILL_MONTH', 'SETTLE_BILL_MONTH', 'SETTLE_USER_BILL', 'SETTLE_BILL_USER_MONTH', 'SETTLE_FUND_BILL'];

/** SANDBOX layout of the trade bill csv (header row, UTF-8, comma separated, amounts in yuan). */
export const BILL_COLUMNS = [
  'huifu_id',
  'trans_date',
  'trans_time',
  'req_date',
  'req_seq_id',
  'hf_seq_id',
  'org_req_date',
  'org_req_seq_id',
  'org_hf_seq_id',
  'trans_type',
  'trans_stat',
  'trans_amt',
  'fee_amount',
  'settlement_amt',
  'party_order_id',
  'out_trans_id',
] as const;

type BillRow = Record<(typeof BILL_COLUMNS)[number], string>;

export function fileQuery(ctx: HuifuContext, data: Json): Json {
  const huifuId = reqStr(data, 'huifu_id', 32);
  const reqDate = reqDate8(data, 'req_date');
  const reqSeqId = reqStr(data, 'req_seq_id', 128);
  const fileDate = reqDate8(data, 'file_date');
  const billType = data.bill_type === undefined || data.bill_type === '' ? undefined : String(data.bill_type);
  if (billType !== undefined && !BILL_TYPES.includes(billType)) throw badEnum('bill_type', billType);
  const answer = { resp_code: RESP.OK, resp_desc: '查询成功', req_date: reqDate, req_seq_id: reqSeqId };
  // A bill is made the day after the trades (batch at 03:00); a future file_date has none yet.
  if (fileDate > date8(ctx.clock.now()) || (billType !== undefined && billType !== 'TRADE_BILL')) {
    return { ...answer, file_details: [], task_details: [] };
  }
  const fileId = fileIdOf(huifuId, fileDate, 'TRADE_BILL');
  ctx.state.data.files[fileId] = { huifuId, fileDate, billType: 'TRADE_BILL' };
  ctx.state.changed();
  const rows = billRows(ctx, huifuId, fileDate);
  const fileName = `${fileDate}_${huifuId}_order.zip`;
  const url = `${ctx.baseUrl()}/sandbox/files/${fileId}`;
  const batch = time14(parseTime14(`${fileDate}030000`)!);
  const task = { data_date: dataDateOf(fileDate), file_id: fileId, file_name: fileName, bill_type: 'TRADE_BILL', huifu_id: huifuId, task_start_time: batch, task_end_time: batch, task_stat: 'S' };
  if (rows.length === 0) return { ...answer, file_details: [], task_details: [task] };
  return {
    ...answer,
    file_details: [{ download_url: url, file_date: fileDate, file_id: fileId, file_Name: fileName, huifu_id: huifuId, bill_type: 'TRADE_BILL' }],
    task_details: [{ ...task, download_url: url }],
  };
}

/** The day whose trades a bill of `fileDate` lists ("交易日期+1天" = file_date). */
export function dataDateOf(fileDate: string): string {
  return date8(parseTime14(`${fileDate}000000`)! - 86_400_000);
}

/** A stable name-based id (the published sample's file_id is UUID-shaped). */
function fileIdOf(huifuId: string, fileDate: string, billType: string): string {
  const h = createHash('md5').update(`${huifuId}|${fileDate}|${billType}`).digest('hex');
  return `${h.slice(0, 8)}-${h.slice(8, 12)}-3${h.slice(13, 16)}-${h.slice(16, 20)}-${h.slice(20, 32)}`;
}

/** The trade bill's rows: trades paid and refunds finished on the data date, then the planted mismatches. */
export function billRows(ctx: HuifuContext, huifuId: string, fileDate: string): BillRow[] {
  const day = dataDateOf(fileDate);
  const d = ctx.state.data;
  const rows: Array<BillRow & { key: string }> = [];
  for (const t of Object.values(d.trades)) {
    if (t.huifuId !== huifuId || t.transStat !== 'S' || t.endTime?.slice(0, 8) !== day) continue;
    rows.push({
      key: t.hfSeqId,
      huifu_id: t.huifuId,
      trans_date: t.endTime.slice(0, 8),
      trans_time: t.endTime.slice(8),
      req_date: t.reqDate,
      req_seq_id: t.reqSeqId,
      hf_seq_id: t.hfSeqId,
      org_req_date: '',
      org_req_seq_id: '',
      org_hf_seq_id: '',
      trans_type: t.tradeType,
      trans_stat: 'S',
      trans_amt: yuanOf(t.transFen),
      fee_amount: yuanOf(t.feeFen ?? 0),
      settlement_amt: yuanOf(t.settlementFen ?? t.transFen),
      party_order_id: t.partyOrderId,
      out_trans_id: t.outTransId ?? '',
    });
  }
  for (const r of Object.values(d.refunds)) {
    const trade = d.trades[r.tradeKey];
    if (r.huifuId !== huifuId || r.transStat !== 'S' || r.finishTime?.slice(0, 8) !== day || !trade) continue;
    rows.push({
      key: r.hfSeqId,
      huifu_id: r.huifuId,
      trans_date: r.finishTime.slice(0, 8),
      trans_time: r.finishTime.slice(8),
      req_date: r.reqDate,
      req_seq_id: r.reqSeqId,
      hf_seq_id: r.hfSeqId,
      org_req_date: trade.reqDate,
      org_req_seq_id: trade.reqSeqId,
      org_hf_seq_id: trade.hfSeqId,
      trans_type: 'TRANS_REFUND',
      trans_stat: 'S',
      trans_amt: yuanOf(r.ordFen),
      fee_amount: yuanOf(r.feeFen),
      settlement_amt: yuanOf(r.ordFen),
      party_order_id: trade.partyOrderId,
      out_trans_id: '',
    });
  }
  let out = rows;
  for (const p of d.plants[fileDate] ?? []) {
    if (p.kind === 'missing') out = out.filter((r) => r.key !== p.hfSeqId);
    if (p.kind === 'amount') {
      const shift = (yuan: string) => yuanOf(Math.max(0, parseYuan(yuan)! + p.deltaFen));
      out = out.map((r) => (r.key === p.hfSeqId ? { ...r, trans_amt: shift(r.trans_amt), settlement_amt: shift(r.settlement_amt) } : r));
    }
    if (p.kind === 'extra') {
      out.push({
        key: p.hfSeqId,
        huifu_id: huifuId,
        trans_date: day,
        trans_time: '120000',
        req_date: p.reqDate,
        req_seq_id: p.reqSeqId,
        hf_seq_id: p.hfSeqId,
        org_req_date: '',
        org_req_seq_id: '',
        org_hf_seq_id: '',
        trans_type: 'T_MINIAPP',
        trans_stat: 'S',
        trans_amt: yuanOf(p.transFen),
        fee_amount: '0.00',
        settlement_amt: yuanOf(p.transFen),
        party_order_id: '',
        out_trans_id: '',
      });
    }
  }
  return out.sort((a, b) => (a.trans_date + a.trans_time).localeCompare(b.trans_date + b.trans_time)).map(({ key: _key, ...row }) => row);
}

export function billCsv(rows: BillRow[]): string {
  const cell = (v: string) => (/[",\r\n]/.test(v) ? `"${v.replace(/"/g, '""')}"` : v);
  return [BILL_COLUMNS.join(','), ...rows.map((r) => BILL_COLUMNS.map((c) => cell(r[c])).join(','))].join('\r\n') + '\r\n';
}

/** `GET /sandbox/files/{file_id}`: the zip of a bill filequery handed out. */
export function billZip(ctx: HuifuContext, fileId: string): { name: string; zip: Buffer } | undefined {
  const f = ctx.state.data.files[fileId];
  if (!f) return undefined;
  const csv = billCsv(billRows(ctx, f.huifuId, f.fileDate));
  const name = `${f.fileDate}_${f.huifuId}_order.zip`;
  return { name, zip: zipStored([{ name: `${f.fileDate}_${f.huifuId}_order_1.csv`, data: Buffer.from(csv, 'utf8') }]) };
}

/** Admin: plant a mismatch in the bill of `file_date` (default: tomorrow's bill, i.e. today's trades). */
export function plant(ctx: HuifuContext, spec: Json): PlantedMismatch {
  const fileDate = spec.file_date === undefined ? nextDay(date8(ctx.clock.now())) : String(spec.file_date);
  if (!isDate8(fileDate)) throw refuse(RESP.PARAM, 'file_date不符合yyyyMMdd格式');
  const id = randomBytes(6).toString('hex');
  let p: PlantedMismatch;
  if (spec.kind === 'amount' || spec.kind === 'missing') {
    if (typeof spec.hf_seq_id !== 'string' || !spec.hf_seq_id) throw refuse(RESP.PARAM, 'hf_seq_id不能为空');
    const delta = spec.delta_fen === undefined ? 1 : spec.delta_fen;
    if (spec.kind === 'amount' && (typeof delta !== 'number' || !Number.isSafeInteger(delta) || delta === 0)) throw refuse(RESP.PARAM, 'delta_fen must be a non-zero integer');
    p = spec.kind === 'amount' ? { id, kind: 'amount', hfSeqId: spec.hf_seq_id, deltaFen: delta as number } : { id, kind: 'missing', hfSeqId: spec.hf_seq_id };
  } else if (spec.kind === 'extra') {
    const fen = spec.trans_fen === undefined ? 100 : spec.trans_fen;
    if (typeof fen !== 'number' || !Number.isSafeInteger(fen) || fen < 1) throw refuse(RESP.PARAM, 'trans_fen must be a positive integer');
    const day = dataDateOf(fileDate);
    p = { id, kind: 'extra', hfSeqId: hfSeqId('0029', parseTime14(`${day}120000`)!), reqSeqId: `SANDBOXEXTRA${id}`, reqDate: day, transFen: fen };
  } else throw refuse(RESP.PARAM, 'kind must be amount, missing or extra');
  (ctx.state.data.plants[fileDate] ??= []).push(p);
  ctx.state.changed();
  return p;
}
