/**
 * The WeChat Pay v3 notification endpoint: verify on the raw body and decrypt (the v3 channels'
 * shared reader), answer 204 when the event was taken, otherwise 4xx/5xx with
 * `{"code":"FAIL","message":…}` — the reply `payNotify` has always given (statuses chosen by
 * `gateways/wechatpay/notification.ts` `buildNotificationReply`); unchanged by this move.
 */
import { WechatPayError } from '../../gateways/wechatpay/errors';
import { buildNotificationReply } from '../../gateways/wechatpay/notification';
import type { NotificationEndpoint, NotificationReply } from '../notification-endpoint';
import type { PaymentChannel } from '../port';

export interface V3EndpointDeps {
  /** The channel that reads notifications at the shared v3 notify URL (`ChannelRegistry.notifications()`). */
  reader: Pick<PaymentChannel, 'parseNotification'>;
  /** Resolves once the verifier holds its platform certificates (certificate-download mode). */
  ready?: () => Promise<void>;
}

export function createV3NotificationEndpoint(deps: V3EndpointDeps): NotificationEndpoint {
  return {
    async parse(request) {
      try {
        await deps.ready?.();
        return { kind: 'event', event: await deps.reader.parseNotification(request) };
      } catch (error) {
        if (!(error instanceof WechatPayError)) throw error;
        const reply = buildNotificationReply(error);
        return { kind: 'refused', reason: error.message, reply: { status: reply.status, headers: reply.headers, body: reply.body } };
      }
    },
    reply(outcome) {
      if (outcome.status === 204) return { status: 204 };
      return v3Fail(outcome.status, outcome.code);
    },
  };
}

/** A v3 failure answer: WeChat Pay retries the notification. */
export function v3Fail(status: number, message: string): NotificationReply {
  return { status, headers: { 'content-type': 'application/json' }, body: JSON.stringify({ code: 'FAIL', message }) };
}
