/**
 * Notification parser: headers + raw body → verified, decrypted, typed event, or a typed rejection;
 * plus the reply WeChat Pay expects (204, or 4xx/5xx with `{code:'FAIL',message}`).
 */
import { WechatPayError, type WechatPayErrorCode } from '../errors';
import { AES_GCM_ALGORITHM } from './consts';
import { decryptResource } from './cipher';
import type { HeaderSource } from './headers';
import type { Clock } from './nonce';
import { validateSigned } from './validator';
import type { Verifier } from './verifier';
import type { NotificationMeta, WechatPayNotification } from './notification-types';

export interface NotificationRequest {
  headers: HeaderSource;
  /** The body exactly as received (decode base64 first when the trigger flags it). */
  body: string;
}

export interface NotificationOptions {
  verifier: Verifier;
  apiV3Key: string | Buffer;
  clock?: Clock;
}

export type NotificationResult =
  | { ok: true; notification: WechatPayNotification }
  | { ok: false; error: WechatPayError };

/** Never throws for bad input: every rejection comes back as `{ ok: false, error }` with a stable code. */
export function parseNotification(request: NotificationRequest, options: NotificationOptions): NotificationResult {
  try {
    return { ok: true, notification: parseNotificationOrThrow(request, options) };
  } catch (error) {
    if (error instanceof WechatPayError) return { ok: false, error };
    throw error;
  }
}

export function parseNotificationOrThrow(request: NotificationRequest, options: NotificationOptions): WechatPayNotification {
  const body = request.body;
  const signed = validateSigned(request.headers, body, { verifier: options.verifier, clock: options.clock });
  const malformed = (reason: string) => new WechatPayError('NOTIFICATION_MALFORMED', reason, { serial: signed.serial, requestId: signed.requestId });

  let envelope: Record<string, unknown>;
  try {
    envelope = JSON.parse(body) as Record<string, unknown>;
  } catch {
    throw malformed('body is not JSON');
  }
  if (!isObject(envelope)) throw malformed('body is not a JSON object');
  const { id, event_type, resource } = envelope;
  if (typeof id !== 'string' || typeof event_type !== 'string' || !isObject(resource)) {
    throw malformed('id, event_type and resource are required');
  }
  if (resource.algorithm !== AES_GCM_ALGORITHM) throw malformed(`unsupported resource algorithm ${String(resource.algorithm)}`);
  const plaintext = decryptResource(
    {
      ciphertext: resource.ciphertext as string,
      nonce: resource.nonce as string,
      associated_data: typeof resource.associated_data === 'string' ? resource.associated_data : undefined,
    },
    options.apiV3Key,
  );
  let data: unknown;
  try {
    data = JSON.parse(plaintext);
  } catch {
    throw malformed('decrypted resource is not JSON');
  }
  if (!isObject(data)) throw malformed('decrypted resource is not a JSON object');

  const meta: NotificationMeta = {
    id,
    create_time: String(envelope.create_time ?? ''),
    summary: String(envelope.summary ?? ''),
    resource_type: String(envelope.resource_type ?? ''),
    original_type: String(resource.original_type ?? ''),
  };
  return classify(meta, event_type, data, malformed);
}

function classify(
  meta: NotificationMeta,
  eventType: string,
  data: Record<string, unknown>,
  malformed: (reason: string) => WechatPayError,
): WechatPayNotification {
  const need = (ok: boolean, what: string) => {
    if (!ok) throw malformed(`${eventType} resource lacks ${what}`);
  };
  if (eventType === 'TRANSACTION.SUCCESS') {
    if ('combine_out_trade_no' in data) {
      need(typeof data.combine_out_trade_no === 'string' && typeof data.combine_mchid === 'string', 'combine_out_trade_no/combine_mchid');
      need(Array.isArray(data.sub_orders) && data.sub_orders.every((o) => isObject(o) && typeof o.out_trade_no === 'string' && isObject(o.amount)), 'sub_orders');
      return { ...meta, kind: 'combine_transaction', event_type: eventType, resource: data as never };
    }
    need(typeof data.out_trade_no === 'string' && typeof data.mchid === 'string' && typeof data.appid === 'string', 'out_trade_no/mchid/appid');
    need(typeof data.trade_state === 'string', 'trade_state');
    need(isObject(data.amount) && Number.isInteger(data.amount.total), 'amount.total');
    return { ...meta, kind: 'transaction', event_type: eventType, resource: data as never };
  }
  if (eventType === 'REFUND.SUCCESS' || eventType === 'REFUND.ABNORMAL' || eventType === 'REFUND.CLOSED') {
    need(typeof data.out_refund_no === 'string' && typeof data.out_trade_no === 'string', 'out_refund_no/out_trade_no');
    need(typeof data.refund_status === 'string', 'refund_status');
    need(isObject(data.amount) && Number.isInteger(data.amount.refund), 'amount.refund');
    return { ...meta, kind: 'refund', event_type: eventType, resource: data as never };
  }
  if (eventType === 'PAYSCORE.USER_CONFIRM' || eventType === 'PAYSCORE.USER_PAID') {
    need(typeof data.out_order_no === 'string', 'out_order_no');
    return { ...meta, kind: 'payscore', event_type: eventType, resource: data as never };
  }
  return { ...meta, kind: 'other', event_type: eventType, resource: data };
}

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

export interface NotificationReply {
  status: number;
  headers: Record<string, string>;
  body: string;
}

/** Codes that mean "this did not come from WeChat Pay": 401 so it shows in logs as an auth failure. */
const UNAUTHENTIC: ReadonlySet<WechatPayErrorCode | string> = new Set([
  'SIGNATURE_INVALID',
  'SIGNATURE_MISSING',
  'SIGNTEST_PROBE',
  'SERIAL_UNKNOWN',
  'TIMESTAMP_OUT_OF_WINDOW',
  'CERTIFICATE_EXPIRED',
  'CERTIFICATE_NOT_YET_VALID',
  'TAG_MISMATCH',
]);

/**
 * 204 when accepted. Otherwise `{code:'FAIL', message}`: 401 for authenticity failures, 400 for
 * malformed notifications, 500 for anything else (WeChat Pay retries all of them).
 */
export function buildNotificationReply(error?: unknown): NotificationReply {
  if (error === undefined) return { status: 204, headers: {}, body: '' };
  let status = 500;
  let message = 'internal error';
  if (error instanceof WechatPayError) {
    status = UNAUTHENTIC.has(error.code) ? 401 : error.code === 'NOTIFICATION_MALFORMED' || error.code === 'CIPHERTEXT_INVALID' ? 400 : 500;
    message = error.code;
  }
  return {
    status,
    headers: { 'Content-Type': 'application/json' },
    body: JSON.stringify({ code: 'FAIL', message }),
  };
}
