/**
 * The PayScore product file (acquiring-bank mode): each of the six calls sends the published method
 * and path (out_order_no path-encoded; query parameters as the published tables name them, exactly
 * one of out_order_no / query_id) with the typed body.
 */
import { payscore } from '../../../../../cloudfunctions/core/gateways/wechatpay/v3';
import type { V3Response } from '../../../../../cloudfunctions/core/gateways/wechatpay/client';

it('sends the six calls on their published paths', async () => {
  const sent: Array<[string, string, unknown]> = [];
  const client = {
    async request<T>(method: string, path: string, body?: unknown): Promise<V3Response<T>> {
      sent.push([method, path, body]);
      return { status: 204, headers: {}, body: '', data: undefined, requestId: 'R' } as V3Response<T>;
    },
  };
  const parties = { service_id: '2002000000000558128851361561536', sub_mchid: '1900000109', channel_id: '1200000001' };
  const create: payscore.CreateServiceOrderRequest = {
    ...parties,
    appid: 'wx1',
    out_order_no: 'PS1',
    service_introduction: '充电宝',
    post_payments: [{ name: '费用', amount: 100 }],
    time_range: { start_time: '20261125200000' },
    risk_fund: { name: 'ESTIMATE_ORDER_COST', amount: 5000 },
    notify_url: 'https://m/n',
    need_user_confirm: true,
  };
  await payscore.create(client, create);
  await payscore.query(client, { ...parties, out_order_no: 'PS|1*' });
  await payscore.query(client, { ...parties, query_id: '15646546545165651651' });
  await payscore.cancel(client, 'PS|1', { ...parties, reason: '取消' });
  await payscore.complete(client, 'PS1', { ...parties, post_payments: [{ name: '费用', amount: 100 }], total_amount: 100 });
  await payscore.registerDeductInfo(client, 'PS1', { ...parties, appid: 'wx1', out_trade_no: 'D1' });
  await payscore.queryDeduction(client, { ...parties, appid: 'wx1', out_order_no: 'PS1' });
  const q = `service_id=${parties.service_id}&sub_mchid=${parties.sub_mchid}&channel_id=${parties.channel_id}`;
  expect(sent.map(([m, p]) => [m, p])).toEqual([
    ['POST', '/v3/payscore/acquiringbank/serviceorder'],
    ['GET', `/v3/payscore/acquiringbank/serviceorder?${q}&out_order_no=PS%7C1*`],
    ['GET', `/v3/payscore/acquiringbank/serviceorder?${q}&query_id=15646546545165651651`],
    ['POST', '/v3/payscore/acquiringbank/serviceorder/PS%7C1/cancel'],
    ['POST', '/v3/payscore/acquiringbank/serviceorder/PS1/complete'],
    ['POST', '/v3/payscore/acquiringbank/serviceorder/PS1/registerdeductinfo'],
    ['GET', `/v3/payscore/acquiringbank/serviceorder/deduction?${q}&appid=wx1&out_order_no=PS1`],
  ]);
  expect(sent[0][2]).toBe(create);
});
