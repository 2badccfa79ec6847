import type { HuifuGateway } from '../../../sandbox/huifu';
import { call, cloneKeys, jspayData, order, removeDir, startTestHuifu, tempDataDir } from './helpers';

/** Endpoint faults with Huifu's codes, the dashboard, and state kept across a restart. */
describe('huifu sandbox: faults, dashboard, restart', () => {
  let dir: string;
  let gw: HuifuGateway;
  const extra: string[] = [];
  beforeAll(async () => {
    dir = tempDataDir();
    gw = await startTestHuifu(dir);
  });
  afterAll(async () => {
    await gw.close();
    for (const d of [dir, ...extra]) removeDir(d);
  });

  it('SYSTEM_ERROR answers a signed 98888888 系统错误 (or the resp_code asked for) and processes nothing', async () => {
    await gw.admin.fault({ kind: 'endpoint', path: '/v2/trade/payment/jspay', effect: 'SYSTEM_ERROR' });
    const req = jspayData(gw);
    const a = await call(gw, '/v2/trade/payment/jspay', req);
    expect(a.data).toMatchObject({ resp_code: '98888888', resp_desc: '系统错误', req_seq_id: req.req_seq_id });
    expect(a.signed).toBe(true);
    // Not processed: the same req_seq_id is still free.
    expect((await call(gw, '/v2/trade/payment/jspay', req)).data.resp_code).toBe('00000100');
    await gw.admin.fault({ kind: 'endpoint', path: '/v2/trade/payment/scanpay/*', effect: 'SYSTEM_ERROR', resp_code: '91111119', count: 2 });
    for (let i = 0; i < 2; i++) {
      expect((await call(gw, '/v2/trade/payment/scanpay/query', { huifu_id: gw.keys.huifuId, org_hf_seq_id: 'x' })).data).toMatchObject({ resp_code: '91111119', resp_desc: '通道异常，请稍后重试' });
    }
    expect((await call(gw, '/v2/trade/payment/scanpay/query', { huifu_id: gw.keys.huifuId, org_hf_seq_id: 'x' })).data.resp_code).toBe('23000001');
    await expect(gw.admin.fault({ kind: 'endpoint', path: '/v2/**', effect: 'SYSTEM_ERROR', resp_code: '12345678' })).rejects.toMatchObject({ status: 400 });
  });

  it('hang holds the socket without an answer; by default the call took effect', async () => {
    await gw.admin.fault({ kind: 'endpoint', path: '/v2/trade/payment/jspay', effect: 'hang', holdMs: 200 });
    const req = jspayData(gw);
    await expect(call(gw, '/v2/trade/payment/jspay', req)).rejects.toThrow();
    expect((await call(gw, '/v2/trade/payment/jspay', req)).data.resp_code).toBe('20000000');
  });

  it('the dashboard shows trades with their cashier link and the ids of the sandbox', async () => {
    const { req, payInfo } = await order(gw);
    const html = await (await fetch(`${gw.url}/sandbox/`)).text();
    expect(html).toContain(String(req.req_seq_id));
    expect(html).toContain(`/sandbox/cashier/${payInfo.package!.slice('prepay_id='.length)}`);
    expect(html).toContain(gw.keys.huifuId);
  });

  it('a restart keeps trades (and the keys)', async () => {
    const d = cloneKeys(dir);
    extra.push(d);
    const first = await startTestHuifu(d);
    const { hf } = await order(first);
    await first.close();
    const second = await startTestHuifu(d);
    try {
      expect(second.keys.merchant.publicKeyPem).toBe(first.keys.merchant.publicKeyPem);
      expect((await call(second, '/v2/trade/payment/scanpay/query', { huifu_id: second.keys.huifuId, org_hf_seq_id: hf })).data.trans_stat).toBe('P');
    } finally {
      await second.close();
    }
  });
});
