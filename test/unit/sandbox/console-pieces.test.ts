/** The sandbox console's pure pieces: the merchant-vs-gateway comparison, the host's projection, request subjects. */
import { mismatches, type MerchantOrderView } from '../../../sandbox/gateway/console/compare';
import { subjectsOf } from '../../../sandbox/gateway/console/request-log';
import type { ConsoleOrder } from '../../../sandbox/gateway/console/sources';
import { orderView } from '../../../sandbox/host/local-view';
import type { GatewayData } from '../../../sandbox/gateway/state';

const gateway = (over: Partial<ConsoleOrder> = {}): ConsoleOrder => ({ channel: 'v3', outTradeNo: 'A1', description: 'd', amount: 500, state: 'SUCCESS', createdAt: 0, refunded: 0, related: [], actions: [], ...over });
const merchant = (over: Partial<MerchantOrderView> = {}): MerchantOrderView => ({ outTradeNo: 'A1', channel: 'jsapi', amount: 500, state: 'PAID', refundedAmount: 0, refunds: [], createdAt: 0, updatedAt: 0, ...over });

describe('mismatches', () => {
  it('agreeing states, amounts and refunds are no mismatch; an order only the gateway knows is none either', () => {
    expect(mismatches(gateway(), merchant())).toEqual([]);
    expect(mismatches(gateway({ state: 'NOTPAY' }), merchant({ state: 'PAYING' }))).toEqual([]);
    expect(mismatches(gateway({ state: 'REFUND', refunded: 200 }), merchant({ state: 'REFUNDING', refundedAmount: 200 }))).toEqual([]);
    expect(mismatches(gateway(), undefined)).toEqual([]);
    // A partial refund: the merchant's order stays PAID, the gateway says REFUND.
    expect(mismatches(gateway({ state: 'REFUND', refunded: 288 }), merchant({ state: 'PAID', refundedAmount: 288 }))).toEqual([]);
  });
  it('names each difference', () => {
    expect(mismatches(gateway(), merchant({ state: 'PAYING' }))).toEqual(['state: merchant PAYING, gateway SUCCESS']);
    expect(mismatches(gateway({ refunded: 100 }), merchant({ amount: 400 }))).toEqual(['amount: merchant 400, gateway 500', 'refunded: merchant 0, gateway 100']);
    expect(mismatches(gateway({ state: 'SUCCESS/NOTPAY', subOrders: [{ outTradeNo: 's1', amount: 1, state: 'SUCCESS' }, { outTradeNo: 's2', amount: 1, state: 'NOTPAY' }], refunded: undefined }), merchant())).toEqual([
      'state: merchant PAID, gateway SUCCESS/NOTPAY',
    ]);
  });
});

it("the host's local view of an order keeps openids, idempotency keys, prepay ids and client IPs out", () => {
  const stored = {
    outTradeNo: 'A1', channel: 'combine', amount: 500, description: 'd', state: 'PAID', version: 3, payerOpenid: 'oPAYER', appid: 'wx1', mchid: '1', idempotencyKey: 'k-123',
    createdAt: 1, updatedAt: 2, expiresAt: 3, prepayId: 'wxPREPAY', refundedAmount: 0, refunds: [{ outRefundNo: 'R1', amount: 1, state: 'SUCCESS' }],
    payee: { openid: 'oPAYEE', displayName: '张三' }, payerClientIp: '10.0.0.1',
    subOrders: [{ mchid: '1', outTradeNo: 's1', amount: 500, individualAuthId: 'AUTH-1', description: 'd', state: 'SUCCESS' }],
  };
  const view = JSON.stringify(orderView(stored));
  for (const secret of ['oPAYER', 'k-123', 'wxPREPAY', 'oPAYEE', '10.0.0.1', 'AUTH-1']) expect(view).not.toContain(secret);
  expect(JSON.parse(view)).toMatchObject({ outTradeNo: 'A1', state: 'PAID', subOrders: [{ outTradeNo: 's1', amount: 500, state: 'SUCCESS' }], refunds: [{ outRefundNo: 'R1' }] });
});

it('a logged call is about the orders its path or bodies name; a cashier prepay id counts as its order', () => {
  const data = { prepays: { wxP1: { kind: 'order', key: 'A1' } } } as unknown as GatewayData;
  expect(subjectsOf('/sandbox/cashier/wxP1/pay', {}, { out_trade_no: 'A1' }, data)).toEqual(['A1']);
  expect(subjectsOf('/v3/pay/transactions/out-trade-no/A2/close', { mchid: '1' }, undefined, data)).toEqual(['A2']);
  expect(subjectsOf('/v3/refund/domestic/refunds', { out_trade_no: 'A1', out_refund_no: 'R1' }, { status: 'PROCESSING' }, data)).toEqual(['A1', 'R1']);
  expect(subjectsOf('/v3/combine-transactions/jsapi', { combine_out_trade_no: 'C1', sub_orders: [{ out_trade_no: 'S1' }] }, { prepay_id: 'wxP1' }, data)).toEqual(['C1', 'S1', 'A1']);
});
