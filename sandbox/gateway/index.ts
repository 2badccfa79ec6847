import http from 'node:http';
import { join } from 'node:path';
import { listen } from '../common/http-server';
import { TimerSet } from '../common/timers';
import { ensureSandboxKeys, type SandboxKeys } from '../keys';
import { createGatewayAdmin, type GatewayAdmin } from './admin';
import { adminRoutes } from './admin-routes';
import { dashboardRoutes } from './dashboard';
import { consoleRoutes } from './console/api';
import { ChangeFeed } from './console/changes';
import { MerchantView } from './console/merchant-view';
import { RequestLog, subjectsOf } from './console/request-log';
import { authenticate } from './auth';
import type { GatewayContext } from './context';
import { signLayoutOf, type SignLayout } from './contracts';
import type { PlatformSigner } from './crypto';
import { Faults } from './faults';
import { GatewayError, errorJson, newRequestId, readBody, sendPlain, sendSigned, type Reply, type RequestContext, type Route } from './http';
import { jscode2session } from './login';
import { Notifier } from './notifier';
import { PlatformCertificates } from './platform-certs';
import { GatewayState } from './state';
import { routeTable } from './routes';
import { createV2Gateway, type V2GatewayInfo } from './v2';
import type { HuifuConsoleFeed } from '../huifu';

export type { SandboxKeys } from '../keys';
export type { GatewayAdmin } from './admin';
export { createGatewayAdmin, GatewayAdminError, type AdminOrder, type ContractView, type GatewayInfo, type PlatformRotation, type UserActionResult } from './admin';
export { DEFAULT_TEST_USER, testOpenid, testUnionid } from './login';
export { MAX_ATTEMPTS, RETRY_DELAYS_S } from './notifier';
export type { CombineRecord, NotificationRecord, OrderRecord, RefundRecord } from './state';
export type { SignLayout } from './contracts';
export { createPayScoreAdmin, payscoreIdentity, type PayScoreAdmin, type PayScoreIdentity, type PayScoreOrderRecord } from './payscore';
export type { FaultSpec, EndpointFaultSpec, NotificationFaultSpec, RefundFaultSpec } from './faults';

export interface GatewayOptions {
  dataDir: string;
  /** 0 (default) picks a free port. */
  port?: number;
  host?: string;
  /** Notification and refund delays are divided by this; default env SANDBOX_TIME_SCALE or 1. */
  timeScale?: number;
  /** Which platform key signs responses and notifications; default certificate. */
  signingMode?: 'certificate' | 'publicKey';
  /** Seed 004: an order cannot be closed sooner than this after creation; default 5 min. */
  minCloseIntervalMs?: number;
  /**
   * The layout the individual-payee signing page verifies (the merchant's `payee.signLayout` must
   * match); default env SANDBOX_SIGN_LAYOUT or `published`.
   */
  signLayout?: SignLayout;
  log?: (line: string) => void;
}

export interface Gateway {
  url: string;
  keys: SandboxKeys;
  admin: GatewayAdmin;
  /** The APIv2 side: its HTTPS listener and key material (`v2/`). */
  v2: V2GatewayInfo;
  /** Shows the merchant store (the function host's read-only `/local/store`) beside the gateway's orders in the console. */
  linkMerchantView(hostUrl: string): void;
  /** Lists a Huifu sandbox of the same process in the console (its trades, calls, notifications; buttons forwarded to it). */
  linkHuifu(feed: HuifuConsoleFeed): void;
  close(): Promise<void>;
}

/** Starts the WeChat Pay (and jscode2session) emulator on loopback. */
export async function startGateway(opts: GatewayOptions): Promise<Gateway> {
  const keys = ensureSandboxKeys(opts.dataDir);
  const state = new GatewayState(join(opts.dataDir, 'gateway.json'));
  const timeScale = opts.timeScale ?? (Number(process.env.SANDBOX_TIME_SCALE) || 1);
  if (!(timeScale > 0)) throw new Error(`timeScale must be positive, got ${timeScale}`);
  const log = opts.log ?? (() => {});
  const signingMode = opts.signingMode ?? 'certificate';
  const signer: PlatformSigner =
    signingMode === 'publicKey'
      ? { serial: keys.platformPublicKey.keyId, privateKeyPem: keys.platformPublicKey.privateKeyPem }
      : { serial: keys.platformCert.serialNo, privateKeyPem: keys.platformCert.privateKeyPem };
  const faults = new Faults();
  const timers = new TimerSet();
  // The notifier reads the signer at each attempt: a certificate rotation applies to retries too.
  const notifier = new Notifier({ state, apiV3Key: keys.apiV3Key, signer: () => ctx.signer, faults, timeScale, log });
  const ctx: GatewayContext = {
    keys,
    state,
    signer,
    signingMode,
    platformCerts: new PlatformCertificates(keys.platformCert),
    notifier,
    faults,
    timeScale,
    minCloseIntervalMs: opts.minCloseIntervalMs ?? 5 * 60_000,
    signLayout: signLayoutOf(opts.signLayout),
    log,
    later: (fn, delayMs) => timers.later(fn, delayMs),
    console: { requests: new RequestLog((e) => subjectsOf(e.path, e.request, e.response, state.data)), changes: new ChangeFeed(), merchantView: new MerchantView() },
    reset: () => {
      timers.clear();
      notifier.cancelScheduled();
      faults.clear();
      ctx.console.requests.clear();
      state.reset();
      log('gateway: state reset (keys kept)');
      // One sandbox to the user: a linked Huifu emulator (npm start) is wiped with it.
      ctx.console.huifu?.reset();
    },
  };
  state.onChange(() => ctx.console.changes.changed());
  const v2 = createV2Gateway(ctx, opts.dataDir);
  const routes = [...routeTable(ctx), ...v2.routes, ...adminRoutes(ctx), ...consoleRoutes(ctx), ...dashboardRoutes(ctx)];

  const plain = http.createServer((req, res) => {
    if (v2.handles(req)) return v2.serve(req, res);
    void dispatch(ctx, routes, req, res).catch((err: unknown) => {
      log(`gateway: unhandled ${(err as Error).stack ?? String(err)}`);
      if (!res.headersSent) res.writeHead(500, { 'Content-Type': 'application/json' });
      res.end(JSON.stringify({ code: 'SYSTEM_ERROR', message: '系统错误' }));
    });
  });
  const server = await listen(plain, opts.port, opts.host);
  const url = server.url;
  const v2Secure = await v2.listen(opts.host ?? '127.0.0.1', (req, res) => plain.emit('request', req, res));
  notifier.resume();
  log(`gateway listening on ${url} (mchid ${keys.mchid}, appid ${keys.appid}, signing ${opts.signingMode ?? 'certificate'}, time scale ${timeScale})`);

  let closing: Promise<void> | undefined;
  let unlinkHuifu: (() => void) | undefined;
  return {
    url,
    keys,
    admin: createGatewayAdmin(url),
    v2: { secureUrl: v2Secure.secureUrl, keys: v2Secure.keys },
    linkMerchantView(hostUrl) {
      ctx.console.merchantView.url = hostUrl.replace(/\/+$/, '');
    },
    linkHuifu(feed) {
      unlinkHuifu?.();
      ctx.console.huifu = feed;
      unlinkHuifu = feed.onChange(() => ctx.console.changes.changed());
    },
    close() {
      closing ??= (async () => {
        unlinkHuifu?.();
        ctx.console.changes.close();
        notifier.close();
        v2Secure.close();
        timers.clear();
        await server.close();
        state.flush();
        await state.idle();
      })();
      return closing;
    },
  };
}

async function dispatch(ctx: GatewayContext, routes: Route[], req: http.IncomingMessage, res: http.ServerResponse): Promise<void> {
  const rawPath = req.url ?? '/';
  const url = new URL(rawPath, 'http://sandbox.local');
  const method = (req.method ?? 'GET').toUpperCase();
  const rc: RequestContext = { req, res, method, rawPath, url, body: '', params: [], requestId: newRequestId() };
  const apiV3 = url.pathname.startsWith('/v3/');
  // The gateway signs an answer only when it verified the request's signature: a 401 SIGN_ERROR
  // (and anything else said to an unverified caller) goes out unsigned.
  const send = (reply: Reply) => {
    logForConsole(ctx, rc, reply);
    return apiV3 && rc.mchid !== undefined ? sendSigned(rc, reply, ctx.signer) : sendPlain(rc, reply);
  };

  try {
    rc.body = await readBody(req);
    if (url.pathname === '/healthz') return sendPlain(rc, { status: 200, json: { status: 'ok' } });
    let refusal: GatewayError | undefined;
    if (apiV3) {
      try {
        rc.mchid = authenticate(rc, ctx.keys);
      } catch (err) {
        if (!(err instanceof GatewayError)) throw err;
        refusal = err;
      }
    }
    const fault = url.pathname.startsWith('/sandbox/admin') ? undefined : ctx.faults.takeEndpoint(method, url.pathname);
    const wxApi = url.pathname.startsWith('/sns/');
    // api.weixin.qq.com reports trouble as errcode in a 200, not as an HTTP status.
    if (fault?.effect === 'SYSTEM_ERROR') {
      if (wxApi) return send({ status: 200, json: { errcode: -1, errmsg: 'system error (sandbox fault)' } });
      throw new GatewayError(500, 'SYSTEM_ERROR', '系统错误 (sandbox fault)');
    }
    if (fault?.effect === 'NOT_ENOUGH') {
      // A business answer: only to a request that verified (else 401 as always). 403 NOT_ENOUGH
      // (wechatpay-go refunddomestic error table); the refund is not taken.
      rc.mchid = authenticate(rc, ctx.keys);
      throw new GatewayError(403, 'NOT_ENOUGH', '基本账户余额不足，请充值后重新发起 (sandbox fault)');
    }
    if (fault?.effect === 'FREQUENCY_LIMITED') {
      if (wxApi) return send({ status: 200, json: { errcode: 45011, errmsg: 'api minute-quota reach limit (sandbox fault)' } });
      throw new GatewayError(429, 'FREQUENCY_LIMITED', '频率超限 (sandbox fault)');
    }
    if (fault?.effect === 'PROXY_NOT_FOUND') {
      // Something between merchant and gateway (a proxy, a misrouted path) answers 404 itself:
      // never signed, never the gateway's {code, message}.
      return proxyNotFound(rc, fault.body ?? 'html');
    }

    const run = async (): Promise<Reply> => {
      if (url.pathname === '/sns/jscode2session' && method === 'GET') return jscode2session(url.searchParams, ctx.keys, ctx.state);
      if (refusal) throw refusal;
      for (const r of routes) {
        if (r.method !== method) continue;
        const m = r.pattern.exec(url.pathname);
        if (!m) continue;
        try {
          rc.params = m.slice(1).map((p) => decodeURIComponent(p));
        } catch {
          throw new GatewayError(400, 'PARAM_ERROR', `路径参数编码错误: ${url.pathname}`);
        }
        return (await r.handler(rc)) ?? { status: 204 };
      }
      if (routes.some((r) => r.pattern.test(url.pathname))) throw new GatewayError(405, 'METHOD_NOT_ALLOWED', `${method} not allowed on ${url.pathname}`);
      throw new GatewayError(404, 'NOT_FOUND', `no such API: ${method} ${url.pathname}`);
    };

    if (fault?.effect === 'hang') {
      // The client gives up; whether the call took effect is the fault's `processed` flag.
      if (fault.processed !== false) await run().catch(() => undefined);
      ctx.log(`fault: holding ${method} ${url.pathname} for ${fault.holdMs ?? 15000} ms`);
      ctx.later(() => req.socket.destroy(), fault.holdMs ?? 15000);
      return;
    }
    const reply = await run();
    // A handler that wrote its own answer (the console's event stream, the favicon) is done.
    if (!res.headersSent) send(reply);
  } catch (err) {
    if (err instanceof GatewayError) {
      send({ status: err.status, json: errorJson(err) });
      return;
    }
    // A sandbox bug still answers like the gateway would: a 500 the client may retry.
    ctx.log(`gateway: unhandled ${(err as Error).stack ?? String(err)}`);
    if (!res.headersSent) send({ status: 500, json: { code: 'SYSTEM_ERROR', message: '系统错误' } });
  }
}

/**
 * The console's timeline and live feed: every API and cashier call with its bodies (the console's
 * own reads excluded); anything but a read also tells the live feed (a fault armed, an action).
 */
function logForConsole(ctx: GatewayContext, rc: RequestContext, reply: Reply): void {
  const path = rc.url.pathname;
  if (path.startsWith('/sandbox/console') || (rc.method === 'GET' && (path.startsWith('/sandbox/admin') || path === '/sandbox/' || path === '/sandbox' || path.includes('favicon')))) return;
  let request: unknown;
  try {
    request = rc.body ? (JSON.parse(rc.body) as unknown) : undefined;
  } catch {
    request = rc.body.slice(0, 2000);
  }
  ctx.console.requests.record({ at: Date.now(), method: rc.method, path: rc.rawPath, status: reply.status, request, response: reply.json });
  if (rc.method !== 'GET') ctx.console.changes.changed();
}

/** A 404 written by something that is not the gateway: an HTML error page, or nothing at all. */
function proxyNotFound(rc: RequestContext, body: 'html' | 'empty'): void {
  const text = body === 'html' ? '<html><head><title>404 Not Found</title></head><body><center><h1>404 Not Found</h1></center><hr><center>nginx</center></body></html>' : '';
  rc.res.writeHead(404, { 'Content-Type': 'text/html', 'Content-Length': Buffer.byteLength(text) });
  rc.res.end(text);
}
