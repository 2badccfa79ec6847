/**
 * Notification parser: headers + raw body → verified, decrypted, typed event, or a typed rejection;
 * plus the reply WeChat Pay expects (204, or 4xx/5xx with `{code:'FAIL',message}`).
 */
import { AUTHENTICITY_FAILURES, WechatPayError } from './errors';
import { AES_GCM_ALGORITHM } from './consts';
import { decryptResource } from './cipher';
import type { HeaderSource } from './headers';
import type { Clock } from '../../kernel/nonce';
import { validateSigned, type SignedMessage } from './auth/validator';
import type { Verifier } from './auth/verifier';
import type { WechatPayNotification } from './notification-types';
import { isObject } from '../../kernel/is-object';

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

  let envelope: unknown;
  try {
    envelope = JSON.parse(body);
  } catch {
    throw malformed('body is not JSON', signed);
  }
  if (!isObject(envelope)) throw malformed('body is not a JSON object', signed);
  const { id, event_type: eventType, resource } = envelope;
  if (typeof id !== 'string' || typeof eventType !== 'string' || !isObject(resource)) {
    throw malformed('id, event_type and resource are required', signed);
  }
  if (resource.algorithm !== AES_GCM_ALGORITHM) throw malformed(`unsupported resource algorithm ${String(resource.algorithm)}`, signed);
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
    throw malformed('decrypted resource is not JSON', signed);
  }
  if (!isObject(data)) throw malformed('decrypted resource is not a JSON object', signed);

  const kind = kindOf(eventType, data);
  const lacking = lackingField(kind, data);
  if (lacking !== undefined) throw malformed(`${eventType} resource lacks ${lacking}`, signed);
  // One object shape for every kind; the union type is what tells them apart.
  return {
    id,
    create_time: stringOr(envelope.create_time),
    summary: stringOr(envelope.summary),
    resource_type: stringOr(envelope.resource_type),
    original_type: stringOr(resource.original_type),
    kind,
    event_type: eventType,
    resource: data,
  } as WechatPayNotification;
}

function malformed(reason: string, signed: SignedMessage): WechatPayError {
  return new WechatPayError('NOTIFICATION_MALFORMED', reason, { serial: signed.serial, requestId: signed.requestId });
}

function stringOr(value: unknown): string {
  return typeof value === 'string' ? value : '';
}

type Kind = WechatPayNotification['kind'];

/** Combine payments share TRANSACTION.SUCCESS with plain ones: `combine_out_trade_no` tells them apart. */
function kindOf(eventType: string, data: Record<string, unknown>): Kind {
  switch (eventType) {
    case 'TRANSACTION.SUCCESS':
      return data.combine_out_trade_no !== undefined ? 'combine_transaction' : 'transaction';
    case 'REFUND.SUCCESS':
    case 'REFUND.ABNORMAL':
    case 'REFUND.CLOSED':
      return 'refund';
    case 'PAYSCORE.USER_CONFIRM':
    case 'PAYSCORE.USER_PAID':
      return 'payscore';
    default:
      return 'other';
  }
}

/** The first field a typed resource must have but lacks (so consumers can trust the types). */
function lackingField(kind: Kind, data: Record<string, unknown>): string | undefined {
  switch (kind) {
    case 'transaction':
      if (typeof data.out_trade_no !== 'string' || typeof data.mchid !== 'string' || typeof data.appid !== 'string') return 'out_trade_no/mchid/appid';
      if (typeof data.trade_state !== 'string') return 'trade_state';
      if (!isObject(data.amount) || !Number.isInteger(data.amount.total)) return 'amount.total';
      return undefined;
    case 'combine_transaction':
      if (typeof data.combine_out_trade_no !== 'string' || typeof data.combine_mchid !== 'string') return 'combine_out_trade_no/combine_mchid';
      if (!Array.isArray(data.sub_orders) || !data.sub_orders.every((o) => isObject(o) && typeof o.out_trade_no === 'string' && isObject(o.amount))) return 'sub_orders';
      return undefined;
    case 'refund':
      if (typeof data.out_refund_no !== 'string' || typeof data.out_trade_no !== 'string') return 'out_refund_no/out_trade_no';
      if (typeof data.refund_status !== 'string') return 'refund_status';
      if (!isObject(data.amount) || !Number.isInteger(data.amount.refund)) return 'amount.refund';
      return undefined;
    case 'payscore':
      return typeof data.out_order_no === 'string' ? undefined : 'out_order_no';
    default:
      return undefined;
  }
}

export interface NotificationReply {
  status: number;
  headers: Record<string, string>;
  body: string;
}


/**
 * 204 when accepted. Otherwise `{code:'FAIL', message}`: 401 for authenticity failures, 400 for
 * malformed notifications, 500 for anything else (WeChat Pay retries all of them).
 */
export function buildNotificationReply(error?: unknown): NotificationReply {
  if (error === undefined) return { status: 204, headers: {}, body: '' };
  let status = 500;
  let message = 'internal error';
  if (error instanceof WechatPayError) {
    // Authenticity failures answer 401 so they show in logs as auth failures.
    status = AUTHENTICITY_FAILURES.has(error.code) ? 401 : error.code === 'NOTIFICATION_MALFORMED' || error.code === 'CIPHERTEXT_INVALID' ? 400 : 500;
    message = error.code;
  }
  return {
    status,
    headers: { 'Content-Type': 'application/json' },
    body: JSON.stringify({ code: 'FAIL', message }),
  };
}
