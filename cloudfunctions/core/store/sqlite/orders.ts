/**
 * Orders and their audit trail on SQLite (tables `orders`, `audit`). Compare-and-set is
 * `UPDATE … WHERE version = ?` and the audit row is inserted in the same transaction, so a lost
 * CAS leaves no trace.
 */
import type { Statement } from 'better-sqlite3';
import type { AuditEvent, Order } from '../../domain/orders/model';
import type { NotificationEntry, OrderRepository, Page, PageRequest } from '../port';
import { StoreError } from '../port';
import { checkIdentityUnchanged, checkNewOrder, checkNotificationId, checkOrderUpdate, checkTimeRange, initialAudit } from '../checks';
import { checkLimit, decodeCursor, toPage } from '../paging';
import { parse, parseAll, writeOrDuplicate, type Row, type SqliteConnection } from './connection';

function orderColumns(order: Order) {
  return {
    outTradeNo: order.outTradeNo,
    payerOpenid: order.payerOpenid,
    idempotencyKey: order.idempotencyKey,
    payeeOpenid: order.payee?.openid ?? null,
    combineOutTradeNo: order.combineOutTradeNo ?? null,
    combineTransactionId: order.combineTransactionId ?? null,
    state: order.state,
    version: order.version,
    createdAt: order.createdAt,
    updatedAt: order.updatedAt,
    data: JSON.stringify(order),
  };
}

type StoredIdentity = Pick<Order, 'version' | 'payerOpenid' | 'idempotencyKey' | 'createdAt'> & { combineOutTradeNo: string | null; combineTransactionId: string | null };

/** The identity columns as `checkIdentityUnchanged` reads a record (NULL → absent). */
function storedIdentity(row: StoredIdentity): Pick<Order, 'payerOpenid' | 'idempotencyKey' | 'combineOutTradeNo' | 'createdAt' | 'combineTransactionId'> {
  return {
    payerOpenid: row.payerOpenid,
    idempotencyKey: row.idempotencyKey,
    createdAt: row.createdAt,
    combineOutTradeNo: row.combineOutTradeNo ?? undefined,
    combineTransactionId: row.combineTransactionId ?? undefined,
  };
}

export function createSqliteOrderRepository(connection: SqliteConnection): OrderRepository {
  const { db } = connection;
  const s = {
    insertOrder: db.prepare(`INSERT INTO orders (out_trade_no, payer_openid, idempotency_key, payee_openid, combine_out_trade_no, combine_transaction_id, state, version, created_at, updated_at, data)
      VALUES (@outTradeNo, @payerOpenid, @idempotencyKey, @payeeOpenid, @combineOutTradeNo, @combineTransactionId, @state, @version, @createdAt, @updatedAt, @data)`),
    // Only the columns a CAS update may change: SQLite rewrites every index over a column named
    // in SET, even to the same value, so the identity columns (checked unchanged) stay out of it.
    updateOrder: db.prepare(`UPDATE orders SET payee_openid = @payeeOpenid, combine_transaction_id = @combineTransactionId, state = @state, version = @version, updated_at = @updatedAt, data = @data
      WHERE out_trade_no = @outTradeNo AND version = @expectedVersion`),
    // The same, for an order with no gateway combine transaction id whose payee stays as stored, in
    // one statement: it changes the row only if the version and every identity column still match
    // (positional: binding an object by name costs a lookup per parameter, on every notification).
    // Payee and combine id are compared, not set: no index over them is rewritten (issue 16).
    updateIfUnchanged: db.prepare(`UPDATE orders SET state = ?, version = ?, updated_at = ?, data = ?
      WHERE out_trade_no = ? AND version = ? AND payer_openid = ? AND idempotency_key = ? AND created_at = ? AND combine_out_trade_no IS ? AND combine_transaction_id IS NULL AND payee_openid IS ?`),
    identity: db.prepare(`SELECT version, payer_openid AS payerOpenid, idempotency_key AS idempotencyKey, combine_out_trade_no AS combineOutTradeNo,
      created_at AS createdAt, combine_transaction_id AS combineTransactionId FROM orders WHERE out_trade_no = ?`) as Statement<[string], StoredIdentity>,
    getOrder: db.prepare('SELECT data FROM orders WHERE out_trade_no = ?') as Statement<[string], Row>,
    orderExists: db.prepare('SELECT 1 FROM orders WHERE out_trade_no = ?'),
    byCombine: db.prepare('SELECT data FROM orders WHERE combine_out_trade_no = ?') as Statement<[string], Row>,
    byCombineTransaction: db.prepare('SELECT data FROM orders WHERE combine_transaction_id = ?') as Statement<[string], Row>,
    byKey: db.prepare('SELECT data FROM orders WHERE payer_openid = ? AND idempotency_key = ?') as Statement<[string, string], Row>,
    payerFirst: db.prepare('SELECT data FROM orders WHERE payer_openid = ? ORDER BY created_at DESC, out_trade_no DESC LIMIT ?') as Statement<[string, number], Row>,
    payerAfter: db.prepare(`SELECT data FROM orders WHERE payer_openid = ? AND (created_at < ? OR (created_at = ? AND out_trade_no < ?))
      ORDER BY created_at DESC, out_trade_no DESC LIMIT ?`) as Statement<[string, number, number, string, number], Row>,
    payeeFirst: db.prepare('SELECT data FROM orders WHERE payee_openid = ? ORDER BY created_at DESC, out_trade_no DESC LIMIT ?') as Statement<[string, number], Row>,
    payeeAfter: db.prepare(`SELECT data FROM orders WHERE payee_openid = ? AND (created_at < ? OR (created_at = ? AND out_trade_no < ?))
      ORDER BY created_at DESC, out_trade_no DESC LIMIT ?`) as Statement<[string, number, number, string, number], Row>,
    inState: db.prepare('SELECT data FROM orders WHERE state = ? AND updated_at < ? ORDER BY updated_at ASC, out_trade_no ASC LIMIT ?') as Statement<
      [string, number, number],
      Row
    >,
    inStateAfter: db.prepare(`SELECT data FROM orders WHERE state = ? AND updated_at < ? AND (updated_at > ? OR (updated_at = ? AND out_trade_no > ?))
      ORDER BY updated_at ASC, out_trade_no ASC LIMIT ?`) as Statement<[string, number, number, number, string, number], Row>,
    // The paid-at index (expression, out_trade_no): the position's own paidAt bounds the range, so
    // the next page starts where the last one ended in the index.
    paidIn: db.prepare(`SELECT data FROM orders WHERE json_extract(data, '$.paidAt') >= ? AND json_extract(data, '$.paidAt') < ?
      ORDER BY json_extract(data, '$.paidAt') ASC, out_trade_no ASC LIMIT ?`) as Statement<[number, number, number], Row>,
    paidInAfter: db.prepare(`SELECT data FROM orders WHERE json_extract(data, '$.paidAt') >= ? AND json_extract(data, '$.paidAt') < ?
      AND (json_extract(data, '$.paidAt') > ? OR (json_extract(data, '$.paidAt') = ? AND out_trade_no > ?))
      ORDER BY json_extract(data, '$.paidAt') ASC, out_trade_no ASC LIMIT ?`) as Statement<[number, number, number, number, string, number], Row>,
    insertAudit: db.prepare('INSERT INTO audit (out_trade_no, at, data) VALUES (?, ?, ?)'),
    listAudit: db.prepare('SELECT data FROM audit WHERE out_trade_no = ? ORDER BY seq ASC') as Statement<[string], Row>,
    // The same statement as `recordNotification` (sqlite/notifications.ts), inside the CAS transaction.
    recordNotification: db.prepare('INSERT OR IGNORE INTO notifications (id, event_type, received_at, out_trade_no) VALUES (?, ?, ?, ?)'),
  };

  /** One gateway combine transaction belongs to one order. */
  const checkCombineTransactionFree = (order: Order) => {
    if (order.combineTransactionId === undefined) return;
    const holder = parse<Order>(s.byCombineTransaction.get(order.combineTransactionId));
    if (holder && holder.outTradeNo !== order.outTradeNo) {
      throw new StoreError('DUPLICATE', `combine_transaction_id ${order.combineTransactionId} belongs to order ${holder.outTradeNo}`, 'combineTransactionId');
    }
  };

  const insertOrderTx = connection.immediate((order: Order) => {
    if (s.orderExists.get(order.outTradeNo)) throw new StoreError('DUPLICATE', `order ${order.outTradeNo} already exists`, 'outTradeNo');
    if (s.byKey.get(order.payerOpenid, order.idempotencyKey)) {
      throw new StoreError('DUPLICATE', `payer already has an order with idempotency key ${order.idempotencyKey}`, 'idempotencyKey');
    }
    if (order.combineOutTradeNo !== undefined && s.byCombine.get(order.combineOutTradeNo)) {
      throw new StoreError('DUPLICATE', `combine order ${order.combineOutTradeNo} already exists`, 'combineOutTradeNo');
    }
    checkCombineTransactionFree(order);
    s.insertOrder.run(orderColumns(order));
    const audit = initialAudit(order);
    s.insertAudit.run(order.outTradeNo, audit.at, JSON.stringify(audit));
  });

  /** The common compare-and-set (no combine transaction id on either side, payee as stored): true when it wrote. */
  const updatedIfUnchanged = (next: Order, expectedVersion: number): boolean =>
    next.combineTransactionId === undefined &&
    s.updateIfUnchanged.run(
      next.state,
      next.version,
      next.updatedAt,
      JSON.stringify(next),
      next.outTradeNo,
      expectedVersion,
      next.payerOpenid,
      next.idempotencyKey,
      next.createdAt,
      next.combineOutTradeNo ?? null,
      next.payee?.openid ?? null,
    ).changes === 1;

  const updateOrderTx = connection.immediate((next: Order, expectedVersion: number, audit: AuditEvent, notification: NotificationEntry | undefined): boolean => {
    if (!updatedIfUnchanged(next, expectedVersion)) {
      // Not changed in one step (a combine transaction id, or something differs): find out what.
      // The indexed columns mirror the record's identity: compared without parsing its JSON.
      const row = s.identity.get(next.outTradeNo);
      if (!row || row.version !== expectedVersion) return false;
      checkIdentityUnchanged(storedIdentity(row), next);
      checkCombineTransactionFree(next);
      const result = s.updateOrder.run({ ...orderColumns(next), expectedVersion });
      if (result.changes !== 1) return false;
    }
    s.insertAudit.run(next.outTradeNo, audit.at, JSON.stringify(audit));
    if (notification) s.recordNotification.run(notification.id, notification.receipt.eventType, notification.receipt.receivedAt, notification.receipt.outTradeNo ?? null);
    return true;
  });

  const listBy = (listing: 'payer' | 'payee', openid: string, page: PageRequest): Page<Order> => {
    const limit = checkLimit(page.limit);
    const after = decodeCursor(listing, page);
    const [first, next] = listing === 'payer' ? [s.payerFirst, s.payerAfter] : [s.payeeFirst, s.payeeAfter];
    const rows = after ? next.all(openid, after.createdAt, after.createdAt, after.outTradeNo, limit + 1) : first.all(openid, limit + 1);
    return toPage(listing, parseAll<Order>(rows), limit);
  };

  return {
    async insertOrder(order) {
      checkNewOrder(order);
      writeOrDuplicate(`order ${order.outTradeNo}`, () => insertOrderTx(order));
    },
    async getOrder(outTradeNo) {
      return parse<Order>(s.getOrder.get(outTradeNo));
    },
    async getOrderByCombineOutTradeNo(combineOutTradeNo) {
      return parse<Order>(s.byCombine.get(combineOutTradeNo));
    },
    async findOrderByIdempotencyKey(payerOpenid, idempotencyKey) {
      return parse<Order>(s.byKey.get(payerOpenid, idempotencyKey));
    },
    async updateOrder(next, expectedVersion, audit, notification) {
      checkOrderUpdate(next, expectedVersion, audit);
      if (notification) checkNotificationId(notification.id);
      return writeOrDuplicate(`order ${next.outTradeNo}`, () => updateOrderTx(next, expectedVersion, audit, notification));
    },
    async listOrdersByPayer(payerOpenid, page) {
      return listBy('payer', payerOpenid, page);
    },
    async listOrdersByPayee(payeeOpenid, page) {
      return listBy('payee', payeeOpenid, page);
    },
    async listOrdersInState(state, query) {
      const limit = checkLimit(query.limit);
      const { after } = query;
      if (after) return parseAll<Order>(s.inStateAfter.all(state, query.olderThan, after.updatedAt, after.updatedAt, after.outTradeNo, limit));
      return parseAll<Order>(s.inState.all(state, query.olderThan, limit));
    },
    async listOrdersPaidIn(range, query) {
      checkTimeRange(range);
      const limit = checkLimit(query.limit);
      const { after } = query;
      if (after) return parseAll<Order>(s.paidInAfter.all(Math.max(range.from, after.paidAt), range.before, after.paidAt, after.paidAt, after.outTradeNo, limit));
      return parseAll<Order>(s.paidIn.all(range.from, range.before, limit));
    },
    async listAudit(outTradeNo) {
      return parseAll<AuditEvent>(s.listAudit.all(outTradeNo));
    },
  };
}
