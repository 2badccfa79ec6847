/** Payees on SQLite (table `payees`, share code UNIQUE); upserts are compare-and-set on version. */
import type { Statement } from 'better-sqlite3';
import type { Payee, PayeeRepository } from '../port';
import { StoreError } from '../port';
import { checkPayee } from '../checks';
import { parse, writeOrDuplicate, type Row, type SqliteConnection } from './connection';

export function createSqlitePayeeRepository(connection: SqliteConnection): PayeeRepository {
  const { db } = connection;
  const s = {
    getPayee: db.prepare('SELECT data FROM payees WHERE openid = ?') as Statement<[string], Row>,
    payeeByCode: db.prepare('SELECT data FROM payees WHERE share_code = ?') as Statement<[string], Row>,
    insertPayee: db.prepare('INSERT INTO payees (openid, share_code, version, data) VALUES (?, ?, ?, ?)'),
    updatePayee: db.prepare('UPDATE payees SET share_code = ?, version = ?, data = ? WHERE openid = ? AND version = ?'),
  };

  const upsertPayeeTx = connection.immediate((payee: Payee): boolean => {
    const stored = parse<Payee>(s.getPayee.get(payee.openid));
    if (payee.version === 1 ? stored !== null : stored?.version !== payee.version - 1) return false;
    const holder = parse<Payee>(s.payeeByCode.get(payee.shareCode));
    if (holder && holder.openid !== payee.openid) throw new StoreError('DUPLICATE', `share code ${payee.shareCode} is taken`, 'shareCode');
    const data = JSON.stringify(payee);
    if (payee.version === 1) s.insertPayee.run(payee.openid, payee.shareCode, payee.version, data);
    else return s.updatePayee.run(payee.shareCode, payee.version, data, payee.openid, payee.version - 1).changes === 1;
    return true;
  });

  return {
    async upsertPayee(payee) {
      checkPayee(payee);
      return writeOrDuplicate('payee', () => upsertPayeeTx(payee));
    },
    async getPayee(openid) {
      return parse<Payee>(s.getPayee.get(openid));
    },
    async getPayeeByShareCode(shareCode) {
      return parse<Payee>(s.payeeByCode.get(shareCode));
    },
  };
}
