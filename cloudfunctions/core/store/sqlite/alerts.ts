/** Admin alerts on SQLite (table `alerts`, migration 3); an id already recorded is ignored. */
import type { Statement } from 'better-sqlite3';
import type { Alert } from '../../domain/orders/alerts';
import type { AlertRepository } from '../port';
import { checkAcknowledgement, checkAlert } from '../checks';
import { ALERTS_LISTING, checkLimit, decodeCursor, toAlertPage } from '../paging';
import { parse, parseAll, type Row, type SqliteConnection } from './connection';

export function createSqliteAlertRepository({ db, write }: SqliteConnection): AlertRepository {
  const s = {
    insertAlert: db.prepare('INSERT OR IGNORE INTO alerts (id, kind, out_trade_no, created_at, data) VALUES (?, ?, ?, ?, ?)'),
    alertsFirst: db.prepare('SELECT data FROM alerts ORDER BY created_at DESC, id DESC LIMIT ?') as Statement<[number], Row>,
    alertsAfter: db.prepare('SELECT data FROM alerts WHERE created_at < ? OR (created_at = ? AND id < ?) ORDER BY created_at DESC, id DESC LIMIT ?') as Statement<
      [number, number, string, number],
      Row
    >,
    getAlert: db.prepare('SELECT data FROM alerts WHERE id = ?') as Statement<[string], Row>,
    // Compare-and-set on "not yet acknowledged": only the first stamp lands.
    acknowledge: db.prepare("UPDATE alerts SET data = json_set(data, '$.acknowledgedAt', ?) WHERE id = ? AND json_extract(data, '$.acknowledgedAt') IS NULL"),
  };
  return {
    async insertAlert(alert) {
      checkAlert(alert);
      return write(() => s.insertAlert.run(alert.id, alert.kind, alert.outTradeNo, alert.createdAt, JSON.stringify(alert))).changes === 1;
    },
    async listAlerts(page) {
      const limit = checkLimit(page.limit);
      const after = decodeCursor(ALERTS_LISTING, page);
      const rows = after ? s.alertsAfter.all(after.createdAt, after.createdAt, after.outTradeNo, limit + 1) : s.alertsFirst.all(limit + 1);
      return toAlertPage(parseAll<Alert>(rows), limit);
    },
    async acknowledgeAlert(id, at) {
      checkAcknowledgement(at);
      const won = write(() => s.acknowledge.run(at, id)).changes === 1;
      const alert = parse<Alert>(s.getAlert.get(id));
      if (!alert) return { kind: 'notFound' };
      return { kind: won ? 'acknowledged' : 'alreadyAcknowledged', alert };
    },
  };
}
