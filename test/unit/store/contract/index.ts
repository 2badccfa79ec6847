/**
 * The Store contract: every repository's own contract, plus what only the composed Store can
 * show (one repository's cursor refused by another; the domain's ledger loop over the store).
 * One suite every adapter must pass (sqlite on a temp file, the cloudbase fake, and a real
 * CloudBase environment when credentials are present).
 */
import type { OrderEvent } from '../../../../cloudfunctions/core/domain/orders/state-machine';
import type { Order } from '../../../../cloudfunctions/core/domain/orders/model';
import type { Store } from '../../../../cloudfunctions/core/store/port';
import { applyOrderEvent } from '../../../../cloudfunctions/core/domain/ledger';
import { T0, freshOrder } from '../../domain/orders/fixtures';
import { applied, expectStoreError, payer, suiteRepositories, uniq, type CasAttempt } from './helpers';
import { describeAlertRepositoryContract } from './alerts';
import { describeMerchantConsoleContract } from './merchant-console';
import { describeNotificationLogContract } from './notifications';
import { describeOrderRepositoryContract } from './orders';
import { describePayeeRepositoryContract } from './payees';
import { describeRefundRepositoryContract } from './refunds';
import { describePayScoreRepositoryContract } from './payscore';

export type { CasAttempt } from './helpers';

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

export function describeStoreContract(name: string, subject: ContractSubject): void {
  describe(`Store contract: ${name}`, () => {
    describeOrderRepositoryContract(name, subject);
    describeRefundRepositoryContract(name, subject);
    describePayeeRepositoryContract(name, subject);
    describeNotificationLogContract(name, subject);
    describeAlertRepositoryContract(name, subject);
    describePayScoreRepositoryContract(name, subject);
    describeMerchantConsoleContract(name, subject);
    describeComposedStore(subject);
  });
}

function describeComposedStore(subject: ContractSubject): void {
  describe('composed Store', () => {
    const stores = suiteRepositories(subject);
    let store: Store;
    beforeAll(() => {
      store = stores.current();
    });
    const open = stores.open;

    it('refuses a cursor of an order listing for the alerts listing', async () => {
      const who = payer();
      await store.insertOrder(freshOrder({ payerOpenid: who }));
      await store.insertOrder(freshOrder({ payerOpenid: who }, T0 + 1));
      const payerCursor = (await store.listOrdersByPayer(who, { limit: 1 })).nextCursor;
      expect(payerCursor).toEqual(expect.any(String));
      await expectStoreError(store.listAlerts({ limit: 3, cursor: payerCursor }), 'INVALID_CURSOR');
    });

    describe('updateOrder with the notification that caused the change (one atomic step)', () => {
      async function payingOrder(): Promise<{ order: Order; paid: CasAttempt }> {
        const order = freshOrder({ payerOpenid: payer() });
        await store.insertOrder(order);
        const paying = applied(order, { type: 'PREPAY_CREATED', prepayId: uniq('p') }, T0 + 1000);
        expect(await store.updateOrder(paying.next, paying.expectedVersion, paying.audit)).toBe(true);
        return { order: paying.next, paid: applied(paying.next, { type: 'PAID', transactionId: uniq('4200'), paidAt: T0 + 2000, paidAmount: 100 }, T0 + 2000) };
      }
      const entry = (outTradeNo: string) => ({ id: uniq('notify-cas'), receipt: { eventType: 'payment', receivedAt: T0 + 2000, outTradeNo } });

      it('records the notification id with the change it caused', async () => {
        const { order, paid } = await payingOrder();
        const notification = entry(order.outTradeNo);
        expect(await store.updateOrder(paid.next, paid.expectedVersion, paid.audit, notification)).toBe(true);
        expect(await store.recordNotification(notification.id, notification.receipt)).toBe(false);
        expect(await store.listNotificationsOf(order.outTradeNo)).toEqual([{ id: notification.id, eventType: 'payment', receivedAt: T0 + 2000, outTradeNo: order.outTradeNo }]);
      });

      it('records nothing when the compare-and-set is lost or the write refused', async () => {
        const { order, paid } = await payingOrder();
        const stale = entry(order.outTradeNo);
        await expectStoreError(store.updateOrder(paid.next, paid.expectedVersion - 1, paid.audit, stale), 'INVALID_RECORD');
        const lost = entry(order.outTradeNo);
        const other = applied(order, { type: 'CLOSED', reason: 'x' }, T0 + 1500);
        expect(await store.updateOrder(other.next, other.expectedVersion, other.audit)).toBe(true);
        expect(await store.updateOrder(paid.next, paid.expectedVersion, paid.audit, lost)).toBe(false);
        const refused = entry(order.outTradeNo);
        const thief = { ...other.next, version: other.next.version + 1, payerOpenid: 'o-thief' };
        await expectStoreError(store.updateOrder(thief, other.next.version, paid.audit, refused), 'INVALID_RECORD');
        for (const id of [stale.id, lost.id, refused.id]) expect(await store.recordNotification(id, stale.receipt)).toBe(true);
        expect(await store.listNotificationsOf(order.outTradeNo)).toHaveLength(3);
      });

      it('leaves an id recorded before as it was, and still applies the change', async () => {
        const { order, paid } = await payingOrder();
        const notification = entry(order.outTradeNo);
        expect(await store.recordNotification(notification.id, { eventType: 'TRANSACTION.SUCCESS', receivedAt: T0 })).toBe(true);
        expect(await store.updateOrder(paid.next, paid.expectedVersion, paid.audit, notification)).toBe(true);
        expect((await store.getOrder(order.outTradeNo))?.state).toBe('PAID');
        expect(await store.listNotificationsOf(order.outTradeNo)).toEqual([]);
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

      it("decides the first attempt on the caller's copy of the order, and never trusts a stale one", async () => {
        const order = freshOrder({ payerOpenid: payer() });
        await store.insertOrder(order);
        const paying = applied(order, { type: 'PREPAY_CREATED', prepayId: 'p-stale' }, T0 + 1000);
        expect(await store.updateOrder(paying.next, paying.expectedVersion, paying.audit)).toBe(true);
        const paid: OrderEvent = { type: 'PAID', transactionId: '4200000777', paidAt: T0 + 3000, paidAmount: 100 };
        // A stale copy that refuses the event (CREATED cannot be paid): decided again on a fresh read.
        const fromCreated = await applyOrderEvent(store, order.outTradeNo, paid, { actor: 'notify', current: order });
        expect(fromCreated).toMatchObject({ kind: 'applied', order: { state: 'PAID', version: 3 } });
        // A stale copy that accepts it (still PAYING): its compare-and-set loses, the fresh read says already applied.
        const again = await applyOrderEvent(store, order.outTradeNo, paid, { actor: 'query', current: paying.next });
        expect(again).toMatchObject({ kind: 'alreadyApplied', order: { state: 'PAID', version: 3 } });
        expect((await store.listAudit(order.outTradeNo)).map((a) => a.to)).toEqual(['CREATED', 'PAYING', 'PAID']);
      });

      it('answers notFound for an unknown order', async () => {
        expect(await applyOrderEvent(store, uniq('missing'), { type: 'CLOSED', reason: 'x' }, { actor: 'reconcile' })).toEqual({ kind: 'notFound' });
      });
    });
  });
}
