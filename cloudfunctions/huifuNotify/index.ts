import { createHuifuNotificationEndpoint, huifuFail } from '../core/channels/huifu/notification-endpoint';
import { createNotificationRouter } from '../core/domain/notifications';
import { createHttpHandler, type HttpRequest, type HttpResponse } from '../core/kernel/platform/http';
import { runtime } from '../core/runtime';

/**
 * huifuNotify (HTTP trigger): the Huifu DouGong notification endpoint (trade, accounting and
 * refund notifications: a form POST). The Huifu endpoint verifies `sign` over `resp_data`; the
 * router hands the verified event to the service that owns it; taken → 200 `RECV_ORD_ID_<req_seq_id>`,
 * otherwise a non-2xx answer and nothing changed — Huifu retries, and `reconcile` queries.
 */
export async function handleNotification(request: HttpRequest): Promise<HttpResponse> {
  if (request.method !== 'POST') return huifuFail(405, 'METHOD_NOT_ALLOWED');
  const { channels, orders } = runtime();
  const endpoint = createHuifuNotificationEndpoint({ reader: channels.get('huifu') });
  const parsed = await endpoint.parse({ headers: request.headers, body: request.body });
  if (parsed.kind === 'refused') {
    console.warn(`[huifuNotify] rejected: ${parsed.reason}`);
    return parsed.reply;
  }
  return endpoint.reply(await createNotificationRouter({ orders }).route(parsed.event));
}

export const main = createHttpHandler(handleNotification);
