/**
 * Notification endpoints to fuzz, one row per gateway family and product: how an order waiting
 * for a notification is made (through the functions), how a sound notification is made for it
 * (and its equally sound variants), the mutations that must be refused, how the endpoint says
 * "applied" and "refused", and the order's state before and after. Rows: v3 JSON payments
 * (`payNotify`), PayScore (`payNotify`, PAYSCORE.*), APIv2 XML (`payNotifyV2`), Huifu form
 * (`huifuNotify`). The runner, the storm and the report are shared.
 *
 * Everything is built here with node:crypto and wechatpay-axios-plugin's v2 helpers — never with
 * the code under test or the sandbox's own signing.
 */
import { createCipheriv, createSign, generateKeyPairSync, randomBytes, randomUUID, sign } from 'node:crypto';
import fc from 'fast-check';
import { Aes, Formatter, Hash, Transformer } from 'wechatpay-axios-plugin';
import type { SandboxKeys } from '../../../sandbox/keys';
import type { HuifuKeys } from '../../../sandbox/huifu/keys';

export interface HttpEvent {
  path: string;
  httpMethod: string;
  headers: Record<string, string>;
  queryStringParameters: Record<string, string>;
  body: string;
  isBase64Encoded: boolean;
}

export interface PaidOrder {
  /** The order's number (a PayScore service order's `out_order_no`). */
  outTradeNo: string;
  amount: number;
  payerOpenid: string;
  /** What the gateway knows of it that a notification repeats (PayScore: its service order). */
  facts?: Record<string, unknown>;
}

/** Every key and identity a notification of any row is made with: the sandboxes' own. */
export type KeyRing = SandboxKeys & {
  /** The APIv2 merchant as the v2 sandbox reports it (`mch_id`, the mini-program and APP appids). */
  v2: { mchid: string; appid: string; appAppid: string };
  huifu?: HuifuKeys;
};

/** What a mutation may still write: a verified but inconsistent notification raises an alert and is logged. */
export interface NotifyMutation {
  describe: string;
  make: (keys: KeyRing, order: PaidOrder, now: number) => HttpEvent;
  mayWrite?: string[];
}

/** The functions, as a row needs them to make an order that waits for its notification. */
export interface NotifyDriver {
  keys: KeyRing;
  gatewayUrl: string;
  payer: { openid: string; appid: string };
  invoke(fn: string, event: unknown, who?: { openid: string; appid: string }): Promise<unknown>;
  /** A fresh idempotency key / order number suffix. */
  next(): number;
  /** The state the store holds (read from the store itself: no query, no sync, no write). */
  stored: { order(outTradeNo: string): string | undefined; payscore(outOrderNo: string): string | undefined };
}

type Reply = { statusCode: number; body: string };

export interface NotificationTarget {
  name: string;
  fn: string;
  /** An order waiting for this row's sound notification, made through the functions. */
  subject: (driver: NotifyDriver, amount: number) => Promise<PaidOrder>;
  sound: (keys: KeyRing, order: PaidOrder, now: number) => HttpEvent;
  /** Sound notifications that differ from `sound` in form only (each must be applied as it would be). */
  soundVariants?: fc.Arbitrary<NotifyMutation>;
  mutations: fc.Arbitrary<NotifyMutation>;
  applied: (reply: Reply) => boolean;
  refused: (reply: Reply) => boolean;
  /** The subject's stored state; `waiting` before, `done` after the sound notification. */
  stateOf: (driver: NotifyDriver, order: PaidOrder) => string | undefined;
  states: { waiting: string; done: string };
  /** Storm: a notice for a refund this store never started, about this order (refused, nothing written). */
  refundNeverStarted?: (keys: KeyRing, order: PaidOrder, i: number, now: number) => HttpEvent;
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

type ResourceOf = (keys: SandboxKeys, o: PaidOrder, over?: Record<string, unknown>) => Record<string, unknown>;

/**
 * The v3 envelope's corruptions (signature, timestamp, serial, ciphertext, body, headers, method),
 * for any resource and event type: payments and PayScore share the endpoint and the envelope.
 */
function v3EnvelopeMutations(tx: ResourceOf, eventType: string): Array<fc.Arbitrary<NotifyMutation>> {
  const ev = (k: SandboxKeys, parts: V3Parts, now: number) => v3Event(k, { eventType, ...parts }, now);
  return [
    fc.constant<NotifyMutation>({ describe: 'signed by another key', make: (k, o, now) => ev(k, { resource: tx(k, o), signWith: otherKey() }, now) }),
    // Stale / future by at least 600 s: outside the 5-minute window even when a busy run delivers late.
    fc.integer({ min: 600, max: 10 ** 7 }).map((s): NotifyMutation => ({ describe: `stale by ${s} s`, make: (k, o, now) => ev(k, { resource: tx(k, o), timestamp: now - s * 1000 }, now) })),
    fc.integer({ min: 600, max: 10 ** 7 }).map((s): NotifyMutation => ({ describe: `${s} s in the future`, make: (k, o, now) => ev(k, { resource: tx(k, o), timestamp: now + s * 1000 }, now) })),
    fc.stringMatching(/^[0-9A-F]{40}$/).map((serial): NotifyMutation => ({ describe: `unknown serial ${serial}`, make: (k, o, now) => ev(k, { resource: tx(k, o), serial }, now) })),
    // Not in the last base64 quantum: its spare bits decode to the same bytes (no tampering at all).
    fc.nat().map((at): NotifyMutation => ({ describe: `ciphertext tampered at ${at} (then signed)`, make: (k, o, now) => ev(k, { resource: tx(k, o), cipherTamper: (c) => flip(c.slice(0, -4), at) + c.slice(-4) }, now) })),
    fc.nat().map((at): NotifyMutation => ({ describe: `body tampered at ${at} after signing`, make: (k, o, now) => ev(k, { resource: tx(k, o), bodyTamper: (b) => flip(b, at) }, now) })),
    fc.nat().map((at): NotifyMutation => ({ describe: `body truncated at ${at}`, make: (k, o, now) => ev(k, { resource: tx(k, o), bodyTamper: (b) => b.slice(0, at % b.length) }, now) })),
    fc.constant<NotifyMutation>({
      describe: 'body re-serialised with its keys reordered',
      make: (k, o, now) => ev(k, { resource: tx(k, o), bodyTamper: (b) => JSON.stringify(Object.fromEntries(Object.entries(JSON.parse(b) as Record<string, unknown>).reverse())) }, now),
    }),
    fc.constantFrom('wechatpay-timestamp', 'wechatpay-nonce', 'wechatpay-signature', 'wechatpay-serial').map((h): NotifyMutation => ({ describe: `without ${h}`, make: (k, o, now) => ev(k, { resource: tx(k, o), dropHeader: h }, now) })),
    fc.oneof(fc.string({ maxLength: 400 }), fc.base64String({ maxLength: 400 })).map((signature): NotifyMutation => ({ describe: `signature ${JSON.stringify(signature.slice(0, 20))}`, make: (k, o, now) => ev(k, { resource: tx(k, o), signature }, now) })),
    fc.constant<NotifyMutation>({ describe: 'a SIGNTEST probe', make: (k, o, now) => ev(k, { resource: tx(k, o), signature: `WECHATPAY/SIGNTEST/${'A'.repeat(300)}` }, now) }),
    fc.constant<NotifyMutation>({ describe: 'encrypted with another APIv3 key', make: (k, o, now) => ev(k, { resource: tx(k, o), apiV3Key: 'k'.repeat(32) }, now) }),
    fc.constantFrom('', 'not json', '[]', '{}', 'null', '{"resource":{}}', '\u0000'.repeat(10), 'x'.repeat(2_000_000)).map((body): NotifyMutation => ({
      describe: `body ${JSON.stringify(body.slice(0, 16))} (${body.length} chars)`,
      make: (k, o, now) => ev(k, { resource: tx(k, o), bodyTamper: () => body }, now),
    })),
    fc.constantFrom('GET', 'PUT', 'DELETE').map((method): NotifyMutation => ({ describe: `method ${method}`, make: (k, o, now) => ev(k, { resource: tx(k, o), method }, now) })),
  ];
}

/** A v3 payment's own inconsistencies: signed and encrypted correctly, wrong in what they say. */
const v3PaymentMutations: Array<fc.Arbitrary<NotifyMutation>> = [
  fc.string({ maxLength: 200 }).map((plaintext): NotifyMutation => ({ describe: `decrypts to ${JSON.stringify(plaintext.slice(0, 30))}`, make: (k, _o, now) => v3Event(k, { resource: {}, plaintext }, now), mayWrite: ['alerts', 'notifications'] })),
  fc.oneof(fc.integer({ min: -5, max: 10 ** 9 }), fc.constant(0)).map((total): NotifyMutation => ({
    describe: `for another amount (${total})`,
    make: (k, o, now) => v3Event(k, { resource: v3Transaction(k, o, { amount: { total: total === o.amount ? total + 1 : total, payer_total: total, currency: 'CNY', payer_currency: 'CNY' } }) }, now),
    mayWrite: ['alerts', 'notifications'],
  })),
  fc.constantFrom<[string, unknown]>(['mchid', '1230000109'], ['appid', 'wx0000000000000000'], ['out_trade_no', 'NOSUCHORDER0000001'], ['trade_state', 'NOT_A_STATE'], ['amount', undefined], ['payer', 7]).map(([field, value]): NotifyMutation => ({
    describe: `resource ${field} = ${JSON.stringify(value)}`,
    make: (k, o, now) => v3Event(k, { resource: v3Transaction(k, o, { [field]: value }) }, now),
    mayWrite: ['alerts', 'notifications'],
  })),
];

const v3Mutations: fc.Arbitrary<NotifyMutation> = fc.oneof(...v3EnvelopeMutations(v3Transaction, 'TRANSACTION.SUCCESS'), ...v3PaymentMutations);

// ---- PayScore (PAYSCORE.USER_CONFIRM at payNotify): the resource is the service order as the
// gateway's query answers it (test/e2e/payscore/notify.test.ts `gatewayView`), confirmed.

const payscoreResource: ResourceOf = (_k, o, over = {}) => ({ ...o.facts, state: 'DOING', state_description: 'USER_CONFIRM', ...over });

const payscoreMutations: fc.Arbitrary<NotifyMutation> = fc.oneof(
  ...v3EnvelopeMutations(payscoreResource, 'PAYSCORE.USER_CONFIRM'),
  fc.constantFrom<[string, unknown]>(['appid', 'wx0000000000000000'], ['service_id', '2002000000000000000000000000000'], ['out_order_no', 'PSNOSUCHORDER0001'], ['state', 'CREATED'], ['state', 'REVOKED'], ['out_order_no', 'PS\uD800x']).map(([field, value]): NotifyMutation => ({
    describe: `service order ${field} = ${JSON.stringify(value)}`,
    make: (k, o, now) => v3Event(k, { eventType: 'PAYSCORE.USER_CONFIRM', resource: payscoreResource(k, o, { [field]: value }) }, now),
  })),
  fc.constant<NotifyMutation>({ describe: 'USER_PAID for an order nobody paid', make: (k, o, now) => v3Event(k, { eventType: 'PAYSCORE.USER_PAID', resource: payscoreResource(k, o) }, now) }),
);

// ---- APIv2 (payNotifyV2): the payment notification of chapter=9_7, signed with the APIv2 key
// (MD5, the local merchant's sign type), as test/e2e/pay/v2.test.ts builds it with the plugin.

const toXml = (data: Record<string, string>) => (Transformer.toXml as unknown as (this: object, d: object) => string).call({}, data);
const toObject = (xml: string) => (Transformer.toObject as unknown as (this: object, x: string) => Record<string, string>).call({}, xml);

function v2Fields(k: KeyRing, o: PaidOrder, over: Record<string, string | number> = {}): Record<string, string> {
  const fields: Record<string, string | number> = {
    appid: k.v2.appid,
    bank_type: 'OTHERS',
    cash_fee: o.amount,
    fee_type: 'CNY',
    is_subscribe: 'N',
    mch_id: k.v2.mchid,
    nonce_str: Formatter.nonce(32),
    openid: o.payerOpenid,
    out_trade_no: o.outTradeNo,
    result_code: 'SUCCESS',
    return_code: 'SUCCESS',
    time_end: '20261201120000',
    total_fee: o.amount,
    trade_type: 'JSAPI',
    transaction_id: `4200${o.outTradeNo.replace(/\D/g, '').slice(-24)}`,
    ...over,
  };
  return Object.fromEntries(Object.entries(fields).map(([key, v]) => [key, String(v)]));
}

const v2Signed = (fields: Record<string, string>, key: string, type: 'MD5' | 'HMAC-SHA256' = 'MD5') => ({ ...fields, sign: Hash.sign(type, fields, key) as string });
const v2Http = (body: string, method = 'POST'): HttpEvent => ({ path: '/', httpMethod: method, headers: { 'content-type': 'text/xml' }, queryStringParameters: {}, body, isBase64Encoded: false });
const v2Sound = (k: KeyRing, o: PaidOrder, over?: Record<string, string | number>) => toXml(v2Signed(v2Fields(k, o, over), k.apiV2Key));

const v2SoundVariants: fc.Arbitrary<NotifyMutation> = fc.constantFrom<NotifyMutation>(
  { describe: 'as the plugin writes it', make: (k, o) => v2Http(v2Sound(k, o)) },
  // The sign covers the sorted fields, not the bytes: element order and CDATA are form only.
  { describe: 'elements in reverse order', make: (k, o) => v2Http(toXml(Object.fromEntries(Object.entries(v2Signed(v2Fields(k, o), k.apiV2Key)).reverse()))) },
  { describe: 'values in CDATA sections', make: (k, o) => v2Http(`<xml>${Object.entries(v2Signed(v2Fields(k, o), k.apiV2Key)).map(([n, v]) => `<${n}><![CDATA[${v}]]></${n}>`).join('')}</xml>`) },
  { describe: 'sign_type MD5 declared', make: (k, o) => v2Http(toXml(v2Signed(v2Fields(k, o, { sign_type: 'MD5' }), k.apiV2Key))) },
);

const v2Mutations: fc.Arbitrary<NotifyMutation> = fc.oneof(
  fc.constant<NotifyMutation>({ describe: 'signed with another APIv2 key', make: (k, o) => v2Http(toXml(v2Signed(v2Fields(k, o), 'ForgedKeyForgedKeyForgedKey00000'))) }),
  fc.constant<NotifyMutation>({ describe: 'unsigned', make: (k, o) => v2Http(toXml(v2Fields(k, o))) }),
  fc.constant<NotifyMutation>({ describe: 'a downgrade: HMAC-SHA256 declared and signed while the merchant is MD5', make: (k, o) => v2Http(toXml(v2Signed(v2Fields(k, o, { sign_type: 'HMAC-SHA256' }), k.apiV2Key, 'HMAC-SHA256'))) }),
  fc.constant<NotifyMutation>({ describe: 'sign_type HMAC-SHA256 declared over an MD5 sign', make: (k, o) => v2Http(toXml({ ...v2Signed(v2Fields(k, o), k.apiV2Key), sign_type: 'HMAC-SHA256' })) }),
  fc.string({ minLength: 0, maxLength: 40 }).map((sign): NotifyMutation => ({ describe: `sign ${JSON.stringify(sign)}`, make: (k, o) => v2Http(toXml({ ...v2Fields(k, o), sign })) })),
  fc.constantFrom('total_fee', 'out_trade_no', 'transaction_id', 'openid', 'time_end').map((field): NotifyMutation => ({
    describe: `${field} changed after signing`,
    make: (k, o) => v2Http(toXml({ ...v2Signed(v2Fields(k, o), k.apiV2Key), [field]: field === 'total_fee' ? String(o.amount + 1) : `${v2Fields(k, o)[field]}9` })),
  })),
  fc.nat().map((at): NotifyMutation => ({ describe: `truncated at ${at}`, make: (k, o) => { const xml = v2Sound(k, o); return v2Http(xml.slice(0, at % xml.length)); } })),
  fc.nat().map((at): NotifyMutation => ({ describe: `a byte flipped at ${at}`, make: (k, o) => v2Http(flip(v2Sound(k, o), at)) })),
  fc.constantFrom('<!DOCTYPE xml [<!ENTITY x "y">]>', '<!DOCTYPE xml SYSTEM "file:///etc/passwd">', '<!ENTITY % p SYSTEM "http://127.0.0.1/">', '<!doctype xml>').map((decl): NotifyMutation => ({ describe: `with ${decl.slice(0, 24)}`, make: (k, o) => v2Http(decl + v2Sound(k, o)) })),
  fc.constant<NotifyMutation>({ describe: 'an entity reference in a signed field', make: (k, o) => v2Http(v2Sound(k, o).replace('<bank_type>OTHERS</bank_type>', '<bank_type>&x;</bank_type>')) }),
  fc.constantFrom(200_000, 2_000_000).map((n): NotifyMutation => ({ describe: `oversized (${n} chars in attach, signed)`, make: (k, o) => v2Http(v2Sound(k, o, { attach: 'A'.repeat(n) })) })),
  fc.constantFrom('\uD800', '\uDFFF', 'x\uD83D').map((bad): NotifyMutation => ({ describe: `ill-formed Unicode ${JSON.stringify(bad)} in out_trade_no, signed`, make: (k, o) => v2Http(v2Sound(k, o, { out_trade_no: o.outTradeNo + bad })) })),
  fc.constantFrom('\uD800', '\uDC00').map((bad): NotifyMutation => ({ describe: `ill-formed Unicode ${JSON.stringify(bad)} inserted after signing`, make: (k, o) => v2Http(v2Sound(k, o).replace('<openid>', `<openid>${bad}`)) })),
  fc.constantFrom<[string, string | number]>(['mch_id', '1999999999'], ['appid', 'wx0000000000000000'], ['out_trade_no', 'NOSUCHORDER0000001'], ['total_fee', 1], ['total_fee', 0], ['total_fee', -1], ['total_fee', '1.00'], ['transaction_id', '']).map(([field, value]): NotifyMutation => ({
    describe: `${field} = ${JSON.stringify(value)} (signed)`,
    make: (k, o) => v2Http(v2Sound(k, o, { [field]: field === 'total_fee' && value === 1 && o.amount === 1 ? 2 : value })),
    mayWrite: ['alerts', 'notifications'],
  })),
  fc.constantFrom('', 'not xml', '<xml></xml>', '<xml><return_code>SUCCESS</return_code>', '<root/>', '{"return_code":"SUCCESS"}', '\u0000'.repeat(10)).map((body): NotifyMutation => ({ describe: `body ${JSON.stringify(body.slice(0, 24))}`, make: () => v2Http(body) })),
  fc.constantFrom('GET', 'PUT').map((method): NotifyMutation => ({ describe: `method ${method}`, make: (k, o) => v2Http(v2Sound(k, o), method) })),
  fc.constant<NotifyMutation>({
    describe: 'a refund notice whose req_info is encrypted with another key',
    make: (k, o) => v2Http(toXml({ return_code: 'SUCCESS', appid: k.v2.appid, mch_id: k.v2.mchid, nonce_str: 'n', req_info: Aes.AesEcb.encrypt(v2RefundInfo(o, 'RFORGED1', 1), Hash.md5('F'.repeat(32))) as string })),
  }),
);

function v2RefundInfo(o: PaidOrder, outRefundNo: string, fee: number): string {
  const f = { out_refund_no: outRefundNo, out_trade_no: o.outTradeNo, refund_fee: String(fee), refund_id: `50${outRefundNo.replace(/\D/g, '')}0001`, refund_status: 'SUCCESS', success_time: '2026-12-01 12:10:00', total_fee: String(o.amount) };
  return `<root>${Object.entries(f).map(([n, v]) => `<${n}><![CDATA[${v}]]></${n}>`).join('')}</root>`;
}

const v2Reply = (r: Reply) => {
  try {
    return toObject(r.body);
  } catch {
    return {} as Record<string, string>;
  }
};

// ---- Huifu (huifuNotify): a form POST of resp_code, resp_desc, sign, resp_data, `sign` RSA-SHA256
// over resp_data exactly as posted (test/e2e/huifu/harness.ts), resp_data as the trade notification
// of aggregate-order-response.md.

const yuan = (fen: number) => (fen / 100).toFixed(2);

function huifuTrade(k: KeyRing, o: PaidOrder, over: Record<string, unknown> = {}): Record<string, unknown> {
  return {
    resp_code: '00000000',
    resp_desc: '交易成功',
    huifu_id: k.huifu!.huifuId,
    req_seq_id: o.outTradeNo,
    req_date: '20261201',
    trans_type: 'T_MINIAPP',
    hf_seq_id: `0029${o.outTradeNo.replace(/\D/g, '').slice(-24)}`,
    trans_amt: yuan(o.amount),
    trans_stat: 'S',
    notify_type: 1,
    end_time: '20261201120000',
    ...over,
  };
}

interface HuifuParts {
  data?: Record<string, unknown>;
  text?: string;
  signWith?: string | ReturnType<typeof generateKeyPairSync>['privateKey'];
  sign?: string;
  /** Changes resp_data after signing. */
  tamper?: (text: string) => string;
  /** Changes the whole form body. */
  bodyTamper?: (body: string) => string;
  method?: string;
}

export function huifuEvent(k: KeyRing, o: PaidOrder, parts: HuifuParts = {}): HttpEvent {
  const text = parts.text ?? JSON.stringify(parts.data ?? huifuTrade(k, o));
  const signature = parts.sign ?? createSign('RSA-SHA256').update(text).sign(parts.signWith ?? k.huifu!.huifu.privateKeyPem, 'base64');
  const form: Record<string, string> = { resp_code: '10000', resp_desc: '成功调用', resp_data: parts.tamper ? parts.tamper(text) : text };
  if (signature) form.sign = signature;
  const body = new URLSearchParams(form).toString();
  return { path: '/', httpMethod: parts.method ?? 'POST', headers: { 'content-type': 'application/x-www-form-urlencoded' }, queryStringParameters: {}, body: parts.bodyTamper ? parts.bodyTamper(body) : body, isBase64Encoded: false };
}

const huifuMutations: fc.Arbitrary<NotifyMutation> = fc.oneof(
  fc.constant<NotifyMutation>({ describe: 'signed by another key', make: (k, o) => huifuEvent(k, o, { signWith: otherKey() }) }),
  fc.constant<NotifyMutation>({ describe: 'signed with the merchant’s own key', make: (k, o) => huifuEvent(k, o, { signWith: k.huifu!.merchant.privateKeyPem }) }),
  fc.constant<NotifyMutation>({ describe: 'unsigned', make: (k, o) => huifuEvent(k, o, { sign: '' }) }),
  fc.oneof(fc.string({ maxLength: 60 }), fc.base64String({ minLength: 4, maxLength: 400 })).filter((x) => x.length > 0).map((sign): NotifyMutation => ({ describe: `sign ${JSON.stringify(sign.slice(0, 20))}`, make: (k, o) => huifuEvent(k, o, { sign }) })),
  fc.nat().map((at): NotifyMutation => ({ describe: `resp_data tampered at ${at} after signing`, make: (k, o) => huifuEvent(k, o, { tamper: (t) => flip(t, at) }) })),
  fc.constantFrom<[string, string]>(['"trans_stat":"S"', '"trans_stat":"S" '], ['"notify_type":1', '"notify_type":2'], [`"trans_amt":"`, `"trans_amt":"1`]).map(([from, to]): NotifyMutation => ({ describe: `resp_data ${from} → ${to} after signing`, make: (k, o) => huifuEvent(k, o, { tamper: (t) => t.replace(from, to) }) })),
  fc.nat().map((at): NotifyMutation => ({ describe: `resp_data truncated at ${at}, signed`, make: (k, o) => { const t = JSON.stringify(huifuTrade(k, o)); return huifuEvent(k, o, { text: t.slice(0, Math.max(1, at % t.length)) }); } })),
  fc.nat().map((at): NotifyMutation => ({ describe: `form body truncated at ${at}`, make: (k, o) => huifuEvent(k, o, { bodyTamper: (b) => b.slice(0, at % b.length) }) })),
  fc.constant<NotifyMutation>({ describe: 'resp_data re-serialised (keys reordered) after signing', make: (k, o) => huifuEvent(k, o, { tamper: (t) => JSON.stringify(Object.fromEntries(Object.entries(JSON.parse(t) as Record<string, unknown>).reverse())) }) }),
  fc.constantFrom('\uD800', '\uDFFF').map((bad): NotifyMutation => ({ describe: `ill-formed Unicode ${JSON.stringify(bad)} in resp_data after signing`, make: (k, o) => huifuEvent(k, o, { tamper: (t) => t.replace('交易成功', `交易${bad}成功`) }) })),
  fc.constantFrom<[string, unknown]>(['trans_amt', '0.01'], ['trans_amt', '0.00'], ['trans_amt', '-1.00'], ['trans_amt', '12.345'], ['trans_amt', 'abc'], ['req_seq_id', 'NOSUCHORDER0000001'], ['huifu_id', '6666000199999999'], ['trans_stat', 'X'], ['hf_seq_id', undefined], ['req_seq_id', undefined], ['notify_type', 9]).map(([field, value]): NotifyMutation => ({
    describe: `${field} = ${JSON.stringify(value)} (signed)`,
    make: (k, o) => huifuEvent(k, o, { data: huifuTrade(k, o, { [field]: field === 'trans_amt' && value === yuan(o.amount) ? '0.02' : value }) }),
    mayWrite: ['alerts', 'notifications'],
  })),
  fc.constantFrom('', 'not json', '[]', 'null', '"text"', '7').map((text): NotifyMutation => ({ describe: `resp_data ${JSON.stringify(text)} (signed)`, make: (k, o) => huifuEvent(k, o, { text }) })),
  fc.constantFrom('', 'resp_data=', 'sign=&resp_data=%7B%7D', '%%%', 'x'.repeat(2_000_000)).map((body): NotifyMutation => ({ describe: `form ${JSON.stringify(body.slice(0, 24))} (${body.length} chars)`, make: (k, o) => huifuEvent(k, o, { bodyTamper: () => body }) })),
  fc.constantFrom('GET', 'PUT').map((method): NotifyMutation => ({ describe: `method ${method}`, make: (k, o) => huifuEvent(k, o, { method }) })),
);

const RECV = /^RECV_ORD_ID_/;

/** As the page does: a retryable refusal (a sandbox slow under load) is sent again with the same key, a few times. */
const payCreate = (channel: string) => async (d: NotifyDriver, amount: number): Promise<PaidOrder> => {
  const idempotencyKey = `notify-fuzz-${process.pid}-${d.next()}`;
  let r: { ok: boolean; retryable?: boolean; data: { order: { outTradeNo: string } } } | undefined;
  for (let attempt = 0; attempt < 5 && (!r || (!r.ok && r.retryable)); attempt++) {
    r = (await d.invoke('pay', { action: 'create', channel, amount, idempotencyKey }, d.payer)) as typeof r;
  }
  if (!r?.ok) throw new Error(`create ${channel}: ${JSON.stringify(r)}`);
  return { outTradeNo: r.data.order.outTradeNo, amount, payerOpenid: d.payer.openid };
};

export const NOTIFICATION_TARGETS: NotificationTarget[] = [
  {
    name: 'v3 JSON',
    fn: 'payNotify',
    subject: payCreate('jsapi'),
    sound: (keys, order, now) => v3Event(keys, { resource: v3Transaction(keys, order) }, now),
    mutations: v3Mutations,
    applied: (r) => r.statusCode === 204,
    refused: (r) => r.statusCode >= 400 && r.statusCode < 500 && isFail(r.body),
    stateOf: (d, o) => d.stored.order(o.outTradeNo),
    states: { waiting: 'PAYING', done: 'PAID' },
    refundNeverStarted: (k, o, i, now) => {
      const refund = { out_trade_no: o.outTradeNo, out_refund_no: `RSTORM${i}`, refund_id: `5030${i}`, refund_status: 'SUCCESS', success_time: '2026-12-01T10:00:00+08:00', amount: { total: o.amount, refund: 1, payer_total: o.amount, payer_refund: 1 }, mchid: k.mchid, transaction_id: v3Transaction(k, o).transaction_id };
      return v3Event(k, { resource: refund, eventType: 'REFUND.SUCCESS' }, now);
    },
  },
  {
    name: 'PayScore',
    fn: 'payNotify',
    subject: async (d, amount) => {
      const outOrderNo = `PSNF${process.pid}x${d.next()}`;
      const r = (await d.invoke('payscore', { action: 'create', outOrderNo, serviceIntroduction: '充电宝租借', postPayments: [{ name: '租借费用', amount }], riskFund: { name: 'ESTIMATE_ORDER_COST', amount } }, d.payer)) as { ok: boolean };
      if (!r.ok) throw new Error(`payscore.create: ${JSON.stringify(r)}`);
      const res = await fetch(`${d.gatewayUrl}/sandbox/admin/payscore/orders/${encodeURIComponent(outOrderNo)}`);
      const { order: g } = (await res.json()) as { order: Record<string, unknown> };
      // The confirmed service order as the gateway's query answers it (undefined fields drop out).
      const facts = JSON.parse(JSON.stringify({ out_order_no: g.outOrderNo, service_id: g.serviceId, appid: g.appid, mchid: g.mchid, sub_mchid: g.subMchid, channel_id: g.channelId, service_introduction: g.serviceIntroduction, risk_fund: g.riskFund, order_id: g.orderId, total_amount: g.totalAmount ?? 0 })) as Record<string, unknown>;
      return { outTradeNo: outOrderNo, amount, payerOpenid: d.payer.openid, facts };
    },
    sound: (keys, order, now) => v3Event(keys, { eventType: 'PAYSCORE.USER_CONFIRM', resource: payscoreResource(keys, order) }, now),
    mutations: payscoreMutations,
    applied: (r) => r.statusCode === 204,
    refused: (r) => r.statusCode >= 400 && r.statusCode < 500 && isFail(r.body),
    stateOf: (d, o) => d.stored.payscore(o.outTradeNo),
    states: { waiting: 'CREATED', done: 'DOING' },
  },
  {
    name: 'v2 XML',
    fn: 'payNotifyV2',
    subject: payCreate('v2'),
    sound: (k, o) => v2Http(v2Sound(k, o)),
    soundVariants: v2SoundVariants,
    mutations: v2Mutations,
    applied: (r) => r.statusCode === 200 && v2Reply(r).return_code === 'SUCCESS',
    refused: (r) => v2Reply(r).return_code === 'FAIL' && !!v2Reply(r).return_msg,
    stateOf: (d, o) => d.stored.order(o.outTradeNo),
    states: { waiting: 'PAYING', done: 'PAID' },
    refundNeverStarted: (k, o, i) => v2Http(toXml({ return_code: 'SUCCESS', appid: k.v2.appid, mch_id: k.v2.mchid, nonce_str: Formatter.nonce(32), req_info: Aes.AesEcb.encrypt(v2RefundInfo(o, `RSTORM${i}`, 1), Hash.md5(k.apiV2Key)) as string })),
  },
  {
    name: 'Huifu form',
    fn: 'huifuNotify',
    subject: payCreate('huifu'),
    sound: (k, o) => huifuEvent(k, o),
    soundVariants: fc.constantFrom<NotifyMutation>(
      { describe: 'a trade notification (notify_type 1)', make: (k, o) => huifuEvent(k, o) },
      // The sign is over resp_data as posted: a space-for-plus sign (posted unencoded) still verifies.
      { describe: 'its sign with + posted as a space', make: (k, o) => huifuEvent(k, o, { bodyTamper: (b) => b.replace(/sign=([^&]*)/, (_m, v: string) => `sign=${decodeURIComponent(v).replace(/\+/g, ' ').replace(/[/=]/g, encodeURIComponent)}`) }) },
      { describe: 'an accounting notification (notify_type 2, booked)', make: (k, o) => huifuEvent(k, o, { data: huifuTrade(k, o, { notify_type: 2, acct_stat: 'S' }) }) },
    ),
    mutations: huifuMutations,
    applied: (r) => r.statusCode === 200 && RECV.test(r.body),
    refused: (r) => (r.statusCode < 200 || r.statusCode >= 300) && r.statusCode !== 500 && !RECV.test(r.body),
    stateOf: (d, o) => d.stored.order(o.outTradeNo),
    states: { waiting: 'PAYING', done: 'PAID' },
    refundNeverStarted: (k, o, i) =>
      huifuEvent(k, o, { data: { resp_code: '00000000', resp_desc: '交易成功', huifu_id: k.huifu!.huifuId, req_seq_id: `RSTORM${i}`, req_date: '20261201', org_req_seq_id: o.outTradeNo, org_req_date: '20261201', trans_type: 'TRANS_REFUND', hf_seq_id: `0030${i}`, ord_amt: '0.01', trans_stat: 'S' } }),
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
