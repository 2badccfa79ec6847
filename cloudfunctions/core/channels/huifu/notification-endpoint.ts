/**
 * The Huifu notification endpoint: a form POST of `resp_code, resp_desc, sign, resp_data`, `sign`
 * verified over `resp_data` exactly as posted (aggregation-async-webhook.md, shared-signing-v2.md
 * "异步回调验签: 不需要重新排序"). Taken → HTTP 200 with the body `RECV_ORD_ID_` + the `req_seq_id`
 * of `resp_data` (shared-async-notify.md: "如果没有按这个格式回包，汇付会继续重试"; the seed says
 * only 200, docs/references/huifu.md); anything else → a non-2xx answer without that body, so
 * Huifu retries (5 s timeout, 3 retries) and `reconcile` queries.
 */
import { buildHuifuNotificationReply } from '../../gateways/huifu/notify';
import type { NotificationEndpoint, NotificationReply } from '../notification-endpoint';
import { isChannelError, type PaymentChannel } from '../port';

const PLAIN = { 'content-type': 'text/plain; charset=utf-8' };

/** A refusal Huifu will retry: not 2xx, never the acknowledgement body. */
export function huifuFail(status: number, message: string): NotificationReply {
  return { status, headers: PLAIN, body: `FAIL ${message}` };
}

/** The `req_seq_id` inside a posted `resp_data`, read only to word the acknowledgement. */
function reqSeqIdOf(body: string): string | undefined {
  try {
    const data = JSON.parse(new URLSearchParams(body).get('resp_data') ?? '') as { req_seq_id?: unknown };
    return typeof data.req_seq_id === 'string' ? data.req_seq_id : undefined;
  } catch {
    return undefined;
  }
}

/** One endpoint per request: `reply` acknowledges the `req_seq_id` that `parse` verified. */
export function createHuifuNotificationEndpoint(deps: { reader: Pick<PaymentChannel, 'parseNotification'> }): NotificationEndpoint {
  let reqSeqId: string | undefined;
  return {
    async parse(request) {
      try {
        const event = await deps.reader.parseNotification(request);
        reqSeqId = reqSeqIdOf(request.body);
        return { kind: 'event', event };
      } catch (error) {
        // Unverified (forged, unsigned, unreadable) → 401; verified but not about anything we can read → 400.
        if (isChannelError(error)) return { kind: 'refused', reason: error.reason, reply: huifuFail(error.kind === 'untrusted' ? 401 : 400, error.kind) };
        throw error;
      }
    },
    reply(outcome) {
      if (outcome.status !== 204) return huifuFail(outcome.status, outcome.code);
      const ack = buildHuifuNotificationReply(reqSeqId);
      return { status: ack.status, headers: PLAIN, body: ack.body };
    },
  };
}
