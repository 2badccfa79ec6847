/**
 * CONTRACT DOUBLE of the `admin` function (and the `pay` actions the console uses: refund, close,
 * alerts) for the console's page tests — not the real function.
 *
 * Speaks the local function host's protocol (`POST /session` with a wx-bridge code → token;
 * `POST /call/<fn>`) and answers as `typings/api.d.ts` / `typings/admin-api.d.ts` say: admins
 * only (the test user `admin`), filters and an opaque cursor on `admin.orders`, idempotent
 * `pay.refund` by key, compare-and-set acknowledgement. Tests seed its book, inject errors
 * (`failNext`) and hold answers (`hold`) to see what the PAGES do with each answer.
 */
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { AdminOrderDetail, AdminTotals, AlertView, ApiError, ErrorCode, OrderView } from '../../typings/api';

export const ADMIN_USER = 'admin';
const openidOf = (user: string) => `o-${user}`;

export interface RecordedCall {
  name: string;
  openid: string;
  data: Record<string, any>;
}

export interface AdminDouble {
  url: string;
  calls: RecordedCall[];
  details: Map<string, AdminOrderDetail>;
  alerts: AlertView[];
  totals: AdminTotals;
  seedOrder(order: Partial<OrderView> & { outTradeNo: string }, extra?: Partial<AdminOrderDetail>): AdminOrderDetail;
  failNext(name: string, error: Omit<ApiError, 'ok'>, count?: number): void;
  hold(name: string): { release(): void };
  callsOf(name: string): RecordedCall[];
  close(): Promise<void>;
}

const CHINA = 8 * 3600_000;
const chinaDay = (iso: string) => new Date(Date.parse(iso) + CHINA).toISOString().slice(0, 10);

export async function startAdminDouble(): Promise<AdminDouble> {
  const sessions = new Map<string, string>();
  const calls: RecordedCall[] = [];
  const details = new Map<string, AdminOrderDetail>();
  const alerts: AlertView[] = [];
  const failures = new Map<string, { error: Omit<ApiError, 'ok'>; count: number }>();
  const holds = new Map<string, Promise<void>>();
  const refundsByKey = new Map<string, unknown>();
  const empty = { count: 0, amount: 0 };
  const totals: AdminTotals = {
    timeZone: 'Asia/Shanghai',
    today: { from: '2026-11-30T16:00:00.000Z', before: '2026-12-01T16:00:00.000Z', payments: empty, refunds: empty, net: 0 },
    month: { from: '2026-11-30T16:00:00.000Z', before: '2026-12-31T16:00:00.000Z', payments: empty, refunds: empty, net: 0 },
  };

  const isAdmin = (openid: string) => openid === openidOf(ADMIN_USER);
  const adminOnly = ['admin.orders', 'admin.order', 'admin.acknowledgeAlert', 'admin.totals', 'pay.refund', 'pay.alerts'];

  const handlers: Record<string, (openid: string, data: Record<string, any>) => unknown> = {
    'admin.status': (openid) => ok({ admin: isAdmin(openid) }),
    'admin.totals': () => ok(totals),
    'admin.orders': (_openid, data) => {
      const fingerprint = JSON.stringify([data.state, data.channel, data.createdFrom, data.createdTo]);
      const matching = [...details.values()]
        .map((d) => d.order)
        .filter((o) => (!data.state || o.state === data.state) && (!data.channel || o.channel === data.channel))
        .filter((o) => (!data.createdFrom || chinaDay(o.createdAt) >= data.createdFrom) && (!data.createdTo || chinaDay(o.createdAt) <= data.createdTo))
        .sort((a, b) => b.createdAt.localeCompare(a.createdAt) || b.outTradeNo.localeCompare(a.outTradeNo));
      let start = 0;
      if (typeof data.cursor === 'string') {
        const [forFilters, offset] = JSON.parse(Buffer.from(data.cursor, 'base64url').toString()) as [string, number];
        if (forFilters !== fingerprint) return err('INVALID_ARGUMENT', 'cursor: not for these filters');
        start = offset;
      }
      const size = typeof data.pageSize === 'number' ? data.pageSize : 20;
      const page = matching.slice(start, start + size);
      const next = start + size < matching.length ? Buffer.from(JSON.stringify([fingerprint, start + size])).toString('base64url') : undefined;
      return ok({ orders: page, ...(next ? { nextCursor: next } : {}) });
    },
    'admin.order': (_openid, data) => {
      const detail = details.get(String(data.outTradeNo));
      return detail ? ok(detail) : err('NOT_FOUND', 'no such order');
    },
    'admin.acknowledgeAlert': (_openid, data) => {
      const alert = alerts.find((a) => a.id === data.id);
      if (!alert) return err('NOT_FOUND', 'no such alert');
      alert.acknowledgedAt ??= new Date().toISOString();
      return ok({ alert });
    },
    'pay.alerts': (_openid, data) => {
      const start = typeof data.cursor === 'string' ? Number(Buffer.from(data.cursor, 'base64url').toString()) : 0;
      const size = typeof data.pageSize === 'number' ? data.pageSize : 20;
      const next = start + size < alerts.length ? Buffer.from(String(start + size)).toString('base64url') : undefined;
      return ok({ alerts: alerts.slice(start, start + size), ...(next ? { nextCursor: next } : {}) });
    },
    'pay.refund': (_openid, data) => {
      if (!/^[A-Za-z0-9_-]{8,64}$/.test(String(data.idempotencyKey))) return err('INVALID_ARGUMENT', 'idempotencyKey');
      const known = refundsByKey.get(data.idempotencyKey);
      if (known) return known;
      const detail = details.get(String(data.outTradeNo));
      if (!detail) return err('NOT_FOUND', 'no such order');
      if (!Number.isSafeInteger(data.amount) || data.amount <= 0) return err('INVALID_ARGUMENT', 'amount');
      if (data.amount > detail.refundable) return err('REFUND_EXCEEDS_PAID', 'too much');
      const outRefundNo = `R${detail.order.outTradeNo}${detail.refunds.length + 1}`;
      detail.refundable -= data.amount;
      detail.order.state = 'REFUNDING';
      detail.refunds.push({ outRefundNo, amount: data.amount, state: 'PROCESSING', createdAt: new Date().toISOString(), ...(data.reason ? { reason: data.reason } : {}) });
      detail.audit.push({ at: new Date().toISOString(), from: 'PAID', to: 'REFUNDING', event: 'REFUND_STARTED', actor: 'admin', detail: { outRefundNo, amount: data.amount } });
      const answer = ok({ order: detail.order, refund: { outRefundNo, amount: data.amount, state: 'PROCESSING' } });
      refundsByKey.set(data.idempotencyKey, answer);
      return answer;
    },
    'pay.close': (_openid, data) => {
      const detail = details.get(String(data.outTradeNo));
      if (!detail) return err('NOT_FOUND', 'no such order');
      if (!detail.closable) return err('INVALID_STATE', 'cannot close');
      detail.order.state = 'CLOSED';
      detail.closable = false;
      detail.audit.push({ at: new Date().toISOString(), from: 'PAYING', to: 'CLOSED', event: 'CLOSED', actor: 'admin', detail: {} });
      return ok({ order: detail.order });
    },
  };

  const server = createServer((req, res) => {
    void route(req, res).catch((e: unknown) => send(res, 500, { ok: false, code: 'INTERNAL', message: String(e) }));
  });

  async function route(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const url = new URL(req.url ?? '/', 'http://double');
    const parts = url.pathname.split('/').filter(Boolean);
    const body = await readJson(req);
    if (req.method === 'POST' && url.pathname === '/session') {
      const user = /^user:([^:]+):\d+$/.exec(String(body?.code ?? ''))?.[1];
      if (!user) return send(res, 401, { ok: false, code: 'UNAUTHENTICATED', message: 'invalid code' });
      const token = `tok_${sessions.size + 1}_${user}`;
      sessions.set(token, openidOf(user));
      return send(res, 200, { token, expiresIn: 7200 });
    }
    if (req.method === 'POST' && parts[0] === 'call' && parts.length === 2) {
      const openid = sessions.get((req.headers.authorization ?? '').replace(/^Bearer\s+/i, ''));
      if (!openid) return send(res, 401, { ok: false, code: 'UNAUTHENTICATED', message: 'log in again' });
      const { action, ...data } = ((body?.data as Record<string, any>) ?? {}) as Record<string, any>;
      const name = action ? `${parts[1]}.${String(action)}` : parts[1];
      calls.push({ name, openid, data });
      const held = holds.get(name);
      if (held) await held;
      const failure = failures.get(name);
      if (failure && failure.count > 0) {
        failure.count--;
        return send(res, 200, { ok: false, ...failure.error });
      }
      if (adminOnly.includes(name) && !isAdmin(openid)) return send(res, 200, err('FORBIDDEN', 'admins only'));
      const handler = handlers[name];
      return send(res, 200, handler ? handler(openid, data) : err('UNKNOWN_ACTION', name));
    }
    send(res, 404, { ok: false, code: 'NOT_FOUND', message: url.pathname });
  }

  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    calls,
    details,
    alerts,
    totals,
    seedOrder(order, extra = {}) {
      const now = Date.now();
      const view: OrderView = {
        channel: 'jsapi',
        amount: 100,
        description: '测试商品',
        state: 'PAID',
        createdAt: new Date(now).toISOString(),
        expiresAt: new Date(now + 30 * 60_000).toISOString(),
        refundedAmount: 0,
        ...order,
      };
      const detail: AdminOrderDetail = {
        order: view,
        refundable: view.state === 'PAID' ? view.amount - view.refundedAmount : 0,
        closable: view.state === 'CREATED' || view.state === 'PAYING',
        audit: [{ at: view.createdAt, from: null, to: 'CREATED', event: 'ORDER_CREATED', actor: 'user', detail: { amount: view.amount, channel: view.channel } }],
        refunds: [],
        notifications: [],
        ...extra,
      };
      details.set(view.outTradeNo, detail);
      return detail;
    },
    failNext(name, error, count = 1) {
      failures.set(name, { error, count });
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
    callsOf: (name) => calls.filter((c) => c.name === name),
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
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
  if (!chunks.length) return undefined;
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
