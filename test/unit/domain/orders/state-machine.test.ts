import type { Order, OrderState } from '../../../../cloudfunctions/core/domain/orders/model';
import { ORDER_STATES } from '../../../../cloudfunctions/core/domain/orders/model';
import type { OrderEvent, OrderEventType, SubOrderUpdate, TransitionResult } from '../../../../cloudfunctions/core/domain/orders/state-machine';
import { transition, transitionRefund } from '../../../../cloudfunctions/core/domain/orders/state-machine';
import { newRefundRecord } from '../../../../cloudfunctions/core/domain/orders/model';
import { T0, applyAll, deepFreeze, freshCombineOrder, freshOrder, orderIn } from './fixtures';

const NOW = T0 + 60_000;

/** One new (not yet recorded) fact of each type, as it would arrive for the fixtures' orders. */
const EVENTS: Record<OrderEventType, OrderEvent> = {
  PREPAY_CREATED: { type: 'PREPAY_CREATED', prepayId: 'wx-prepay-other' },
  CREATE_REJECTED: { type: 'CREATE_REJECTED', reason: 'PARAM_ERROR' },
  PAID: { type: 'PAID', transactionId: '4200000999', paidAt: T0 + 5000, paidAmount: 100 },
  PAYMENT_FAILED: { type: 'PAYMENT_FAILED', reason: 'PAYERROR' },
  CLOSED: { type: 'CLOSED', reason: 'expired' },
  REFUND_STARTED: { type: 'REFUND_STARTED', outRefundNo: 'R9', amount: 10 },
  REFUND_SUCCEEDED: { type: 'REFUND_SUCCEEDED', outRefundNo: 'R1', amount: 30 },
  REFUND_FAILED: { type: 'REFUND_FAILED', outRefundNo: 'R1' },
  REFUND_ABNORMAL: { type: 'REFUND_ABNORMAL', outRefundNo: 'R1' },
  PAID_AFTER_CLOSE: { type: 'PAID_AFTER_CLOSE', transactionId: '4200000999', paidAt: T0 + 5000, paidAmount: 100 },
  SUB_ORDER_UPDATED: { type: 'SUB_ORDER_UPDATED', outTradeNo: '', state: 'SUCCESS', transactionId: '4200000888' },
  COMBINE_TRANSACTION_ID_LEARNED: { type: 'COMBINE_TRANSACTION_ID_LEARNED', combineTransactionId: '1217752501201407033233368018' },
};

type Expect = OrderState | 'ALREADY' | `!${string}`;

/** The whole table: state × event → resulting state, already-applied, or `!REJECTION`. */
const MATRIX: Record<OrderState, Record<Exclude<OrderEventType, 'SUB_ORDER_UPDATED' | 'COMBINE_TRANSACTION_ID_LEARNED'>, Expect>> = {
  CREATED: {
    PREPAY_CREATED: 'PAYING',
    CREATE_REJECTED: 'FAILED',
    PAID: '!INVALID_STATE',
    PAYMENT_FAILED: '!INVALID_STATE',
    CLOSED: 'CLOSED',
    REFUND_STARTED: '!INVALID_STATE',
    REFUND_SUCCEEDED: '!UNKNOWN_REFUND',
    REFUND_FAILED: '!UNKNOWN_REFUND',
    REFUND_ABNORMAL: '!UNKNOWN_REFUND',
    PAID_AFTER_CLOSE: '!INVALID_STATE',
  },
  PAYING: {
    PREPAY_CREATED: '!CONFLICT',
    CREATE_REJECTED: '!INVALID_STATE',
    PAID: 'PAID',
    PAYMENT_FAILED: 'FAILED',
    CLOSED: 'CLOSED',
    REFUND_STARTED: '!INVALID_STATE',
    REFUND_SUCCEEDED: '!UNKNOWN_REFUND',
    REFUND_FAILED: '!UNKNOWN_REFUND',
    REFUND_ABNORMAL: '!UNKNOWN_REFUND',
    PAID_AFTER_CLOSE: '!INVALID_STATE',
  },
  PAID: {
    PREPAY_CREATED: '!INVALID_STATE',
    CREATE_REJECTED: '!INVALID_STATE',
    PAID: '!CONFLICT',
    PAYMENT_FAILED: '!INVALID_STATE',
    CLOSED: '!INVALID_STATE',
    REFUND_STARTED: 'REFUNDING',
    REFUND_SUCCEEDED: '!UNKNOWN_REFUND',
    REFUND_FAILED: '!UNKNOWN_REFUND',
    REFUND_ABNORMAL: '!UNKNOWN_REFUND',
    PAID_AFTER_CLOSE: '!CONFLICT',
  },
  CLOSED: {
    PREPAY_CREATED: '!INVALID_STATE',
    CREATE_REJECTED: '!INVALID_STATE',
    PAID: '!INVALID_STATE',
    PAYMENT_FAILED: '!INVALID_STATE',
    CLOSED: 'ALREADY',
    REFUND_STARTED: '!INVALID_STATE',
    REFUND_SUCCEEDED: '!UNKNOWN_REFUND',
    REFUND_FAILED: '!UNKNOWN_REFUND',
    REFUND_ABNORMAL: '!UNKNOWN_REFUND',
    PAID_AFTER_CLOSE: 'PAID',
  },
  FAILED: {
    PREPAY_CREATED: '!INVALID_STATE',
    CREATE_REJECTED: '!INVALID_STATE',
    PAID: 'PAID',
    PAYMENT_FAILED: 'ALREADY',
    CLOSED: '!INVALID_STATE',
    REFUND_STARTED: '!INVALID_STATE',
    REFUND_SUCCEEDED: '!UNKNOWN_REFUND',
    REFUND_FAILED: '!UNKNOWN_REFUND',
    REFUND_ABNORMAL: '!UNKNOWN_REFUND',
    PAID_AFTER_CLOSE: '!INVALID_STATE',
  },
  REFUNDING: {
    PREPAY_CREATED: '!INVALID_STATE',
    CREATE_REJECTED: '!INVALID_STATE',
    PAID: '!CONFLICT',
    PAYMENT_FAILED: '!INVALID_STATE',
    CLOSED: '!INVALID_STATE',
    REFUND_STARTED: 'REFUNDING',
    REFUND_SUCCEEDED: 'PAID',
    REFUND_FAILED: 'PAID',
    REFUND_ABNORMAL: 'REFUNDING',
    PAID_AFTER_CLOSE: '!CONFLICT',
  },
  REFUNDED: {
    PREPAY_CREATED: '!INVALID_STATE',
    CREATE_REJECTED: '!INVALID_STATE',
    PAID: '!CONFLICT',
    PAYMENT_FAILED: '!INVALID_STATE',
    CLOSED: '!INVALID_STATE',
    REFUND_STARTED: '!INVALID_STATE',
    REFUND_SUCCEEDED: 'ALREADY',
    REFUND_FAILED: '!CONFLICT',
    // A late ABNORMAL report of a refund that has since succeeded (issue 17).
    REFUND_ABNORMAL: 'ALREADY',
    PAID_AFTER_CLOSE: '!CONFLICT',
  },
};

function outcome(result: TransitionResult): Expect {
  if (result.kind === 'applied') return result.next.state;
  if (result.kind === 'alreadyApplied') return 'ALREADY';
  return `!${result.rejected}`;
}

describe('transition: every state × every event', () => {
  const cases = ORDER_STATES.flatMap((state) => Object.entries(MATRIX[state]).map(([type, expected]) => [state, type as OrderEventType, expected] as const));
  it('covers all 7 states and all 10 state-changing events', () => {
    expect(cases).toHaveLength(7 * 10);
  });

  it.each(cases)('%s + %s → %s', (state, type, expected) => {
    const order = deepFreeze(orderIn(state));
    const result = transition(order, EVENTS[type], NOW, 'query');
    expect(outcome(result)).toBe(expected);
    if (result.kind === 'applied') {
      expect(result.next.version).toBe(order.version + 1);
      expect(result.next.updatedAt).toBe(NOW);
      expect(result.next.createdAt).toBe(order.createdAt);
      expect(result.audit).toMatchObject({ at: NOW, outTradeNo: order.outTradeNo, from: state, to: result.next.state, event: type, actor: 'query' });
    }
    if (result.kind === 'rejected') expect(result.message).toEqual(expect.any(String));
  });

  it.each(ORDER_STATES)('SUB_ORDER_UPDATED on a %s combine order updates the sub-order and keeps the state', (state) => {
    const order = deepFreeze(orderIn(state));
    const sub = order.subOrders![0];
    const result = transition(order, { ...EVENTS.SUB_ORDER_UPDATED, outTradeNo: sub.outTradeNo } as OrderEvent, NOW, 'notify');
    if (result.kind !== 'applied') throw new Error(JSON.stringify(result));
    expect(result.next.state).toBe(state);
    expect(result.next.subOrders![0]).toEqual({ ...sub, state: 'SUCCESS', transactionId: '4200000888' });
    expect(result.audit).toMatchObject({ from: state, to: state, event: 'SUB_ORDER_UPDATED' });
  });

  it('never mutates its input and leaves unrelated fields as they were', () => {
    const order = deepFreeze(orderIn('PAYING'));
    const result = transition(order, EVENTS.PAID, NOW, 'notify');
    if (result.kind !== 'applied') throw new Error('expected applied');
    const { state, version, updatedAt, transactionId, paidAt, ...rest } = result.next;
    const { state: s0, version: v0, updatedAt: u0, transactionId: t0, paidAt: p0, ...rest0 } = order;
    expect(rest).toEqual(rest0);
    expect([state, version, updatedAt, transactionId, paidAt]).toEqual(['PAID', order.version + 1, NOW, '4200000999', T0 + 5000]);
    expect([s0, t0, p0]).toEqual(['PAYING', undefined, undefined]);
    expect([v0, u0]).toEqual([order.version, order.updatedAt]);
  });
});

describe('amounts', () => {
  it('rejects a payment whose amount differs from the order, in any state', () => {
    for (const state of ['PAYING', 'PAID'] as const) {
      const order = orderIn(state);
      for (const paidAmount of [99, 101, 1]) {
        const result = transition(order, { type: 'PAID', transactionId: '4200000001', paidAt: NOW, paidAmount }, NOW, 'notify');
        expect(result).toMatchObject({ kind: 'rejected', rejected: 'AMOUNT_MISMATCH' });
      }
    }
  });

  it('partial refunds add up; in-flight refunds count against what is left; the last one makes it REFUNDED', () => {
    let order = orderIn('PAID');
    const step = (event: OrderEvent) => {
      const result = transition(order, event, NOW, 'admin');
      if (result.kind === 'applied') order = result.next;
      return result;
    };
    expect(outcome(step({ type: 'REFUND_STARTED', outRefundNo: 'A', amount: 30 }))).toBe('REFUNDING');
    expect(outcome(step({ type: 'REFUND_STARTED', outRefundNo: 'B', amount: 50 }))).toBe('REFUNDING');
    // 100 − 0 refunded − 80 in flight = 20 left
    expect(outcome(step({ type: 'REFUND_STARTED', outRefundNo: 'C', amount: 21 }))).toBe('!REFUND_EXCEEDS_PAID');
    expect(outcome(step({ type: 'REFUND_STARTED', outRefundNo: 'C', amount: 20 }))).toBe('REFUNDING');
    expect(outcome(step({ type: 'REFUND_SUCCEEDED', outRefundNo: 'A', amount: 30 }))).toBe('REFUNDING');
    expect(order.refundedAmount).toBe(30);
    expect(outcome(step({ type: 'REFUND_FAILED', outRefundNo: 'B' }))).toBe('REFUNDING');
    expect(order.refundedAmount).toBe(30);
    expect(outcome(step({ type: 'REFUND_SUCCEEDED', outRefundNo: 'C', amount: 20 }))).toBe('PAID');
    expect(order.refundedAmount).toBe(50);
    // B's 50 came back: 50 is refundable again, 51 is not
    expect(outcome(step({ type: 'REFUND_STARTED', outRefundNo: 'D', amount: 51 }))).toBe('!REFUND_EXCEEDS_PAID');
    expect(outcome(step({ type: 'REFUND_STARTED', outRefundNo: 'D', amount: 50 }))).toBe('REFUNDING');
    expect(outcome(step({ type: 'REFUND_SUCCEEDED', outRefundNo: 'D', amount: 50 }))).toBe('REFUNDED');
    expect(order.refundedAmount).toBe(100);
    expect(order.refunds.map((r) => [r.outRefundNo, r.state])).toEqual([
      ['A', 'SUCCESS'],
      ['B', 'FAILED'],
      ['C', 'SUCCESS'],
      ['D', 'SUCCESS'],
    ]);
    expect(outcome(step({ type: 'REFUND_STARTED', outRefundNo: 'E', amount: 1 }))).toBe('!INVALID_STATE');
  });

  it('rejects an over-refund in one go', () => {
    expect(outcome(transition(orderIn('PAID'), { type: 'REFUND_STARTED', outRefundNo: 'X', amount: 101 }, NOW, 'admin'))).toBe('!REFUND_EXCEEDS_PAID');
  });

  it('rejects a refund result whose amount differs from the refund started', () => {
    expect(outcome(transition(orderIn('REFUNDING'), { type: 'REFUND_SUCCEEDED', outRefundNo: 'R1', amount: 31 }, NOW, 'notify'))).toBe('!AMOUNT_MISMATCH');
  });

  it('records a late success of a refund written off as failed, if it still fits', () => {
    const failed = applyAll(orderIn('PAID'), [
      { type: 'REFUND_STARTED', outRefundNo: 'L', amount: 60 },
      { type: 'REFUND_FAILED', outRefundNo: 'L' },
    ]);
    expect(failed.state).toBe('PAID');
    const late = transition(failed, { type: 'REFUND_SUCCEEDED', outRefundNo: 'L', amount: 60 }, NOW, 'query');
    expect(late).toMatchObject({ kind: 'applied', next: { state: 'PAID', refundedAmount: 60 } });
    const crowded = applyAll(failed, [{ type: 'REFUND_STARTED', outRefundNo: 'M', amount: 50 }]);
    expect(outcome(transition(crowded, { type: 'REFUND_SUCCEEDED', outRefundNo: 'L', amount: 60 }, NOW, 'query'))).toBe('!REFUND_EXCEEDS_PAID');
  });
});

describe('refunds the gateway reports ABNORMAL', () => {
  it('keep their money reserved and the order REFUNDING until the gateway reports SUCCESS or CLOSED', () => {
    const abnormal = applyAll(orderIn('PAID', freshOrder()), [
      { type: 'REFUND_STARTED', outRefundNo: 'AB', amount: 60 },
      { type: 'REFUND_ABNORMAL', outRefundNo: 'AB' },
    ]);
    expect(abnormal).toMatchObject({ state: 'REFUNDING', refundedAmount: 0 });
    expect(abnormal.refunds).toEqual([{ outRefundNo: 'AB', amount: 60, state: 'ABNORMAL' }]);
    // Not refundable again while a person re-routes it: 100 − 60 reserved = 40 left.
    expect(outcome(transition(abnormal, { type: 'REFUND_STARTED', outRefundNo: 'X', amount: 41 }, NOW, 'admin'))).toBe('!REFUND_EXCEEDS_PAID');
    expect(outcome(transition(abnormal, { type: 'REFUND_ABNORMAL', outRefundNo: 'AB' }, NOW, 'notify'))).toBe('ALREADY');
    const resolved = transition(abnormal, { type: 'REFUND_SUCCEEDED', outRefundNo: 'AB', amount: 60 }, NOW, 'reconcile');
    expect(resolved).toMatchObject({ kind: 'applied', next: { state: 'PAID', refundedAmount: 60 } });
    const closed = transition(abnormal, { type: 'REFUND_FAILED', outRefundNo: 'AB' }, NOW, 'reconcile');
    expect(closed).toMatchObject({ kind: 'applied', next: { state: 'PAID', refundedAmount: 0 } });
  });

  it('a late ABNORMAL report of a refund that has since succeeded or closed is a reordered delivery: already applied, nothing changes', () => {
    const done = applyAll(orderIn('PAID', freshOrder()), [
      { type: 'REFUND_STARTED', outRefundNo: 'S', amount: 10 },
      { type: 'REFUND_SUCCEEDED', outRefundNo: 'S', amount: 10 },
      { type: 'REFUND_STARTED', outRefundNo: 'C', amount: 20 },
      { type: 'REFUND_FAILED', outRefundNo: 'C' },
    ]);
    expect(outcome(transition(done, { type: 'REFUND_ABNORMAL', outRefundNo: 'S' }, NOW, 'notify'))).toBe('ALREADY');
    expect(outcome(transition(done, { type: 'REFUND_ABNORMAL', outRefundNo: 'C' }, NOW, 'notify'))).toBe('ALREADY');
    expect(outcome(transition(done, { type: 'REFUND_ABNORMAL', outRefundNo: 'nope' }, NOW, 'notify'))).toBe('!UNKNOWN_REFUND');
  });
});

describe('a payment after the order was closed', () => {
  const late = { type: 'PAID_AFTER_CLOSE', transactionId: '4200000555', paidAt: T0 + 9000, paidAmount: 100 } as const;

  it('is recorded on the closed order and marked for the automatic refund; a duplicate is already applied', () => {
    const closed = orderIn('CLOSED', freshOrder());
    const result = transition(closed, late, NOW, 'notify');
    if (result.kind !== 'applied') throw new Error(JSON.stringify(result));
    expect(result.next).toMatchObject({ state: 'PAID', transactionId: '4200000555', paidAt: T0 + 9000, paidAfterClose: true });
    expect(result.audit).toMatchObject({ from: 'CLOSED', to: 'PAID', event: 'PAID_AFTER_CLOSE', detail: { transactionId: '4200000555', paidAmount: 100 } });
    expect(outcome(transition(result.next, late, NOW, 'notify'))).toBe('ALREADY');
    // The ordinary payment fact for the same transaction is a duplicate too, never a second payment.
    expect(outcome(transition(result.next, { ...late, type: 'PAID' }, NOW, 'notify'))).toBe('ALREADY');
    expect(outcome(transition(result.next, { ...late, transactionId: '4200000556' }, NOW, 'notify'))).toBe('!CONFLICT');
    const refunding = transition(result.next, { type: 'REFUND_STARTED', outRefundNo: 'L1', amount: 100 }, NOW, 'notify');
    expect(refunding).toMatchObject({ kind: 'applied', next: { state: 'REFUNDING' } });
  });

  it('refuses another amount, and an order that was never closed', () => {
    expect(outcome(transition(orderIn('CLOSED', freshOrder()), { ...late, paidAmount: 99 }, NOW, 'notify'))).toBe('!AMOUNT_MISMATCH');
    expect(outcome(transition(orderIn('PAYING', freshOrder()), late, NOW, 'notify'))).toBe('!INVALID_STATE');
    expect(outcome(transition(orderIn('PAID', freshOrder()), { ...late, transactionId: '4200000001' }, NOW, 'notify'))).toBe('!CONFLICT');
  });
});

describe('already-applied facts', () => {
  const cases: Array<[string, OrderState, OrderEvent]> = [
    ['the same prepay id again', 'PAYING', { type: 'PREPAY_CREATED', prepayId: 'wx-prepay-1' }],
    ['a late prepay id after payment', 'PAID', { type: 'PREPAY_CREATED', prepayId: 'wx-prepay-1' }],
    ['a duplicate payment notification', 'PAID', { type: 'PAID', transactionId: '4200000001', paidAt: T0 + 1500, paidAmount: 100 }],
    ['a payment notification after refunds began', 'REFUNDING', { type: 'PAID', transactionId: '4200000001', paidAt: T0 + 1500, paidAmount: 100 }],
    ['a payment notification after a full refund', 'REFUNDED', { type: 'PAID', transactionId: '4200000001', paidAt: T0 + 1500, paidAmount: 100 }],
    ['the same refund start', 'REFUNDING', { type: 'REFUND_STARTED', outRefundNo: 'R1', amount: 30 }],
    ['a duplicate refund success', 'REFUNDED', { type: 'REFUND_SUCCEEDED', outRefundNo: 'R2', amount: 70 }],
    ['a duplicate close', 'CLOSED', { type: 'CLOSED', reason: 'again' }],
    ['a duplicate failure', 'FAILED', { type: 'PAYMENT_FAILED', reason: 'again' }],
  ];
  it.each(cases)('%s', (_name, state, event) => {
    expect(transition(orderIn(state), event, NOW, 'notify')).toEqual({ kind: 'alreadyApplied', alreadyApplied: true });
  });

  it('a duplicate create rejection on an order that never got a prepay id', () => {
    const failed = applyAll(freshOrder(), [{ type: 'CREATE_REJECTED', reason: 'PARAM_ERROR' }]);
    expect(outcome(transition(failed, { type: 'CREATE_REJECTED', reason: 'PARAM_ERROR' }, NOW, 'user'))).toBe('ALREADY');
  });

  it('a duplicate refund failure', () => {
    const failed = applyAll(orderIn('PAID'), [
      { type: 'REFUND_STARTED', outRefundNo: 'F', amount: 10 },
      { type: 'REFUND_FAILED', outRefundNo: 'F' },
    ]);
    expect(outcome(transition(failed, { type: 'REFUND_FAILED', outRefundNo: 'F' }, NOW, 'notify'))).toBe('ALREADY');
  });

  it('a refund number reused for another amount is a conflict, not a duplicate', () => {
    expect(outcome(transition(orderIn('REFUNDING'), { type: 'REFUND_STARTED', outRefundNo: 'R1', amount: 31 }, NOW, 'admin'))).toBe('!CONFLICT');
  });

  it('a sub-order fact already recorded', () => {
    const order = orderIn('PAYING');
    const sub = order.subOrders![0];
    const once = applyAll(order, [{ type: 'SUB_ORDER_UPDATED', outTradeNo: sub.outTradeNo, state: 'SUCCESS', transactionId: 'T-S1' }]);
    expect(outcome(transition(once, { type: 'SUB_ORDER_UPDATED', outTradeNo: sub.outTradeNo, state: 'SUCCESS', transactionId: 'T-S1' }, NOW, 'notify'))).toBe('ALREADY');
    expect(outcome(transition(once, { type: 'SUB_ORDER_UPDATED', outTradeNo: sub.outTradeNo, state: 'SUCCESS', transactionId: 'T-S2' }, NOW, 'notify'))).toBe('!CONFLICT');
  });
});

describe('late success', () => {
  it('a verified payment on a FAILED order (payer retried in the cashier) lands as PAID, audited from FAILED', () => {
    const failed = orderIn('FAILED', freshOrder());
    const result = transition(failed, { type: 'PAID', transactionId: 'T-LATE', paidAt: NOW, paidAmount: failed.amount }, NOW, 'notify');
    expect(result).toMatchObject({ kind: 'applied', next: { state: 'PAID', transactionId: 'T-LATE' }, audit: { from: 'FAILED', to: 'PAID' } });
  });
  it('still refuses a wrong amount on a FAILED order', () => {
    const failed = orderIn('FAILED', freshOrder());
    expect(outcome(transition(failed, { type: 'PAID', transactionId: 'T-LATE', paidAt: NOW, paidAmount: failed.amount + 1 }, NOW, 'notify'))).toBe('!AMOUNT_MISMATCH');
  });
});

describe('combine orders', () => {
  it('PAID may carry sub-order facts, applied in the same step', () => {
    const order = orderIn('PAYING');
    const sub = order.subOrders![0];
    const result = transition(
      order,
      { type: 'PAID', transactionId: 'T-C', paidAt: NOW, paidAmount: 100, subOrders: [{ outTradeNo: sub.outTradeNo, state: 'SUCCESS', transactionId: 'T-S1', amount: 100, mchid: sub.mchid }] },
      NOW,
      'notify',
    );
    expect(result).toMatchObject({ kind: 'applied', next: { state: 'PAID', subOrders: [{ state: 'SUCCESS', transactionId: 'T-S1' }] } });
    if (result.kind === 'applied') expect(JSON.stringify(result.audit)).not.toContain('auth-secret');
  });

  it('rejects sub-order facts that do not match what was ordered', () => {
    const order = orderIn('PAYING');
    const sub = order.subOrders![0];
    const paid = (subOrders: NonNullable<Extract<OrderEvent, { type: 'PAID' }>['subOrders']>) =>
      outcome(transition(order, { type: 'PAID', transactionId: 'T-C', paidAt: NOW, paidAmount: 100, subOrders }, NOW, 'notify'));
    expect(paid([{ outTradeNo: 'nope', state: 'SUCCESS' }])).toBe('!UNKNOWN_SUB_ORDER');
    expect(paid([{ outTradeNo: sub.outTradeNo, state: 'SUCCESS', amount: 99 }])).toBe('!AMOUNT_MISMATCH');
    expect(paid([{ outTradeNo: sub.outTradeNo, state: 'SUCCESS', mchid: '1999999999' }])).toBe('!CONFLICT');
  });

  it.each(['CREATED', 'PAYING'] as const)('closing a %s combine order closes its unpaid sub-orders in the same step', (state) => {
    const order = orderIn(state);
    const result = transition(order, { type: 'CLOSED', reason: 'expired' }, NOW, 'reconcile');
    expect(result).toMatchObject({ kind: 'applied', next: { state: 'CLOSED' } });
    if (result.kind !== 'applied') return;
    expect(result.next.subOrders!.map((s) => s.state)).toEqual(order.subOrders!.map(() => 'CLOSED'));
    expect(order.subOrders!.every((s) => s.state !== 'CLOSED')).toBe(true);
  });

  it('a gateway failure stores which sub-order failed, in the same step', () => {
    const order = orderIn('PAYING');
    const sub = order.subOrders![0];
    const result = transition(order, { type: 'PAYMENT_FAILED', reason: '余额不足', subOrders: [{ outTradeNo: sub.outTradeNo, state: 'PAYERROR', amount: 100, mchid: sub.mchid }] }, NOW, 'notify');
    expect(result).toMatchObject({ kind: 'applied', next: { state: 'FAILED', subOrders: [{ state: 'PAYERROR' }] }, audit: { detail: { subOrders: 1 } } });
    if (result.kind === 'applied') expect(JSON.stringify(result.audit)).not.toContain('auth-secret');
  });

  it('a gateway close keeps what it reported per sub-order and closes the rest', () => {
    const order = orderIn('PAYING');
    const sub = order.subOrders![0];
    const result = transition(order, { type: 'CLOSED', reason: 'revoked', subOrders: [{ outTradeNo: sub.outTradeNo, state: 'REVOKED' }] }, NOW, 'reconcile');
    expect(result).toMatchObject({ kind: 'applied', next: { state: 'CLOSED', subOrders: [{ state: 'REVOKED' }] } });
  });

  it.each(['PAYMENT_FAILED', 'CLOSED'] as const)('%s with sub-order facts that contradict the order is refused', (type) => {
    const order = orderIn('PAYING');
    const sub = order.subOrders![0];
    const event = (subOrders: SubOrderUpdate[]) => outcome(transition(order, { type, reason: 'x', subOrders }, NOW, 'notify'));
    expect(event([{ outTradeNo: 'nope', state: 'PAYERROR' }])).toBe('!UNKNOWN_SUB_ORDER');
    expect(event([{ outTradeNo: sub.outTradeNo, state: 'CLOSED', amount: 99 }])).toBe('!AMOUNT_MISMATCH');
    expect(event([{ outTradeNo: '', state: 'CLOSED' }])).toBe('!INVALID_EVENT');
  });

  it('refuses sub-order events on a non-combine order', () => {
    const order: Order = applyAll(freshOrder(), [{ type: 'PREPAY_CREATED', prepayId: 'p' }]);
    expect(outcome(transition(order, { type: 'SUB_ORDER_UPDATED', outTradeNo: 'x', state: 'SUCCESS' }, NOW, 'notify'))).toBe('!INVALID_EVENT');
  });
});

describe('malformed events', () => {
  const paying = orderIn('PAYING', freshCombineOrder());
  it.each<[string, OrderEvent]>([
    ['fractional fen', { type: 'PAID', transactionId: 't', paidAt: NOW, paidAmount: 99.5 }],
    ['zero fen', { type: 'PAID', transactionId: 't', paidAt: NOW, paidAmount: 0 }],
    ['empty transaction id', { type: 'PAID', transactionId: '', paidAt: NOW, paidAmount: 100 }],
    ['seconds instead of ms paidAt', { type: 'PAID', transactionId: 't', paidAt: 1.5, paidAmount: 100 }],
    ['empty prepay id', { type: 'PREPAY_CREATED', prepayId: '' }],
    ['negative refund', { type: 'REFUND_STARTED', outRefundNo: 'R', amount: -1 }],
    ['unknown type', { type: 'EXPLODED' } as unknown as OrderEvent],
  ])('%s → INVALID_EVENT', (_name, event) => {
    expect(outcome(transition(paying, event, NOW, 'notify'))).toBe('!INVALID_EVENT');
  });
});

describe('transitionRefund', () => {
  const refund = newRefundRecord({ outRefundNo: 'R1', outTradeNo: 'O1', amount: 30 }, T0);
  it('moves PROCESSING → SUCCESS once, stamping the gateway id and success time', () => {
    const result = transitionRefund(refund, { state: 'SUCCESS', refundId: '5030000001' }, NOW);
    expect(result).toEqual({ kind: 'applied', next: { ...refund, state: 'SUCCESS', refundId: '5030000001', version: 2, updatedAt: NOW, succeededAt: NOW } });
    if (result.kind !== 'applied') return;
    expect(transitionRefund(result.next, { state: 'SUCCESS', refundId: '5030000001' }, NOW + 1)).toEqual({ kind: 'alreadyApplied', alreadyApplied: true });
    expect(transitionRefund(result.next, { state: 'CLOSED' }, NOW + 1)).toMatchObject({ kind: 'rejected', rejected: 'INVALID_STATE' });
    expect(transitionRefund(result.next, { state: 'SUCCESS', refundId: '5030000002' }, NOW + 1)).toMatchObject({ kind: 'rejected', rejected: 'CONFLICT' });
  });
  it('lets an ABNORMAL refund still succeed or close', () => {
    const abnormal = transitionRefund(refund, { state: 'ABNORMAL' }, NOW);
    if (abnormal.kind !== 'applied') throw new Error('expected applied');
    expect(transitionRefund(abnormal.next, { state: 'SUCCESS' }, NOW)).toMatchObject({ kind: 'applied', next: { state: 'SUCCESS' } });
    expect(transitionRefund(abnormal.next, { state: 'CLOSED' }, NOW)).toMatchObject({ kind: 'applied', next: { state: 'CLOSED' } });
    expect(transitionRefund(abnormal.next, { state: 'PROCESSING' }, NOW)).toMatchObject({ kind: 'rejected', rejected: 'INVALID_STATE' });
  });
});
