import { createV2NotificationEndpoint, v2Reply } from '../core/channels/wechatpay-v2/notification-endpoint';
import { createNotificationRouter } from '../core/domain/notifications';
import { createHttpHandler, type HttpRequest, type HttpResponse } from '../core/kernel/platform/http';
import { runtime } from '../core/runtime';

/**
 * payNotifyV2 (HTTP trigger): the WeChat Pay APIv2 notification endpoint (payments and refunds,
 * XML). The v2 endpoint verifies the sign (or decrypts `req_info`); the router hands the event to
 * the service that owns it; the answer is the SUCCESS/OK XML, or FAIL with the reason and nothing
 * changed — the gateway retries, and `reconcile` queries.
 */
export async function handleNotificationV2(request: HttpRequest): Promise<HttpResponse> {
  if (request.method !== 'POST') return v2Reply(false, 'METHOD_NOT_ALLOWED');
  const { channels, orders } = runtime();
  if (!channels.has('v2')) return v2Reply(false, 'CHANNEL_UNAVAILABLE');
  const endpoint = createV2NotificationEndpoint({ reader: channels.get('v2') });
  const parsed = await endpoint.parse({ headers: request.headers, body: request.body });
  if (parsed.kind === 'refused') {
    console.warn(`[payNotifyV2] rejected: ${parsed.reason}`);
    return parsed.reply;
  }
  return endpoint.reply(await createNotificationRouter({ orders }).route(parsed.event));
}

const http = createHttpHandler(handleNotificationV2);

/** A crash (bad config, store down) must still answer in the XML WeChat Pay expects. */
export const main = async (event: unknown, context?: unknown) => {
  const result = await http(event, context);
  if (result.statusCode === 500) return { ...result, headers: { 'content-type': 'text/xml; charset=utf-8' }, body: '<xml><return_code><![CDATA[FAIL]]></return_code><return_msg><![CDATA[internal error]]></return_msg></xml>' };
  return result;
};
