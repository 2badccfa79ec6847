import { createHttpHandler, type HttpRequest, type HttpResponse } from '../core/kernel/platform/http';
import { runtime } from '../core/runtime';
import { buildNotificationReply } from '../core/gateways/wechatpay/notification';
import { WechatPayError } from '../core/gateways/wechatpay/errors';

/**
 * payNotify (HTTP trigger): WeChat Pay v3 payment and refund notifications. Verify on the raw body,
 * decrypt, check against the stored order, apply once, reply 204. Anything else is 4xx/5xx with
 * `{code:'FAIL', message}` and changes nothing — the gateway retries, and `reconcile` queries.
 */
export async function handleNotification(request: HttpRequest): Promise<HttpResponse> {
  if (request.method !== 'POST') return fail(405, 'METHOD_NOT_ALLOWED');
  const { channels, orders, verifierReady } = runtime();
  let notification;
  try {
    await verifierReady();
    notification = await channels.notifications().parseNotification({ headers: request.headers, body: request.body });
  } catch (error) {
    if (!(error instanceof WechatPayError)) throw error;
    console.warn(`[payNotify] rejected: ${error.message}`);
    const reply = buildNotificationReply(error);
    return { status: reply.status, headers: reply.headers, body: reply.body };
  }
  const outcome = await orders.applyNotification(notification);
  if (outcome.status === 204) return { status: 204 };
  return fail(outcome.status, outcome.code);
}

function fail(status: number, message: string): HttpResponse {
  return { status, headers: { 'content-type': 'application/json' }, body: JSON.stringify({ code: 'FAIL', message }) };
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
