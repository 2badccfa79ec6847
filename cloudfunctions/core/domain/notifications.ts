/**
 * Verified notifications → the service that owns them. Endpoints (`channels/*\/notification-endpoint.ts`)
 * verify and answer in their gateway's format; this routes the channel-neutral event they produce.
 * Orders own payments and refunds (and record events they do not act on); the PayScore service
 * owns PAYSCORE.USER_CONFIRM / PAYSCORE.USER_PAID.
 */
import type { ChannelNotification } from '../channels/port';
import { crashPoint } from '../kernel/platform/crash-point';

/** What the owning service did with an event; the endpoint turns it into its gateway's reply. */
export type NotificationOutcome =
  | { status: 204; result: 'applied' | 'duplicate' | 'ignored' }
  | { status: 400 | 404 | 409 | 500; result: 'rejected'; code: string; message: string };

/** The events orders own: payments, refunds, and those nobody acts on. */
export type OrderNotification = Exclude<ChannelNotification, { kind: 'payscore' }>;

export interface NotificationOwner {
  applyNotification(event: OrderNotification): Promise<NotificationOutcome>;
}

export interface NotificationRouter {
  route(event: ChannelNotification): Promise<NotificationOutcome>;
}

export interface PayScoreNotificationOwner {
  applyNotification(event: Extract<ChannelNotification, { kind: 'payscore' }>): Promise<NotificationOutcome>;
}

/** `payscore` absent (PayScore not configured): its events are recorded and ignored by orders. */
export function createNotificationRouter(owners: { orders: NotificationOwner; payscore?: PayScoreNotificationOwner }): NotificationRouter {
  const dispatch = (event: ChannelNotification): Promise<NotificationOutcome> => {
    switch (event.kind) {
      case 'payscore':
        return owners.payscore ? owners.payscore.applyNotification(event) : owners.orders.applyNotification({ kind: 'ignored', notificationId: event.notificationId, eventType: `PAYSCORE.${event.eventType}` });
      case 'payment':
      case 'refund':
      case 'ignored':
        return owners.orders.applyNotification(event);
    }
  };
  return {
    // Every endpoint (v3, v2, Huifu) routes here once it has verified: the crash test's boundaries.
    async route(event) {
      crashPoint('notify:after-verify');
      const outcome = await dispatch(event);
      crashPoint('notify:before-reply');
      return outcome;
    },
  };
}
