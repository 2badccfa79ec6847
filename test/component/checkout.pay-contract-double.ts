/**
 * CONTRACT DOUBLE of the `pay` and `payee` functions for page tests — not the real function.
 *
 * A small HTTP server that speaks the local function host's protocol (`POST /session` with a
 * wx.login code → bearer token; `POST /call/<fn>` with `{ data: { action, ...request } }` →
 * `ApiResult`) and answers the way `typings/api.d.ts` says: idempotent `pay.create` by key per
 * caller, `pay.query` from its order book, `pay.list` newest first with an opaque cursor,
 * `payee.card`. It also serves the sandbox cashier route `POST /sandbox/cashier/<prepay>/<action>`
 * so the local-transport payment wrapper has someone to talk to. Tests drive the order state
 * (`settle`) and inject errors (`failNext`) to check what the PAGE does with each answer.
 */
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { ApiError, ErrorCode, OrderState, OrderView, PayCreateRequest, RequestPaymentParams, MiniProgramPaymentParams } from '../../typings/api';

export interface RecordedCall {
  fn: string;
  action: string;
  openid: string;
  data: Record<string, unknown>;
}

export interface PayContractDouble {
  url: string;
  calls: RecordedCall[];
  cashier: { prepayId: string; action: string; body: unknown }[];
  orders: Map<string, OrderView & { openid: string; idempotencyKey?: string; payment?: RequestPaymentParams }>;
  /** The next `count` calls of `fn.action` answer this error. */
  failNext(name: string, error: Omit<ApiError, 'ok'>, count?: number): void;
  /** Delay every answer of `fn.action` by `ms` (to test double taps and in-flight states). */
  delay(name: string, ms: number): void;
  /** Hold every answer of `fn.action` until the returned `release()` (answers in order, no clock involved). */
  hold(name: string): { release(): void };
  /** Move an order to a state, as a verified notification would on the real server. */
  settle(outTradeNo: string, state: OrderState, extra?: Partial<OrderView>): void;
  /** Put an order straight into the book (for list tests). */
  seed(openid: string, order: Partial<OrderView> & { outTradeNo: string }): void;
  callsOf(name: string): RecordedCall[];
  close(): Promise<void>;
}

export const MAX_AMOUNT_FEN = 100_000;
const KEY_PATTERN = /^[A-Za-z0-9_-]{8,64}$/;

export async function startPayContractDouble(): Promise<PayContractDouble> {
  const sessions = new Map<string, string>();
  const orders: PayContractDouble['orders'] = new Map();
  const calls: RecordedCall[] = [];
  const cashier: PayContractDouble['cashier'] = [];
  const failures = new Map<string, { error: Omit<ApiError, 'ok'>; count: number }>();
  const delays = new Map<string, number>();
  const holds = new Map<string, Promise<void>>();
  let seq = 0;

  const handlers: Record<string, (openid: string, data: Record<string, unknown>) => unknown> = {
    'pay.create': (openid, data) => {
      const req = data as unknown as PayCreateRequest;
      if (!Number.isSafeInteger(req.amount) || req.amount <= 0) return err('INVALID_ARGUMENT', 'amount: expected a positive integer (fen)');
      if (typeof req.idempotencyKey !== 'string' || !KEY_PATTERN.test(req.idempotencyKey)) return err('INVALID_ARGUMENT', 'idempotencyKey: 8–64 [A-Za-z0-9_-]');
      if (req.channel !== 'jsapi' && req.channel !== 'combine') return err('INVALID_ARGUMENT', 'channel');
      if (req.channel === 'combine' && !req.payeeCode) return err('INVALID_ARGUMENT', 'payeeCode required for combine');
      if (req.amount > MAX_AMOUNT_FEN) return err('AMOUNT_OUT_OF_RANGE', `amount above ${MAX_AMOUNT_FEN}`);
      const existing = [...orders.values()].find((o) => o.openid === openid && o.idempotencyKey === req.idempotencyKey);
      if (existing) return ok({ order: view(existing), ...(isPayable(existing) ? { payment: tagged(existing.payment) } : {}) });
      seq++;
      const now = Date.now();
      const outTradeNo = `T${now}${String(seq).padStart(4, '0')}`;
      const order = {
        outTradeNo,
        channel: req.channel,
        amount: req.amount,
        description: req.description ?? '测试商品',
        state: 'PAYING' as OrderState,
        createdAt: new Date(now).toISOString(),
        expiresAt: new Date(now + 30 * 60_000).toISOString(),
        refundedAmount: 0,
        openid,
        idempotencyKey: req.idempotencyKey,
        payment: { timeStamp: String(Math.floor(now / 1000)), nonceStr: `n${seq}`, package: `prepay_id=wx_double_${seq}`, signType: 'RSA' as const, paySign: 'c2lnbmF0dXJl' },
        ...(req.payeeCode ? { payee: { displayName: `收款人${req.payeeCode}` } } : {}),
      };
      orders.set(outTradeNo, order);
      return ok({ order: view(order), payment: tagged(order.payment) });
    },
    'pay.query': (openid, data) => {
      const order = orders.get(String(data.outTradeNo));
      if (!order) return err('NOT_FOUND', 'no such order');
      if (order.openid !== openid) return err('FORBIDDEN', 'not your order');
      return ok({ order: view(order) });
    },
    'pay.list': (openid, data) => {
      const pageSize = typeof data.pageSize === 'number' ? data.pageSize : 20;
      const mine = [...orders.values()].filter((o) => o.openid === openid).sort((a, b) => b.createdAt.localeCompare(a.createdAt) || b.outTradeNo.localeCompare(a.outTradeNo));
      const start = typeof data.cursor === 'string' ? Number(Buffer.from(data.cursor, 'base64url').toString()) : 0;
      const page = mine.slice(start, start + pageSize);
      const next = start + pageSize < mine.length ? Buffer.from(String(start + pageSize)).toString('base64url') : undefined;
      return ok({ orders: page.map(view), ...(next ? { nextCursor: next } : {}) });
    },
    'payee.card': (_openid, data) => {
      const code = String(data.shareCode ?? '');
      if (code === 'unknown') return err('NOT_FOUND', 'no such payee');
      return ok({ displayName: `收款人${code}`, canReceive: code !== 'unauthorized' });
    },
  };

  const server: Server = createServer((req, res) => {
    void route(req, res).catch((e: unknown) => send(res, 500, { ok: false, code: 'INTERNAL', message: String(e) }));
  });

  async function route(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const url = new URL(req.url ?? '/', 'http://double');
    const parts = url.pathname.split('/').filter(Boolean);
    const body = await readJson(req);
    if (req.method === 'POST' && url.pathname === '/session') {
      const code = typeof body?.code === 'string' ? body.code : '';
      if (!code) return send(res, 400, { ok: false, code: 'INVALID_ARGUMENT', message: 'code' });
      // wx-bridge codes are `user:<name>:<n>`: one stable openid per test user, like the sandbox's jscode2session.
      const user = /^user:([^:]+):\d+$/.exec(code)?.[1];
      if (!user) return send(res, 401, { ok: false, code: 'UNAUTHENTICATED', message: 'invalid code' });
      const token = `tok_${sessions.size + 1}_${user}`;
      sessions.set(token, openidOf(user));
      return send(res, 200, { token, expiresIn: 7200 });
    }
    if (req.method === 'POST' && parts[0] === 'sandbox' && parts[1] === 'cashier' && parts.length === 4) {
      cashier.push({ prepayId: decodeURIComponent(parts[2]), action: parts[3], body });
      return send(res, 200, { ok: true });
    }
    if (req.method === 'POST' && parts[0] === 'call' && parts.length === 2) {
      const auth = req.headers.authorization ?? '';
      const openid = sessions.get(auth.replace(/^Bearer\s+/i, ''));
      if (!openid) return send(res, 401, { ok: false, code: 'UNAUTHENTICATED', message: 'log in again' });
      const data = (body && typeof body.data === 'object' && body.data) || {};
      const action = typeof data.action === 'string' ? data.action : '';
      const name = action ? `${parts[1]}.${action}` : parts[1];
      const { action: _omit, ...request } = data as Record<string, unknown>;
      void _omit;
      calls.push({ fn: parts[1], action, openid, data: request });
      const wait = delays.get(name);
      if (wait) await new Promise((r) => setTimeout(r, wait));
      const held = holds.get(name);
      if (held) await held;
      const failure = failures.get(name);
      if (failure && failure.count > 0) {
        failure.count--;
        return send(res, 200, { ok: false, ...failure.error });
      }
      const handler = handlers[name];
      if (!handler) return send(res, 200, { ok: false, code: 'UNKNOWN_ACTION', message: name });
      return send(res, 200, handler(openid, request));
    }
    send(res, 404, { ok: false, code: 'NOT_FOUND', message: url.pathname });
  }

  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;

  return {
    url,
    calls,
    cashier,
    orders,
    failNext(name, error, count = 1) {
      failures.set(name, { error, count });
    },
    delay(name, ms) {
      delays.set(name, ms);
    },
    hold(name) {
      let release: () => void = () => undefined;
      holds.set(name, new Promise<void>((resolve) => (release = resolve)));
      return {
        release: () => {
          holds.delete(name);
          release();
        },
      };
    },
    settle(outTradeNo, state, extra = {}) {
      const order = orders.get(outTradeNo);
      if (!order) throw new Error(`double: no order ${outTradeNo}`);
      Object.assign(order, { state, ...(state === 'PAID' ? { paidAt: new Date().toISOString(), transactionId: `42000${outTradeNo}` } : {}) }, extra);
    },
    seed(openid, partial) {
      const now = Date.now();
      orders.set(partial.outTradeNo, {
        channel: 'jsapi',
        amount: 100,
        description: '测试商品',
        state: 'PAID',
        createdAt: new Date(now).toISOString(),
        expiresAt: new Date(now + 30 * 60_000).toISOString(),
        refundedAmount: 0,
        ...partial,
        openid,
      });
    },
    callsOf(name) {
      return calls.filter((c) => (c.action ? `${c.fn}.${c.action}` : c.fn) === name);
    },
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}

/** The openid the double gives a wx-bridge test user. */
export function openidOf(user: string): string {
  return `o-${user}`;
}

function isPayable(order: { state: OrderState; expiresAt: string }): boolean {
  return (order.state === 'PAYING' || order.state === 'CREATED') && Date.parse(order.expiresAt) > Date.now();
}

/** As `pay.create` answers them: tagged with the cashier they are for (what reaches wx is untagged). */
function tagged(payment: RequestPaymentParams | undefined): MiniProgramPaymentParams | undefined {
  return payment && { kind: 'miniprogram', ...payment };
}

function view(order: OrderView & { openid?: string; idempotencyKey?: string; payment?: RequestPaymentParams }): OrderView {
  const { openid: _o, idempotencyKey: _k, payment: _p, ...rest } = order;
  void _o;
  void _k;
  void _p;
  return rest;
}

function ok<T>(data: T) {
  return { ok: true as const, data };
}

function err(code: ErrorCode, message: string): ApiError {
  return { ok: false, code, message, retryable: false };
}

async function readJson(req: IncomingMessage): Promise<Record<string, any> | undefined> {
  const chunks: Buffer[] = [];
  for await (const chunk of req) chunks.push(chunk as Buffer);
  if (chunks.length === 0) return undefined;
  try {
    return JSON.parse(Buffer.concat(chunks).toString('utf8')) as Record<string, any>;
  } catch {
    return undefined;
  }
}

function send(res: ServerResponse, status: number, body: unknown): void {
  const text = JSON.stringify(body);
  res.writeHead(status, { 'content-type': 'application/json', 'content-length': Buffer.byteLength(text) });
  res.end(text);
}
