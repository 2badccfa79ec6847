/**
 * Store on the CloudBase (微信云开发) database through wx-server-sdk — the production adapter.
 *
 * Collections: `orders` (_id = outTradeNo), `refunds` (_id = outRefundNo), `payees`
 * (_id = openid), `notifications` (_id = notification id), `audit` (_id = outTradeNo#version),
 * `alerts` (_id = alert id, derived from the fact it reports),
 * and `uniques`, guard documents whose `_id` is a unique key (idempotency key, combine number,
 * gateway combine transaction id, share code): the database has no multi-field unique index we can create from code, so a
 * transaction that writes the record also creates its guards, and a concurrent duplicate
 * conflicts on the guard's `_id`.
 *
 * Every state change is one `runTransaction`: read the document, compare its version, write the
 * new record and its audit entry. A transaction that lost a write-write conflict is re-run, sees
 * the moved version, and answers `false`.
 */
import { createHash } from 'node:crypto';
import type { Alert } from '../../domain/orders/alerts';
import type { AuditEvent, Order, OrderState, Refund } from '../../domain/orders/model';
import type { NotificationReceipt, Page, PageRequest, Payee, Store } from '../port';
import { StoreError } from '../port';
import type { CloudbaseCollection, CloudbaseDb, CloudbaseDocument, CloudbaseTransaction, DocumentData, QueryCondition, StoredDocument } from './db';
import { isConflictError, isNotFoundError } from './db';
import { ALERTS_LISTING, checkAlert, checkIdentityUnchanged, checkLimit, checkOrder, checkOrderUpdate, checkPayee, checkRefund, decodeCursor, initialAudit, toAlertPage, toPage } from '../checks';

export interface CloudbaseStoreOptions {
  /** Prepended to every collection name (isolates test runs in a shared environment). */
  collectionPrefix?: string;
  /** Extra whole-transaction attempts after the SDK's own conflict retries are used up. */
  conflictAttempts?: number;
}

const COLLECTIONS = ['orders', 'refunds', 'payees', 'notifications', 'audit', 'uniques', 'alerts'] as const;
type CollectionName = (typeof COLLECTIONS)[number];
/** Server-side SDK queries return at most this many documents. */
const QUERY_MAX = 1000;

export const CLOUDBASE_COLLECTIONS: readonly CollectionName[] = COLLECTIONS;

/** JSON round trip: drops `undefined` fields, which the SDK would otherwise reject or store as null. */
function toData<T>(record: T): DocumentData {
  return JSON.parse(JSON.stringify(record)) as DocumentData;
}

function fromDocument<T>(doc: StoredDocument | undefined | null): T | null {
  if (!doc) return null;
  const { _id: _ignored, _openid: _alsoIgnored, ...data } = doc as StoredDocument & { _openid?: unknown };
  return data as T;
}

function guardId(kind: 'idem' | 'combine' | 'combineTx' | 'share', ...parts: string[]): string {
  // Hashed: guard ids stay short and free of characters a document id may not hold.
  return `${kind}_${createHash('sha256').update(parts.join('\u0000')).digest('hex')}`;
}

/** `audit` ids sort in version order within an order. */
function auditId(outTradeNo: string, version: number): string {
  return `${outTradeNo}#${String(version).padStart(10, '0')}`;
}

async function getInTransaction<T>(doc: CloudbaseDocument): Promise<T | null> {
  try {
    const { data } = await doc.get();
    return fromDocument<T>(data);
  } catch (error) {
    if (isNotFoundError(error)) return null;
    throw error;
  }
}

export function openCloudbaseStore(db: CloudbaseDb, options: CloudbaseStoreOptions = {}): Store {
  const prefix = options.collectionPrefix ?? '';
  const conflictAttempts = options.conflictAttempts ?? 8;
  const _ = db.command;
  const name = (c: CollectionName) => `${prefix}${c}`;
  const col = (c: CollectionName): CloudbaseCollection => db.collection(name(c));
  const txCol = (tx: CloudbaseTransaction, c: CollectionName) => tx.collection(name(c));

  /** Runs a transaction, re-running it when it keeps losing conflicts; other errors pass through. */
  async function transact<T>(run: (tx: CloudbaseTransaction) => Promise<T>): Promise<T> {
    for (let attempt = 1; ; attempt++) {
      try {
        return await db.runTransaction(run);
      } catch (error) {
        if (!isConflictError(error) || attempt >= conflictAttempts) throw error;
        // Jittered backoff so the contenders that lost do not collide again in lockstep.
        await new Promise((resolve) => setTimeout(resolve, Math.random() * 10 * attempt));
      }
    }
  }

  async function findOne<T>(c: CollectionName, condition: QueryCondition): Promise<T | null> {
    const { data } = await col(c).where(condition).limit(1).get();
    return fromDocument<T>(data[0]);
  }

  /** `add` with a chosen `_id`; `false` when that `_id` already exists. */
  async function addUnique(c: CollectionName, id: string, data: DocumentData): Promise<boolean> {
    try {
      await col(c).add({ data: { ...data, _id: id } });
      return true;
    } catch (error) {
      // The SDK's duplicate-key error text is not a stable contract; the document existing is.
      if (await findOne(c, { _id: id })) return false;
      throw error;
    }
  }

  /**
   * In the order's transaction: the guard that makes a gateway combine transaction belong to one
   * order. A concurrent claim by another order conflicts on the guard; the re-run sees it taken.
   */
  async function claimCombineTransaction(tx: CloudbaseTransaction, order: Order): Promise<void> {
    if (order.combineTransactionId === undefined) return;
    const guard = txCol(tx, 'uniques').doc(guardId('combineTx', order.combineTransactionId));
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
    const { data } = await col('orders').where(condition).orderBy('createdAt', 'desc').orderBy('_id', 'desc').limit(limit + 1).get();
    return toPage(listing, data.map((d) => fromDocument<Order>(d) as Order), limit);
  }

  return {
    async insertOrder(order) {
      checkOrder(order);
      if (order.version !== 1) throw new StoreError('INVALID_RECORD', `new order ${order.outTradeNo} must have version 1`);
      const audit = initialAudit(order);
      await transact(async (tx) => {
        const orders = txCol(tx, 'orders');
        const uniques = txCol(tx, 'uniques');
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
        await txCol(tx, 'audit').doc(auditId(order.outTradeNo, order.version)).set({ data: toData(audit) });
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

    async updateOrder(next, expectedVersion, audit) {
      checkOrderUpdate(next, expectedVersion, audit);
      return transact(async (tx) => {
        const doc = txCol(tx, 'orders').doc(next.outTradeNo);
        const stored = await getInTransaction<Order>(doc);
        if (!stored || stored.version !== expectedVersion) return false;
        checkIdentityUnchanged(stored, next);
        if (stored.combineTransactionId === undefined) await claimCombineTransaction(tx, next);
        await doc.set({ data: toData(next) });
        await txCol(tx, 'audit').doc(auditId(next.outTradeNo, next.version)).set({ data: toData(audit) });
        return true;
      });
    },

    async listOrdersByPayer(payerOpenid, page) {
      return listBy('payer', 'payerOpenid', payerOpenid, page);
    },
    async listOrdersByPayee(payeeOpenid, page) {
      return listBy('payee', 'payee.openid', payeeOpenid, page);
    },
    async listOrdersInState(state: OrderState, query) {
      const limit = checkLimit(query.limit);
      const { data } = await col('orders')
        .where({ state, updatedAt: _.lt(query.olderThan) })
        .orderBy('updatedAt', 'asc')
        .orderBy('_id', 'asc')
        .limit(limit)
        .get();
      return data.map((d) => fromDocument<Order>(d) as Order);
    },

    async insertRefund(refund) {
      checkRefund(refund);
      if (refund.version !== 1) throw new StoreError('INVALID_RECORD', `new refund ${refund.outRefundNo} must have version 1`);
      if (!(await addUnique('refunds', refund.outRefundNo, toData(refund)))) {
        throw new StoreError('DUPLICATE', `refund ${refund.outRefundNo} already exists`, 'outRefundNo');
      }
    },
    async getRefund(outRefundNo) {
      return findOne<Refund>('refunds', { _id: outRefundNo });
    },
    async listRefunds(outTradeNo) {
      const { data } = await col('refunds').where({ outTradeNo }).orderBy('createdAt', 'asc').orderBy('_id', 'asc').limit(QUERY_MAX).get();
      return data.map((d) => fromDocument<Refund>(d) as Refund);
    },
    async updateRefund(next, expectedVersion) {
      checkRefund(next);
      if (next.version !== expectedVersion + 1) throw new StoreError('INVALID_RECORD', `refund ${next.outRefundNo}: version must be expectedVersion + 1`);
      return transact(async (tx) => {
        const doc = txCol(tx, 'refunds').doc(next.outRefundNo);
        const stored = await getInTransaction<Refund>(doc);
        if (!stored || stored.version !== expectedVersion) return false;
        await doc.set({ data: toData(next) });
        return true;
      });
    },

    async upsertPayee(payee) {
      checkPayee(payee);
      return transact(async (tx) => {
        const doc = txCol(tx, 'payees').doc(payee.openid);
        const uniques = txCol(tx, 'uniques');
        const stored = await getInTransaction<Payee>(doc);
        if (payee.version === 1 ? stored !== null : stored?.version !== payee.version - 1) return false;
        const share = guardId('share', payee.shareCode);
        const holder = await getInTransaction<{ openid: string }>(uniques.doc(share));
        if (holder && holder.openid !== payee.openid) throw new StoreError('DUPLICATE', `share code ${payee.shareCode} is taken`, 'shareCode');
        if (stored && stored.shareCode !== payee.shareCode) await uniques.doc(guardId('share', stored.shareCode)).remove();
        if (!holder) await uniques.doc(share).set({ data: { kind: 'shareCode', openid: payee.openid } });
        await doc.set({ data: toData(payee) });
        return true;
      });
    },
    async getPayee(openid) {
      return findOne<Payee>('payees', { _id: openid });
    },
    async getPayeeByShareCode(shareCode) {
      return findOne<Payee>('payees', { shareCode });
    },

    async recordNotification(notificationId: string, receipt: NotificationReceipt) {
      if (typeof notificationId !== 'string' || !notificationId) throw new StoreError('INVALID_RECORD', 'notification id is required');
      return addUnique('notifications', notificationId, toData(receipt));
    },

    async insertAlert(alert: Alert) {
      checkAlert(alert);
      return addUnique('alerts', alert.id, toData(alert));
    },
    async listAlerts(page) {
      const limit = checkLimit(page.limit);
      const after = decodeCursor(ALERTS_LISTING, page);
      const base = after ? col('alerts').where(_.or({ createdAt: _.lt(after.createdAt) }, { createdAt: after.createdAt, _id: _.lt(after.outTradeNo) })) : col('alerts');
      const { data } = await base.orderBy('createdAt', 'desc').orderBy('_id', 'desc').limit(limit + 1).get();
      return toAlertPage(data.map((d) => fromDocument<Alert>(d) as Alert), limit);
    },

    async listAudit(outTradeNo) {
      const events: AuditEvent[] = [];
      let lastId: string | undefined;
      for (;;) {
        const condition = lastId === undefined ? { outTradeNo } : { outTradeNo, _id: _.gt(lastId) };
        const { data } = await col('audit').where(condition).orderBy('_id', 'asc').limit(QUERY_MAX).get();
        events.push(...data.map((d) => fromDocument<AuditEvent>(d) as AuditEvent));
        if (data.length < QUERY_MAX) return events;
        lastId = data[data.length - 1]._id;
      }
    },

    async close() {
      // The SDK keeps no connection of ours to release.
    },
  };
}
