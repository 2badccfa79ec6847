/**
 * OrderRepository contract: orders and their audit trail, compare-and-set, listings.
 */
import type { AuditEvent, Order } from '../../../../cloudfunctions/core/domain/orders/model';
import type { OrderEvent } from '../../../../cloudfunctions/core/domain/orders/state-machine';
import type { OrderRepository } from '../../../../cloudfunctions/core/store/port';
import { T0, freshCombineOrder, freshOrder } from '../../domain/orders/fixtures';
import { applied, expectStoreError, payer, shuffle, suiteRepositories, uniq, uniqCount, type CasAttempt, type RepositorySubject } from './helpers';

export interface OrderRepositorySubject extends RepositorySubject<OrderRepository> {
  /** Runs the attempts as concurrently as the adapter allows, each on its own connection. */
  raceUpdates?(attempts: CasAttempt[]): Promise<boolean[]>;
}

export function describeOrderRepositoryContract(name: string, subject: OrderRepositorySubject): void {
  describe(`OrderRepository contract: ${name}`, () => {
    const repositories = suiteRepositories(subject);
    const open = repositories.open;
    let store: OrderRepository;
    beforeAll(() => {
      store = repositories.current();
    });
    const raceUpdates = subject.raceUpdates ?? (async (attempts: CasAttempt[]) => {
      const stores = await Promise.all(attempts.map(() => open()));
      return Promise.all(attempts.map((a, i) => stores[i].updateOrder(a.next, a.expectedVersion, a.audit)));
    });

    describe('orders', () => {
      it('round-trips an order exactly and answers null for an unknown number', async () => {
        const order = freshCombineOrder({ payerOpenid: payer() });
        await store.insertOrder(order);
        expect(await store.getOrder(order.outTradeNo)).toEqual(order);
        expect(await store.getOrderByCombineOutTradeNo(order.combineOutTradeNo!)).toEqual(order);
        expect(await store.getOrder(uniq('missing'))).toBeNull();
        expect(await store.getOrderByCombineOutTradeNo(uniq('missing'))).toBeNull();
      });

      it('writes a creation audit entry with the insert', async () => {
        const order = freshOrder({ payerOpenid: payer() });
        await store.insertOrder(order);
        expect(await store.listAudit(order.outTradeNo)).toEqual([
          { at: order.createdAt, outTradeNo: order.outTradeNo, from: null, to: 'CREATED', event: 'ORDER_CREATED', actor: 'user', detail: { amount: 100, channel: 'jsapi' } },
        ]);
      });

      it('refuses a second order with the same number (DUPLICATE outTradeNo) and keeps the first intact', async () => {
        const order = freshOrder({ payerOpenid: payer() });
        await store.insertOrder(order);
        const clash = { ...order, idempotencyKey: uniq('other-key'), amount: 999 };
        await expectStoreError(store.insertOrder(clash), 'DUPLICATE', 'outTradeNo');
        expect(await store.getOrder(order.outTradeNo)).toEqual(order);
        expect(await store.listAudit(order.outTradeNo)).toHaveLength(1);
        expect(await store.findOrderByIdempotencyKey(order.payerOpenid, clash.idempotencyKey)).toBeNull();
      });

      it('keeps (payer, idempotency key) unique and finds the order by it', async () => {
        const p = payer();
        const order = freshOrder({ payerOpenid: p, idempotencyKey: 'checkout-0001' });
        await store.insertOrder(order);
        await expectStoreError(store.insertOrder(freshOrder({ payerOpenid: p, idempotencyKey: 'checkout-0001' })), 'DUPLICATE', 'idempotencyKey');
        expect(await store.findOrderByIdempotencyKey(p, 'checkout-0001')).toEqual(order);
        expect(await store.findOrderByIdempotencyKey(p, 'checkout-0002')).toBeNull();
        // the same key from another payer is another order
        const other = freshOrder({ payerOpenid: payer(), idempotencyKey: 'checkout-0001' });
        await store.insertOrder(other);
        expect(await store.findOrderByIdempotencyKey(other.payerOpenid, 'checkout-0001')).toEqual(other);
      });

      it('lets exactly one of 10 concurrent creates with the same idempotency key through', async () => {
        const p = payer();
        const stores = await Promise.all(Array.from({ length: 10 }, () => open()));
        const orders = stores.map(() => freshOrder({ payerOpenid: p, idempotencyKey: 'double-tap-1' }));
        const results = await Promise.allSettled(orders.map((o, i) => stores[i].insertOrder(o)));
        const won = results.flatMap((r, i) => (r.status === 'fulfilled' ? [orders[i]] : []));
        expect(won).toHaveLength(1);
        for (const r of results) {
          if (r.status === 'rejected') expect(r.reason).toMatchObject({ code: 'DUPLICATE', field: 'idempotencyKey' });
        }
        expect(await store.findOrderByIdempotencyKey(p, 'double-tap-1')).toEqual(won[0]);
        const losers = orders.filter((o) => o !== won[0]);
        for (const o of losers) expect(await store.getOrder(o.outTradeNo)).toBeNull();
      });

      it('refuses a duplicate combine number', async () => {
        const order = freshCombineOrder({ payerOpenid: payer() });
        await store.insertOrder(order);
        const again = freshCombineOrder({ payerOpenid: payer(), combineOutTradeNo: order.combineOutTradeNo });
        await expectStoreError(store.insertOrder(again), 'DUPLICATE', 'combineOutTradeNo');
        expect(await store.getOrder(again.outTradeNo)).toBeNull();
      });

      it('stores the gateway combine_transaction_id once known, in the transition that learns it, and never changes or drops it', async () => {
        const order = freshCombineOrder({ payerOpenid: payer() });
        await store.insertOrder(order);
        const paying = applied(order, { type: 'PREPAY_CREATED', prepayId: 'wx-p-ctx' }, T0 + 1000, 'user');
        expect(await store.updateOrder(paying.next, paying.expectedVersion, paying.audit)).toBe(true);
        const id = uniq('1217752501');
        const learned = applied(paying.next, { type: 'COMBINE_TRANSACTION_ID_LEARNED', combineTransactionId: id }, T0 + 2000, 'query');
        expect(await store.updateOrder(learned.next, learned.expectedVersion, learned.audit)).toBe(true);
        expect(await (await open()).getOrder(order.outTradeNo)).toEqual({ ...paying.next, combineTransactionId: id, version: 3, updatedAt: T0 + 2000 });

        // Later changes keep it; replacing or dropping it is refused and writes nothing.
        const paid = applied(learned.next, { type: 'PAID', transactionId: '4200000777', paidAt: T0 + 3000, paidAmount: 100 }, T0 + 3000);
        await expectStoreError(store.updateOrder({ ...paid.next, combineTransactionId: uniq('other') }, paid.expectedVersion, paid.audit), 'INVALID_RECORD');
        const { combineTransactionId: _dropped, ...withoutId } = paid.next;
        await expectStoreError(store.updateOrder(withoutId as Order, paid.expectedVersion, paid.audit), 'INVALID_RECORD');
        expect(await store.getOrder(order.outTradeNo)).toEqual(learned.next);
        expect(await store.updateOrder(paid.next, paid.expectedVersion, paid.audit)).toBe(true);
        expect(await store.getOrder(order.outTradeNo)).toMatchObject({ state: 'PAID', combineTransactionId: id });
        expect((await store.listAudit(order.outTradeNo)).map((a) => a.event)).toEqual(['ORDER_CREATED', 'PREPAY_CREATED', 'COMBINE_TRANSACTION_ID_LEARNED', 'PAID']);
      });

      it('gives one combine_transaction_id to one order: another order claiming it is DUPLICATE, even concurrently', async () => {
        const id = uniq('1217752502');
        const [a, b, c] = [0, 1, 2].map(() => freshCombineOrder({ payerOpenid: payer() }));
        for (const o of [a, b, c]) await store.insertOrder(o);
        const claims = [a, b].map((o) => applied(o, { type: 'COMBINE_TRANSACTION_ID_LEARNED', combineTransactionId: id }, T0 + 1000, 'query'));
        const stores = await Promise.all(claims.map(() => open()));
        const results = await Promise.allSettled(claims.map((claim, i) => stores[i].updateOrder(claim.next, claim.expectedVersion, claim.audit)));
        expect(results.filter((r) => r.status === 'fulfilled' && r.value === true)).toHaveLength(1);
        const loser = results.find((r) => r.status === 'rejected') as PromiseRejectedResult;
        expect(loser.reason).toMatchObject({ code: 'DUPLICATE', field: 'combineTransactionId' });
        const winner = results[0].status === 'fulfilled' ? a : b;
        const other = winner === a ? b : a;
        expect(await store.getOrder(winner.outTradeNo)).toMatchObject({ combineTransactionId: id });
        expect(await store.getOrder(other.outTradeNo)).toEqual(other);
        expect(await store.listAudit(other.outTradeNo)).toHaveLength(1);

        // A new order carrying a taken id is refused too, and not written.
        const late = { ...c, outTradeNo: `${c.outTradeNo.slice(0, 20)}X`, combineOutTradeNo: `${c.outTradeNo.slice(0, 20)}X`, idempotencyKey: uniq('late'), combineTransactionId: id };
        await expectStoreError(store.insertOrder(late), 'DUPLICATE', 'combineTransactionId');
        expect(await store.getOrder(late.outTradeNo)).toBeNull();
      });

      it('refuses unsound records with INVALID_RECORD and writes nothing', async () => {
        const fractional = { ...freshOrder({ payerOpenid: payer() }), amount: 12.5 };
        await expectStoreError(store.insertOrder(fractional), 'INVALID_RECORD');
        expect(await store.getOrder(fractional.outTradeNo)).toBeNull();
        const notNew = { ...freshOrder({ payerOpenid: payer() }), version: 2 };
        await expectStoreError(store.insertOrder(notNew), 'INVALID_RECORD');
        expect(await store.getOrder(notNew.outTradeNo)).toBeNull();
      });
    });

    describe('compare-and-set', () => {
      it('applies a change once: the stale writer gets false, and only the winner is audited', async () => {
        const order = freshOrder({ payerOpenid: payer() });
        await store.insertOrder(order);
        const prepay = applied(order, { type: 'PREPAY_CREATED', prepayId: 'wx-p-1' }, T0 + 1000, 'user');
        expect(await store.updateOrder(prepay.next, prepay.expectedVersion, prepay.audit)).toBe(true);
        // a writer still holding version 1 loses, whatever it wanted to write
        const stale = applied(order, { type: 'CLOSED', reason: 'timeout' }, T0 + 2000, 'reconcile');
        expect(await store.updateOrder(stale.next, stale.expectedVersion, stale.audit)).toBe(false);
        expect(await store.getOrder(order.outTradeNo)).toEqual(prepay.next);
        const audit = await store.listAudit(order.outTradeNo);
        expect(audit.map((a) => [a.event, a.from, a.to, a.actor])).toEqual([
          ['ORDER_CREATED', null, 'CREATED', 'user'],
          ['PREPAY_CREATED', 'CREATED', 'PAYING', 'user'],
        ]);
        expect(audit[1]).toEqual(prepay.audit);
      });

      it('answers false for an order that does not exist and writes no audit', async () => {
        const ghost = freshOrder({ payerOpenid: payer() });
        const attempt = applied(ghost, { type: 'CLOSED', reason: 'x' }, T0 + 1000);
        expect(await store.updateOrder(attempt.next, attempt.expectedVersion, attempt.audit)).toBe(false);
        expect(await store.getOrder(ghost.outTradeNo)).toBeNull();
        expect(await store.listAudit(ghost.outTradeNo)).toEqual([]);
      });

      it('refuses a next version that is not expected + 1, an audit of another order, and identity changes', async () => {
        const order = freshOrder({ payerOpenid: payer() });
        await store.insertOrder(order);
        const ok = applied(order, { type: 'PREPAY_CREATED', prepayId: 'p' }, T0 + 1000);
        await expectStoreError(store.updateOrder({ ...ok.next, version: 5 }, 1, ok.audit), 'INVALID_RECORD');
        await expectStoreError(store.updateOrder(ok.next, 1, { ...ok.audit, outTradeNo: 'someone-else' }), 'INVALID_RECORD');
        await expectStoreError(store.updateOrder({ ...ok.next, payerOpenid: 'o-thief' }, 1, ok.audit), 'INVALID_RECORD');
        await expectStoreError(store.updateOrder({ ...ok.next, amount: 0.1 }, 1, ok.audit), 'INVALID_RECORD');
        expect(await store.getOrder(order.outTradeNo)).toEqual(order);
        expect(await store.listAudit(order.outTradeNo)).toHaveLength(1);
      });

      it('50 concurrent compare-and-set attempts on one order: exactly one wins, one audit entry', async () => {
        const order = freshOrder({ payerOpenid: payer() });
        await store.insertOrder(order);
        const paying = applied(order, { type: 'PREPAY_CREATED', prepayId: 'wx-p-race' }, T0 + 1000, 'user');
        expect(await store.updateOrder(paying.next, paying.expectedVersion, paying.audit)).toBe(true);
        // 50 contenders, all holding version 2, each with a different outcome to write
        const attempts = Array.from({ length: 50 }, (_, i) =>
          i % 2
            ? applied(paying.next, { type: 'PAID', transactionId: `42000${String(i).padStart(5, '0')}`, paidAt: T0 + 5000 + i, paidAmount: 100 }, T0 + 5000 + i, 'notify')
            : applied(paying.next, { type: 'CLOSED', reason: `closer-${i}` }, T0 + 5000 + i, 'reconcile'),
        );
        const results = await raceUpdates(attempts);
        expect(results.filter(Boolean)).toHaveLength(1);
        const winner = attempts[results.indexOf(true)];
        expect(await store.getOrder(order.outTradeNo)).toEqual(winner.next);
        const audit = await store.listAudit(order.outTradeNo);
        expect(audit).toHaveLength(3);
        expect(audit[2]).toEqual(winner.audit);
      });
    });

    describe('listing', () => {
      it('pages a payer’s orders newest first with no duplicates or gaps, ties broken by number', async () => {
        const p = payer();
        // 23 orders over 9 distinct timestamps (ties on purpose), inserted in random order
        const orders = Array.from({ length: 23 }, (_, i) => freshOrder({ payerOpenid: p }, T0 + Math.floor(i / 3) * 1000));
        for (const o of shuffle(orders)) await store.insertOrder(o);
        // noise: another payer's orders
        for (let i = 0; i < 3; i++) await store.insertOrder(freshOrder({ payerOpenid: payer() }, T0 + i));

        const expected = [...orders]
          .sort((a, b) => b.createdAt - a.createdAt || (a.outTradeNo < b.outTradeNo ? 1 : -1))
          .map((o) => o.outTradeNo);
        const seen: string[] = [];
        const pageSizes: number[] = [];
        let cursor: string | undefined;
        do {
          const page = await store.listOrdersByPayer(p, { limit: 5, cursor });
          pageSizes.push(page.items.length);
          seen.push(...page.items.map((o) => o.outTradeNo));
          cursor = page.nextCursor;
        } while (cursor);
        expect(seen).toEqual(expected);
        expect(pageSizes).toEqual([5, 5, 5, 5, 3]);
      });

      it('gives no cursor when the last page is exactly full', async () => {
        const p = payer();
        for (let i = 0; i < 4; i++) await store.insertOrder(freshOrder({ payerOpenid: p }, T0 + i));
        const first = await store.listOrdersByPayer(p, { limit: 2 });
        const second = await store.listOrdersByPayer(p, { limit: 2, cursor: first.nextCursor });
        expect(second.items).toHaveLength(2);
        expect(second.nextCursor).toBeUndefined();
        expect(await store.listOrdersByPayer(payer(), { limit: 10 })).toEqual({ items: [] });
      });

      it('refuses cursors it did not issue and page sizes out of range', async () => {
        const p = payer();
        for (let i = 0; i < 3; i++) await store.insertOrder(freshOrder({ payerOpenid: p }, T0 + i));
        const { nextCursor } = await store.listOrdersByPayer(p, { limit: 1 });
        expect(nextCursor).toEqual(expect.any(String));
        await expectStoreError(store.listOrdersByPayer(p, { limit: 1, cursor: 'not-a-cursor' }), 'INVALID_CURSOR');
        await expectStoreError(store.listOrdersByPayee(p, { limit: 1, cursor: nextCursor }), 'INVALID_CURSOR');
        await expectStoreError(store.listOrdersByPayer(p, { limit: 0 }), 'INVALID_RECORD');
        await expectStoreError(store.listOrdersByPayer(p, { limit: 101 }), 'INVALID_RECORD');
      });

      it('lists a payee’s incoming orders newest first', async () => {
        const payeeOpenid = uniq('o-payee');
        const incoming = Array.from({ length: 7 }, () =>
          freshCombineOrder({ payerOpenid: payer(), payee: { openid: payeeOpenid, displayName: 'Bo' } }),
        ).map((o, i) => ({ ...o, createdAt: T0 + (i % 4) * 10, updatedAt: T0 + (i % 4) * 10 }));
        for (const o of shuffle(incoming)) await store.insertOrder(o);
        await store.insertOrder(freshCombineOrder({ payerOpenid: payer() })); // another payee
        const seen: string[] = [];
        let cursor: string | undefined;
        do {
          const page = await store.listOrdersByPayee(payeeOpenid, { limit: 3, cursor });
          seen.push(...page.items.map((o) => o.outTradeNo));
          cursor = page.nextCursor;
        } while (cursor);
        const expected = [...incoming].sort((a, b) => b.createdAt - a.createdAt || (a.outTradeNo < b.outTradeNo ? 1 : -1)).map((o) => o.outTradeNo);
        expect(seen).toEqual(expected);
      });

      it('lists stale orders of a state, least recently changed first, for the reconcile timer', async () => {
        // a far-future window keeps other tests' orders out of this listing
        const base = Date.UTC(2099, 0, 1) + (uniqCount() % 1000) * 1_000_000;
        const made: Order[] = [];
        for (let i = 0; i < 5; i++) {
          const order = freshOrder({ payerOpenid: payer(), expiresAt: base + 10_000_000 }, base);
          await store.insertOrder(order);
          const paying = applied(order, { type: 'PREPAY_CREATED', prepayId: `p-${i}` }, base + (5 - i) * 1000);
          expect(await store.updateOrder(paying.next, paying.expectedVersion, paying.audit)).toBe(true);
          made.push(paying.next);
        }
        const cutoff = base + 4500; // updatedAt base+1000..base+5000: four are older
        const stale = await store.listOrdersInState('PAYING', { olderThan: cutoff, limit: 100 });
        const ours = stale.filter((o) => made.some((m) => m.outTradeNo === o.outTradeNo));
        expect(ours.map((o) => o.updatedAt - base)).toEqual([1000, 2000, 3000, 4000]);
        expect(stale.every((o) => o.state === 'PAYING' && o.updatedAt < cutoff)).toBe(true);
        const limited = await store.listOrdersInState('PAYING', { olderThan: cutoff, limit: 2 });
        expect(limited).toHaveLength(2);
        expect(await store.listOrdersInState('REFUNDED', { olderThan: base - 10_000_000_000, limit: 10 })).toEqual([]);
      });

      it('listOrdersInState pages on past `after` (updatedAt, then outTradeNo): every stale order once, ties included, in order', async () => {
        const base = Date.UTC(2098, 0, 1) + (uniqCount() % 1000) * 1_000_000;
        const made: Order[] = [];
        for (let i = 0; i < 7; i++) {
          const order = freshOrder({ payerOpenid: payer(), expiresAt: base + 10_000_000 }, base);
          await store.insertOrder(order);
          // Three share updatedAt base+1000, two base+2000: pages must break ties by outTradeNo.
          const paying = applied(order, { type: 'PREPAY_CREATED', prepayId: `p-${i}` }, base + [1000, 1000, 1000, 2000, 2000, 3000, 9000][i]!);
          expect(await store.updateOrder(paying.next, paying.expectedVersion, paying.audit)).toBe(true);
          made.push(paying.next);
        }
        const cutoff = base + 5000;
        const ours = (orders: Order[]) => orders.filter((o) => made.some((m) => m.outTradeNo === o.outTradeNo));
        const expected = made
          .filter((o) => o.updatedAt < cutoff)
          .sort((a, b) => a.updatedAt - b.updatedAt || (a.outTradeNo < b.outTradeNo ? -1 : 1))
          .map((o) => o.outTradeNo);
        expect(expected).toHaveLength(6);
        // Start just before our first order (other tests' stale orders are older): pages of 2.
        const paged: string[] = [];
        let after = { updatedAt: base + 999, outTradeNo: '' };
        for (let pages = 0; pages < 20; pages++) {
          const page = await store.listOrdersInState('PAYING', { olderThan: cutoff, limit: 2, after });
          if (page.length === 0) break;
          expect(page.every((o) => o.updatedAt < cutoff && (o.updatedAt > after.updatedAt || (o.updatedAt === after.updatedAt && o.outTradeNo > after.outTradeNo)))).toBe(true);
          paged.push(...ours(page).map((o) => o.outTradeNo));
          const last = page[page.length - 1]!;
          after = { updatedAt: last.updatedAt, outTradeNo: last.outTradeNo };
        }
        expect(paged).toEqual(expected);
      });

      it('listOrdersPaidIn lists the orders paid in a window, whatever became of them, in (paidAt, outTradeNo) order, page by page past `after`', async () => {
        const base = Date.UTC(2097, 0, 1) + (uniqCount() % 1000) * 1_000_000;
        const paidAts = [1000, 1000, 1000, 2000, 2000, 3000, 9000];
        const made: Order[] = [];
        for (let i = 0; i < paidAts.length + 1; i++) {
          const order = freshOrder({ payerOpenid: payer(), expiresAt: base + 10_000_000 }, base);
          await store.insertOrder(order);
          const paying = applied(order, { type: 'PREPAY_CREATED', prepayId: `p-${i}` }, base + 100);
          expect(await store.updateOrder(paying.next, paying.expectedVersion, paying.audit)).toBe(true);
          if (i === paidAts.length) continue; // never paid: not listed
          const paid = applied(paying.next, { type: 'PAID', transactionId: `4200${order.outTradeNo}`, paidAt: base + paidAts[i]!, paidAmount: order.amount }, base + paidAts[i]!);
          expect(await store.updateOrder(paid.next, paid.expectedVersion, paid.audit)).toBe(true);
          let last = paid.next;
          if (i === 1) {
            // Refunded since: still a payment of its day.
            const refunding = applied(last, { type: 'REFUND_STARTED', outRefundNo: `R${order.outTradeNo}`, amount: 1 }, base + 4000);
            expect(await store.updateOrder(refunding.next, refunding.expectedVersion, refunding.audit)).toBe(true);
            last = refunding.next;
          }
          made.push(last);
        }
        const range = { from: base + 1000, before: base + 5000 };
        const expected = made
          .filter((o) => o.paidAt! >= range.from && o.paidAt! < range.before)
          .sort((a, b) => a.paidAt! - b.paidAt! || (a.outTradeNo < b.outTradeNo ? -1 : 1))
          .map((o) => o.outTradeNo);
        expect(expected).toHaveLength(6);
        expect((await store.listOrdersPaidIn(range, { limit: 100 })).map((o) => o.outTradeNo)).toEqual(expected);
        expect((await store.listOrdersPaidIn(range, { limit: 100 })).map((o) => o.state)).toContain('REFUNDING');
        const paged: string[] = [];
        let after: { paidAt: number; outTradeNo: string } | undefined;
        for (let pages = 0; pages < 20; pages++) {
          const page = await store.listOrdersPaidIn(range, { limit: 2, ...(after ? { after } : {}) });
          paged.push(...page.map((o) => o.outTradeNo));
          if (page.length < 2) break;
          const last = page[page.length - 1]!;
          after = { paidAt: last.paidAt!, outTradeNo: last.outTradeNo };
        }
        expect(paged).toEqual(expected);
        expect(await store.listOrdersPaidIn({ from: base + 5000, before: base + 9000 }, { limit: 10 })).toEqual([]);
        await expectStoreError(store.listOrdersPaidIn({ from: base + 10, before: base }, { limit: 10 }), 'INVALID_RECORD');
      });
    });

    describe('audit', () => {
      it('is append-only: history only grows, and callers cannot edit it through what they read', async () => {
        const order = freshOrder({ payerOpenid: payer() });
        await store.insertOrder(order);
        let current = order;
        const snapshots: AuditEvent[][] = [];
        const events: OrderEvent[] = [
          { type: 'PREPAY_CREATED', prepayId: 'p-a' },
          { type: 'PAID', transactionId: '4200000777', paidAt: T0 + 3000, paidAmount: 100 },
          { type: 'REFUND_STARTED', outRefundNo: 'RA', amount: 40 },
          { type: 'REFUND_SUCCEEDED', outRefundNo: 'RA', amount: 40 },
        ];
        for (const [i, event] of events.entries()) {
          const step = applied(current, event, T0 + 1000 * (i + 1));
          expect(await store.updateOrder(step.next, step.expectedVersion, step.audit)).toBe(true);
          current = step.next;
          const history = await store.listAudit(order.outTradeNo);
          history[0].event = 'TAMPERED';
          history.pop();
          snapshots.push(await store.listAudit(order.outTradeNo));
        }
        for (let i = 1; i < snapshots.length; i++) {
          expect(snapshots[i]).toHaveLength(snapshots[i - 1].length + 1);
          expect(snapshots[i].slice(0, -1)).toEqual(snapshots[i - 1]);
        }
        const final = snapshots[snapshots.length - 1];
        expect(final.map((a) => a.to)).toEqual(['CREATED', 'PAYING', 'PAID', 'REFUNDING', 'PAID']);
        expect(final[0].event).toBe('ORDER_CREATED');
        expect(final.map((a) => a.at)).toEqual([T0, T0 + 1000, T0 + 2000, T0 + 3000, T0 + 4000]);
        expect((await store.getOrder(order.outTradeNo))?.refundedAmount).toBe(40);
      });
    });
  });
}
