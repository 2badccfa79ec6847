/** Notification ids on CloudBase: `notifications` (_id = notification id); `add` of a taken id loses. */
import type { NotificationLog } from '../port';
import { checkNotificationId } from '../checks';
import { toData, type CloudbaseConnection } from './connection';

/** The collections this repository writes (create them before deploying). */
export const NOTIFICATION_COLLECTIONS = ['notifications'] as const;

export function createCloudbaseNotificationLog({ addUnique }: CloudbaseConnection): NotificationLog {
  return {
    async recordNotification(notificationId, receipt) {
      checkNotificationId(notificationId);
      return addUnique('notifications', notificationId, toData(receipt));
    },
  };
}
