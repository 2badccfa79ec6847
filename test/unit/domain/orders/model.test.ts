import { newOrderRecord, newRefundRecord, orderProblems, refundableAmount, toOrderView } from '../../../../cloudfunctions/core/domain/orders/model';
import { isValidOutTradeNo, newOutTradeNo } from '../../../../cloudfunctions/core/domain/orders/out-trade-no';
import { T0, applyAll, freshCombineOrder, freshOrder, orderIn } from './fixtures';

describe('toOrderView', () => {
  it('shows what a page needs in ISO time, and none of the secrets', () => {
    const order = applyAll(freshCombineOrder(), [
      { type: 'PREPAY_CREATED', prepayId: 'wx-prepay-secret' },
      { type: 'PAID', transactionId: '4200000001', paidAt: T0 + 1500, paidAmount: 100 },
    ]);
    const view = toOrderView(order);
    expect(view).toEqual({
      outTradeNo: order.outTradeNo,
      channel: 'combine',
      amount: 100,
      description: 'coffee',
      state: 'PAID',
      createdAt: new Date(T0).toISOString(),
      expiresAt: new Date(T0 + 30 * 60_000).toISOString(),
      paidAt: new Date(T0 + 1500).toISOString(),
      transactionId: '4200000001',
      refundedAmount: 0,
      payee: { displayName: 'Ada' },
    });
    const text = JSON.stringify(view);
    for (const secret of [order.payerOpenid, order.payee!.openid, 'wx-prepay-secret', 'auth-secret-1', order.appid, order.mchid, order.idempotencyKey]) {
      expect(text).not.toContain(secret);
    }
  });

  it('shows a reason only for FAILED and CLOSED orders', () => {
    expect(toOrderView(applyAll(freshOrder(), [{ type: 'CLOSED', reason: 'user cancelled' }])).reason).toBe('user cancelled');
    expect(toOrderView(orderIn('PAID')).reason).toBeUndefined();
  });
});

describe('records', () => {
  it('newOrderRecord starts at CREATED, version 1, nothing refunded', () => {
    const order = freshOrder();
    expect(order).toMatchObject({ state: 'CREATED', version: 1, currency: 'CNY', refundedAmount: 0, refunds: [], createdAt: T0, updatedAt: T0 });
    expect(orderProblems(order)).toEqual([]);
    expect(refundableAmount(order)).toBe(100);
  });

  it.each([
    ['fractional fen', { amount: 9.9 }],
    ['zero fen', { amount: 0 }],
    ['amount as a string', { amount: '100' as unknown as number }],
    ['unknown channel', { channel: 'alipay' as never }],
    ['empty payer', { payerOpenid: '' }],
  ])('newOrderRecord refuses %s with INVALID_RECORD', (_name, bad) => {
    expect(() => freshOrder(bad)).toThrow(expect.objectContaining({ code: 'INVALID_RECORD' }));
  });

  it('newRefundRecord refuses fractional fen', () => {
    expect(() => newRefundRecord({ outRefundNo: 'R', outTradeNo: 'O', amount: 0.5 }, T0)).toThrow(expect.objectContaining({ code: 'INVALID_RECORD' }));
    expect(newRefundRecord({ outRefundNo: 'R', outTradeNo: 'O', amount: 5 }, T0)).toMatchObject({ state: 'PROCESSING', version: 1 });
  });

  it('refundableAmount subtracts refunded and in-flight amounts', () => {
    const order = applyAll(orderIn('PAID'), [
      { type: 'REFUND_STARTED', outRefundNo: 'A', amount: 10 },
      { type: 'REFUND_SUCCEEDED', outRefundNo: 'A', amount: 10 },
      { type: 'REFUND_STARTED', outRefundNo: 'B', amount: 25 },
    ]);
    expect(refundableAmount(order)).toBe(65);
    expect(newOrderRecord).toBeDefined();
  });
});

describe('out-trade-no', () => {
  it('mints unique numbers of ≤ 32 gateway-safe characters', () => {
    const seen = new Set<string>();
    for (let i = 0; i < 20_000; i++) {
      const no = newOutTradeNo(i % 2 ? 'R' : '');
      expect(no.length).toBeLessThanOrEqual(32);
      expect(no).toMatch(/^[0-9A-Za-z_-]+$/);
      seen.add(no);
    }
    expect(seen.size).toBe(20_000);
  });

  it('starts with the prefix and the Beijing-time second it was minted in', () => {
    // 2026-11-25T16:30:05Z is 2026-11-26 00:30:05 in Beijing
    expect(newOutTradeNo('C', Date.UTC(2026, 10, 25, 16, 30, 5))).toMatch(/^C20261126003005[0-9A-Za-z]{12}$/);
  });

  it('refuses prefixes that would break the format', () => {
    for (const prefix of ['TOOLONG', '1', 'a-b', 'é']) expect(() => newOutTradeNo(prefix)).toThrow(/prefix/);
  });

  it('validates what gateways accept', () => {
    expect(isValidOutTradeNo('20261125ABC_def-1')).toBe(true);
    expect(isValidOutTradeNo('x'.repeat(32))).toBe(true);
    for (const bad of ['', 'x'.repeat(33), 'has space', 'a|b', 'a*b', '中文', 'a/b', 42, null, undefined]) {
      expect(isValidOutTradeNo(bad)).toBe(false);
    }
  });
});
