/**
 * What the pay e2e suites share: log a test user into the function host and call `pay.*` over
 * real HTTP as the mini-program would; read the stack's SQLite store directly to prove what was
 * (and was not) written; wait for asynchronous facts (notifications) with a bounded poll.
 */
import { randomBytes, randomUUID, sign, type KeyObject } from 'node:crypto';
import { join } from 'node:path';
import type { ApiResult, CallName, CallRequest, CallResponse, ClientPaymentParams } from '../../../typings/api';
import { encryptResource } from '../../../cloudfunctions/core/gateways/wechatpay/cipher';
import type { SandboxKeys } from '../../../sandbox/keys';
import type { Stack } from '../../helpers/stack';
import { idemKey as freshKey, prepayIdOf, waitFor } from '../../helpers/e2e-utils';

export { prepayIdOf, waitFor };
export const idemKey = (): string => freshKey('e2e');

let codeCounter = 0;

export interface User {
  name: string;
  token: string;
  /** `pay.create` → POST /call/pay { data: { action: 'create', … } }. */
  call<N extends CallName>(name: N, request: CallRequest<N> | Record<string, unknown>): Promise<ApiResult<CallResponse<N>>>;
  /** Any event, for malformed-input tests. */
  raw(fn: string, data: unknown): Promise<ApiResult<unknown>>;
  ok<N extends CallName>(name: N, request: CallRequest<N>): Promise<CallResponse<N>>;
}

export async function login(stack: Stack, name: string): Promise<User> {
  const res = await fetch(`${stack.hostUrl}/session`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ code: `user:${name}:${++codeCounter}:${process.pid}` }),
  });
  if (!res.ok) throw new Error(`login ${name}: ${res.status} ${await res.text()}`);
  const { token } = (await res.json()) as { token: string };
  const raw = async (fn: string, data: unknown) => {
    const r = await fetch(`${stack.hostUrl}/call/${fn}`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', authorization: `Bearer ${token}` },
      body: JSON.stringify({ data }),
    });
    return (await r.json()) as ApiResult<unknown>;
  };
  const call = async <N extends CallName>(callName: N, request: CallRequest<N> | Record<string, unknown>) => {
    const [fn, action] = callName.split('.');
    return (await raw(fn, { action, ...request })) as ApiResult<CallResponse<N>>;
  };
  return {
    name,
    token,
    raw,
    call,
    ok: async (callName, request) => {
      const result = await call(callName, request);
      if (!result.ok) throw new Error(`${callName} failed: ${result.code} ${result.message}`);
      return result.data;
    },
  };
}

/** Every row the pay functions may write, for "nothing was written" assertions. */
export function storeSnapshot(stack: Stack): Record<string, unknown[]> {
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  const Database = require('better-sqlite3') as typeof import('better-sqlite3');
  const db = new Database(join(stack.dataDir, 'store.sqlite'), { timeout: 5000 });
  try {
    const tables = ['orders', 'refunds', 'notifications', 'audit'];
    const existing = new Set((db.prepare("SELECT name FROM sqlite_master WHERE type = 'table'").all() as Array<{ name: string }>).map((r) => r.name));
    return Object.fromEntries(tables.map((t) => [t, existing.has(t) ? db.prepare(`SELECT * FROM ${t} ORDER BY rowid`).all() : []]));
  } finally {
    db.close();
  }
}


/**
 * Acts in the cashier the way the mini-program would: with the signed `wx.requestPayment` params
 * (the sandbox checks the pay sign). `open`: the payer is in the cashier and has not finished.
 */
export async function cashier(stack: Stack, action: 'open' | 'pay' | 'cancel' | 'fail', payment: ClientPaymentParams | undefined): Promise<void> {
  if (!payment) throw new Error('no payment params to open the cashier with');
  if (payment.kind !== 'miniprogram') throw new Error(`the mini-program cashier cannot open ${payment.kind} payment parameters`);
  // Exactly what `wx.requestPayment` gets: the parameters without our `kind` tag.
  const { kind: _kind, ...params } = payment;
  const res = await fetch(`${stack.gatewayUrl}/sandbox/cashier/${encodeURIComponent(prepayIdOf(params.package))}/${action}`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify(params),
  });
  if (!res.ok) throw new Error(`cashier ${action}: ${res.status} ${await res.text()}`);
}

export interface OrderRow {
  out_trade_no: string;
  state: string;
  version: number;
  data: string;
}
export interface AuditEntry {
  to: string;
  from: string | null;
  actor: string;
  event: string;
}

export function orderRow(stack: Stack, outTradeNo: string): OrderRow | undefined {
  return (storeSnapshot(stack).orders as OrderRow[]).find((r) => r.out_trade_no === outTradeNo);
}

export function auditOf(stack: Stack, outTradeNo: string): AuditEntry[] {
  return (storeSnapshot(stack).audit as Array<{ out_trade_no: string; data: string }>)
    .filter((a) => a.out_trade_no === outTradeNo)
    .map((a) => JSON.parse(a.data) as AuditEntry);
}

export function waitForState(stack: Stack, outTradeNo: string, state: string, timeoutMs = 10_000): Promise<OrderRow> {
  return waitFor(`${outTradeNo} → ${state}`, async () => {
    const row = orderRow(stack, outTradeNo);
    return row?.state === state ? row : undefined;
  }, timeoutMs);
}

/**
 * A notification as WeChat Pay would post it — encrypted with the APIv3 key, signed by the
 * platform key — with knobs to get each part wrong.
 */
export function craftNotification(
  keys: SandboxKeys,
  resource: Record<string, unknown>,
  opts: {
    eventType?: string;
    signWith?: KeyObject | string;
    serial?: string;
    timestamp?: number;
    signature?: string;
    tamper?: (body: string) => string;
    apiV3Key?: string;
    /** Encrypt this text instead of the JSON of `resource`. */
    plaintext?: string;
  } = {},
): { headers: Record<string, string>; body: string } {
  const nonce = randomBytes(6).toString('hex');
  const aad = 'transaction';
  const body = JSON.stringify({
    id: randomUUID(),
    create_time: new Date().toISOString(),
    resource_type: 'encrypt-resource',
    event_type: opts.eventType ?? 'TRANSACTION.SUCCESS',
    summary: '支付成功',
    resource: {
      original_type: 'transaction',
      algorithm: 'AEAD_AES_256_GCM',
      ciphertext: encryptResource(opts.plaintext ?? JSON.stringify(resource), opts.apiV3Key ?? keys.apiV3Key, nonce, aad),
      associated_data: aad,
      nonce,
    },
  });
  const timestamp = String(Math.floor((opts.timestamp ?? Date.now()) / 1000));
  const headerNonce = randomBytes(16).toString('hex');
  const signature =
    opts.signature ??
    sign('sha256', Buffer.from(`${timestamp}\n${headerNonce}\n${body}\n`), opts.signWith ?? keys.platformCert.privateKeyPem).toString('base64');
  return {
    headers: {
      'content-type': 'application/json',
      'wechatpay-timestamp': timestamp,
      'wechatpay-nonce': headerNonce,
      'wechatpay-signature': signature,
      'wechatpay-serial': opts.serial ?? keys.platformCert.serialNo,
    },
    body: opts.tamper ? opts.tamper(body) : body,
  };
}

export async function postNotification(stack: Stack, n: { headers: Record<string, string>; body: string }): Promise<{ status: number; body: string }> {
  const res = await fetch(`${stack.hostUrl}/http/payNotify`, { method: 'POST', headers: n.headers, body: n.body });
  return { status: res.status, body: await res.text() };
}

/** The decrypted resource of a paid transaction, as the gateway would send it. */
export function transactionResource(keys: SandboxKeys, order: { outTradeNo: string; amount: number }, payerOpenid: string, overrides: Record<string, unknown> = {}) {
  return {
    appid: keys.appid,
    mchid: keys.mchid,
    out_trade_no: order.outTradeNo,
    transaction_id: `42000${Date.now()}${Math.floor(Math.random() * 1e6)}`,
    trade_type: 'JSAPI',
    trade_state: 'SUCCESS',
    trade_state_desc: '支付成功',
    bank_type: 'OTHERS',
    success_time: new Date().toISOString().replace(/\.\d{3}Z$/, '+00:00'),
    payer: { openid: payerOpenid },
    amount: { total: order.amount, payer_total: order.amount, currency: 'CNY', payer_currency: 'CNY' },
    ...overrides,
  };
}
