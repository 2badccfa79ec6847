/**
 * One notification endpoint per gateway family. Each family verifies on its own wire format and
 * answers in it; between the two, a verified, channel-neutral event goes to the domain
 * (`domain/notifications.ts`), which routes it to the service that owns it.
 *
 * Families (reply formats from PROTOCOL.md and shared/ARCHITECTURE.md):
 * - WeChat Pay v3 (`wechatpay-v3/notification-endpoint.ts`, served by `payNotify`): JSON body,
 *   signed headers; success 204, failure 4xx/5xx `{code:'FAIL', message}`.
 * - WeChat Pay v2 (issue 13, not built yet): XML body signed with the v2 key; a new
 *   `wechatpay-v2/notification-endpoint.ts` whose `reply` answers `<xml><return_code>SUCCESS…`
 *   or FAIL, served by one more HTTP-trigger function (e.g. `payNotifyV2/index.ts`) that is the
 *   same ten lines as `payNotify` with that endpoint.
 * - Huifu DouGong (`huifu/notification-endpoint.ts`, served by `huifuNotify`): form POST
 *   (`resp_code, resp_desc, sign, resp_data`); taken → 200 `RECV_ORD_ID_<req_seq_id>`, otherwise
 *   a non-2xx answer without that body (Huifu retries).
 */
import type { NotificationOutcome } from '../domain/notifications';
import type { ChannelNotification, RawNotification } from './port';

/** The HTTP answer a gateway expects. */
export interface NotificationReply {
  status: number;
  headers?: Record<string, string>;
  body?: string;
}

export type ParsedNotification =
  | { kind: 'event'; event: ChannelNotification }
  /** Not verified (forged, tampered, unreadable): nothing reaches the domain; answer `reply`. */
  | { kind: 'refused'; reason: string; reply: NotificationReply };

export interface NotificationEndpoint {
  /** Verifies and reads the raw request (body exactly as received). */
  parse(request: RawNotification): Promise<ParsedNotification>;
  /** The gateway's format for what the owning service did with the event. */
  reply(outcome: NotificationOutcome): NotificationReply;
}
