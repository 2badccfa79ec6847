import { GatewayError } from '../../../sandbox/gateway/http';
import * as f from '../../../sandbox/gateway/payscore/fields';
import { payscoreIdentity } from '../../../sandbox/gateway/payscore/identity';

/** PayScore field checks: each refusal is 400 PARAM_ERROR naming the field. */
const refusedField = (fn: () => unknown): string | undefined => {
  try {
    fn();
  } catch (err) {
    const e = err as GatewayError;
    expect(e).toBeInstanceOf(GatewayError);
    expect(e.status).toBe(400);
    expect(e.code).toBe('PARAM_ERROR');
    return e.detail?.field as string;
  }
  throw new Error('expected a refusal');
};

describe('PayScore field checks', () => {
  it('out_order_no: 1–32 of 0-9 A-Z a-z _ - | *', () => {
    expect(f.outOrderNo('Ab0_-|*')).toBe('Ab0_-|*');
    expect(f.outOrderNo('x'.repeat(32))).toHaveLength(32);
    for (const bad of ['x'.repeat(33), 'a b', 'a#b', 'a@b', 'ａ', '', 42]) expect(refusedField(() => f.outOrderNo(bad))).toBe('out_order_no');
  });

  it('service_introduction: at most 20 characters, a CJK or astral character counting as one', () => {
    expect(f.serviceIntroduction('充'.repeat(20))).toHaveLength(20);
    expect(f.serviceIntroduction('😀'.repeat(20))).toHaveLength(40); // 20 characters, 40 UTF-16 units
    expect(refusedField(() => f.serviceIntroduction('a'.repeat(21)))).toBe('service_introduction');
    expect(refusedField(() => f.serviceIntroduction(''))).toBe('service_introduction');
  });

  it('post_payments: ≤ 100 items, name required, amounts integer fen; unlisted fields refused', () => {
    expect(f.postPayments([{ name: 'a', amount: 0, count: 2 }], true)).toEqual([{ name: 'a', amount: 0, count: 2 }]);
    expect(f.postPayments(undefined, false)).toEqual([]);
    expect(refusedField(() => f.postPayments(undefined, true))).toBe('post_payments');
    expect(refusedField(() => f.postPayments([], true))).toBe('post_payments');
    expect(refusedField(() => f.postPayments(Array.from({ length: 101 }, () => ({ name: 'a' })), false))).toBe('post_payments');
    expect(refusedField(() => f.postPayments([{ name: 'a', amount: 1.5 }], false))).toBe('post_payments[0].amount');
    expect(refusedField(() => f.postPayments([{ name: 'a', amount: -1 }], false))).toBe('post_payments[0].amount');
    expect(refusedField(() => f.postPayments([{ name: 'a', count: 0 }], false))).toBe('post_payments[0].count');
    expect(refusedField(() => f.postPayments([{ name: 'a', price: 1 }], false))).toBe('post_payments[0].price');
  });

  it('post_discounts: ≤ 30; no amount at create, amount required at complete', () => {
    expect(f.postDiscounts([{ name: 'a', description: 'b' }], 'create')).toEqual([{ name: 'a', description: 'b' }]);
    expect(refusedField(() => f.postDiscounts([{ name: 'a', description: 'b', amount: 1 }], 'create'))).toBe('post_discounts[0].amount');
    expect(f.postDiscounts([{ name: 'a', description: 'b', amount: 1 }], 'complete')).toEqual([{ name: 'a', description: 'b', amount: 1 }]);
    expect(refusedField(() => f.postDiscounts([{ name: 'a', description: 'b' }], 'complete'))).toBe('post_discounts[0].amount');
    expect(refusedField(() => f.postDiscounts([{ name: 'a' }], 'create'))).toBe('post_discounts[0].description');
    expect(refusedField(() => f.postDiscounts(Array.from({ length: 31 }, () => ({ name: 'a', description: 'b' })), 'create'))).toBe('post_discounts');
  });

  it('risk_fund and time_range', () => {
    expect(f.riskFund({ name: 'ESTIMATE_ORDER_COST', amount: 5000 })).toEqual({ name: 'ESTIMATE_ORDER_COST', amount: 5000 });
    expect(refusedField(() => f.riskFund({ name: 'ESTIMATE_ORDER_COST', amount: 0 }))).toBe('risk_fund.amount');
    expect(refusedField(() => f.riskFund({ name: '先免模式', amount: 1 }))).toBe('risk_fund.name');
    expect(refusedField(() => f.riskFund(undefined))).toBe('risk_fund');
    expect(f.timeRange({ start_time: '20091225091010', end_time: '20091225121010' })).toEqual({ startTime: '20091225091010', endTime: '20091225121010' });
    expect(refusedField(() => f.timeRange({ start_time: '2009-12-25' }))).toBe('time_range.start_time');
    expect(refusedField(() => f.timeRange({ start_time: '20091225091010', end_time: 'soon' }))).toBe('time_range.end_time');
  });

  it('query parameters: unlisted or repeated ones are refused', () => {
    const url = (q: string) => new URL(`http://x/v3/payscore/acquiringbank/serviceorder?${q}`);
    expect(f.queryParams(url('service_id=1&out_order_no=A'), ['service_id', 'out_order_no'])).toEqual({ service_id: '1', out_order_no: 'A' });
    expect(refusedField(() => f.queryParams(url('mchid=1'), ['service_id']))).toBe('mchid');
    expect(refusedField(() => f.queryParams(url('service_id=1&service_id=2'), ['service_id']))).toBe('service_id');
  });
});

describe('PayScore identity', () => {
  it('is stable per mchid and shaped like the published ids (service_id of 32 digits)', () => {
    const a = payscoreIdentity({ mchid: '1600000001' });
    expect(a).toEqual(payscoreIdentity({ mchid: '1600000001' }));
    expect(a.serviceId).toMatch(/^\d{32}$/);
    expect(a.subMchid).toMatch(/^\d{10}$/);
    expect(a.channelId).toMatch(/^\d{10}$/);
    expect(payscoreIdentity({ mchid: '1600000002' }).serviceId).not.toBe(a.serviceId);
  });
});
