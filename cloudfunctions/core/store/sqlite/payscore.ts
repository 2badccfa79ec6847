/** PayScore service orders on SQLite (table `payscore_orders`, migration 4); updates are compare-and-set on version. */
import type { Statement } from 'better-sqlite3';
import type { PayScoreOrder, PayScoreState } from '../../domain/payscore/model';
import type { PayScoreRepository } from '../port';
import { checkLimit } from '../paging';
import { checkNewPayScoreOrder, checkPayScoreSuccession, checkPayScoreUpdate } from '../payscore-checks';
import { StoreError } from '../port';
import { parse, parseAll, type Row, type SqliteConnection } from './connection';

export function createSqlitePayScoreRepository(connection: SqliteConnection): PayScoreRepository {
  const { db } = connection;
  const s = {
    get: db.prepare('SELECT data FROM payscore_orders WHERE out_order_no = ?') as Statement<[string], Row>,
    insert: db.prepare('INSERT INTO payscore_orders (out_order_no, user_openid, state, version, created_at, updated_at, data) VALUES (?, ?, ?, ?, ?, ?, ?)'),
    update: db.prepare('UPDATE payscore_orders SET state = ?, version = ?, updated_at = ?, data = ? WHERE out_order_no = ? AND version = ?'),
    inState: db.prepare('SELECT data FROM payscore_orders WHERE state = ? AND updated_at < ? ORDER BY updated_at, out_order_no LIMIT ?') as Statement<[PayScoreState, number, number], Row>,
  };

  const updateTx = connection.immediate((next: PayScoreOrder, expectedVersion: number): boolean => {
    const stored = parse<PayScoreOrder>(s.get.get(next.outOrderNo));
    if (!stored || stored.version !== expectedVersion) return false;
    checkPayScoreSuccession(stored, next);
    return s.update.run(next.state, next.version, next.updatedAt, JSON.stringify(next), next.outOrderNo, expectedVersion).changes === 1;
  });

  return {
    async insertPayScoreOrder(order) {
      checkNewPayScoreOrder(order);
      try {
        connection.write(() => s.insert.run(order.outOrderNo, order.userOpenid, order.state, order.version, order.createdAt, order.updatedAt, JSON.stringify(order)));
      } catch (error) {
        const code = (error as { code?: string }).code;
        if (typeof code === 'string' && code.startsWith('SQLITE_CONSTRAINT')) throw new StoreError('DUPLICATE', `service order ${order.outOrderNo} exists`, 'outOrderNo');
        throw error;
      }
    },
    async getPayScoreOrder(outOrderNo) {
      return parse<PayScoreOrder>(s.get.get(outOrderNo));
    },
    async updatePayScoreOrder(next, expectedVersion) {
      checkPayScoreUpdate(next, expectedVersion);
      return updateTx(next, expectedVersion);
    },
    async listPayScoreOrdersInState(state, query) {
      return parseAll<PayScoreOrder>(s.inState.all(state, query.olderThan, checkLimit(query.limit)));
    },
  };
}
