import { createV3NotificationEndpoint, v3Fail } from '../core/channels/wechatpay-v3/notification-endpoint';
import { createNotificationRouter } from '../core/domain/notifications';
import { createHttpHandler, type HttpRequest, type HttpResponse } from '../core/kernel/platform/http';
import { runtime } from '../core/runtime';

/**
 * payNotify (HTTP trigger): the WeChat Pay v3 notification endpoint (payments, combine payments,
 * refunds, PayScore). The v3 endpoint verifies on the raw body and decrypts; the router hands the verified
 * event to the service that owns it (orders: check against the stored order, apply once); the
 * endpoint answers 204, or 4xx/5xx with `{code:'FAIL', message}` and nothing changed — the gateway
 * retries, and `reconcile` queries. APIv2 (XML) and Huifu (form) notifications get their own
 * function built the same way from their family's endpoint (`core/channels/notification-endpoint.ts`).
 */
export async function handleNotification(request: HttpRequest): Promise<HttpResponse> {
  if (request.method !== 'POST') return v3Fail(405, 'METHOD_NOT_ALLOWED');
  const { channels, orders, payscore, verifierReady } = runtime();
  const endpoint = createV3NotificationEndpoint({ reader: channels.notifications(), ready: verifierReady });
  const parsed = await endpoint.parse({ headers: request.headers, body: request.body });
  if (parsed.kind === 'refused') {
    console.warn(`[payNotify] rejected: ${parsed.reason}`);
    return parsed.reply;
  }
  return endpoint.reply(await createNotificationRouter({ orders, ...(payscore ? { payscore } : {}) }).route(parsed.event));
}

const http = createHttpHandler(handleNotification);

/** A crash (bad config, store down) must still answer in the shape WeChat Pay expects. */
export const main = async (event: unknown, context?: unknown) => {
  const result = await http(event, context);
  if (result.statusCode === 500 && result.body.includes('"INTERNAL"')) {
    return { ...result, body: JSON.stringify({ code: 'FAIL', message: 'internal error' }) };
  }
  return result;
};
