/**
 * A channel whose gateway calls leave with the channel's own error translation (`v3ChannelError`,
 * `v2ChannelError`): one wrapper for every gateway family, so a member the port gains later
 * (orderParty, dailyStatement, …) is kept, not dropped by a family's hand-written copy.
 */
import type { ChannelOperation, PaymentChannel } from './port';

export function withTranslatedErrors(
  channel: PaymentChannel,
  toError: (error: unknown, operation: ChannelOperation) => unknown,
  parseNotification: PaymentChannel['parseNotification'] = (request) => channel.parseNotification(request),
): PaymentChannel {
  const translate = <T>(operation: ChannelOperation, call: () => Promise<T>): Promise<T> =>
    call().catch((error: unknown) => {
      throw toError(error, operation);
    });
  const { dailyStatement } = channel;
  return {
    ...channel,
    create: (order) => translate('create', () => channel.create(order)),
    resign: (order) => translate('resign', () => channel.resign(order)),
    query: (order) => translate('query', () => channel.query(order)),
    close: (order) => translate('close', () => channel.close(order)),
    refund: (order, refund) => translate('refund', () => channel.refund(order, refund)),
    queryRefund: (order, refund) => translate('queryRefund', () => channel.queryRefund(order, refund)),
    ...(dailyStatement ? { dailyStatement: (fileDate: string) => translate('query', () => dailyStatement(fileDate)) } : {}),
    parseNotification,
  };
}
