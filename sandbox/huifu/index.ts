import http from 'node:http';
import { join } from 'node:path';
import { listen } from '../common/http-server';
import { TimerSet } from '../common/timers';
import { adminRoutes, createHuifuAdmin, type HuifuAdmin } from './admin';
import { API_HANDLERS, handleApi } from './api';
import { cashierRoutes } from './cashier';
import { Clock } from './clock';
import { RequestLog } from '../common/request-log';
import { bodyOf, huifuSubjectsOf, logged, replyBody, type HuifuConsoleFeed } from './console-feed';
import type { HuifuContext } from './context';
import { dashboardRoutes } from './dashboard';
import { Faults } from './faults';
import { DEFAULT_FEE_RATE_BP } from './fees';
import { AdminError, readBody, send, type Reply, type Route } from './http';
import { ensureHuifuKeys, type HuifuKeys } from './keys';
import { HuifuNotifier } from './notifier';
import { scheduleRefund } from './refunds';
import { HuifuState } from './state';

export { createHuifuAdmin, HuifuAdminError, type HuifuAdmin, type HuifuInfo } from './admin';
export { ensureHuifuKeys, bareBase64, type HuifuKeys } from './keys';
export { parseYuan, yuanOf } from './money';
export { MAX_ATTEMPTS, MAX_RETRIES, NOTIFY_TIMEOUT_MS, RETRY_DELAY_MS } from './notifier';
export { BILL_COLUMNS } from './recon';
export type { HuifuConsoleFeed } from './console-feed';
export type { NotificationRecord, PlantedMismatch, RefundRecord, TradeRecord, TransStat } from './state';

export const DEFAULT_HUIFU_PORT = 9402;
/** seed 002 / trade-close.md: "不允许关闭一分钟以内的订单". */
export const MIN_CLOSE_INTERVAL_MS = 60_000;
/** How long a refund stays P (sandbox choice), ÷ timeScale. */
export const REFUND_DELAY_MS = 3000;

export interface HuifuGatewayOptions {
  dataDir: string;
  /** 0 (default) picks a free port. */
  port?: number;
  host?: string;
  /** Notification retry and refund delays are divided by this; default env HUIFU_SANDBOX_TIME_SCALE, SANDBOX_TIME_SCALE or 1. */
  timeScale?: number;
  /** The mini-program appids configured for the merchant at Huifu; default one sandbox appid. */
  appids?: string[];
  /** The Huifu clock's base (the admin API can advance it); default Date.now. */
  clock?: () => number;
  /** Default 1 minute, as published. */
  minCloseIntervalMs?: number;
  feeRateBp?: number;
  refundDelayMs?: number;
  log?: (line: string) => void;
}

export interface HuifuGateway {
  url: string;
  keys: HuifuKeys;
  appids: string[];
  admin: HuifuAdmin;
  /** In-process read access for the WeChat sandbox console (`Gateway.linkHuifu`). */
  console: HuifuConsoleFeed;
  close(): Promise<void>;
}

/** Starts the Huifu DouGong emulator (stands in for https://api.huifu.com) on loopback. */
export async function startHuifuGateway(opts: HuifuGatewayOptions): Promise<HuifuGateway> {
  const keys = ensureHuifuKeys(opts.dataDir);
  const state = new HuifuState(join(opts.dataDir, 'huifu.json'));
  const timeScale = opts.timeScale ?? (Number(process.env.HUIFU_SANDBOX_TIME_SCALE || process.env.SANDBOX_TIME_SCALE) || 1);
  if (!(timeScale > 0)) throw new Error(`timeScale must be positive, got ${timeScale}`);
  const log = opts.log ?? (() => {});
  const faults = new Faults();
  const timers = new TimerSet();
  const notifier = new HuifuNotifier({ state, huifuPrivateKeyPem: () => keys.huifu.privateKeyPem, faults, timeScale, log });
  let url = '';
  const ctx: HuifuContext = {
    keys,
    state,
    clock: new Clock(opts.clock),
    notifier,
    faults,
    timeScale,
    appids: opts.appids?.length ? opts.appids : [`wx${keys.huifuId.slice(-8)}5a4e0b1f`],
    minCloseIntervalMs: opts.minCloseIntervalMs ?? MIN_CLOSE_INTERVAL_MS,
    feeRateBp: opts.feeRateBp ?? DEFAULT_FEE_RATE_BP,
    refundDelayMs: opts.refundDelayMs ?? REFUND_DELAY_MS,
    baseUrl: () => url,
    log,
    later: (fn, delayMs) => timers.later(fn, delayMs),
    requests: new RequestLog((entry) => huifuSubjectsOf(state, entry)),
    reset: () => {
      timers.clear();
      notifier.cancelScheduled();
      faults.clear();
      ctx.requests.clear();
      state.reset();
      log('huifu: state reset (keys kept)');
    },
  };
  const routes = [...adminRoutes(ctx), ...cashierRoutes(ctx), ...dashboardRoutes(ctx)];

  const server = await listen(
    http.createServer((req, res) => {
      void dispatch(ctx, routes, req, res).catch((err: unknown) => {
        log(`huifu: unhandled ${(err as Error).stack ?? String(err)}`);
        if (!res.headersSent) send(res, { status: 500, json: { code: 'SYSTEM_ERROR', message: String(err) } });
        else res.end();
      });
    }),
    opts.port,
    opts.host,
  );
  url = server.url;
  notifier.resume();
  for (const r of Object.values(state.data.refunds)) scheduleRefund(ctx, r);
  log(`huifu sandbox listening on ${url} (sys_id ${keys.sysId}, huifu_id ${keys.huifuId}, time scale ${timeScale})`);

  let closing: Promise<void> | undefined;
  return {
    url,
    keys,
    appids: ctx.appids,
    admin: createHuifuAdmin(url),
    console: {
      url,
      data: () => state.data,
      requests: ctx.requests,
      faults: () => faults.list(),
      reset: () => ctx.reset(),
      onChange: (listener) => {
        const offState = state.onChange(listener);
        const offLog = ctx.requests.onRecord(listener);
        return () => {
          offState();
          offLog();
        };
      },
    },
    close() {
      closing ??= (async () => {
        notifier.close();
        timers.clear();
        await server.close();
        state.flush();
        await state.idle();
      })();
      return closing;
    },
  };
}

async function dispatch(ctx: HuifuContext, routes: Route[], req: http.IncomingMessage, res: http.ServerResponse): Promise<void> {
  const url = new URL(req.url ?? '/', 'http://huifu.sandbox.local');
  const method = (req.method ?? 'GET').toUpperCase();
  let body = '';
  const isApi = url.pathname in API_HANDLERS;
  // Every call the console's timelines should show goes on the request log as it is answered.
  const answer = (reply: Reply | undefined) => {
    if (logged(method, url.pathname, isApi)) ctx.requests.record({ at: Date.now(), method, path: req.url ?? url.pathname, status: reply?.status ?? 0, request: bodyOf(body), response: replyBody(reply) });
    if (reply) send(res, reply);
  };
  let reply: Reply;
  try {
    body = await readBody(req);
    if (url.pathname === '/healthz') return send(res, { status: 200, json: { status: 'ok' } });
    if (isApi) {
      if (method !== 'POST') return answer({ status: 405, json: { code: 'METHOD_NOT_ALLOWED', message: `${method} not allowed on ${url.pathname}` } });
      const fault = ctx.faults.takeEndpoint(method, url.pathname) as ({ effect: string; resp_code?: string; holdMs?: number; processed?: boolean } | undefined);
      if (fault?.effect === 'hang') {
        // The client gives up; whether the call took effect is the fault's `processed` flag.
        if (fault.processed !== false) handleApi(ctx, url.pathname, body);
        answer(undefined);
        ctx.later(() => req.socket.destroy(), fault.holdMs ?? 15_000);
        return;
      }
      return answer(handleApi(ctx, url.pathname, body, fault?.effect === 'SYSTEM_ERROR' ? { resp_code: fault.resp_code } : undefined));
    }
    reply = await route(routes, method, url, body, req);
  } catch (err) {
    if (!(err instanceof AdminError)) throw err;
    reply = { status: err.status, json: { code: err.code, message: err.message } };
  }
  answer(reply);
}

async function route(routes: Route[], method: string, url: URL, body: string, req: http.IncomingMessage): Promise<Reply> {
  for (const r of routes) {
    if (r.method !== method) continue;
    const m = r.pattern.exec(url.pathname);
    if (!m) continue;
    let params: string[];
    try {
      params = m.slice(1).map((p) => decodeURIComponent(p));
    } catch {
      throw new AdminError(400, 'PARAM_ERROR', `bad path encoding: ${url.pathname}`);
    }
    return r.handler({ method, url, body, params, req });
  }
  if (routes.some((r) => r.pattern.test(url.pathname))) throw new AdminError(405, 'METHOD_NOT_ALLOWED', `${method} not allowed on ${url.pathname}`);
  throw new AdminError(404, 'NOT_FOUND', `no such path: ${method} ${url.pathname}`);
}
