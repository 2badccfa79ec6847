/**
 * The sandbox's refund API against the published behaviour: one refund per out_refund_no,
 * RESOURCE_NOT_EXISTS (404) for an unknown or unpaid order and for a refund never taken,
 * 403 NOT_ENOUGH as a fault (signed, nothing taken), refunds ending ABNORMAL or CLOSED with their
 * REFUND.* notifications, an ABNORMAL refund re-routed by the merchant platform, and money
 * arriving for a closed order (the late-payment admin action).
 */
import { waitFor } from '../../helpers/e2e-utils';
import { decryptResource, jsapiBody, platformSignatureValid, useTestGateway, v3call } from './helpers';

describe('gateway: refunds', () => {
  const t = useTestGateway({ timeScale: 1000 });
  afterEach(async () => {
    await t.gw.admin.clearFaults();
  });

  async function paidOrder(total = 500) {
    const body = jsapiBody(t.gw, t.receiver.url, { amount: { total, currency: 'CNY' } });
    const res = await v3call(t.gw, 'POST', '/v3/pay/transactions/jsapi', body);
    await t.gw.admin.pay(res.json.prepay_id);
    return body.out_trade_no as string;
  }
  const refundBody = (outTradeNo: string, outRefundNo: string, refund: number, total = 500) => ({
    out_trade_no: outTradeNo,
    out_refund_no: outRefundNo,
    notify_url: t.receiver.url,
    amount: { refund, total, currency: 'CNY' },
  });
  const refundNotes = (outRefundNo: string) =>
    t.receiver.received
      .map((n) => JSON.parse(n.body) as { event_type: string; resource: { ciphertext: string; nonce: string; associated_data: string } })
      .map((e) => ({ event: e.event_type, resource: JSON.parse(decryptResource(t.gw.keys.apiV3Key, e.resource)) as Record<string, unknown> }))
      .filter((n) => n.resource.out_refund_no === outRefundNo);

  it('RESOURCE_NOT_EXISTS (404, signed) for an unknown order, an unpaid order and a refund never taken', async () => {
    const unknownOrder = await v3call(t.gw, 'POST', '/v3/refund/domestic/refunds', refundBody('NOSUCHORDER001', 'RX1', 1));
    expect(unknownOrder).toMatchObject({ status: 404, json: { code: 'RESOURCE_NOT_EXISTS' } });
    expect(platformSignatureValid(t.gw.keys, unknownOrder.headers, unknownOrder.text)).toBe(true);
    const unpaid = jsapiBody(t.gw, t.receiver.url);
    await v3call(t.gw, 'POST', '/v3/pay/transactions/jsapi', unpaid);
    const unpaidRefund = await v3call(t.gw, 'POST', '/v3/refund/domestic/refunds', refundBody(unpaid.out_trade_no, 'RX2', 1, 1));
    expect(unpaidRefund).toMatchObject({ status: 404, json: { code: 'RESOURCE_NOT_EXISTS' } });
    const unknownRefund = await v3call(t.gw, 'GET', '/v3/refund/domestic/refunds/RNEVERSENT001');
    expect(unknownRefund).toMatchObject({ status: 404, json: { code: 'RESOURCE_NOT_EXISTS' } });
    expect(platformSignatureValid(t.gw.keys, unknownRefund.headers, unknownRefund.text)).toBe(true);
  });

  it('one refund per out_refund_no: the same request again returns it; another amount under that number is refused', async () => {
    const outTradeNo = await paidOrder();
    const first = await v3call(t.gw, 'POST', '/v3/refund/domestic/refunds', refundBody(outTradeNo, `R${outTradeNo}`, 100));
    const again = await v3call(t.gw, 'POST', '/v3/refund/domestic/refunds', refundBody(outTradeNo, `R${outTradeNo}`, 100));
    expect(again.json.refund_id).toBe(first.json.refund_id);
    const other = await v3call(t.gw, 'POST', '/v3/refund/domestic/refunds', refundBody(outTradeNo, `R${outTradeNo}`, 101));
    expect(other).toMatchObject({ status: 400, json: { code: 'INVALID_REQUEST' } });
    expect(await t.gw.admin.order(outTradeNo)).toMatchObject({ kind: 'order', refunds: [expect.objectContaining({ refund: 100 })] });
  });

  it('403 NOT_ENOUGH as a fault: signed, nothing taken, and only for the refund API', async () => {
    const outTradeNo = await paidOrder();
    await expect(t.gw.admin.fault({ kind: 'endpoint', path: '/v3/pay/transactions/jsapi', effect: 'NOT_ENOUGH' })).rejects.toMatchObject({ status: 400 });
    await t.gw.admin.fault({ kind: 'endpoint', method: 'POST', path: '/v3/refund/domestic/refunds', effect: 'NOT_ENOUGH' });
    const refused = await v3call(t.gw, 'POST', '/v3/refund/domestic/refunds', refundBody(outTradeNo, `N${outTradeNo}`, 100));
    expect(refused).toMatchObject({ status: 403, json: { code: 'NOT_ENOUGH' } });
    expect(platformSignatureValid(t.gw.keys, refused.headers, refused.text)).toBe(true);
    expect((await v3call(t.gw, 'GET', `/v3/refund/domestic/refunds/N${outTradeNo}`)).status).toBe(404);
    // Topped up: the same number goes through.
    expect((await v3call(t.gw, 'POST', '/v3/refund/domestic/refunds', refundBody(outTradeNo, `N${outTradeNo}`, 100))).status).toBe(200);
  });

  it('a refund fault ends it ABNORMAL with REFUND.ABNORMAL; the merchant platform re-routes it to SUCCESS with REFUND.SUCCESS', async () => {
    const outTradeNo = await paidOrder();
    await t.gw.admin.fault({ kind: 'refund', effect: 'ABNORMAL' });
    const no = `A${outTradeNo}`;
    expect((await v3call(t.gw, 'POST', '/v3/refund/domestic/refunds', refundBody(outTradeNo, no, 200))).json.status).toBe('PROCESSING');
    await waitFor('REFUND.ABNORMAL', () => refundNotes(no).find((n) => n.event === 'REFUND.ABNORMAL'));
    expect((await v3call(t.gw, 'GET', `/v3/refund/domestic/refunds/${no}`)).json).toMatchObject({ status: 'ABNORMAL' });
    expect(refundNotes(no)[0].resource).toMatchObject({ refund_status: 'ABNORMAL', amount: { refund: 200 } });
    expect(refundNotes(no)[0].resource.success_time).toBeUndefined();
    // Still reserved: 300 left of 500.
    expect((await v3call(t.gw, 'POST', '/v3/refund/domestic/refunds', refundBody(outTradeNo, `B${outTradeNo}`, 301))).json.code).toBe('PARAM_ERROR');
    await t.gw.admin.refundAction(no, 'resolve');
    await waitFor('REFUND.SUCCESS', () => refundNotes(no).find((n) => n.event === 'REFUND.SUCCESS'));
    expect((await v3call(t.gw, 'GET', `/v3/refund/domestic/refunds/${no}`)).json).toMatchObject({ status: 'SUCCESS', success_time: expect.any(String) });
    await expect(t.gw.admin.refundAction(no, 'abnormal')).rejects.toMatchObject({ status: 400 });
  });

  it('a refund fault ends it CLOSED with REFUND.CLOSED; its amount is refundable again', async () => {
    const outTradeNo = await paidOrder();
    await t.gw.admin.fault({ kind: 'refund', effect: 'CLOSED' });
    const no = `C${outTradeNo}`;
    await v3call(t.gw, 'POST', '/v3/refund/domestic/refunds', refundBody(outTradeNo, no, 500));
    await waitFor('REFUND.CLOSED', () => refundNotes(no).find((n) => n.event === 'REFUND.CLOSED'));
    expect((await v3call(t.gw, 'GET', `/v3/refund/domestic/refunds/${no}`)).json).toMatchObject({ status: 'CLOSED' });
    expect((await v3call(t.gw, 'POST', '/v3/refund/domestic/refunds', refundBody(outTradeNo, `D${outTradeNo}`, 500))).status).toBe(200);
  });

  it('late-payment: a CLOSED order is paid anyway with a TRANSACTION.SUCCESS notification; refused for any other order', async () => {
    const body = jsapiBody(t.gw, t.receiver.url);
    await v3call(t.gw, 'POST', '/v3/pay/transactions/jsapi', body);
    await expect(t.gw.admin.latePayment(body.out_trade_no)).rejects.toMatchObject({ status: 400 });
    expect((await v3call(t.gw, 'POST', `/v3/pay/transactions/out-trade-no/${body.out_trade_no}/close`, { mchid: t.gw.keys.mchid })).status).toBe(204);
    const paid = await t.gw.admin.latePayment(body.out_trade_no);
    expect(paid).toMatchObject({ trade_state: 'SUCCESS', transaction_id: expect.stringMatching(/^4200\d+$/) });
    await waitFor('TRANSACTION.SUCCESS', () =>
      t.receiver.received.map((n) => JSON.parse(n.body)).find((e) => e.event_type === 'TRANSACTION.SUCCESS' && JSON.parse(decryptResource(t.gw.keys.apiV3Key, e.resource)).out_trade_no === body.out_trade_no),
    );
    await expect(t.gw.admin.latePayment(body.out_trade_no)).rejects.toMatchObject({ status: 400 });
  });
});
