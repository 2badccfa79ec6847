import { call, order, reqSeqId, today, useTestHuifu } from './helpers';

const QUERY = '/v2/trade/payment/scanpay/query';
const CLOSE = '/v2/trade/payment/scanpay/close';
const CLOSEQUERY = '/v2/trade/payment/scanpay/closequery';

/** scanpay/query, close (the 1-minute rule on the sandbox clock), closequery, and expiry. */
describe('huifu sandbox: query, close and close query', () => {
  /** The Huifu clock of this gateway: Date.now() plus whatever the test moved it by. */
  let base = 0;
  const t = useTestHuifu({ clock: () => Date.now() + base });

  const closeData = (req: Record<string, unknown>, over: Record<string, unknown> = {}) => ({
    req_date: today(),
    req_seq_id: reqSeqId('CL'),
    huifu_id: t.gw.keys.huifuId,
    org_req_date: req.req_date,
    org_req_seq_id: req.req_seq_id,
    ...over,
  });

  it('finds a trade by org_req_date + org_req_seq_id or by org_hf_seq_id alone, P until paid', async () => {
    const { req, hf } = await order(t.gw);
    const byReq = await call(t.gw, QUERY, { huifu_id: t.gw.keys.huifuId, org_req_date: req.req_date, org_req_seq_id: req.req_seq_id });
    expect(byReq.data).toMatchObject({ resp_code: '00000000', resp_desc: '查询成功', trans_stat: 'P', hf_seq_id: hf, req_seq_id: req.req_seq_id, trans_amt: '12.34' });
    expect(byReq.signed).toBe(true);
    const byHf = await call(t.gw, QUERY, { huifu_id: t.gw.keys.huifuId, org_hf_seq_id: hf });
    expect(byHf.data.req_seq_id).toBe(req.req_seq_id);
    await t.gw.admin.pay(hf);
    const paid = await call(t.gw, QUERY, { huifu_id: t.gw.keys.huifuId, org_hf_seq_id: hf });
    expect(paid.data).toMatchObject({ trans_stat: 'S', settlement_amt: '12.34', acct_stat: expect.stringMatching(/^[PS]$/) });
    expect(JSON.parse(paid.data.payment_fee)).toEqual({ fee_amount: '0.05', fee_flag: '2' });
    expect(paid.data.end_time).toMatch(/^\d{14}$/);
    expect(paid.data.out_trans_id).toMatch(/^4200\d{24}$/);
  });

  it('query refusals: no locator 21000000, org_req_seq_id without org_req_date 10000000, unknown 23000001 交易不存在', async () => {
    expect((await call(t.gw, QUERY, { huifu_id: t.gw.keys.huifuId, org_req_date: today() })).data.resp_code).toBe('21000000');
    expect((await call(t.gw, QUERY, { huifu_id: t.gw.keys.huifuId, org_req_seq_id: 'X' })).data).toMatchObject({ resp_code: '10000000', resp_desc: 'org_req_date不能为空' });
    expect((await call(t.gw, QUERY, { huifu_id: t.gw.keys.huifuId, org_req_date: today(), org_req_seq_id: 'NOPE' })).data).toMatchObject({ resp_code: '23000001', resp_desc: '交易不存在' });
    const { req } = await order(t.gw);
    expect((await call(t.gw, QUERY, { huifu_id: t.gw.keys.huifuId, org_req_date: '20200101', org_req_seq_id: req.req_seq_id })).data.resp_code).toBe('23000001');
  });

  it('a failed payment queries F; an admin can put a P trade in the rare initial state I', async () => {
    const a = await order(t.gw);
    await t.gw.admin.fail(a.hf, '余额不足');
    expect((await call(t.gw, QUERY, { huifu_id: t.gw.keys.huifuId, org_hf_seq_id: a.hf })).data).toMatchObject({ trans_stat: 'F', bank_message: '余额不足' });
    const b = await order(t.gw);
    await t.gw.admin.initial(b.hf);
    expect((await call(t.gw, QUERY, { huifu_id: t.gw.keys.huifuId, org_hf_seq_id: b.hf })).data.trans_stat).toBe('I');
  });

  it('close is refused within one minute of the order (20000001), accepted after it; the trade can no longer be paid', async () => {
    const { req, hf } = await order(t.gw);
    expect((await call(t.gw, CLOSE, closeData(req))).data).toMatchObject({ resp_code: '20000001', resp_desc: '不允许关闭一分钟以内的订单' });
    base += 59_000;
    expect((await call(t.gw, CLOSE, closeData(req))).data.resp_code).toBe('20000001');
    base += 1_000;
    const closed = await call(t.gw, CLOSE, closeData(req));
    expect(closed.data).toMatchObject({ resp_code: '00000000', trans_stat: 'S', org_req_seq_id: req.req_seq_id, org_hf_seq_id: hf });
    expect(closed.signed).toBe(true);
    expect((await call(t.gw, CLOSE, closeData(req))).data).toMatchObject({ resp_code: '23000000', resp_desc: '关单状态为终态，不能重复关单' });
    expect((await call(t.gw, QUERY, { huifu_id: t.gw.keys.huifuId, org_hf_seq_id: hf })).data.trans_stat).toBe('F');
    await expect(t.gw.admin.pay(hf)).rejects.toMatchObject({ status: 400 });
    const cq = await call(t.gw, CLOSEQUERY, closeData({ req_date: req.req_date }, { org_req_seq_id: undefined, org_hf_seq_id: hf }));
    expect(cq.data).toMatchObject({ resp_code: '00000000', trans_stat: 'S', org_hf_seq_id: hf });
  });

  it('the admin clock does the same for a gateway in another process', async () => {
    const { req } = await order(t.gw);
    await t.gw.admin.advanceClock(60_000);
    expect((await call(t.gw, CLOSE, closeData(req))).data.resp_code).toBe('00000000');
  });

  it('a paid trade cannot be closed (23000000 原订单已为终态…); close refusals for locators and unknown trades', async () => {
    const { req, hf } = await order(t.gw);
    await t.gw.admin.pay(hf);
    base += 61_000;
    expect((await call(t.gw, CLOSE, closeData(req))).data).toMatchObject({ resp_code: '23000000', resp_desc: '原订单已为终态，无法发起关单操作' });
    expect((await call(t.gw, CLOSE, closeData(req, { org_req_seq_id: undefined }))).data).toMatchObject({ resp_code: '21000000', resp_desc: '原请求流水号和原全局流水号不能同时为空' });
    expect((await call(t.gw, CLOSE, closeData(req, { org_req_seq_id: 'NOPE' }))).data).toMatchObject({ resp_code: '23000001', resp_desc: '原交易不存在' });
    expect((await call(t.gw, CLOSE, closeData(req, { org_req_date: undefined }))).data).toMatchObject({ resp_code: '10000000', resp_desc: 'org_req_date不能为空' });
    // Never closed: the close query has nothing to report.
    expect((await call(t.gw, CLOSEQUERY, closeData(req))).data.resp_code).toBe('23000001');
  });

  it('an unpaid trade past time_expire is closed by Huifu and queries F', async () => {
    const expire = new Date(Date.now() + base + 8 * 3600_000 + 5 * 60_000).toISOString().slice(0, 19).replace(/[-T:]/g, '');
    const { hf } = await order(t.gw, { time_expire: expire });
    expect((await call(t.gw, QUERY, { huifu_id: t.gw.keys.huifuId, org_hf_seq_id: hf })).data.trans_stat).toBe('P');
    base += 5 * 60_000;
    expect((await call(t.gw, QUERY, { huifu_id: t.gw.keys.huifuId, org_hf_seq_id: hf })).data.trans_stat).toBe('F');
  });

  it('without time_expire the trade lives 2 hours (seed 002)', async () => {
    const { hf } = await order(t.gw);
    base += 2 * 3600_000 - 1000;
    expect((await call(t.gw, QUERY, { huifu_id: t.gw.keys.huifuId, org_hf_seq_id: hf })).data.trans_stat).toBe('P');
    base += 1000;
    expect((await call(t.gw, QUERY, { huifu_id: t.gw.keys.huifuId, org_hf_seq_id: hf })).data.trans_stat).toBe('F');
  });
});
