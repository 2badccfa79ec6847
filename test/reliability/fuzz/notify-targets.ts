/**
 * Notification endpoints to fuzz, one row per gateway family: how a sound notification is made
 * for an order, the mutations that must be refused, and how the endpoint says "applied" and
 * "refused". v3 JSON is live; APIv2 XML (`payNotifyV2`) and Huifu form (`huifuNotify`) add one row
 * each with their own `sound` and mutations (the runner and the report are shared).
 */
import { createCipheriv, generateKeyPairSync, randomBytes, randomUUID, sign } from 'node:crypto';
import fc from 'fast-check';
import type { SandboxKeys } from '../../../sandbox/keys';

export interface HttpEvent {
  path: string;
  httpMethod: string;
  headers: Record<string, string>;
  queryStringParameters: Record<string, string>;
  body: string;
  isBase64Encoded: boolean;
}

export interface PaidOrder {
  outTradeNo: string;
  amount: number;
  payerOpenid: string;
}

/** What a mutation may still write: a verified but inconsistent notification raises an alert and is logged. */
export interface NotifyMutation {
  describe: string;
  make: (keys: SandboxKeys, order: PaidOrder, now: number) => HttpEvent;
  mayWrite?: string[];
}

export interface NotificationTarget {
  name: string;
  fn: string;
  sound: (keys: SandboxKeys, order: PaidOrder, now: number) => HttpEvent;
  mutations: fc.Arbitrary<NotifyMutation>;
  applied: (reply: { statusCode: number; body: string }) => boolean;
  refused: (reply: { statusCode: number; body: string }) => boolean;
}

// ---- WeChat Pay v3: the notification as test/e2e/pay/harness.ts `craftNotification` builds it
// (Wechatpay-Timestamp/Nonce/Signature/Serial headers, AEAD_AES_256_GCM resource, sources in
// gateways/wechatpay/notification.ts), with a knob for each part to get wrong.

interface V3Parts {
  resource: Record<string, unknown>;
  eventType?: string;
  apiV3Key?: string;
  plaintext?: string;
  /** Changes the ciphertext before signing: the signature holds, decryption must fail. */
  cipherTamper?: (ciphertext: string) => string;
  /** Changes the body after signing. */
  bodyTamper?: (body: string) => string;
  timestamp?: number;
  serial?: string;
  signWith?: string | ReturnType<typeof generateKeyPairSync>['privateKey'];
  signature?: string;
  dropHeader?: string;
  method?: string;
}

function encrypt(plaintext: string, key: string, nonce: string, aad: string): string {
  const cipher = createCipheriv('aes-256-gcm', Buffer.from(key, 'utf8'), Buffer.from(nonce, 'utf8'));
  cipher.setAAD(Buffer.from(aad, 'utf8'));
  return Buffer.concat([cipher.update(plaintext, 'utf8'), cipher.final(), cipher.getAuthTag()]).toString('base64');
}

export function v3Event(keys: SandboxKeys, parts: V3Parts, now: number): HttpEvent {
  const nonce = randomBytes(6).toString('hex');
  const ciphertext = encrypt(parts.plaintext ?? JSON.stringify(parts.resource), parts.apiV3Key ?? keys.apiV3Key, nonce, 'transaction');
  const body = JSON.stringify({
    id: randomUUID(),
    create_time: new Date(now).toISOString(),
    resource_type: 'encrypt-resource',
    event_type: parts.eventType ?? 'TRANSACTION.SUCCESS',
    summary: '支付成功',
    resource: { original_type: 'transaction', algorithm: 'AEAD_AES_256_GCM', ciphertext: parts.cipherTamper ? parts.cipherTamper(ciphertext) : ciphertext, associated_data: 'transaction', nonce },
  });
  const timestamp = String(Math.floor((parts.timestamp ?? now) / 1000));
  const headerNonce = randomBytes(16).toString('hex');
  const signature = parts.signature ?? sign('sha256', Buffer.from(`${timestamp}\n${headerNonce}\n${body}\n`), parts.signWith ?? keys.platformCert.privateKeyPem).toString('base64');
  const headers: Record<string, string> = {
    'content-type': 'application/json',
    'wechatpay-timestamp': timestamp,
    'wechatpay-nonce': headerNonce,
    'wechatpay-signature': signature,
    'wechatpay-serial': parts.serial ?? keys.platformCert.serialNo,
  };
  if (parts.dropHeader) delete headers[parts.dropHeader];
  return { path: '/', httpMethod: parts.method ?? 'POST', headers, queryStringParameters: {}, body: parts.bodyTamper ? parts.bodyTamper(body) : body, isBase64Encoded: false };
}

export function v3Transaction(keys: SandboxKeys, order: PaidOrder, over: Record<string, unknown> = {}): Record<string, unknown> {
  return {
    appid: keys.appid,
    mchid: keys.mchid,
    out_trade_no: order.outTradeNo,
    transaction_id: `4200${order.outTradeNo.replace(/\D/g, '').slice(-20)}`,
    trade_type: 'JSAPI',
    trade_state: 'SUCCESS',
    trade_state_desc: '支付成功',
    bank_type: 'OTHERS',
    success_time: '2026-12-01T10:00:00+08:00',
    payer: { openid: order.payerOpenid },
    amount: { total: order.amount, payer_total: order.amount, currency: 'CNY', payer_currency: 'CNY' },
    ...over,
  };
}

let strangerKey: ReturnType<typeof generateKeyPairSync>['privateKey'] | undefined;
const otherKey = () => (strangerKey ??= generateKeyPairSync('rsa', { modulusLength: 2048 }).privateKey);

const flip = (text: string, at: number) => {
  const i = at % text.length;
  return text.slice(0, i) + (text[i] === 'A' ? 'B' : 'A') + text.slice(i + 1);
};

const tx = (keys: SandboxKeys, o: PaidOrder, over?: Record<string, unknown>) => v3Transaction(keys, o, over);

// Stale / future by at least 600 s: outside the 5-minute window even when a busy run delivers late.
const v3Mutations: fc.Arbitrary<NotifyMutation> = fc.oneof(
  fc.constant<NotifyMutation>({ describe: 'signed by another key', make: (k, o, now) => v3Event(k, { resource: tx(k, o), signWith: otherKey() }, now) }),
  fc.integer({ min: 600, max: 10 ** 7 }).map((s): NotifyMutation => ({ describe: `stale by ${s} s`, make: (k, o, now) => v3Event(k, { resource: tx(k, o), timestamp: now - s * 1000 }, now) })),
  fc.integer({ min: 600, max: 10 ** 7 }).map((s): NotifyMutation => ({ describe: `${s} s in the future`, make: (k, o, now) => v3Event(k, { resource: tx(k, o), timestamp: now + s * 1000 }, now) })),
  fc.stringMatching(/^[0-9A-F]{40}$/).map((serial): NotifyMutation => ({ describe: `unknown serial ${serial}`, make: (k, o, now) => v3Event(k, { resource: tx(k, o), serial }, now) })),
  // Not in the last base64 quantum: its spare bits decode to the same bytes (no tampering at all).
  fc.nat().map((at): NotifyMutation => ({ describe: `ciphertext tampered at ${at} (then signed)`, make: (k, o, now) => v3Event(k, { resource: tx(k, o), cipherTamper: (c) => flip(c.slice(0, -4), at) + c.slice(-4) }, now) })),
  fc.nat().map((at): NotifyMutation => ({ describe: `body tampered at ${at} after signing`, make: (k, o, now) => v3Event(k, { resource: tx(k, o), bodyTamper: (b) => flip(b, at) }, now) })),
  fc.nat().map((at): NotifyMutation => ({ describe: `body truncated at ${at}`, make: (k, o, now) => v3Event(k, { resource: tx(k, o), bodyTamper: (b) => b.slice(0, at % b.length) }, now) })),
  fc.constant<NotifyMutation>({
    describe: 'body re-serialised with its keys reordered',
    make: (k, o, now) => v3Event(k, { resource: tx(k, o), bodyTamper: (b) => JSON.stringify(Object.fromEntries(Object.entries(JSON.parse(b) as Record<string, unknown>).reverse())) }, now),
  }),
  fc.constantFrom('wechatpay-timestamp', 'wechatpay-nonce', 'wechatpay-signature', 'wechatpay-serial').map((h): NotifyMutation => ({ describe: `without ${h}`, make: (k, o, now) => v3Event(k, { resource: tx(k, o), dropHeader: h }, now) })),
  fc.oneof(fc.string({ maxLength: 400 }), fc.base64String({ maxLength: 400 })).map((signature): NotifyMutation => ({ describe: `signature ${JSON.stringify(signature.slice(0, 20))}`, make: (k, o, now) => v3Event(k, { resource: tx(k, o), signature }, now) })),
  fc.constant<NotifyMutation>({ describe: 'a SIGNTEST probe', make: (k, o, now) => v3Event(k, { resource: tx(k, o), signature: `WECHATPAY/SIGNTEST/${'A'.repeat(300)}` }, now) }),
  fc.constant<NotifyMutation>({ describe: 'encrypted with another APIv3 key', make: (k, o, now) => v3Event(k, { resource: tx(k, o), apiV3Key: 'k'.repeat(32) }, now) }),
  fc.string({ maxLength: 200 }).map((plaintext): NotifyMutation => ({ describe: `decrypts to ${JSON.stringify(plaintext.slice(0, 30))}`, make: (k, _o, now) => v3Event(k, { resource: {}, plaintext }, now), mayWrite: ['alerts', 'notifications'] })),
  fc.oneof(fc.integer({ min: -5, max: 10 ** 9 }), fc.constant(0)).map((total): NotifyMutation => ({
    describe: `for another amount (${total})`,
    make: (k, o, now) => v3Event(k, { resource: tx(k, o, { amount: { total: total === o.amount ? total + 1 : total, payer_total: total, currency: 'CNY', payer_currency: 'CNY' } }) }, now),
    mayWrite: ['alerts', 'notifications'],
  })),
  fc.constantFrom<[string, unknown]>(['mchid', '1230000109'], ['appid', 'wx0000000000000000'], ['out_trade_no', 'NOSUCHORDER0000001'], ['trade_state', 'NOT_A_STATE'], ['amount', undefined], ['payer', 7]).map(([field, value]): NotifyMutation => ({
    describe: `resource ${field} = ${JSON.stringify(value)}`,
    make: (k, o, now) => v3Event(k, { resource: tx(k, o, { [field]: value }) }, now),
    mayWrite: ['alerts', 'notifications'],
  })),
  fc.constantFrom('', 'not json', '[]', '{}', 'null', '{"resource":{}}', '\u0000'.repeat(10), 'x'.repeat(2_000_000)).map((body): NotifyMutation => ({
    describe: `body ${JSON.stringify(body.slice(0, 16))} (${body.length} chars)`,
    make: (k, o, now) => v3Event(k, { resource: tx(k, o), bodyTamper: () => body }, now),
  })),
  fc.constantFrom('GET', 'PUT', 'DELETE').map((method): NotifyMutation => ({ describe: `method ${method}`, make: (k, o, now) => v3Event(k, { resource: tx(k, o), method }, now) })),
);

export const NOTIFICATION_TARGETS: NotificationTarget[] = [
  {
    name: 'v3 JSON',
    fn: 'payNotify',
    sound: (keys, order, now) => v3Event(keys, { resource: v3Transaction(keys, order) }, now),
    mutations: v3Mutations,
    applied: (r) => r.statusCode === 204,
    refused: (r) => r.statusCode >= 400 && r.statusCode < 500 && isFail(r.body),
  },
];

function isFail(body: string): boolean {
  try {
    const parsed = JSON.parse(body) as { code?: unknown; message?: unknown };
    return parsed.code === 'FAIL' && typeof parsed.message === 'string';
  } catch {
    return false;
  }
}
