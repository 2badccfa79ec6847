/**
 * CONTRACT DOUBLE of the `payee` function (and `pay.list` with role payee) for payee-page tests —
 * not the real function. The end-to-end suite (`test/e2e/payee/`) runs the same page against the
 * real function host and sandbox gateway; this double exists to put the page in states that are
 * awkward to reach for real (a slow answer, a server error) and to check exactly what it calls.
 *
 * It speaks the local host's protocol (`POST /session` → bearer token, `POST /call/<fn>` with
 * `{ data: { action, ...request } }` → `ApiResult`) and plays the sandbox signing endpoint
 * (`POST /sandbox/sign`): signing flips `signedAtGateway`, which `payee.confirm` then reports —
 * unless the test says the gateway disagrees (`gatewayIgnoresSigning`).
 */
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { ApiError, OrderView, PayeeSignParams } from '../../typings/api';

/** The merchant certificate serial the double's signParams name (`certSerialNo`). */
export const MERCHANT_SERIAL = '5157F09EFDC096DE15EBE81A47057A7232F1B8E1';

export interface PayeeDouble {
  url: string;
  calls: Array<{ name: string; openid: string; data: Record<string, unknown> }>;
  signRequests: PayeeSignParams[];
  /** openids the "gateway" reports AUTHORIZED. */
  authorized: Set<string>;
  /** The signing endpoint answers OK but the gateway never records the contract. */
  gatewayIgnoresSigning: boolean;
  received: OrderView[];
  failNext(name: string, error: Omit<ApiError, 'ok'>, count?: number): void;
  delay(name: string, ms: number): void;
  callsOf(name: string): PayeeDouble['calls'];
  close(): Promise<void>;
}

export async function startPayeeDouble(): Promise<PayeeDouble> {
  const sessions = new Map<string, string>();
  const names = new Map<string, string>();
  const failures = new Map<string, { error: Omit<ApiError, 'ok'>; count: number }>();
  const delays = new Map<string, number>();
  const double: PayeeDouble = {
    url: '',
    calls: [],
    signRequests: [],
    authorized: new Set(),
    gatewayIgnoresSigning: false,
    received: [],
    failNext(name, error, count = 1) {
      failures.set(name, { error, count });
    },
    delay(name, ms) {
      delays.set(name, ms);
    },
    callsOf: (name) => double.calls.filter((c) => c.name === name),
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };

  const status = (openid: string) => {
    const authorized = double.authorized.has(openid);
    return { authorized, authState: authorized ? 'AUTHORIZED' : 'UNAUTHORIZED', checkedAt: new Date().toISOString() };
  };
  const shareCodeOf = (openid: string) => `CODE${openid.replace(/[^A-Z0-9]/gi, '').slice(-6).toUpperCase()}`.slice(0, 10).padEnd(10, 'Z');

  const handlers: Record<string, (openid: string, data: Record<string, unknown>) => unknown> = {
    'payee.status': (openid) => ok(status(openid)),
    'payee.confirm': (openid) => ok(status(openid)),
    'payee.signParams': (openid) => {
      if (double.authorized.has(openid)) return err('PAYEE_ALREADY_AUTHORIZED', 'already authorized');
      return ok({ mchid: '1900009191', appid: 'wx1234567890abcdef', timeStamp: '1767240000', nonceStr: 'NONCE', package: `openid=${openid}&permissionType=INDIVIDUAL_PAYEE`, signType: 'RSA', certSerialNo: MERCHANT_SERIAL, signature: 'c2ln' });
    },
    'payee.profile': (openid, data) => {
      if (typeof data.displayName === 'string') {
        if (!data.displayName.trim()) return err('INVALID_ARGUMENT', 'displayName must be 1–20 characters');
        names.set(openid, data.displayName.trim());
      }
      return ok({ displayName: names.get(openid) ?? '收款人TEST', shareCode: shareCodeOf(openid), authorized: double.authorized.has(openid) });
    },
    'pay.list': (_openid, data) => (data.role === 'payee' ? ok({ orders: double.received }) : err('INVALID_ARGUMENT', 'this double only lists role payee')),
  };

  async function route(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const url = new URL(req.url ?? '/', 'http://double');
    const parts = url.pathname.split('/').filter(Boolean);
    const body = await readJson(req);
    if (req.method === 'POST' && url.pathname === '/session') {
      const code = typeof body.code === 'string' ? body.code : '';
      const token = `tok_${sessions.size + 1}`;
      // `user:<name>:<n>` → one openid per test user, like the sandbox's jscode2session.
      sessions.set(token, `o_${code.split(':')[1] ?? 'tester'}`);
      return send(res, 200, { token, expiresIn: 7200 });
    }
    if (req.method === 'POST' && url.pathname === '/sandbox/sign') {
      double.signRequests.push(body as unknown as PayeeSignParams);
      const openid = /openid=([^&]+)/.exec(String(body.package ?? ''))?.[1];
      if (!openid) return send(res, 400, { code: 'PARAM_ERROR', message: 'package' });
      if (!double.gatewayIgnoresSigning) double.authorized.add(openid);
      return send(res, 200, { auth_state: 'AUTHORIZED', individual_auth_id: 'CLIENT-CLAIM' });
    }
    if (req.method === 'POST' && parts[0] === 'call' && parts.length === 2) {
      const openid = sessions.get((req.headers.authorization ?? '').replace(/^Bearer\s+/i, ''));
      if (!openid) return send(res, 401, { ok: false, code: 'UNAUTHENTICATED', message: 'log in again' });
      const { action, ...request } = (typeof body.data === 'object' && body.data ? body.data : {}) as Record<string, unknown>;
      const name = `${parts[1]}.${String(action)}`;
      double.calls.push({ name, openid, data: request });
      const wait = delays.get(name);
      if (wait) await new Promise((r) => setTimeout(r, wait));
      const failure = failures.get(name);
      if (failure && failure.count > 0) {
        failure.count--;
        return send(res, 200, { ok: false, ...failure.error });
      }
      const handler = handlers[name];
      return send(res, 200, handler ? handler(openid, request) : err('UNKNOWN_ACTION', name));
    }
    send(res, 404, { code: 'NOT_FOUND', message: url.pathname });
  }

  const server: Server = createServer((req, res) => {
    void route(req, res).catch((e: unknown) => send(res, 500, { ok: false, code: 'INTERNAL', message: String(e) }));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  double.url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  return double;
}

function ok<T>(data: T) {
  return { ok: true as const, data };
}
function err(code: string, message: string) {
  return { ok: false as const, code, message };
}
function send(res: ServerResponse, status: number, body: unknown): void {
  res.writeHead(status, { 'content-type': 'application/json' });
  res.end(JSON.stringify(body));
}
async function readJson(req: IncomingMessage): Promise<Record<string, unknown>> {
  const chunks: Buffer[] = [];
  for await (const chunk of req) chunks.push(chunk as Buffer);
  const text = Buffer.concat(chunks).toString('utf8');
  if (!text) return {};
  try {
    const parsed = JSON.parse(text) as unknown;
    return typeof parsed === 'object' && parsed !== null ? (parsed as Record<string, unknown>) : {};
  } catch {
    return {};
  }
}
