/**
 * Verified notifications → the service that owns them. Endpoints (`channels/*\/notification-endpoint.ts`)
 * verify and answer in their gateway's format; this routes the channel-neutral event they produce.
 * Orders own payments and refunds today (and record events they do not act on); PayScore events
 * join here as one more case when that service exists.
 */
import type { ChannelNotification } from '../channels/port';

/** What the owning service did with an event; the endpoint turns it into its gateway's reply. */
export type NotificationOutcome =
  | { status: 204; result: 'applied' | 'duplicate' | 'ignored' }
  | { status: 400 | 404 | 409 | 500; result: 'rejected'; code: string; message: string };

export interface NotificationOwner {
  applyNotification(event: ChannelNotification): Promise<NotificationOutcome>;
}

export interface NotificationRouter {
  route(event: ChannelNotification): Promise<NotificationOutcome>;
}

export function createNotificationRouter(owners: { orders: NotificationOwner }): NotificationRouter {
  return {
    route(event) {
      switch (event.kind) {
        case 'payment':
        case 'refund':
        case 'ignored':
          return owners.orders.applyNotification(event);
      }
    },
  };
}
