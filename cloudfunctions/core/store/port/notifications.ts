export interface NotificationReceipt {
  eventType: string;
  receivedAt: number;
  outTradeNo?: string;
}

/**
 * A notification to record together with the order change it caused (`OrderRepository.updateOrder`):
 * one commit, so an applied order never lacks the record of the notification that applied it.
 */
export interface NotificationEntry {
  id: string;
  receipt: NotificationReceipt;
}

/** Gateway notification ids seen, so a redelivered notification is recognised. */
export interface NotificationLog {
  /** Records a notification id; `true` only for the first caller, atomically, ever. */
  recordNotification(notificationId: string, receipt: NotificationReceipt): Promise<boolean>;
}
