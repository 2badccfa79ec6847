import { transitionPayScore, type PayScoreEvent } from '../../../../cloudfunctions/core/domain/payscore/state-machine';
import type { PayScoreOrder } from '../../../../cloudfunctions/core/domain/payscore/model';
import { checkCancellable, checkCompletion, checkDeductionQuery, checkRegistration, DEDUCTION_LIFETIME_MS } from '../../../../cloudfunctions/core/domain/payscore/rules';
import { T0, freshPayScoreOrder } from './fixtures';

function run(order: PayScoreOrder, ...events: PayScoreEvent[]): PayScoreOrder {
  return events.reduce((o, e, i) => {
    const d = transitionPayScore(o, e, T0 + 1000 * (i + 1), 'admin');
    if (d.kind !== 'applied') throw new Error(`${e.type}: ${d.kind}`);
    return d.next;
  }, order);
}

const complete = (total: number): PayScoreEvent => ({ type: 'COMPLETED', totalAmount: total, postPayments: [{ name: 'x', amount: total }], postDiscounts: [], endTime: '20261125210000' });
const register = (no: string): PayScoreEvent => ({ type: 'DEDUCTION_REGISTERED', outTradeNo: no, lifetimeMs: DEDUCTION_LIFETIME_MS });

describe('PayScore state machine', () => {
  it('CREATED → DOING/USER_CONFIRM → DOING/MCH_COMPLETE (USER_PAYING) → DONE (USER_PAID), one audit entry each, version +1 each', () => {
    const done = run(freshPayScoreOrder(), { type: 'CONFIRMED' }, complete(2500), register('D1'), { type: 'PAID', paidAmount: 2500, outTradeNo: 'D1' });
    expect(done).toMatchObject({ state: 'DONE', collectionState: 'USER_PAID', paidAmount: 2500, paidOutTradeNo: 'D1', version: 5 });
    expect(done.stateDescription).toBeUndefined();
    expect(done.history.map((h) => h.to)).toEqual(['CREATED', 'DOING/USER_CONFIRM', 'DOING/MCH_COMPLETE (USER_PAYING)', 'DOING/MCH_COMPLETE (USER_PAYING)', 'DONE (USER_PAID)']);
    expect(done.deductions).toEqual([expect.objectContaining({ outTradeNo: 'D1', outcome: 'paid' })]);
  });

  it('a repeated fact is alreadyApplied; a different amount is AMOUNT_MISMATCH', () => {
    const paying = run(freshPayScoreOrder(), { type: 'CONFIRMED' }, complete(2500));
    expect(transitionPayScore(paying, { type: 'CONFIRMED' }, T0, 'notify').kind).toBe('alreadyApplied');
    expect(transitionPayScore(paying, complete(2500), T0, 'admin').kind).toBe('alreadyApplied');
    expect(transitionPayScore(paying, complete(2400), T0, 'admin')).toMatchObject({ kind: 'rejected', rejected: 'AMOUNT_MISMATCH' });
    expect(transitionPayScore(paying, { type: 'PAID', paidAmount: 1000 }, T0, 'notify')).toMatchObject({ kind: 'rejected', rejected: 'AMOUNT_MISMATCH' });
    const done = run(paying, { type: 'PAID', paidAmount: 2500 });
    expect(transitionPayScore(done, { type: 'PAID', paidAmount: 2500 }, T0, 'notify').kind).toBe('alreadyApplied');
    expect(transitionPayScore(done, { type: 'PAID', paidAmount: 2600 }, T0, 'notify')).toMatchObject({ kind: 'rejected', rejected: 'AMOUNT_MISMATCH' });
  });

  it('refuses steps out of order', () => {
    const created = freshPayScoreOrder();
    expect(transitionPayScore(created, complete(100), T0, 'admin')).toMatchObject({ kind: 'rejected', rejected: 'INVALID_STATE' });
    expect(transitionPayScore(created, register('D1'), T0, 'admin')).toMatchObject({ kind: 'rejected', rejected: 'INVALID_STATE' });
    expect(transitionPayScore(created, { type: 'PAID', paidAmount: 100 }, T0, 'notify')).toMatchObject({ kind: 'rejected', rejected: 'INVALID_STATE' });
    const revoked = run(created, { type: 'CANCELLED', reason: 'r' });
    expect(transitionPayScore(revoked, { type: 'CONFIRMED' }, T0, 'notify')).toMatchObject({ kind: 'rejected', rejected: 'INVALID_STATE' });
    expect(transitionPayScore(revoked, { type: 'EXPIRED' }, T0, 'reconcile')).toMatchObject({ kind: 'rejected', rejected: 'INVALID_STATE' });
    const confirmed = run(created, { type: 'CONFIRMED' });
    expect(transitionPayScore(confirmed, { type: 'EXPIRED' }, T0, 'reconcile')).toMatchObject({ kind: 'rejected', rejected: 'INVALID_STATE' });
  });

  it('a total of 0 finishes the order at once; nothing to collect', () => {
    expect(run(freshPayScoreOrder(), { type: 'CONFIRMED' }, complete(0))).toMatchObject({ state: 'DONE', paidAmount: 0 });
  });

  it('one attempt per registration: a new one spends the live one; the same number is DEDUCTION_REUSED', () => {
    const twice = run(freshPayScoreOrder(), { type: 'CONFIRMED' }, complete(2500), register('D1'), register('D2'));
    expect(twice.deductions.map((d) => [d.outTradeNo, d.outcome])).toEqual([['D1', 'spent'], ['D2', 'live']]);
    expect(transitionPayScore(twice, register('D2'), T0 + 9000, 'admin').kind).toBe('alreadyApplied');
    expect(transitionPayScore(twice, register('D1'), T0 + 9000, 'admin')).toMatchObject({ kind: 'rejected', rejected: 'DEDUCTION_REUSED' });
  });

  it('no cancel while a registration is live (24 h); after it lapses, cancel applies', () => {
    const live = run(freshPayScoreOrder(), { type: 'CONFIRMED' }, complete(2500), register('D1'));
    expect(transitionPayScore(live, { type: 'CANCELLED', reason: 'r' }, T0 + 5000, 'admin')).toMatchObject({ kind: 'rejected', rejected: 'INVALID_STATE' });
    expect(transitionPayScore(live, { type: 'CANCELLED', reason: 'r' }, T0 + 4000 + DEDUCTION_LIFETIME_MS, 'admin').kind).toBe('applied');
  });
});

describe('PayScore rules (before the gateway)', () => {
  const confirmed = run(freshPayScoreOrder(), { type: 'CONFIRMED' });
  it('total = Σ payments − Σ discounts: the seed 001 sample (4000 − 4000 vs 3900) is refused', () => {
    expect(() => checkCompletion(confirmed, { totalAmount: 3900, postPayments: [{ name: 'a', amount: 4000 }], postDiscounts: [{ name: 'd', amount: 4000 }] })).toThrow(expect.objectContaining({ code: 'PAYSCORE_TOTAL_MISMATCH' }));
    expect(() => checkCompletion(confirmed, { totalAmount: 3000, postPayments: [{ name: 'a', amount: 4000 }], postDiscounts: [{ name: 'd', amount: 1000 }] })).not.toThrow();
  });
  it('total ≤ the risk fund', () => {
    expect(() => checkCompletion(confirmed, { totalAmount: 5001, postPayments: [{ name: 'a', amount: 5001 }], postDiscounts: [] })).toThrow(expect.objectContaining({ code: 'PAYSCORE_EXCEEDS_RISK_FUND' }));
    expect(() => checkCompletion(confirmed, { totalAmount: 5000, postPayments: [{ name: 'a', amount: 5000 }], postDiscounts: [] })).not.toThrow();
  });
  it('cancel, registration and deduction query', () => {
    const live = run(confirmed, complete(2500), register('D1'));
    expect(() => checkCancellable(live, T0 + 10_000)).toThrow(expect.objectContaining({ code: 'PAYSCORE_DEDUCTION_LIVE' }));
    expect(() => checkRegistration(live, 'D1')).toThrow(expect.objectContaining({ code: 'PAYSCORE_DEDUCTION_REUSED' }));
    expect(() => checkRegistration(confirmed, 'D9')).toThrow(expect.objectContaining({ code: 'INVALID_STATE' }));
    expect(() => checkDeductionQuery(confirmed)).toThrow(expect.objectContaining({ code: 'INVALID_STATE' }));
    expect(() => checkDeductionQuery(live)).not.toThrow();
  });
});
