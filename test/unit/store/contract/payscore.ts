/**
 * PayScoreRepository contract: insert once, compare-and-set updates, an append-only audit trail,
 * the state listing reconcile uses, and concurrent transitions through the ledger loop.
 */
import type { PayScoreOrder } from '../../../../cloudfunctions/core/domain/payscore/model';
import { transitionPayScore, type PayScoreEvent } from '../../../../cloudfunctions/core/domain/payscore/state-machine';
import { applyToLedger } from '../../../../cloudfunctions/core/domain/ledger';
import type { PayScoreRepository } from '../../../../cloudfunctions/core/store/port';
import { T0, freshPayScoreOrder } from '../../domain/payscore/fixtures';
import { expectStoreError, suiteRepositories, uniq, type RepositorySubject } from './helpers';

export type PayScoreRepositorySubject = RepositorySubject<PayScoreRepository>;

function step(order: PayScoreOrder, event: PayScoreEvent, at: number): PayScoreOrder {
  const d = transitionPayScore(order, event, at, 'notify');
  if (d.kind !== 'applied') throw new Error(`fixture: ${event.type} not applied`);
  return d.next;
}

export function describePayScoreRepositoryContract(name: string, subject: PayScoreRepositorySubject): void {
  describe(`PayScoreRepository contract: ${name}`, () => {
    const repositories = suiteRepositories(subject);
    let store: PayScoreRepository;
    beforeAll(() => {
      store = repositories.current();
    });
    const fresh = (over: Partial<PayScoreOrder> = {}) => freshPayScoreOrder({ outOrderNo: uniq('PS').replace(/-/g, '_'), ...over });

    it('inserts once (DUPLICATE outOrderNo), round-trips, refuses unsound records', async () => {
      const order = fresh();
      await store.insertPayScoreOrder(order);
      expect(await store.getPayScoreOrder(order.outOrderNo)).toEqual(order);
      await expectStoreError(store.insertPayScoreOrder({ ...order, userOpenid: 'o-other' }), 'DUPLICATE', 'outOrderNo');
      await expectStoreError(store.insertPayScoreOrder(fresh({ version: 2 })), 'INVALID_RECORD');
      await expectStoreError(store.insertPayScoreOrder(fresh({ riskFund: { name: 'X', amount: 0.5 } })), 'INVALID_RECORD');
      expect(await store.getPayScoreOrder(uniq('missing'))).toBeNull();
    });

    it('updates by compare-and-set on version; a stale writer loses', async () => {
      const order = fresh();
      await store.insertPayScoreOrder(order);
      const confirmed = step(order, { type: 'CONFIRMED' }, T0 + 1);
      expect(await store.updatePayScoreOrder(confirmed, 1)).toBe(true);
      expect(await store.updatePayScoreOrder({ ...confirmed, cancelReason: 'stale' }, 1)).toBe(false);
      expect(await store.getPayScoreOrder(order.outOrderNo)).toEqual(confirmed);
      await expectStoreError(store.updatePayScoreOrder({ ...confirmed, version: 4 }, 2), 'INVALID_RECORD');
    });

    it('keeps the audit trail append-only and the identity fixed', async () => {
      const order = fresh();
      await store.insertPayScoreOrder(order);
      const confirmed = step(order, { type: 'CONFIRMED' }, T0 + 1);
      await expectStoreError(store.updatePayScoreOrder({ ...confirmed, history: confirmed.history.slice(1) }, 1), 'INVALID_RECORD');
      await expectStoreError(store.updatePayScoreOrder({ ...confirmed, history: [{ ...confirmed.history[0], actor: 'admin' }, ...confirmed.history.slice(1)] }, 1), 'INVALID_RECORD');
      await expectStoreError(store.updatePayScoreOrder({ ...confirmed, userOpenid: 'o-mallory' }, 1), 'INVALID_RECORD');
      expect(await store.getPayScoreOrder(order.outOrderNo)).toEqual(order);
    });

    it('lists orders in a state unchanged since before a time, least recently changed first', async () => {
      const base = T0 - 10 * 365 * 24 * 3600_000;
      const a = fresh({ createdAt: base, updatedAt: base + 2 });
      const b = fresh({ createdAt: base, updatedAt: base + 1 });
      const recent = fresh({ createdAt: base, updatedAt: base + 50 });
      for (const o of [a, b, recent]) await store.insertPayScoreOrder(o);
      const listed = await store.listPayScoreOrdersInState('CREATED', { olderThan: base + 10, limit: 100 });
      const ours = listed.map((o) => o.outOrderNo).filter((no) => [a, b, recent].some((o) => o.outOrderNo === no));
      expect(ours).toEqual([b.outOrderNo, a.outOrderNo]);
      await expectStoreError(store.listPayScoreOrdersInState('CREATED', { olderThan: base, limit: 0 }), 'INVALID_RECORD');
    });

    it('concurrent confirmations through the ledger loop: one applied, the rest alreadyApplied, one audit entry', async () => {
      const order = fresh();
      await store.insertPayScoreOrder(order);
      const stores = await Promise.all(Array.from({ length: 6 }, () => repositories.open()));
      const outcomes = await Promise.all(
        stores.map((s) =>
          applyToLedger({
            describe: 'confirm',
            read: () => s.getPayScoreOrder(order.outOrderNo),
            decide: (o, at) => transitionPayScore(o, { type: 'CONFIRMED' }, at, 'notify'),
            write: (next, expected) => s.updatePayScoreOrder(next, expected),
          }),
        ),
      );
      expect(outcomes.filter((o) => o.kind === 'applied')).toHaveLength(1);
      expect(outcomes.filter((o) => o.kind === 'alreadyApplied')).toHaveLength(5);
      const stored = await store.getPayScoreOrder(order.outOrderNo);
      expect(stored?.version).toBe(2);
      expect(stored?.history.map((h) => h.to)).toEqual(['CREATED', 'DOING/USER_CONFIRM']);
    });
  });
}
