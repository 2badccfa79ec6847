/** Notification ids on SQLite (table `notifications`): `INSERT OR IGNORE` makes the first caller win. */
import type { NotificationLog } from '../port';
import { checkNotificationId } from '../checks';
import type { SqliteConnection } from './connection';

export function createSqliteNotificationLog({ db, write }: SqliteConnection): NotificationLog {
  const record = db.prepare('INSERT OR IGNORE INTO notifications (id, event_type, received_at, out_trade_no) VALUES (?, ?, ?, ?)');
  return {
    async recordNotification(notificationId, receipt) {
      checkNotificationId(notificationId);
      return write(() => record.run(notificationId, receipt.eventType, receipt.receivedAt, receipt.outTradeNo ?? null)).changes === 1;
    },
  };
}
