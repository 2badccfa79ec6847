/**
 * Which channel serves an order. The order service asks by name and never branches on gateways;
 * a channel that is not configured is a clear CHANNEL_UNAVAILABLE, not a crash.
 */
import type { PayChannel } from '../../../typings/api';
import { AppError } from '../kernel/errors';
import type { PaymentChannel } from './port';

export interface ChannelRegistry {
  get(name: PayChannel): PaymentChannel;
  has(name: PayChannel): boolean;
  /**
   * The channel that verifies and reads notifications arriving at the shared v3 notify URL. Every
   * v3 channel reads every v3 notification (payment, combine payment, refund) the same way.
   */
  notifications(): PaymentChannel;
}

export function createChannelRegistry(channels: Partial<Record<PayChannel, PaymentChannel>>, notificationChannel: PayChannel = 'jsapi'): ChannelRegistry {
  const get = (name: PayChannel): PaymentChannel => {
    const channel = channels[name];
    if (!channel) throw new AppError('CHANNEL_UNAVAILABLE', `payment channel "${name}" is not available`);
    return channel;
  };
  return {
    get,
    has: (name) => channels[name] !== undefined,
    notifications: () => get(notificationChannel),
  };
}
