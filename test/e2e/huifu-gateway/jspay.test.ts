import { call, jspayData, order, rsaSign, rsaVerify, today, useTestHuifu } from './helpers';

const PATH = '/v2/trade/payment/jspay';

/** 聚合正扫 (T_MINIAPP): validation with the published codes, pay_info, and paying it in the sandbox cashier. */
describe('huifu sandbox: jspay and the cashier', () => {
  const t = useTestHuifu();

  it('answers 00000100 with trans_stat P, the amounts and ids echoed, and pay_info carrying signed wx.requestPayment parameters', async () => {
    const { req, ans, payInfo } = await order(t.gw, { remark: '备注' });
    expect(ans.data).toMatchObject({ resp_code: '00000100', trans_stat: 'P', trans_amt: '12.34', req_seq_id: req.req_seq_id, req_date: req.req_date, huifu_id: t.gw.keys.huifuId, trade_type: 'T_MINIAPP', remark: '备注' });
    expect(ans.data.hf_seq_id).toMatch(/^0029000topA\d{12}P\d{3}[0-9a-f]{8}00000$/);
    expect(Object.keys(payInfo)).toEqual(['appId', 'timeStamp', 'nonceStr', 'package', 'signType', 'paySign']);
    expect(payInfo.appId).toBe(t.gw.appids[0]);
    expect(payInfo.package).toMatch(/^prepay_id=wx\d{14}[0-9a-f]{20}$/);
    expect(payInfo.timeStamp).toMatch(/^\d{10}$/);
    const message = `${payInfo.appId}\n${payInfo.timeStamp}\n${payInfo.nonceStr}\n${payInfo.package}\n`;
    expect(rsaVerify(message, payInfo.paySign!, t.gw.keys.paySign.publicKeyPem)).toBe(true);
  });

  it.each([
    ['req_date', { req_date: undefined }, 'req_date不能为空'],
    ['req_date format', { req_date: '2026-1-1' }, 'req_date不符合yyyyMMdd格式'],
    ['req_date day', { req_date: '20260230' }, 'req_date不符合yyyyMMdd格式'],
    ['req_seq_id', { req_seq_id: '' }, 'req_seq_id不能为空'],
    ['req_seq_id length', { req_seq_id: 'x'.repeat(129) }, 'req_seq_id最大长度为128位'],
    ['trade_type', { trade_type: undefined }, 'trade_type不能为空'],
    ['trade_type enum', { trade_type: 'T_NOPE' }, 'trade_type的传入枚举[T_NOPE]不存在'],
    ['goods_desc', { goods_desc: undefined }, 'goods_desc不能为空'],
    ['trans_amt', { trans_amt: undefined }, 'trans_amt不能为空'],
    ['wx_data', { wx_data: undefined }, 'wx_data不能为空'],
    ['wx_data not JSON', { wx_data: '{openid' }, 'wx_data不符合JSON字符串格式'],
    ['wx_data as an object', { wx_data: { openid: 'o1' } }, 'wx_data不符合JSON字符串格式'],
    ['no openid nor sub_openid', { wx_data: JSON.stringify({}) }, 'openid不能为空'],
    ['sub_appid without sub_openid', { wx_data: JSON.stringify({ sub_appid: 'wx0000000000000000' }) }, 'sub_openid不能为空'],
    ['time_expire format', { time_expire: '2026010112' }, 'time_expire不符合yyyyMMddHHmmss格式'],
    ['time_expire past', { time_expire: '20200101000000' }, '订单已超时'],
    ['notify_url scheme', { notify_url: 'ftp://x/y' }, 'notify_url必须以http或https开头'],
    ['notify_url query', { notify_url: 'http://127.0.0.1:9000/n?a=1' }, 'notify_url不能携带参数'],
  ])('%s → 10000000 %s', async (_name, over, desc) => {
    const ans = await call(t.gw, PATH, jspayData(t.gw, over));
    expect(ans.data).toMatchObject({ resp_code: '10000000', resp_desc: desc });
  });

  it.each([['12.3'], ['12'], ['12.345'], ['012.34'], ['-1.00'], ['1e2'], [' 1.00'], ['0.00'], ['1,000.00'], ['１.00'], ['123456789012.00']])('trans_amt %j is refused (exactly two decimals, at least 0.01, at most 14 chars)', async (amt) => {
    const ans = await call(t.gw, PATH, jspayData(t.gw, { trans_amt: amt }));
    expect(ans.data.resp_code).toBe('10000000');
    expect(ans.data.resp_desc).toMatch(/^trans_amt/);
  });

  it('a trans_amt given as a number is refused too', async () => {
    expect((await call(t.gw, PATH, jspayData(t.gw, { trans_amt: 12.34 }))).data.resp_code).toBe('10000000');
  });

  it('a published trade_type the sandbox does not emulate is 23000004 交易类型不支持', async () => {
    expect((await call(t.gw, PATH, jspayData(t.gw, { trade_type: 'A_NATIVE' }))).data).toMatchObject({ resp_code: '23000004', resp_desc: '交易类型不支持' });
  });

  it('wx_data with openid alone is enough; a sub_appid not configured is "sub_mch_id与sub_appid不匹配"', async () => {
    const { payInfo } = await order(t.gw, { wx_data: JSON.stringify({ openid: 'oOPENID_ONLY_000000000001' }) });
    expect(payInfo.appId).toBe(t.gw.appids[0]);
    const ans = await call(t.gw, PATH, jspayData(t.gw, { wx_data: JSON.stringify({ sub_appid: 'wx1111111111111111', sub_openid: 'o1' }) }));
    expect(ans.data).toMatchObject({ resp_code: '90000000', resp_desc: 'sub_mch_id与sub_appid不匹配' });
  });

  it('req_seq_id is unique per huifu_id per day: a reuse is 20000000 重复交易, another day is a new trade', async () => {
    const { req } = await order(t.gw);
    expect((await call(t.gw, PATH, jspayData(t.gw, { req_seq_id: req.req_seq_id }))).data).toMatchObject({ resp_code: '20000000', resp_desc: '重复交易' });
    await order(t.gw, { req_seq_id: req.req_seq_id, req_date: '20250101' });
  });

  it('pay_info pays in the sandbox cashier (pay sign checked), after which the trade queries S', async () => {
    const { req, payInfo } = await order(t.gw);
    const prepay = payInfo.package!.slice('prepay_id='.length);
    const post = (action: string, body: unknown) => fetch(`${t.gw.url}/sandbox/cashier/${prepay}/${action}`, { method: 'POST', headers: { 'Content-Type': 'application/json' }, body: JSON.stringify(body) });
    const forged = { ...payInfo, paySign: rsaSign(`${payInfo.appId}\n${payInfo.timeStamp}\n${payInfo.nonceStr}\n${payInfo.package}\n`, t.gw.keys.merchant.privateKeyPem) };
    expect((await post('pay', forged)).status).toBe(401);
    expect((await post('pay', { ...payInfo, package: 'prepay_id=wx1' })).status).toBe(400);
    expect((await post('cancel', payInfo)).status).toBe(200);
    const paid = await post('pay', payInfo);
    expect(paid.status).toBe(200);
    expect(await paid.json()).toMatchObject({ trans_stat: 'S', req_seq_id: req.req_seq_id });
    expect((await post('pay', payInfo)).status).toBe(403);
    const q = await call(t.gw, '/v2/trade/payment/scanpay/query', { huifu_id: t.gw.keys.huifuId, org_req_date: req.req_date, org_req_seq_id: req.req_seq_id });
    expect(q.data).toMatchObject({ resp_code: '00000000', trans_stat: 'S', trans_amt: '12.34', settlement_amt: '12.34' });
    const page = await (await fetch(`${t.gw.url}/sandbox/cashier/${prepay}`)).text();
    expect(page).toContain('12.34');
  });

  it('an unknown prepay id is 404 in the cashier', async () => {
    expect((await fetch(`${t.gw.url}/sandbox/cashier/wxnope/pay`, { method: 'POST', body: '{}' })).status).toBe(404);
  });

  it('the requested req_date need not be today (req_date is the merchant’s), only well formed', async () => {
    expect((await call(t.gw, PATH, jspayData(t.gw, { req_date: today(Date.now() - 86_400_000) }))).data.resp_code).toBe('00000100');
  });
});
