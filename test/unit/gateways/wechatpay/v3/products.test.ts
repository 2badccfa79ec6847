/**
 * The APIv3 product files (gateways/wechatpay/v3/<product>.ts): each call sends the published
 * method and path (ids path-encoded, mchid where the product asks for it) with the typed body, and
 * hands back the client's answer as is.
 */
import { certificates, combine, individualContracts, jsapi, native, refunds } from '../../../../../cloudfunctions/core/gateways/wechatpay/v3';
import type { V3Response } from '../../../../../cloudfunctions/core/gateways/wechatpay/client';

type Sent = { method: string; path: string; body: unknown; options: unknown };

function recorder() {
  const sent: Sent[] = [];
  const answer: V3Response<unknown> = { status: 200, headers: {}, body: '{}', data: {}, requestId: 'R' };
  const client = {
    async request<T>(method: string, path: string, body?: unknown, options?: unknown): Promise<V3Response<T>> {
      sent.push({ method, path, body, options });
      return answer as V3Response<T>;
    },
  };
  return { client, sent, answer };
}

it('jsapi: prepay, query by out_trade_no (with mchid), close (mchid in the body)', async () => {
  const { client, sent, answer } = recorder();
  const body: jsapi.PrepayRequest = { appid: 'wx1', mchid: '1900000001', description: 'd', out_trade_no: 'T1', notify_url: 'https://m/n', amount: { total: 1, currency: 'CNY' }, payer: { openid: 'o1' } };
  expect(await jsapi.prepay(client, body)).toBe(answer);
  await jsapi.queryByOutTradeNo(client, '1900000001', 'T 1/x');
  await jsapi.close(client, '1900000001', 'T1');
  expect(sent.map(({ method, path, body: b }) => [method, path, b])).toEqual([
    ['POST', '/v3/pay/transactions/jsapi', body],
    ['GET', '/v3/pay/transactions/out-trade-no/T%201%2Fx?mchid=1900000001', undefined],
    ['POST', '/v3/pay/transactions/out-trade-no/T1/close', { mchid: '1900000001' }],
  ]);
});

it('native: prepay on its own path; query and close are the transactions\' own', async () => {
  const { client, sent } = recorder();
  await native.prepay(client, { appid: 'wx1', mchid: 'm', description: 'd', out_trade_no: 'N1', notify_url: 'https://m/n', amount: { total: 2 } });
  await native.queryByOutTradeNo(client, 'm', 'N1');
  await native.close(client, 'm', 'N1');
  expect(sent.map((s) => `${s.method} ${s.path}`)).toEqual([
    'POST /v3/pay/transactions/native',
    'GET /v3/pay/transactions/out-trade-no/N1?mchid=m',
    'POST /v3/pay/transactions/out-trade-no/N1/close',
  ]);
});

it('combine: create, query by id or by number (no mchid parameter), close', async () => {
  const { client, sent } = recorder();
  await combine.queryById(client, '1217752501201407033233368999');
  await combine.queryByOutTradeNo(client, 'C1');
  await combine.close(client, 'C1', { combine_appid: 'wx1', sub_orders: [{ mchid: 'm', out_trade_no: 'S1', individual_auth_id: 'A1', description: 'd' }] });
  expect(sent.map((s) => `${s.method} ${s.path}`)).toEqual([
    'GET /v3/combine-transactions/id/1217752501201407033233368999',
    'GET /v3/combine-transactions/out-trade-no/C1',
    'POST /v3/combine-transactions/out-trade-no/C1/close',
  ]);
  expect(combine.COMBINE_PATHS.create).toBe('/v3/combine-transactions/miniprogram');
});

it('refunds, individual contracts and certificates', async () => {
  const { client, sent } = recorder();
  await refunds.create(client, { out_trade_no: 'T1', out_refund_no: 'R1', amount: { refund: 1, total: 1, currency: 'CNY' } });
  await refunds.queryByOutRefundNo(client, 'R1');
  await individualContracts.query(client, 'wx1', 'o-1');
  const validate = () => undefined;
  await certificates.list(client, validate);
  expect(sent.map((s) => `${s.method} ${s.path}`)).toEqual([
    'POST /v3/refund/domestic/refunds',
    'GET /v3/refund/domestic/refunds/R1',
    'GET /v3/ecommerce/individual-contracts/o-1?appid=wx1&permission_type=INDIVIDUAL_PAYEE',
    'GET /v3/certificates',
  ]);
  expect(sent[3]!.options).toEqual({ validate });
});
