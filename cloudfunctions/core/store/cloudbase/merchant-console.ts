/**
 * The merchant console's reads on CloudBase. The declared database subset has no aggregation, so
 * totals page through the window's documents by `_id` (QUERY_MAX a page) and add up here: a day or
 * a month of a small merchant's orders, read by an admin opening the console.
 */
import type { Order, Refund } from '../../domain/orders/model';
import type { MerchantConsoleQueries, MoneyTotal, NotificationRecord, TimeRange } from '../port';
import { allOrdersListing, checkLimit, decodeCursor, toPage } from '../paging';
import { checkTimeRange } from '../checks';
import type { QueryCondition, StoredDocument } from './db';
import { QUERY_MAX, fromDocuments, type CloudbaseConnection } from './connection';

export function createCloudbaseMerchantConsoleQueries({ command: _, collection }: CloudbaseConnection): MerchantConsoleQueries {
  /** Every document matching `conditions`, a page at a time in `_id` order. */
  async function readAll(name: string, conditions: QueryCondition[]): Promise<StoredDocument[]> {
    const found: StoredDocument[] = [];
    let lastId: string | undefined;
    for (;;) {
      const parts = lastId === undefined ? conditions : [...conditions, { _id: _.gt(lastId) }];
      const { data } = await collection(name).where(_.and(...parts)).orderBy('_id', 'asc').limit(QUERY_MAX).get();
      found.push(...data);
      if (data.length < QUERY_MAX) return found;
      lastId = data[data.length - 1]._id;
    }
  }
  const within = (field: string, range: TimeRange): QueryCondition[] => [{ [field]: _.gte(range.from) }, { [field]: _.lt(range.before) }];
  const sum = (records: Array<{ amount: number }>): MoneyTotal => ({ count: records.length, amount: records.reduce((total, r) => total + r.amount, 0) });

  return {
    async listAllOrders(filter, page) {
      const limit = checkLimit(page.limit);
      const listing = allOrdersListing(filter);
      const after = decodeCursor(listing, page);
      const conditions: QueryCondition[] = [];
      const fields: Record<string, unknown> = {};
      if (filter.state !== undefined) fields.state = filter.state;
      if (filter.channel !== undefined) fields.channel = filter.channel;
      if (Object.keys(fields).length) conditions.push(fields);
      if (filter.createdFrom !== undefined) conditions.push({ createdAt: _.gte(filter.createdFrom) });
      if (filter.createdBefore !== undefined) conditions.push({ createdAt: _.lt(filter.createdBefore) });
      if (after) conditions.push(_.or({ createdAt: _.lt(after.createdAt) }, { createdAt: after.createdAt, _id: _.lt(after.outTradeNo) }));
      const orders = collection('orders');
      const query = conditions.length ? orders.where(conditions.length === 1 ? conditions[0] : _.and(...conditions)) : orders;
      const { data } = await query.orderBy('createdAt', 'desc').orderBy('_id', 'desc').limit(limit + 1).get();
      return toPage(listing, fromDocuments<Order>(data), limit);
    },
    async sumPayments(range) {
      checkTimeRange(range);
      return sum(fromDocuments<Order>(await readAll('orders', within('paidAt', range))));
    },
    async sumRefunds(range) {
      checkTimeRange(range);
      return sum(fromDocuments<Refund>(await readAll('refunds', [{ state: 'SUCCESS' }, ...within('succeededAt', range)])));
    },
    async listNotificationsOf(outTradeNo) {
      // `_id` is the notification id (notifications.ts): read it, fromDocuments would drop it.
      const docs = await readAll('notifications', [{ outTradeNo }]);
      return docs
        .map((doc): NotificationRecord => ({ id: doc._id, eventType: String(doc.eventType), receivedAt: Number(doc.receivedAt), outTradeNo }))
        .sort((a, b) => a.receivedAt - b.receivedAt || (a.id < b.id ? -1 : a.id > b.id ? 1 : 0));
    },
  };
}
