/**
 * The gateway's `combine_transaction_id` (published 个人收款 query by id) on a combine order: the
 * state machine stores it with the fact that brought it, learns it from a still-pending query,
 * and never overwrites it.
 */
import type { OrderState } from '../../../../cloudfunctions/core/domain/orders/model';
import { transition, type OrderEvent } from '../../../../cloudfunctions/core/domain/orders/state-machine';
import { T0, deepFreeze, freshOrder, orderIn } from './fixtures';

const NOW = T0 + 60_000;
const ID = '1217752501201407033233368018';
const OTHER = '1217752501201407033233368019';

describe('combine_transaction_id in the state machine', () => {
  it.each<[string, OrderState, OrderEvent, OrderState]>([
    ['PAID', 'PAYING', { type: 'PAID', transactionId: '4200000999', paidAt: T0 + 5000, paidAmount: 100, combineTransactionId: ID }, 'PAID'],
    ['PAYMENT_FAILED', 'PAYING', { type: 'PAYMENT_FAILED', reason: 'PAYERROR', combineTransactionId: ID }, 'FAILED'],
    ['CLOSED', 'PAYING', { type: 'CLOSED', reason: 'closed at the gateway', combineTransactionId: ID }, 'CLOSED'],
  ])('%s stores it in the same change as the state (one version, one audit entry)', (_name, from, event, to) => {
    const order = deepFreeze(orderIn(from));
    const result = transition(order, event, NOW, 'notify');
    if (result.kind !== 'applied') throw new Error(JSON.stringify(result));
    expect(result.next).toMatchObject({ state: to, combineTransactionId: ID, version: order.version + 1 });
    expect(result.audit).toMatchObject({ from, to, event: event.type, detail: expect.objectContaining({ combineTransactionId: ID }) });
  });

  it('a query that finds the order still payable records the id and leaves the state', () => {
    const order = deepFreeze(orderIn('PAYING'));
    const result = transition(order, { type: 'COMBINE_TRANSACTION_ID_LEARNED', combineTransactionId: ID }, NOW, 'query');
    if (result.kind !== 'applied') throw new Error(JSON.stringify(result));
    expect(result.next).toMatchObject({ state: 'PAYING', combineTransactionId: ID, version: order.version + 1 });
    expect(result.audit).toMatchObject({ from: 'PAYING', to: 'PAYING', event: 'COMBINE_TRANSACTION_ID_LEARNED', actor: 'query' });
    expect(transition(result.next, { type: 'COMBINE_TRANSACTION_ID_LEARNED', combineTransactionId: ID }, NOW, 'query')).toEqual({ kind: 'alreadyApplied', alreadyApplied: true });
  });

  it('a replayed fact that brings the id the order lacked records it; one that brings nothing new is already applied', () => {
    const paid = deepFreeze(orderIn('PAID'));
    const replay: OrderEvent = { type: 'PAID', transactionId: paid.transactionId!, paidAt: paid.paidAt!, paidAmount: 100 };
    expect(transition(paid, replay, NOW, 'notify').kind).toBe('alreadyApplied');
    const learning = transition(paid, { ...replay, combineTransactionId: ID }, NOW, 'notify');
    if (learning.kind !== 'applied') throw new Error(JSON.stringify(learning));
    expect(learning.next).toMatchObject({ state: 'PAID', combineTransactionId: ID });
    expect(transition(learning.next, { ...replay, combineTransactionId: ID }, NOW, 'notify').kind).toBe('alreadyApplied');
  });

  it('never overwrites a known id: another one is a CONFLICT and changes nothing', () => {
    const learned = transition(orderIn('PAYING'), { type: 'COMBINE_TRANSACTION_ID_LEARNED', combineTransactionId: ID }, NOW, 'query');
    if (learned.kind !== 'applied') throw new Error(JSON.stringify(learned));
    const order = deepFreeze(learned.next);
    for (const event of [
      { type: 'COMBINE_TRANSACTION_ID_LEARNED', combineTransactionId: OTHER },
      { type: 'PAID', transactionId: '4200000999', paidAt: T0 + 5000, paidAmount: 100, combineTransactionId: OTHER },
      { type: 'CLOSED', reason: 'x', combineTransactionId: OTHER },
    ] as OrderEvent[]) {
      expect(transition(order, event, NOW, 'notify')).toMatchObject({ kind: 'rejected', rejected: 'CONFLICT' });
    }
    // A fact without an id keeps the one we have.
    const paid = transition(order, { type: 'PAID', transactionId: '4200000999', paidAt: T0 + 5000, paidAmount: 100 }, NOW, 'notify');
    expect(paid).toMatchObject({ kind: 'applied', next: { state: 'PAID', combineTransactionId: ID } });
  });

  it('is refused when empty, and on an order that is not a combine order', () => {
    const paying = orderIn('PAYING');
    expect(transition(paying, { type: 'COMBINE_TRANSACTION_ID_LEARNED', combineTransactionId: '' }, NOW, 'query')).toMatchObject({ rejected: 'INVALID_EVENT' });
    expect(transition(paying, { type: 'CLOSED', reason: 'x', combineTransactionId: '' }, NOW, 'query')).toMatchObject({ rejected: 'INVALID_EVENT' });
    const jsapi = orderIn('PAYING', freshOrder());
    expect(transition(jsapi, { type: 'COMBINE_TRANSACTION_ID_LEARNED', combineTransactionId: ID }, NOW, 'query')).toMatchObject({ rejected: 'INVALID_EVENT' });
  });
});
