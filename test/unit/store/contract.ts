/**
 * The Store contract: one suite every adapter must pass (sqlite on a temp file, the cloudbase
 * fake, and a real CloudBase environment when credentials are present).
 */
import type { AuditEvent, Order } from '../../../cloudfunctions/core/domain/orders/model';
import type { OrderEvent } from '../../../cloudfunctions/core/domain/orders/state-machine';
import { transition } from '../../../cloudfunctions/core/domain/orders/state-machine';
import { newRefundRecord } from '../../../cloudfunctions/core/domain/orders/model';
import { newAlertRecord, type Alert } from '../../../cloudfunctions/core/domain/orders/alerts';
import { newOutTradeNo } from '../../../cloudfunctions/core/domain/orders/out-trade-no';
import type { Payee, Store } from '../../../cloudfunctions/core/store/port';
import { StoreError } from '../../../cloudfunctions/core/store/port';
import { applyOrderEvent } from '../../../cloudfunctions/core/domain/ledger';
import { T0, freshCombineOrder, freshOrder } from '../orders/fixtures';

export interface CasAttempt {
  next: Order;
  expectedVersion: number;
  audit: AuditEvent;
}

export interface ContractSubject {
  /** A Store on the shared backing storage; each call may be a new connection/instance. */
  open(): Promise<Store>;
  /** Runs the attempts as concurrently as the adapter allows, each on its own connection. */
  raceUpdates?(attempts: CasAttempt[]): Promise<boolean[]>;
  /** Records the same notification id from `n` contenders at once. */
  raceNotifications?(notificationId: string, n: number): Promise<boolean[]>;
  /** Generous for real networks. */
  timeoutMs?: number;
}

/** A unique-per-run tag, so a shared real environment never sees the same ids twice. */
const RUN = newOutTradeNo().slice(-8);
let counter = 0;
const uniq = (label: string) => `${label}-${RUN}-${++counter}`;

function applied(order: Order, event: OrderEvent, now: number, actor: AuditEvent['actor'] = 'notify'): CasAttempt {
  const result = transition(order, event, now, actor);
  if (result.kind !== 'applied') throw new Error(`test setup: ${event.type} not applied: ${JSON.stringify(result)}`);
  return { next: result.next, expectedVersion: order.version, audit: result.audit };
}

async function expectStoreError(promise: Promise<unknown>, code: StoreError['code'], field?: StoreError['field']): Promise<void> {
  const error = await promise.then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(error).toBeInstanceOf(StoreError);
  expect((error as StoreError).code).toBe(code);
  if (field) expect((error as StoreError).field).toBe(field);
}

function shuffle<T>(items: T[]): T[] {
  const out = [...items];
  for (let i = out.length - 1; i > 0; i--) {
    const j = Math.floor(Math.random() * (i + 1));
    [out[i], out[j]] = [out[j], out[i]];
  }
  return out;
}

export function describeStoreContract(name: string, subject: ContractSubject): void {
  describe(`Store contract: ${name}`, () => {
    let store: Store;
    const opened: Store[] = [];
    const open = async () => {
      const s = await subject.open();
      opened.push(s);
      return s;
    };
    const raceUpdates = subject.raceUpdates ?? (async (attempts: CasAttempt[]) => {
      const stores = await Promise.all(attempts.map(() => open()));
      return Promise.all(attempts.map((a, i) => stores[i].updateOrder(a.next, a.expectedVersion, a.audit)));
    });
    const raceNotifications = subject.raceNotifications ?? (async (id: string, n: number) => {
      const stores = await Promise.all(Array.from({ length: n }, () => open()));
      return Promise.all(stores.map((s) => s.recordNotification(id, { eventType: 'TRANSACTION.SUCCESS', receivedAt: T0 })));
    });

    if (subject.timeoutMs) jest.setTimeout(subject.timeoutMs);

    beforeAll(async () => {
      store = await open();
    });
    afterAll(async () => {
      await Promise.all(opened.map((s) => s.close()));
    });

    const payer = () => uniq('o-payer');

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

    describe('applyOrderEvent (re-read and retry on a lost CAS)', () => {
      async function paidOrder(): Promise<Order> {
        const order = freshOrder({ payerOpenid: payer() });
        await store.insertOrder(order);
        let current = order;
        for (const event of [
          { type: 'PREPAY_CREATED', prepayId: 'p-apply' },
          { type: 'PAID', transactionId: '4200000555', paidAt: T0 + 2000, paidAmount: 100 },
        ] as OrderEvent[]) {
          const step = applied(current, event, T0 + 2000);
          expect(await store.updateOrder(step.next, step.expectedVersion, step.audit)).toBe(true);
          current = step.next;
        }
        return current;
      }

      it('lets concurrent refunds add up to at most what was paid', async () => {
        const order = await paidOrder();
        const stores = await Promise.all(Array.from({ length: 10 }, () => open()));
        const outcomes = await Promise.all(
          stores.map((s, i) =>
            applyOrderEvent(s, order.outTradeNo, { type: 'REFUND_STARTED', outRefundNo: `RC${i}`, amount: 15 }, { actor: 'admin', now: () => T0 + 9000 }),
          ),
        );
        expect(outcomes.filter((o) => o.kind === 'applied')).toHaveLength(6); // 6 × 15 = 90 ≤ 100 < 7 × 15
        expect(outcomes.filter((o) => o.kind === 'rejected' && o.rejected === 'REFUND_EXCEEDS_PAID')).toHaveLength(4);
        const stored = await store.getOrder(order.outTradeNo);
        expect(stored?.refunds.reduce((sum, r) => sum + r.amount, 0)).toBe(90);
        expect(stored?.version).toBe(order.version + 6);
        expect(await store.listAudit(order.outTradeNo)).toHaveLength(3 + 6);
      });

      it('turns a duplicate notification racing a query into one applied and the rest alreadyApplied', async () => {
        const order = freshOrder({ payerOpenid: payer() });
        await store.insertOrder(order);
        const paying = applied(order, { type: 'PREPAY_CREATED', prepayId: 'p-dup' }, T0 + 1000);
        expect(await store.updateOrder(paying.next, paying.expectedVersion, paying.audit)).toBe(true);
        const stores = await Promise.all(Array.from({ length: 8 }, () => open()));
        const paid: OrderEvent = { type: 'PAID', transactionId: '4200000666', paidAt: T0 + 3000, paidAmount: 100 };
        const outcomes = await Promise.all(stores.map((s, i) => applyOrderEvent(s, order.outTradeNo, paid, { actor: i % 2 ? 'notify' : 'query' })));
        expect(outcomes.filter((o) => o.kind === 'applied')).toHaveLength(1);
        expect(outcomes.filter((o) => o.kind === 'alreadyApplied')).toHaveLength(7);
        expect((await store.getOrder(order.outTradeNo))?.state).toBe('PAID');
        expect(await store.listAudit(order.outTradeNo)).toHaveLength(3);
      });

      it('answers notFound for an unknown order', async () => {
        expect(await applyOrderEvent(store, uniq('missing'), { type: 'CLOSED', reason: 'x' }, { actor: 'reconcile' })).toEqual({ kind: 'notFound' });
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
        const base = Date.UTC(2099, 0, 1) + (counter % 1000) * 1_000_000;
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
    });

    describe('refunds', () => {
      it('inserts, refuses duplicates, lists per order, and compare-and-sets', async () => {
        const outTradeNo = uniq('O');
        const r1 = newRefundRecord({ outRefundNo: uniq('R'), outTradeNo, amount: 30, reason: 'broken cup' }, T0);
        const r2 = newRefundRecord({ outRefundNo: uniq('R'), outTradeNo, amount: 20 }, T0 + 10);
        await store.insertRefund(r1);
        await store.insertRefund(r2);
        await expectStoreError(store.insertRefund({ ...r1, amount: 1 }), 'DUPLICATE', 'outRefundNo');
        expect(await store.getRefund(r1.outRefundNo)).toEqual(r1);
        expect(await store.getRefund(uniq('R-missing'))).toBeNull();
        expect(await store.listRefunds(outTradeNo)).toEqual([r1, r2]);

        const success = { ...r1, state: 'SUCCESS' as const, refundId: '5030001', version: 2, updatedAt: T0 + 100 };
        expect(await store.updateRefund(success, 1)).toBe(true);
        expect(await store.updateRefund({ ...r1, state: 'CLOSED', version: 2 }, 1)).toBe(false);
        expect(await store.getRefund(r1.outRefundNo)).toEqual(success);
        await expectStoreError(store.updateRefund({ ...success, version: 9 }, 2), 'INVALID_RECORD');
        await expectStoreError(store.insertRefund({ ...r2, outRefundNo: uniq('R'), amount: 1.5 }), 'INVALID_RECORD');
      });
    });

    describe('alerts', () => {
      /** Far in the future of every other record, so a shared environment's other alerts sort after these. */
      const FUTURE = T0 + 100 * 365 * 24 * 3600_000;
      const alert = (outTradeNo: string, createdAt: number, extra: Partial<Alert> = {}): Alert =>
        newAlertRecord({ kind: 'PAID_AFTER_CLOSE', outTradeNo, transactionId: uniq('4200'), amount: 100, message: 'paid after close', ...extra }, createdAt);

      it('records an alert once per id, round-trips it, and refuses unsound ones', async () => {
        const first = alert(uniq('O'), FUTURE, { outRefundNo: uniq('L') });
        expect(await store.insertAlert(first)).toBe(true);
        expect(await store.insertAlert({ ...first, createdAt: FUTURE + 5, message: 'again' })).toBe(false);
        const page = await store.listAlerts({ limit: 100 });
        expect(page.items.find((a) => a.id === first.id)).toEqual(first);
        await expectStoreError(store.insertAlert({ ...alert(uniq('O'), FUTURE), amount: 1.5 }), 'INVALID_RECORD');
        await expectStoreError(store.insertAlert({ ...alert(uniq('O'), FUTURE), kind: 'NOPE' as Alert['kind'] }), 'INVALID_RECORD');
      });

      it('pages alerts newest first with no duplicates or gaps, ties broken by id, and refuses foreign cursors', async () => {
        const base = FUTURE + 1_000_000;
        const mine = [0, 1, 1, 2, 3, 3, 3].map((offset) => alert(uniq('O'), base + offset * 1000));
        for (const a of shuffle(mine)) expect(await store.insertAlert(a)).toBe(true);
        const expected = [...mine].sort((a, b) => b.createdAt - a.createdAt || (a.id < b.id ? 1 : -1)).map((a) => a.id);
        const seen: string[] = [];
        let cursor: string | undefined;
        do {
          const page = await store.listAlerts({ limit: 3, ...(cursor ? { cursor } : {}) });
          expect(page.items.length).toBeLessThanOrEqual(3);
          seen.push(...page.items.map((a) => a.id));
          cursor = page.nextCursor;
        } while (cursor && seen.length < 100);
        expect(seen.filter((id) => expected.includes(id))).toEqual(expected);
        expect(new Set(seen).size).toBe(seen.length);
        const who = payer();
        await store.insertOrder(freshOrder({ payerOpenid: who }));
        await store.insertOrder(freshOrder({ payerOpenid: who }, T0 + 1));
        const payerCursor = (await store.listOrdersByPayer(who, { limit: 1 })).nextCursor;
        await expectStoreError(store.listAlerts({ limit: 3, cursor: payerCursor }), 'INVALID_CURSOR');
        await expectStoreError(store.listAlerts({ limit: 3, cursor: 'bogus' }), 'INVALID_CURSOR');
        await expectStoreError(store.listAlerts({ limit: 0 }), 'INVALID_RECORD');
      });
    });

    describe('payees', () => {
      const payee = (openid: string, shareCode: string, version: number, extra: Partial<Payee> = {}): Payee => ({
        openid,
        displayName: 'Ada',
        shareCode,
        authState: 'UNAUTHORIZED',
        checkedAt: T0,
        version,
        ...extra,
      });

      it('creates at version 1 and replaces only the version before', async () => {
        const openid = uniq('o-payee');
        const code = uniq('code');
        expect(await store.upsertPayee(payee(openid, code, 1))).toBe(true);
        expect(await store.upsertPayee(payee(openid, code, 1, { displayName: 'Again' }))).toBe(false);
        const v2 = payee(openid, code, 2, { authState: 'AUTHORIZED', individualAuthId: 'auth-1', checkedAt: T0 + 5 });
        expect(await store.upsertPayee(v2)).toBe(true);
        expect(await store.upsertPayee(payee(openid, code, 2, { displayName: 'Stale' }))).toBe(false);
        expect(await store.upsertPayee(payee(openid, code, 4))).toBe(false);
        expect(await store.upsertPayee(payee(uniq('o-nobody'), uniq('code'), 2))).toBe(false);
        expect(await store.getPayee(openid)).toEqual(v2);
        expect(await store.getPayeeByShareCode(code)).toEqual(v2);
        expect(await store.getPayee(uniq('o-missing'))).toBeNull();
        expect(await store.getPayeeByShareCode(uniq('code-missing'))).toBeNull();
      });

      it('keeps share codes unique, and frees a code its owner gave up', async () => {
        const ada = uniq('o-ada');
        const bo = uniq('o-bo');
        const code = uniq('code');
        expect(await store.upsertPayee(payee(ada, code, 1))).toBe(true);
        await expectStoreError(store.upsertPayee(payee(bo, code, 1)), 'DUPLICATE', 'shareCode');
        expect(await store.getPayee(bo)).toBeNull();
        const newCode = uniq('code');
        expect(await store.upsertPayee(payee(ada, newCode, 2))).toBe(true);
        expect(await store.getPayeeByShareCode(code)).toBeNull();
        expect(await store.upsertPayee(payee(bo, code, 1))).toBe(true);
        expect((await store.getPayeeByShareCode(code))?.openid).toBe(bo);
        expect((await store.getPayeeByShareCode(newCode))?.openid).toBe(ada);
      });

      it('refuses unsound payees', async () => {
        await expectStoreError(store.upsertPayee(payee(uniq('o'), '', 1)), 'INVALID_RECORD');
        await expectStoreError(store.upsertPayee(payee(uniq('o'), uniq('c'), 0)), 'INVALID_RECORD');
      });
    });

    describe('notifications', () => {
      it('records an id once', async () => {
        const id = uniq('notify');
        expect(await store.recordNotification(id, { eventType: 'TRANSACTION.SUCCESS', receivedAt: T0, outTradeNo: 'O1' })).toBe(true);
        expect(await store.recordNotification(id, { eventType: 'TRANSACTION.SUCCESS', receivedAt: T0 + 15_000 })).toBe(false);
        expect(await store.recordNotification(uniq('notify'), { eventType: 'REFUND.SUCCESS', receivedAt: T0 })).toBe(true);
      });

      it('lets exactly one of 30 concurrent deliveries of one id through', async () => {
        const results = await raceNotifications(uniq('notify-race'), 30);
        expect(results).toHaveLength(30);
        expect(results.filter(Boolean)).toHaveLength(1);
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
