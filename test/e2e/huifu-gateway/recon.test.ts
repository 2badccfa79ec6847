import { BILL_COLUMNS } from '../../../sandbox/huifu';
import { waitFor } from '../../helpers/e2e-utils';
import { call, order, reqSeqId, today, unzip, useTestHuifu } from './helpers';

const FILEQUERY = '/v2/trade/check/filequery';

/** check/filequery and the daily trade bill (zip of csv), with planted mismatches. */
describe('huifu sandbox: reconciliation file', () => {
  const t = useTestHuifu({ timeScale: 100, refundDelayMs: 500 });

  const query = (fileDate: string, over: Record<string, unknown> = {}) =>
    call(t.gw, FILEQUERY, { req_date: today(), req_seq_id: reqSeqId('FQ'), huifu_id: t.gw.keys.huifuId, file_date: fileDate, bill_type: 'TRADE_BILL', ...over });

  /** Downloads the bill and parses its one csv by hand. */
  async function download(url: string) {
    const res = await fetch(url);
    expect(res.headers.get('content-type')).toBe('application/zip');
    const entries = unzip(Buffer.from(await res.arrayBuffer()));
    expect(entries).toHaveLength(1);
    const [header, ...lines] = entries[0]!.data.toString('utf8').trim().split('\r\n');
    const cols = header!.split(',');
    return { name: entries[0]!.name, cols, rows: lines.map((l) => Object.fromEntries(l.split(',').map((v, i) => [cols[i], v]))) };
  }

  it('lists the day’s paid trades and finished refunds in the next day’s bill, with mismatches planted by the admin', async () => {
    const tradeDay = today();
    const a = await order(t.gw, { trans_amt: '12.34' });
    const b = await order(t.gw, { trans_amt: '5.00' });
    const unpaid = await order(t.gw, { trans_amt: '7.00' });
    await t.gw.admin.pay(a.hf);
    await t.gw.admin.pay(b.hf);
    const refund = { req_date: tradeDay, req_seq_id: reqSeqId('RF'), huifu_id: t.gw.keys.huifuId, ord_amt: '2.00', org_req_date: b.req.req_date, org_req_seq_id: b.req.req_seq_id };
    expect((await call(t.gw, '/v2/trade/payment/scanpay/refund', refund)).data.resp_code).toBe('00000100');
    const refundHf = await waitFor('the refund S', async () => {
      const r = (await t.gw.admin.trades()).refunds.find((x) => x.reqSeqId === refund.req_seq_id);
      return r?.transStat === 'S' && r.hfSeqId;
    });

    // The bill of tradeDay is generated on the next day: not there yet.
    const fileDate = today(Date.now() + 86_400_000);
    expect((await query(fileDate)).data).toMatchObject({ resp_code: '00000000', file_details: [], task_details: [] });
    await t.gw.admin.advanceClock(86_400_000);

    const before = await query(fileDate);
    expect(before.signed).toBe(true);
    const [file] = before.data.file_details as Array<Record<string, string>>;
    expect(file).toMatchObject({ file_date: fileDate, huifu_id: t.gw.keys.huifuId, bill_type: 'TRADE_BILL', file_Name: `${fileDate}_${t.gw.keys.huifuId}_order.zip` });
    expect(file!.file_id).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/);
    expect(before.data.task_details[0]).toMatchObject({ data_date: tradeDay, task_stat: 'S', download_url: file!.download_url });

    const clean = await download(file!.download_url!);
    expect(clean.name).toMatch(new RegExp(`^${fileDate}_${t.gw.keys.huifuId}_order_\\d+\\.csv$`));
    expect(clean.cols).toEqual([...BILL_COLUMNS]);
    const byHf = (rows: Array<Record<string, string>>) => Object.fromEntries(rows.map((r) => [r.hf_seq_id, r]));
    const rows = byHf(clean.rows);
    expect(Object.keys(rows).sort()).toEqual([a.hf, b.hf, refundHf].sort());
    expect(rows[a.hf]).toMatchObject({ req_seq_id: a.req.req_seq_id, trans_amt: '12.34', fee_amount: '0.05', trans_stat: 'S', trans_type: 'T_MINIAPP', trans_date: tradeDay });
    expect(rows[refundHf]).toMatchObject({ trans_type: 'TRANS_REFUND', trans_amt: '2.00', org_hf_seq_id: b.hf, org_req_seq_id: b.req.req_seq_id });
    expect(clean.rows.some((r) => r.hf_seq_id === unpaid.hf)).toBe(false);

    await t.gw.admin.plant({ file_date: fileDate, kind: 'amount', hf_seq_id: a.hf, delta_fen: 100 });
    await t.gw.admin.plant({ file_date: fileDate, kind: 'missing', hf_seq_id: refundHf });
    const extra = await t.gw.admin.plant({ file_date: fileDate, kind: 'extra', trans_fen: 999 });
    const planted = byHf((await download(file!.download_url!)).rows);
    expect(planted[a.hf]).toMatchObject({ trans_amt: '13.34', settlement_amt: '13.34' });
    expect(planted[refundHf]).toBeUndefined();
    expect(planted[extra.hfSeqId]).toMatchObject({ trans_amt: '9.99', trans_stat: 'S', trans_date: tradeDay });
    expect(planted[b.hf]).toMatchObject({ trans_amt: '5.00' });
  });

  it('a day without trades has a task S but no file; another bill type has none; a bad bill_type or file_date is refused', async () => {
    const empty = await query('20200102');
    expect(empty.data.file_details).toEqual([]);
    expect(empty.data.task_details[0]).toMatchObject({ task_stat: 'S', data_date: '20200101' });
    expect(empty.data.task_details[0].download_url).toBeUndefined();
    expect((await query(today(), { bill_type: 'SETTLE_BILL' })).data).toMatchObject({ file_details: [], task_details: [] });
    expect((await query(today(), { bill_type: 'NOPE' })).data).toMatchObject({ resp_code: '10000000', resp_desc: 'bill_type的传入枚举[NOPE]不存在' });
    expect((await query('2020-01-02')).data.resp_code).toBe('10000000');
    expect((await query(today(), { file_date: undefined })).data).toMatchObject({ resp_code: '10000000', resp_desc: 'file_date不能为空' });
    expect((await fetch(`${t.gw.url}/sandbox/files/00000000-0000-3000-0000-000000000000`)).status).toBe(404);
  });

  it('planting refuses what it cannot place', async () => {
    await expect(t.gw.admin.plant({ kind: 'amount' })).rejects.toMatchObject({ status: 400 });
    await expect(t.gw.admin.plant({ kind: 'nope' })).rejects.toMatchObject({ status: 400 });
  });
});
