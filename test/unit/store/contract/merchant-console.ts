/**
 * MerchantConsoleQueries contract: every payer's orders with filters and cursor paging, the
 * window totals of payments and successful refunds, and an order's notifications. Each test
 * works in its own far-future time window, so a shared real environment's other records never
 * fall inside it.
 */
import type { Order } from '../../../../cloudfunctions/core/domain/orders/model';
import { newRefundRecord } from '../../../../cloudfunctions/core/domain/orders/model';
import type { Store } from '../../../../cloudfunctions/core/store/port';
import { T0, freshCombineOrder, freshOrder } from '../../domain/orders/fixtures';
import { applied, expectStoreError, payer, shuffle, suiteRepositories, uniq, uniqCount, type RepositorySubject } from './helpers';

const DAY = 24 * 3600_000;

export function describeMerchantConsoleContract(name: string, subject: RepositorySubject<Store>): void {
  describe(`MerchantConsoleQueries contract: ${name}`, () => {
    const stores = suiteRepositories(subject);
    let store: Store;
    beforeAll(() => {
      store = stores.current();
    });
    /** A window of its own per call: 200 years ahead, spread by the run's id counter. */
    const window = () => T0 + 200 * 365 * DAY + uniqCount() * 10 * DAY + Math.floor(Math.random() * 1000) * 1000 * DAY;

    async function paid(order: Order, paidAt: number): Promise<Order> {
      await store.insertOrder(order);
      let current = order;
      for (const event of [
        { type: 'PREPAY_CREATED' as const, prepayId: uniq('p') },
        { type: 'PAID' as const, transactionId: uniq('4200'), paidAt, paidAmount: order.amount },
      ]) {
        const step = applied(current, event, paidAt);
        expect(await store.updateOrder(step.next, step.expectedVersion, step.audit)).toBe(true);
        current = step.next;
      }
      return current;
    }

    async function listAll(filter: Parameters<Store['listAllOrders']>[0], limit: number): Promise<string[]> {
      const seen: string[] = [];
      let cursor: string | undefined;
      do {
        const page = await store.listAllOrders(filter, { limit, ...(cursor ? { cursor } : {}) });
        expect(page.items.length).toBeLessThanOrEqual(limit);
        seen.push(...page.items.map((o) => o.outTradeNo));
        cursor = page.nextCursor;
      } while (cursor && seen.length < 200);
      return seen;
    }

    it('lists every payer\'s orders in a window newest first, ties by number, pages without gaps or duplicates', async () => {
      const start = window();
      const orders = [0, 1, 1, 2, 3, 3, 3, 4].map((offset, i) => freshOrder({ payerOpenid: i % 2 ? payer() : payer() }, start + offset * 1000));
      for (const o of shuffle(orders)) await store.insertOrder(o);
      const expected = [...orders].sort((a, b) => b.createdAt - a.createdAt || (a.outTradeNo < b.outTradeNo ? 1 : -1)).map((o) => o.outTradeNo);
      expect(await listAll({ createdFrom: start, createdBefore: start + 10_000 }, 3)).toEqual(expected);
      // The window is half-open: [from, before).
      expect(await listAll({ createdFrom: start + 1000, createdBefore: start + 3000 }, 10)).toEqual(expected.filter((no) => {
        const at = orders.find((o) => o.outTradeNo === no)!.createdAt;
        return at >= start + 1000 && at < start + 3000;
      }));
    });

    it('filters by state and channel, alone and together', async () => {
      const start = window();
      const range = { createdFrom: start, createdBefore: start + 60_000 };
      const created = freshOrder({ payerOpenid: payer() }, start + 1000);
      await store.insertOrder(created);
      const paidJsapi = await paid(freshOrder({ payerOpenid: payer() }, start + 2000), start + 2500);
      // freshCombineOrder is created at T0: moved into the window.
      const combine = freshCombineOrder({ payerOpenid: payer() });
      const combineInWindow: Order = { ...combine, createdAt: start + 3000, updatedAt: start + 3000, expiresAt: start + 3000 + 30 * 60_000 };
      const paidCombineInWindow = await paid(combineInWindow, start + 3500);

      expect(await listAll({ ...range, state: 'PAID' }, 10)).toEqual([paidCombineInWindow.outTradeNo, paidJsapi.outTradeNo]);
      expect(await listAll({ ...range, channel: 'jsapi' }, 10)).toEqual([paidJsapi.outTradeNo, created.outTradeNo]);
      expect(await listAll({ ...range, state: 'PAID', channel: 'combine' }, 10)).toEqual([paidCombineInWindow.outTradeNo]);
      expect(await listAll({ ...range, state: 'REFUNDED' }, 10)).toEqual([]);
    });

    it('refuses a cursor issued for other filters, a bogus cursor and a bad limit', async () => {
      const start = window();
      for (let i = 0; i < 3; i++) await store.insertOrder(freshOrder({ payerOpenid: payer() }, start + i * 1000));
      const page = await store.listAllOrders({ createdFrom: start, createdBefore: start + 10_000 }, { limit: 1 });
      expect(page.nextCursor).toEqual(expect.any(String));
      await expectStoreError(store.listAllOrders({ createdFrom: start, createdBefore: start + 10_000, state: 'PAID' }, { limit: 1, cursor: page.nextCursor }), 'INVALID_CURSOR');
      await expectStoreError(store.listAllOrders({}, { limit: 1, cursor: 'bogus' }), 'INVALID_CURSOR');
      await expectStoreError(store.listAllOrders({}, { limit: 0 }), 'INVALID_RECORD');
    });

    it('adds up payments by paidAt and successful refunds by succeededAt in a half-open window', async () => {
      const start = window();
      const range = { from: start, before: start + DAY };
      // Created before the window, paid inside it: counts (money arrived that day).
      const early = await paid(freshOrder({ payerOpenid: payer(), amount: 1234 }, start - 1000), start);
      await paid(freshOrder({ payerOpenid: payer(), amount: 66 }, start + 1000), start + DAY - 1);
      await paid(freshOrder({ payerOpenid: payer(), amount: 5000 }, start + 2000), start + DAY); // the next day
      await store.insertOrder(freshOrder({ payerOpenid: payer(), amount: 700 }, start + 3000)); // never paid
      expect(await store.sumPayments(range)).toEqual({ count: 2, amount: 1300 });
      expect(await store.sumPayments({ from: start + DAY, before: start + 2 * DAY })).toEqual({ count: 1, amount: 5000 });

      const succeeded = (amount: number, at: number) => ({ ...newRefundRecord({ outRefundNo: uniq('R'), outTradeNo: early.outTradeNo, amount }, at), state: 'SUCCESS' as const, succeededAt: at });
      for (const refund of [succeeded(30, start + 10), succeeded(4, start + DAY - 1), succeeded(999, start + DAY)]) await store.insertRefund(refund);
      await store.insertRefund(newRefundRecord({ outRefundNo: uniq('R'), outTradeNo: early.outTradeNo, amount: 77 }, start + 20)); // still PROCESSING
      expect(await store.sumRefunds(range)).toEqual({ count: 2, amount: 34 });
      expect(await store.sumRefunds({ from: start - DAY, before: start })).toEqual({ count: 0, amount: 0 });
      await expectStoreError(store.sumPayments({ from: start, before: start }), 'INVALID_RECORD');
    });

    it('lists an order\'s notifications oldest first, and nothing for an order without any', async () => {
      const order = freshOrder({ payerOpenid: payer() });
      const [a, b] = [uniq('n'), uniq('n')];
      expect(await store.recordNotification(b, { eventType: 'refund', receivedAt: T0 + 2000, outTradeNo: order.outTradeNo })).toBe(true);
      expect(await store.recordNotification(a, { eventType: 'payment', receivedAt: T0 + 1000, outTradeNo: order.outTradeNo })).toBe(true);
      expect(await store.recordNotification(uniq('n'), { eventType: 'payment', receivedAt: T0 + 1500, outTradeNo: uniq('other') })).toBe(true);
      expect(await store.listNotificationsOf(order.outTradeNo)).toEqual([
        { id: a, eventType: 'payment', receivedAt: T0 + 1000, outTradeNo: order.outTradeNo },
        { id: b, eventType: 'refund', receivedAt: T0 + 2000, outTradeNo: order.outTradeNo },
      ]);
      expect(await store.listNotificationsOf(uniq('none'))).toEqual([]);
    });
  });
}
