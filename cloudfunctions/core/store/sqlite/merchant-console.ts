/**
 * The merchant console's reads on SQLite. One prepared statement per query: an absent filter is a
 * NULL parameter that matches everything, so no statement is built per call.
 */
import type { Statement } from 'better-sqlite3';
import type { Order } from '../../domain/orders/model';
import type { MerchantConsoleQueries, NotificationRecord } from '../port';
import { allOrdersListing, checkLimit, decodeCursor, toPage } from '../paging';
import { checkTimeRange } from '../checks';
import { parseAll, type Row, type SqliteConnection } from './connection';

interface TotalRow {
  count: number;
  amount: number | null;
}
interface NotificationRow {
  id: string;
  event_type: string;
  received_at: number;
  out_trade_no: string | null;
}

export function createSqliteMerchantConsoleQueries({ db }: SqliteConnection): MerchantConsoleQueries {
  const s = {
    allOrders: db.prepare(`SELECT data FROM orders
      WHERE (@state IS NULL OR state = @state)
        AND (@channel IS NULL OR json_extract(data, '$.channel') = @channel)
        AND (@createdFrom IS NULL OR created_at >= @createdFrom)
        AND (@createdBefore IS NULL OR created_at < @createdBefore)
        AND (@afterCreatedAt IS NULL OR created_at < @afterCreatedAt OR (created_at = @afterCreatedAt AND out_trade_no < @afterOutTradeNo))
      ORDER BY created_at DESC, out_trade_no DESC LIMIT @limit`) as Statement<[Record<string, unknown>], Row>,
    payments: db.prepare(`SELECT COUNT(*) AS count, SUM(json_extract(data, '$.amount')) AS amount FROM orders
      WHERE json_extract(data, '$.paidAt') >= ? AND json_extract(data, '$.paidAt') < ?`) as Statement<[number, number], TotalRow>,
    refunds: db.prepare(`SELECT COUNT(*) AS count, SUM(json_extract(data, '$.amount')) AS amount FROM refunds
      WHERE json_extract(data, '$.state') = 'SUCCESS' AND json_extract(data, '$.succeededAt') >= ? AND json_extract(data, '$.succeededAt') < ?`) as Statement<[number, number], TotalRow>,
    notifications: db.prepare('SELECT id, event_type, received_at, out_trade_no FROM notifications WHERE out_trade_no = ? ORDER BY received_at ASC, id ASC') as Statement<
      [string],
      NotificationRow
    >,
  };
  const total = (row: TotalRow | undefined) => ({ count: row?.count ?? 0, amount: row?.amount ?? 0 });

  return {
    async listAllOrders(filter, page) {
      const limit = checkLimit(page.limit);
      const listing = allOrdersListing(filter);
      const after = decodeCursor(listing, page);
      const rows = s.allOrders.all({
        state: filter.state ?? null,
        channel: filter.channel ?? null,
        createdFrom: filter.createdFrom ?? null,
        createdBefore: filter.createdBefore ?? null,
        afterCreatedAt: after?.createdAt ?? null,
        afterOutTradeNo: after?.outTradeNo ?? null,
        limit: limit + 1,
      });
      return toPage(listing, parseAll<Order>(rows), limit);
    },
    async sumPayments(range) {
      checkTimeRange(range);
      return total(s.payments.get(range.from, range.before));
    },
    async sumRefunds(range) {
      checkTimeRange(range);
      return total(s.refunds.get(range.from, range.before));
    },
    async listNotificationsOf(outTradeNo) {
      return s.notifications.all(outTradeNo).map(
        (row): NotificationRecord => ({ id: row.id, eventType: row.event_type, receivedAt: row.received_at, ...(row.out_trade_no ? { outTradeNo: row.out_trade_no } : {}) }),
      );
    },
  };
}
