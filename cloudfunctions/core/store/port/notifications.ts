export interface NotificationReceipt {
  eventType: string;
  receivedAt: number;
  outTradeNo?: string;
}

/** Gateway notification ids seen, so a redelivered notification is recognised. */
export interface NotificationLog {
  /** Records a notification id; `true` only for the first caller, atomically, ever. */
  recordNotification(notificationId: string, receipt: NotificationReceipt): Promise<boolean>;
}
