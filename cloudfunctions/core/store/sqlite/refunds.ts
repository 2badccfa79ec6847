/** Refunds on SQLite (table `refunds`); compare-and-set is `UPDATE … WHERE version = ?`. */
import type { Statement } from 'better-sqlite3';
import type { Refund } from '../../domain/orders/model';
import type { RefundRepository } from '../port';
import { checkNewRefund, checkRefundUpdate } from '../checks';
import { parse, parseAll, writeOrDuplicate, type Row, type SqliteConnection } from './connection';

export function createSqliteRefundRepository({ db, write }: SqliteConnection): RefundRepository {
  const s = {
    insertRefund: db.prepare('INSERT INTO refunds (out_refund_no, out_trade_no, version, created_at, data) VALUES (?, ?, ?, ?, ?)'),
    updateRefund: db.prepare('UPDATE refunds SET version = ?, data = ? WHERE out_refund_no = ? AND version = ?'),
    getRefund: db.prepare('SELECT data FROM refunds WHERE out_refund_no = ?') as Statement<[string], Row>,
    listRefunds: db.prepare('SELECT data FROM refunds WHERE out_trade_no = ? ORDER BY created_at ASC, out_refund_no ASC') as Statement<[string], Row>,
  };
  return {
    async insertRefund(refund) {
      checkNewRefund(refund);
      writeOrDuplicate(`refund ${refund.outRefundNo}`, () => write(() => s.insertRefund.run(refund.outRefundNo, refund.outTradeNo, refund.version, refund.createdAt, JSON.stringify(refund))));
    },
    async getRefund(outRefundNo) {
      return parse<Refund>(s.getRefund.get(outRefundNo));
    },
    async listRefunds(outTradeNo) {
      return parseAll<Refund>(s.listRefunds.all(outTradeNo));
    },
    async updateRefund(next, expectedVersion) {
      checkRefundUpdate(next, expectedVersion);
      return write(() => s.updateRefund.run(next.version, JSON.stringify(next), next.outRefundNo, expectedVersion)).changes === 1;
    },
  };
}
