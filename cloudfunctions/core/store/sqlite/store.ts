/**
 * Store on an embedded SQLite file (better-sqlite3): the default for `npm start` and the tests.
 *
 * WAL lets readers proceed while one writer commits; every write runs in an IMMEDIATE
 * transaction so concurrent writers queue on the busy timeout instead of failing on a lock
 * upgrade. Compare-and-set is `UPDATE … WHERE version = ?` and the audit row is inserted in the
 * same transaction, so a lost CAS leaves no trace.
 */
import type { Database, Statement } from 'better-sqlite3';
import type { Alert } from '../../domain/orders/alerts';
import type { AuditEvent, Order, OrderState, Refund } from '../../domain/orders/model';
import type { NotificationReceipt, Page, PageRequest, Payee, Store } from '../port';
import { StoreError } from '../port';
import { ALERTS_LISTING, checkAlert, checkIdentityUnchanged, checkLimit, checkOrder, checkOrderUpdate, checkPayee, checkRefund, decodeCursor, initialAudit, toAlertPage, toPage } from '../checks';
import { migrate } from './migrations';

export interface SqliteStoreOptions {
  /** How long a writer waits for the lock before failing (ms). */
  busyTimeoutMs?: number;
}

type Row = { data: string };

function parse<T>(row: Row | undefined): T | null {
  return row ? (JSON.parse(row.data) as T) : null;
}

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

/** Turns a UNIQUE/PRIMARY KEY violation into the port's DUPLICATE error; rethrows anything else. */
function rethrowConstraint(error: unknown, subject: string): never {
  const e = error as { code?: string; message?: string };
  if (typeof e?.code === 'string' && e.code.startsWith('SQLITE_CONSTRAINT')) {
    const message = e.message ?? '';
    const columns = [
      ['idempotency_key', 'idempotencyKey'],
      ['combine_transaction_id', 'combineTransactionId'],
      ['combine_out_trade_no', 'combineOutTradeNo'],
      ['share_code', 'shareCode'],
      ['out_refund_no', 'outRefundNo'],
    ] as const;
    const field = columns.find(([column]) => message.includes(column))?.[1] ?? 'outTradeNo';
    throw new StoreError('DUPLICATE', `${subject}: ${field} already exists`, field);
  }
  throw error;
}

export function openSqliteStore(file: string, options: SqliteStoreOptions = {}): Store {
  // Lazy: better-sqlite3 is a native module; cloud bundles that never open SQLite never load it.
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  const BetterSqlite3 = require('better-sqlite3') as typeof import('better-sqlite3');
  const busyTimeoutMs = options.busyTimeoutMs ?? 10_000;
  const db: Database = new BetterSqlite3(file, { timeout: busyTimeoutMs });
  db.pragma('journal_mode = WAL');
  db.pragma(`busy_timeout = ${Math.floor(busyTimeoutMs)}`);
  db.pragma('synchronous = NORMAL');
  migrate(db);

  const s = {
    insertOrder: db.prepare(`INSERT INTO orders (out_trade_no, payer_openid, idempotency_key, payee_openid, combine_out_trade_no, combine_transaction_id, state, version, created_at, updated_at, data)
      VALUES (@outTradeNo, @payerOpenid, @idempotencyKey, @payeeOpenid, @combineOutTradeNo, @combineTransactionId, @state, @version, @createdAt, @updatedAt, @data)`),
    updateOrder: db.prepare(`UPDATE orders SET payer_openid = @payerOpenid, idempotency_key = @idempotencyKey, payee_openid = @payeeOpenid,
      combine_out_trade_no = @combineOutTradeNo, combine_transaction_id = @combineTransactionId, state = @state, version = @version, updated_at = @updatedAt, data = @data
      WHERE out_trade_no = @outTradeNo AND version = @expectedVersion`),
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
    insertRefund: db.prepare('INSERT INTO refunds (out_refund_no, out_trade_no, version, created_at, data) VALUES (?, ?, ?, ?, ?)'),
    updateRefund: db.prepare('UPDATE refunds SET version = ?, data = ? WHERE out_refund_no = ? AND version = ?'),
    getRefund: db.prepare('SELECT data FROM refunds WHERE out_refund_no = ?') as Statement<[string], Row>,
    listRefunds: db.prepare('SELECT data FROM refunds WHERE out_trade_no = ? ORDER BY created_at ASC, out_refund_no ASC') as Statement<[string], Row>,
    getPayee: db.prepare('SELECT data FROM payees WHERE openid = ?') as Statement<[string], Row>,
    payeeByCode: db.prepare('SELECT data FROM payees WHERE share_code = ?') as Statement<[string], Row>,
    insertPayee: db.prepare('INSERT INTO payees (openid, share_code, version, data) VALUES (?, ?, ?, ?)'),
    updatePayee: db.prepare('UPDATE payees SET share_code = ?, version = ?, data = ? WHERE openid = ? AND version = ?'),
    recordNotification: db.prepare('INSERT OR IGNORE INTO notifications (id, event_type, received_at, out_trade_no) VALUES (?, ?, ?, ?)'),
    insertAudit: db.prepare('INSERT INTO audit (out_trade_no, at, data) VALUES (?, ?, ?)'),
    listAudit: db.prepare('SELECT data FROM audit WHERE out_trade_no = ? ORDER BY seq ASC') as Statement<[string], Row>,
    insertAlert: db.prepare('INSERT OR IGNORE INTO alerts (id, kind, out_trade_no, created_at, data) VALUES (?, ?, ?, ?, ?)'),
    alertsFirst: db.prepare('SELECT data FROM alerts ORDER BY created_at DESC, id DESC LIMIT ?') as Statement<[number], Row>,
    alertsAfter: db.prepare('SELECT data FROM alerts WHERE created_at < ? OR (created_at = ? AND id < ?) ORDER BY created_at DESC, id DESC LIMIT ?') as Statement<
      [number, number, string, number],
      Row
    >,
  };

  const insertOrderTx = db.transaction((order: Order) => {
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

  /** One gateway combine transaction belongs to one order. */
  const checkCombineTransactionFree = (order: Order) => {
    if (order.combineTransactionId === undefined) return;
    const holder = parse<Order>(s.byCombineTransaction.get(order.combineTransactionId));
    if (holder && holder.outTradeNo !== order.outTradeNo) {
      throw new StoreError('DUPLICATE', `combine_transaction_id ${order.combineTransactionId} belongs to order ${holder.outTradeNo}`, 'combineTransactionId');
    }
  };

  const updateOrderTx = db.transaction((next: Order, expectedVersion: number, audit: AuditEvent): boolean => {
    const stored = parse<Order>(s.getOrder.get(next.outTradeNo));
    if (!stored || stored.version !== expectedVersion) return false;
    checkIdentityUnchanged(stored, next);
    checkCombineTransactionFree(next);
    const result = s.updateOrder.run({ ...orderColumns(next), expectedVersion });
    if (result.changes !== 1) return false;
    s.insertAudit.run(next.outTradeNo, audit.at, JSON.stringify(audit));
    return true;
  });

  const upsertPayeeTx = db.transaction((payee: Payee): boolean => {
    const stored = parse<Payee>(s.getPayee.get(payee.openid));
    if (payee.version === 1 ? stored !== null : stored?.version !== payee.version - 1) return false;
    const holder = parse<Payee>(s.payeeByCode.get(payee.shareCode));
    if (holder && holder.openid !== payee.openid) throw new StoreError('DUPLICATE', `share code ${payee.shareCode} is taken`, 'shareCode');
    const data = JSON.stringify(payee);
    if (payee.version === 1) s.insertPayee.run(payee.openid, payee.shareCode, payee.version, data);
    else return s.updatePayee.run(payee.shareCode, payee.version, data, payee.openid, payee.version - 1).changes === 1;
    return true;
  });

  const listBy = (listing: 'payer' | 'payee', openid: string, page: PageRequest): Page<Order> => {
    const limit = checkLimit(page.limit);
    const after = decodeCursor(listing, page);
    const [first, next] = listing === 'payer' ? [s.payerFirst, s.payerAfter] : [s.payeeFirst, s.payeeAfter];
    const rows = after ? next.all(openid, after.createdAt, after.createdAt, after.outTradeNo, limit + 1) : first.all(openid, limit + 1);
    return toPage(listing, rows.map((r) => JSON.parse(r.data) as Order), limit);
  };

  let closed = false;
  return {
    async insertOrder(order) {
      checkOrder(order);
      if (order.version !== 1) throw new StoreError('INVALID_RECORD', `new order ${order.outTradeNo} must have version 1`);
      try {
        insertOrderTx.immediate(order);
      } catch (error) {
        if (error instanceof StoreError) throw error;
        rethrowConstraint(error, `order ${order.outTradeNo}`);
      }
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
    async updateOrder(next, expectedVersion, audit) {
      checkOrderUpdate(next, expectedVersion, audit);
      try {
        return updateOrderTx.immediate(next, expectedVersion, audit);
      } catch (error) {
        if (error instanceof StoreError) throw error;
        rethrowConstraint(error, `order ${next.outTradeNo}`);
      }
    },
    async listOrdersByPayer(payerOpenid, page) {
      return listBy('payer', payerOpenid, page);
    },
    async listOrdersByPayee(payeeOpenid, page) {
      return listBy('payee', payeeOpenid, page);
    },
    async listOrdersInState(state: OrderState, query) {
      return s.inState.all(state, query.olderThan, checkLimit(query.limit)).map((r) => JSON.parse(r.data) as Order);
    },

    async insertRefund(refund) {
      checkRefund(refund);
      if (refund.version !== 1) throw new StoreError('INVALID_RECORD', `new refund ${refund.outRefundNo} must have version 1`);
      try {
        s.insertRefund.run(refund.outRefundNo, refund.outTradeNo, refund.version, refund.createdAt, JSON.stringify(refund));
      } catch (error) {
        rethrowConstraint(error, `refund ${refund.outRefundNo}`);
      }
    },
    async getRefund(outRefundNo) {
      return parse<Refund>(s.getRefund.get(outRefundNo));
    },
    async listRefunds(outTradeNo) {
      return s.listRefunds.all(outTradeNo).map((r) => JSON.parse(r.data) as Refund);
    },
    async updateRefund(next, expectedVersion) {
      checkRefund(next);
      if (next.version !== expectedVersion + 1) throw new StoreError('INVALID_RECORD', `refund ${next.outRefundNo}: version must be expectedVersion + 1`);
      return s.updateRefund.run(next.version, JSON.stringify(next), next.outRefundNo, expectedVersion).changes === 1;
    },

    async upsertPayee(payee) {
      checkPayee(payee);
      try {
        return upsertPayeeTx.immediate(payee);
      } catch (error) {
        if (error instanceof StoreError) throw error;
        rethrowConstraint(error, `payee`);
      }
    },
    async getPayee(openid) {
      return parse<Payee>(s.getPayee.get(openid));
    },
    async getPayeeByShareCode(shareCode) {
      return parse<Payee>(s.payeeByCode.get(shareCode));
    },

    async recordNotification(notificationId: string, receipt: NotificationReceipt) {
      if (typeof notificationId !== 'string' || !notificationId) throw new StoreError('INVALID_RECORD', 'notification id is required');
      return s.recordNotification.run(notificationId, receipt.eventType, receipt.receivedAt, receipt.outTradeNo ?? null).changes === 1;
    },

    async insertAlert(alert: Alert) {
      checkAlert(alert);
      return s.insertAlert.run(alert.id, alert.kind, alert.outTradeNo, alert.createdAt, JSON.stringify(alert)).changes === 1;
    },
    async listAlerts(page) {
      const limit = checkLimit(page.limit);
      const after = decodeCursor(ALERTS_LISTING, page);
      const rows = after ? s.alertsAfter.all(after.createdAt, after.createdAt, after.outTradeNo, limit + 1) : s.alertsFirst.all(limit + 1);
      return toAlertPage(rows.map((r) => JSON.parse(r.data) as Alert), limit);
    },

    async listAudit(outTradeNo) {
      return s.listAudit.all(outTradeNo).map((r) => JSON.parse(r.data) as AuditEvent);
    },

    async close() {
      if (closed) return;
      closed = true;
      db.close();
    },
  };
}
