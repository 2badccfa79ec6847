/**
 * Orders and their audit trail on CloudBase: `orders` (_id = outTradeNo), `audit`
 * (_id = outTradeNo#version, so ids sort in version order within an order), and the order's
 * guards in `uniques` (idempotency key, combine number, gateway combine transaction id).
 *
 * Every change is one `runTransaction`: read the order, compare its version, write the new
 * record and its audit entry. A transaction that lost a write-write conflict is re-run, sees the
 * moved version, and answers `false`.
 */
import type { AuditEvent, Order } from '../../domain/orders/model';
import type { OrderRepository, Page, PageRequest } from '../port';
import { StoreError } from '../port';
import { checkIdentityUnchanged, checkNewOrder, checkNotificationId, checkOrderUpdate, checkTimeRange, initialAudit } from '../checks';
import { checkLimit, decodeCursor, toPage } from '../paging';
import type { CloudbaseTransaction } from './db';
import { QUERY_MAX, fromDocuments, getInTransaction, guardId, toData, type CloudbaseConnection } from './connection';

/**
 * The collections this repository writes (create them before deploying). `updateOrder` with a
 * notification also writes the NotificationLog's `notifications` (listed there).
 */
export const ORDER_COLLECTIONS = ['orders', 'audit', 'uniques'] as const;

/** `audit` ids sort in version order within an order. */
function auditId(outTradeNo: string, version: number): string {
  return `${outTradeNo}#${String(version).padStart(10, '0')}`;
}

export function createCloudbaseOrderRepository(connection: CloudbaseConnection): OrderRepository {
  const { command: _, collection, inTransaction, transact, findOne } = connection;

  /**
   * In the order's transaction: the guard that makes a gateway combine transaction belong to one
   * order. A concurrent claim by another order conflicts on the guard; the re-run sees it taken.
   */
  async function claimCombineTransaction(tx: CloudbaseTransaction, order: Order): Promise<void> {
    if (order.combineTransactionId === undefined) return;
    const guard = inTransaction(tx, 'uniques').doc(guardId('combineTx', order.combineTransactionId));
    const holder = await getInTransaction<{ outTradeNo: string }>(guard);
    if (holder && holder.outTradeNo !== order.outTradeNo) {
      throw new StoreError('DUPLICATE', `combine_transaction_id ${order.combineTransactionId} belongs to order ${holder.outTradeNo}`, 'combineTransactionId');
    }
    if (!holder) await guard.set({ data: { kind: 'combineTransactionId', outTradeNo: order.outTradeNo } });
  }

  async function listBy(listing: 'payer' | 'payee', field: string, openid: string, page: PageRequest): Promise<Page<Order>> {
    const limit = checkLimit(page.limit);
    const after = decodeCursor(listing, page);
    const condition = after
      ? _.or({ [field]: openid, createdAt: _.lt(after.createdAt) }, { [field]: openid, createdAt: after.createdAt, _id: _.lt(after.outTradeNo) })
      : { [field]: openid };
    const { data } = await collection('orders').where(condition).orderBy('createdAt', 'desc').orderBy('_id', 'desc').limit(limit + 1).get();
    return toPage(listing, fromDocuments<Order>(data), limit);
  }

  return {
    async insertOrder(order) {
      checkNewOrder(order);
      const audit = initialAudit(order);
      await transact(async (tx) => {
        const orders = inTransaction(tx, 'orders');
        const uniques = inTransaction(tx, 'uniques');
        if (await getInTransaction(orders.doc(order.outTradeNo))) {
          throw new StoreError('DUPLICATE', `order ${order.outTradeNo} already exists`, 'outTradeNo');
        }
        const idem = guardId('idem', order.payerOpenid, order.idempotencyKey);
        if (await getInTransaction(uniques.doc(idem))) {
          throw new StoreError('DUPLICATE', `payer already has an order with idempotency key ${order.idempotencyKey}`, 'idempotencyKey');
        }
        const combine = order.combineOutTradeNo !== undefined ? guardId('combine', order.combineOutTradeNo) : undefined;
        if (combine && (await getInTransaction(uniques.doc(combine)))) {
          throw new StoreError('DUPLICATE', `combine order ${String(order.combineOutTradeNo)} already exists`, 'combineOutTradeNo');
        }
        await uniques.doc(idem).set({ data: { kind: 'idempotencyKey', outTradeNo: order.outTradeNo } });
        if (combine) await uniques.doc(combine).set({ data: { kind: 'combineOutTradeNo', outTradeNo: order.outTradeNo } });
        await claimCombineTransaction(tx, order);
        await orders.doc(order.outTradeNo).set({ data: toData(order) });
        await inTransaction(tx, 'audit').doc(auditId(order.outTradeNo, order.version)).set({ data: toData(audit) });
      });
    },

    async getOrder(outTradeNo) {
      return findOne<Order>('orders', { _id: outTradeNo });
    },
    async getOrderByCombineOutTradeNo(combineOutTradeNo) {
      return findOne<Order>('orders', { combineOutTradeNo });
    },
    async findOrderByIdempotencyKey(payerOpenid, idempotencyKey) {
      return findOne<Order>('orders', { payerOpenid, idempotencyKey });
    },

    async updateOrder(next, expectedVersion, audit, notification) {
      checkOrderUpdate(next, expectedVersion, audit);
      if (notification) checkNotificationId(notification.id);
      return transact(async (tx) => {
        const doc = inTransaction(tx, 'orders').doc(next.outTradeNo);
        const stored = await getInTransaction<Order>(doc);
        if (!stored || stored.version !== expectedVersion) return false;
        checkIdentityUnchanged(stored, next);
        if (stored.combineTransactionId === undefined) await claimCombineTransaction(tx, next);
        await doc.set({ data: toData(next) });
        await inTransaction(tx, 'audit').doc(auditId(next.outTradeNo, next.version)).set({ data: toData(audit) });
        if (notification) {
          // As `recordNotification` (`notifications`, _id = the id), in the order's transaction: first one wins.
          const logged = inTransaction(tx, 'notifications').doc(notification.id);
          if (!(await getInTransaction(logged))) await logged.set({ data: toData(notification.receipt) });
        }
        return true;
      });
    },

    async listOrdersByPayer(payerOpenid, page) {
      return listBy('payer', 'payerOpenid', payerOpenid, page);
    },
    async listOrdersByPayee(payeeOpenid, page) {
      return listBy('payee', 'payee.openid', payeeOpenid, page);
    },
    async listOrdersInState(state, query) {
      const limit = checkLimit(query.limit);
      const { after } = query;
      // Past `after` in (updatedAt, _id) order: the same index (state, updatedAt, _id) serves both.
      const condition = after
        ? _.or(_.and({ state, updatedAt: _.gt(after.updatedAt) }, { updatedAt: _.lt(query.olderThan) }), { state, updatedAt: after.updatedAt, _id: _.gt(after.outTradeNo) })
        : { state, updatedAt: _.lt(query.olderThan) };
      const { data } = await collection('orders')
        .where(condition)
        .orderBy('updatedAt', 'asc')
        .orderBy('_id', 'asc')
        .limit(limit)
        .get();
      return fromDocuments<Order>(data);
    },

    async listOrdersPaidIn(range, query) {
      checkTimeRange(range);
      const limit = checkLimit(query.limit);
      const { after } = query;
      // Past `after` in (paidAt, _id) order: the index (paidAt, _id) serves both.
      const inRange = [{ paidAt: _.gte(range.from) }, { paidAt: _.lt(range.before) }];
      const condition = after
        ? _.and(...inRange, _.or({ paidAt: _.gt(after.paidAt) }, { paidAt: after.paidAt, _id: _.gt(after.outTradeNo) }))
        : _.and(...inRange);
      const { data } = await collection('orders').where(condition).orderBy('paidAt', 'asc').orderBy('_id', 'asc').limit(limit).get();
      return fromDocuments<Order>(data);
    },

    async listAudit(outTradeNo) {
      const events: AuditEvent[] = [];
      let lastId: string | undefined;
      for (;;) {
        const condition = lastId === undefined ? { outTradeNo } : { outTradeNo, _id: _.gt(lastId) };
        const { data } = await collection('audit').where(condition).orderBy('_id', 'asc').limit(QUERY_MAX).get();
        events.push(...fromDocuments<AuditEvent>(data));
        if (data.length < QUERY_MAX) return events;
        lastId = data[data.length - 1]._id;
      }
    },
  };
}
