/** The v3 dictionary: trade states, refund states, combine folding and wire times. */
import { combinePaymentStateOf, fromRfc3339, paymentStateOf, refundStateOf, toRfc3339 } from '../../../cloudfunctions/core/channels/wechatpay-v3/mapping';

const NOW = Date.UTC(2026, 10, 25, 4, 0, 0);
const paidTx = { out_trade_no: 'T1', transaction_id: '4200001', success_time: '2026-11-25T12:00:05+08:00', amount: { total: 100, payer_total: 100, currency: 'CNY', payer_currency: 'CNY' } };

describe('paymentStateOf', () => {
  it.each([
    ['SUCCESS', { kind: 'PAID', transactionId: '4200001', paidAt: Date.UTC(2026, 10, 25, 4, 0, 5), paidAmount: 100 }],
    ['REFUND', { kind: 'PAID', transactionId: '4200001', paidAt: Date.UTC(2026, 10, 25, 4, 0, 5), paidAmount: 100 }],
    ['NOTPAY', { kind: 'PENDING' }],
    ['USERPAYING', { kind: 'PENDING' }],
    ['CLOSED', { kind: 'CLOSED', reason: 'closed at the gateway' }],
    ['REVOKED', { kind: 'CLOSED', reason: 'revoked' }],
    ['PAYERROR', { kind: 'FAILED', reason: 'payment failed' }],
  ])('%s', (tradeState, expected) => {
    expect(paymentStateOf({ ...paidTx, trade_state: tradeState }, NOW)).toEqual(expected);
  });

  it('refuses what it cannot read as a fact', () => {
    expect(() => paymentStateOf({ ...paidTx, trade_state: 'MAYBE' }, NOW)).toThrow(/trade_state/);
    expect(() => paymentStateOf({ ...paidTx, trade_state: 'SUCCESS', transaction_id: undefined }, NOW)).toThrow(/transaction_id/);
    expect(() => paymentStateOf({ ...paidTx, trade_state: 'SUCCESS', amount: { total: 1.5 } as never }, NOW)).toThrow(/amount/);
  });

  it('a missing success_time falls back to now', () => {
    expect(paymentStateOf({ ...paidTx, trade_state: 'SUCCESS', success_time: undefined }, NOW)).toMatchObject({ paidAt: NOW });
  });
});

describe('combinePaymentStateOf', () => {
  const sub = (state: string, n: number) => ({ mchid: '1900', out_trade_no: `S${n}`, trade_state: state, transaction_id: `42${n}`, success_time: '2026-11-25T12:00:00+08:00', individual_auth_id: `a${n}`, amount: { total_amount: 10 * n } });
  it('paid only when every sub-order is, with the total of all', () => {
    expect(combinePaymentStateOf({ sub_orders: [sub('SUCCESS', 1), sub('SUCCESS', 2)] }, NOW)).toMatchObject({
      kind: 'PAID',
      transactionId: '421',
      paidAmount: 30,
      subOrders: [expect.objectContaining({ outTradeNo: 'S1', individualAuthId: 'a1', amount: 10 }), expect.objectContaining({ outTradeNo: 'S2' })],
    });
    expect(combinePaymentStateOf({ sub_orders: [sub('SUCCESS', 1), sub('NOTPAY', 2)] }, NOW)).toEqual({ kind: 'PENDING' });
    // Closed and failed answers carry each sub-order's own state, so the store can keep it.
    expect(combinePaymentStateOf({ sub_orders: [sub('CLOSED', 1)] }, NOW)).toMatchObject({ kind: 'CLOSED', subOrders: [{ outTradeNo: 'S1', tradeState: 'CLOSED', amount: 10 }] });
    expect(combinePaymentStateOf({ sub_orders: [sub('SUCCESS', 1), sub('PAYERROR', 2)] }, NOW)).toMatchObject({
      kind: 'FAILED',
      subOrders: [{ outTradeNo: 'S1', tradeState: 'SUCCESS' }, { outTradeNo: 'S2', tradeState: 'PAYERROR', individualAuthId: 'a2' }],
    });
    expect(() => combinePaymentStateOf({ sub_orders: [] }, NOW)).toThrow(/sub_orders/);
  });
});

it('refundStateOf reads both the API (`status`) and the notification (`refund_status`)', () => {
  const amount = { total: 10, refund: 4, payer_total: 10, payer_refund: 4 };
  expect(refundStateOf({ out_refund_no: 'R1', refund_id: '5', status: 'PROCESSING', amount })).toEqual({ outRefundNo: 'R1', refundId: '5', state: 'PROCESSING', amount: 4 });
  expect(refundStateOf({ out_refund_no: 'R1', refund_status: 'ABNORMAL', amount })).toEqual({ outRefundNo: 'R1', state: 'ABNORMAL', amount: 4 });
  expect(() => refundStateOf({ out_refund_no: 'R1', status: 'DONE', amount })).toThrow(/refund status/);
});

it('wire times: RFC 3339 in +08:00, whole seconds, and back', () => {
  expect(toRfc3339(Date.UTC(2026, 11, 31, 16, 30, 0, 500))).toBe('2027-01-01T00:30:00+08:00');
  expect(fromRfc3339('2027-01-01T00:30:00+08:00', 0)).toBe(Date.UTC(2026, 11, 31, 16, 30, 0));
  expect(fromRfc3339('garbage', 7)).toBe(7);
});
