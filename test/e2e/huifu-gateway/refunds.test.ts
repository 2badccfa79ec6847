import type { HuifuGateway } from '../../../sandbox/huifu';
import { waitFor } from '../../helpers/e2e-utils';
import { call, order, removeDir, reqSeqId, rsaVerify, startReceiver, startTestHuifu, tempDataDir, today } from './helpers';

const REFUND = '/v2/trade/payment/scanpay/refund';
const REFUNDQUERY = '/v2/trade/payment/scanpay/refundquery';

/** scanpay/refund (partial, total ≤ original, P → S/F) and refundquery, with the refund notification. */
describe('huifu sandbox: refunds', () => {
  let dir: string;
  let gw: HuifuGateway;
  let receiver: Awaited<ReturnType<typeof startReceiver>>;
  beforeAll(async () => {
    dir = tempDataDir();
    gw = await startTestHuifu(dir, { timeScale: 100, refundDelayMs: 1000 });
    receiver = await startReceiver();
  });
  afterAll(async () => {
    await receiver.close();
    await gw.close();
    removeDir(dir);
  });

  const refundData = (req: Record<string, unknown>, amt: string, over: Record<string, unknown> = {}) => ({
    req_date: today(),
    req_seq_id: reqSeqId('RF'),
    huifu_id: gw.keys.huifuId,
    ord_amt: amt,
    org_req_date: req.req_date,
    org_req_seq_id: req.req_seq_id,
    ...over,
  });

  async function paidTrade(amt = '12.34') {
    const o = await order(gw, { trans_amt: amt });
    await gw.admin.pay(o.hf);
    return o;
  }

  const refundQuery = (r: Record<string, unknown>) => call(gw, REFUNDQUERY, { huifu_id: gw.keys.huifuId, org_req_date: r.req_date, org_req_seq_id: r.req_seq_id });

  it('partial refunds are accepted as P (00000100) and turn S; their total can never pass the original (23000003)', async () => {
    const { req, hf } = await paidTrade('12.34');
    const first = refundData(req, '10.00');
    const a = await call(gw, REFUND, first);
    expect(a.data).toMatchObject({ resp_code: '00000100', resp_desc: '交易处理中', trans_stat: 'P', ord_amt: '10.00', org_hf_seq_id: hf, org_req_seq_id: req.req_seq_id, trade_type: 'TRANS_REFUND' });
    expect(a.signed).toBe(true);
    // 2.35 would make 12.35 > 12.34, even while the first refund is still P.
    expect((await call(gw, REFUND, refundData(req, '2.35'))).data).toMatchObject({ resp_code: '23000003', resp_desc: '申请退款金额大于可退余额' });
    const second = refundData(req, '2.34', { org_req_seq_id: undefined, org_hf_seq_id: hf });
    expect((await call(gw, REFUND, second)).data.resp_code).toBe('00000100');
    expect((await call(gw, REFUND, refundData(req, '0.01'))).data.resp_code).toBe('23000003');
    for (const r of [first, second]) {
      const done = await waitFor('the refund S', async () => {
        const q = await refundQuery(r);
        return q.data.trans_stat === 'S' && q;
      });
      expect(done.data).toMatchObject({ resp_code: '00000000', ord_amt: r.ord_amt, actual_ref_amt: r.ord_amt, org_req_seq_id: r.req_seq_id, trade_type: 'TRANS_REFUND' });
      expect(done.data.trans_finish_time).toMatch(/^\d{14}$/);
      // Also found by its own global serial alone.
      expect((await call(gw, REFUNDQUERY, { huifu_id: gw.keys.huifuId, org_hf_seq_id: done.data.org_hf_seq_id })).data.org_req_seq_id).toBe(r.req_seq_id);
    }
    expect((await gw.admin.trade(hf)).trade.refundedFen).toBe(1234);
  });

  it('a refund with notify_url posts a signed refund notification answered with RECV_ORD_ID_<refund req_seq_id>', async () => {
    const { req } = await paidTrade('1.00');
    const r = refundData(req, '0.40', { notify_url: receiver.url });
    await call(gw, REFUND, r);
    const form = await waitFor('the refund notification', () => receiver.received.find((f) => JSON.parse(f.fields.resp_data!).req_seq_id === r.req_seq_id));
    expect(rsaVerify(form.fields.resp_data!, form.fields.sign!, gw.keys.huifu.publicKeyPem)).toBe(true);
    expect(JSON.parse(form.fields.resp_data!)).toMatchObject({ trans_type: 'TRANS_REFUND', trans_stat: 'S', ord_amt: '0.40', org_ord_amt: '1.00', total_ref_amt: '0.40', ref_cut: '1', org_req_seq_id: req.req_seq_id });
    await waitFor('delivered', async () => (await gw.admin.notifications()).find((n) => n.reqSeqId === r.req_seq_id)?.status === 'delivered');
  });

  it('an admin-armed failure ends a refund F and gives the amount back to refund', async () => {
    const { req, hf } = await paidTrade('1.00');
    await gw.admin.failRefunds(1);
    const r = refundData(req, '1.00');
    await call(gw, REFUND, r);
    await waitFor('the refund F', async () => (await refundQuery(r)).data.trans_stat === 'F');
    expect((await gw.admin.trade(hf)).trade.refundedFen).toBe(0);
    expect((await call(gw, REFUND, refundData(req, '1.00'))).data.resp_code).toBe('00000100');
  });

  it('refusals: unpaid 23000000 原交易未入账, unknown 23000001, no locator 21000000, bad ord_amt 10000000, reused req_seq_id 20000000', async () => {
    const unpaid = await order(gw);
    expect((await call(gw, REFUND, refundData(unpaid.req, '1.00'))).data).toMatchObject({ resp_code: '23000000', resp_desc: '原交易未入账，不能发起退款' });
    expect((await call(gw, REFUND, refundData(unpaid.req, '1.00', { org_req_seq_id: 'NOPE' }))).data).toMatchObject({ resp_code: '23000001', resp_desc: '原交易不存在' });
    expect((await call(gw, REFUND, refundData(unpaid.req, '1.00', { org_req_seq_id: undefined }))).data.resp_code).toBe('21000000');
    const { req } = await paidTrade();
    for (const amt of ['1', '1.0', '0.00', '-1.00']) expect((await call(gw, REFUND, refundData(req, amt))).data.resp_code).toBe('10000000');
    const once = refundData(req, '0.01');
    expect((await call(gw, REFUND, once)).data.resp_code).toBe('00000100');
    expect((await call(gw, REFUND, once)).data).toMatchObject({ resp_code: '20000000', resp_desc: '重复交易' });
  });

  it('a trade whose booking failed cannot be refunded (原交易未入账)', async () => {
    await gw.admin.failBookings(1);
    const { req } = await paidTrade('1.00');
    expect((await call(gw, REFUND, refundData(req, '1.00'))).data.resp_code).toBe('23000000');
  });

  it('refund query refusals: no locator 21000000, unknown 23000001', async () => {
    expect((await call(gw, REFUNDQUERY, { huifu_id: gw.keys.huifuId, org_req_date: today() })).data).toMatchObject({ resp_code: '21000000', resp_desc: '原退款全局流水号、原退款请求流水号、外部订单号不能同时为空' });
    expect((await call(gw, REFUNDQUERY, { huifu_id: gw.keys.huifuId, org_req_date: today(), org_req_seq_id: 'NOPE' })).data.resp_code).toBe('23000001');
  });
});
