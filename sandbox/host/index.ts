import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { randomUUID } from 'node:crypto';
import { isUtf8 as bufferIsUtf8 } from 'node:buffer';
import type { AddressInfo } from 'node:net';
import { readBodyBytes } from '../common/read-body';
import * as localSdk from './wx-server-sdk-local';
import type { LocalIdentity } from './wx-server-sdk-local';
import { loadFresh, mainRealm, nodeProcess, provideLocalSdk } from './loader';
import { startFunctionInstances, type FunctionInstances } from './instances';
import { createWriteGateBuffer, installWriteGate } from '../../cloudfunctions/core/store/sqlite/write-gate';
import { startCheckpointer, type Checkpointer } from './checkpointer';
import { parseCron, type CronSchedule } from './cron';
import { isObject } from '../../cloudfunctions/core/kernel/is-object';
import { SessionStore, exchangeLoginCode, LoginError } from './sessions';
import { readConfig, serveLocalView } from './local-view';

/**
 * The function host: the local stand-in for WeChat cloud. It runs the built bundles of
 * `dist/cloudfunctions/*` in-process and serves
 *   POST /session          wx.login code → session token (via the gateway's jscode2session)
 *   POST /call/<fn>        `{ data }` → the function's answer, as the caller the token names
 *                          (403 FORBIDDEN for timer-only functions: only their triggers run them)
 *   ANY  /http/<fn>/<path> HTTP trigger (payment notifications), raw body untouched
 *   GET  /healthz
 *   GET  /local/*          read-only view of the merchant store for the sandbox console (local-view.ts)
 * and fires each function's timer triggers from its `config.json`. HTTP triggers of the functions
 * named in `instances` run in worker-thread instances of their own (instances.ts).
 */

export interface HostOptions {
  /** Gateway base URL for `jscode2session`. */
  gatewayUrl: string;
  /** The mini-program's appid and secret the gateway knows. */
  appid: string;
  appSecret: string;
  /** Built functions; default `<repo>/dist/cloudfunctions`. */
  distDir?: string;
  /** 0 = random. Default 0. */
  port?: number;
  hostname?: string;
  /**
   * Applied to process.env before the bundles load (merchant config paths, …): static per process,
   * never identity. A function receives the host's URL, known only once it listens.
   */
  env?: Record<string, string> | ((host: { url: string }) => Record<string, string> | Promise<Record<string, string>>);
  /** Fire timer triggers on their schedule. Default true; tests call `runTimer`. */
  timers?: boolean;
  sessionTtlSeconds?: number;
  /**
   * HTTP triggers of these functions run in that many worker-thread instances each (instances.ts)
   * instead of the host's own thread; `invoke` and timers still run the host's copy. Default none.
   */
  instances?: Record<string, number>;
  log?: (line: string) => void;
}

export interface TimerTrigger {
  fn: string;
  name: string;
  schedule: CronSchedule;
}

export interface FunctionHost {
  url: string;
  port: number;
  functions: string[];
  timers: TimerTrigger[];
  /** Run a function directly (no HTTP), optionally as a caller. */
  invoke(fn: string, event: unknown, identity?: LocalIdentity): Promise<unknown>;
  /** Fire a function's timer trigger now (its first one unless named); resolves to its result. */
  runTimer(fn: string, triggerName?: string): Promise<unknown>;
  /** HTTP-trigger events each worker-thread instance of a function has answered (`instances`). */
  instanceStats(): Record<string, number[]>;
  close(): Promise<void>;
}

type FunctionMain = (event: unknown, context: unknown) => unknown;

interface LoadedFunction {
  name: string;
  main: FunctionMain;
  timers: TimerTrigger[];
  /** Its config.json has triggers and all are timers: nobody may call it. */
  timerOnly: boolean;
}

const MAX_BODY_BYTES = 1 << 20;

export const DEFAULT_DIST_DIR = resolve(__dirname, '../../dist/cloudfunctions');

export async function startHost(opts: HostOptions): Promise<FunctionHost> {
  const log = opts.log ?? (() => undefined);
  const distDir = resolve(opts.distDir ?? DEFAULT_DIST_DIR);
  if (!existsSync(distDir)) throw new Error(`function host: ${distDir} does not exist — run \`npm run build\` first`);
  const sessions = new SessionStore(opts.sessionTtlSeconds ?? 7200);
  const functions = new Map<string, LoadedFunction>();
  const instances = new Map<string, FunctionInstances>();
  let checkpointer: Checkpointer | undefined;
  let configFile: string | undefined;

  const server = createServer((req, res) => {
    route(req, res).catch((err: unknown) => {
      log(`function host: ${req.method} ${req.url} failed: ${(err as Error).stack ?? String(err)}`);
      if (!res.headersSent) sendJson(res, 500, { ok: false, code: 'INTERNAL', message: 'function host error' });
      else res.end();
    });
  });
  await listen(server, opts.port ?? 0, opts.hostname ?? '127.0.0.1');
  const port = (server.address() as AddressInfo).port;
  const url = `http://${opts.hostname ?? '127.0.0.1'}:${port}`;

  // Defined before anything is awaited: the server listens from the start (a function learns the
  // host's URL from its env), so a request can arrive while the instances are still starting.
  const invoke = async (fn: string, event: unknown, identity?: LocalIdentity): Promise<unknown> => {
    const loaded = functions.get(fn);
    if (!loaded) throw new Error(`function host: no function "${fn}"`);
    const context = { function_name: fn, request_id: randomUUID(), environment: 'local' };
    return localSdk.runAs(identity, () => loaded.main(event, context));
  };

  const envBefore: Array<[NodeJS.ProcessEnv, string, string | undefined]> = [];
  try {
    const env = typeof opts.env === 'function' ? await opts.env({ url }) : (opts.env ?? {});
    configFile = env.PAY_CONFIG_FILE;
    // Set for this host's life only: what a key held before comes back at close, so a later
    // host in the same process (a test worker) does not inherit this one's settings.
    for (const target of new Set([process.env, nodeProcess().env])) {
      for (const [key, value] of Object.entries(env)) {
        envBefore.push([target, key, target[key]]);
        target[key] = value;
      }
    }
    provideLocalSdk(distDir, localSdk);
    // Before any bundle opens its store: every SQLite connection of the process writes through one
    // gate (the instances' and the checkpointer's too), and leaves checkpoints to the checkpointer.
    const storeFile = sqliteStoreFile(configFile);
    const checkpointedElsewhere = storeFile !== undefined;
    const writeGate = installWriteGate(createWriteGateBuffer(), mainRealm(), { checkpointedElsewhere });
    if (storeFile) checkpointer = shareCheckpointer(storeFile, writeGate);
    for (const fn of loadFunctions(distDir)) functions.set(fn.name, fn);
    for (const [fn, count] of Object.entries(opts.instances ?? {})) {
      if (count <= 0) continue;
      if (!functions.has(fn)) throw new Error(`function host: instances of "${fn}": no such function`);
      instances.set(fn, await startFunctionInstances({ distDir, fn, count, writeGate, checkpointedElsewhere, log }));
    }
  } catch (err) {
    await Promise.all([...instances.values()].map((i) => i.close()));
    await checkpointer?.close();
    await closeServer(server);
    throw err;
  }


  async function route(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const reqUrl = new URL(req.url ?? '/', 'http://host');
    const parts = reqUrl.pathname.split('/').filter(Boolean);
    if (req.method === 'GET' && reqUrl.pathname === '/healthz') {
      return sendJson(res, 200, { ok: true, functions: [...functions.keys()] });
    }
    if (reqUrl.pathname === '/session' && req.method === 'POST') return handleSession(req, res);
    if (parts[0] === 'local' && req.method === 'GET') return serveLocalView(configFile, reqUrl.pathname, res);
    if (parts[0] === 'call' && parts.length === 2 && req.method === 'POST') return handleCall(parts[1], req, res);
    if (parts[0] === 'http' && parts.length >= 2) return handleHttpTrigger(parts[1], reqUrl, req, res);
    sendJson(res, 404, { ok: false, code: 'NOT_FOUND', message: `no route ${req.method} ${reqUrl.pathname}` });
  }

  async function handleSession(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const body = parseJson(await readBody(req));
    const code = isObject(body) && typeof body.code === 'string' ? body.code : '';
    if (!code) return sendJson(res, 400, { ok: false, code: 'INVALID_ARGUMENT', message: 'code: expected the wx.login code' });
    // A lone surrogate would reach jscode2session as U+FFFD: a different code than the one sent.
    if (hasLoneSurrogate(code)) return sendJson(res, 400, { ok: false, code: 'INVALID_ARGUMENT', message: 'code: must be well-formed Unicode text' });
    try {
      const identity = await exchangeLoginCode({ gatewayUrl: opts.gatewayUrl, appid: opts.appid, appSecret: opts.appSecret, code });
      const session = sessions.create(identity);
      sendJson(res, 200, { token: session.token, expiresIn: session.expiresIn });
    } catch (err) {
      if (err instanceof LoginError) {
        return sendJson(res, err.upstream ? 502 : 401, { ok: false, code: err.upstream ? 'TRANSPORT_ERROR' : 'UNAUTHENTICATED', message: err.message });
      }
      throw err;
    }
  }

  async function handleCall(fn: string, req: IncomingMessage, res: ServerResponse): Promise<void> {
    const identity = sessions.resolve(bearerToken(req));
    if (!identity) return sendJson(res, 401, { ok: false, code: 'UNAUTHENTICATED', message: 'missing or expired session: log in again' });
    const target = functions.get(fn);
    if (!target) return sendJson(res, 404, { ok: false, code: 'NOT_FOUND', message: `no function "${fn}"` });
    // Defence in depth: the function refuses a caller itself (that is what protects it in the
    // cloud); the host does not even hand it the event.
    if (target.timerOnly) {
      log(`call ${fn} refused: timer-only function`);
      return sendJson(res, 403, { ok: false, code: 'FORBIDDEN', message: `${fn} runs only on its timer trigger; it cannot be called` });
    }
    const body = parseJson(await readBody(req));
    if (!isObject(body)) return sendJson(res, 400, { ok: false, code: 'INVALID_ARGUMENT', message: 'body: expected JSON { data }' });
    const data = isObject(body.data) ? body.data : {};
    // WeChat cloud adds userInfo to the event of a mini-program call; handlers ignore it.
    const event = { ...data, userInfo: { appId: identity.appid, openId: identity.openid } };
    const started = Date.now();
    try {
      const result = await invoke(fn, event, { ...identity, ...clientIpOf(req) });
      log(`call ${fn}${typeof data.action === 'string' ? '.' + data.action : ''} ${Date.now() - started}ms`);
      sendJson(res, 200, result ?? null);
    } catch (err) {
      // A function that throws fails the call, as cloud.callFunction does.
      log(`call ${fn} threw: ${(err as Error).stack ?? String(err)}`);
      sendJson(res, 500, { ok: false, code: 'INTERNAL', message: `function ${fn} failed` });
    }
  }

  async function handleHttpTrigger(fn: string, reqUrl: URL, req: IncomingMessage, res: ServerResponse): Promise<void> {
    if (!functions.has(fn)) return sendJson(res, 404, { ok: false, code: 'NOT_FOUND', message: `no function "${fn}"` });
    const raw = await readBody(req);
    const headers: Record<string, string> = {};
    for (const [k, v] of Object.entries(req.headers)) if (v !== undefined) headers[k.toLowerCase()] = Array.isArray(v) ? v.join(', ') : v;
    const prefix = `/http/${fn}`;
    const path = reqUrl.pathname.slice(prefix.length) || '/';
    const isText = isUtf8(raw);
    const event = {
      path,
      httpMethod: req.method ?? 'GET',
      headers,
      queryStringParameters: Object.fromEntries(reqUrl.searchParams),
      body: isText ? raw.toString('utf8') : raw.toString('base64'),
      isBase64Encoded: !isText,
    };
    const pool = instances.get(fn);
    const result = (await (pool ? pool.invoke(event) : invoke(fn, event))) as { statusCode?: number; headers?: Record<string, string>; body?: string; isBase64Encoded?: boolean } | undefined;
    const status = typeof result?.statusCode === 'number' ? result.statusCode : 200;
    const body = result?.body == null ? Buffer.alloc(0) : Buffer.from(result.body, result.isBase64Encoded ? 'base64' : 'utf8');
    log(`http ${fn} ${req.method} ${path} → ${status}`);
    res.writeHead(status, { ...(result?.headers ?? {}), 'content-length': String(body.length) });
    res.end(body);
  }

  /**
   * A timer run as WeChat cloud makes it: no caller in the context (SOURCE wx_trigger) and the
   * published event `{"Type":"Timer","TriggerName":"EveryDay","Time":"2019-02-21T11:49:00Z"}`
   * (https://cloud.tencent.com/document/product/583/31927; `Message` is an SCF option WeChat
   * cloud's config.json does not have).
   */
  const invokeAsTimer = (trigger: TimerTrigger): Promise<unknown> => {
    const loaded = functions.get(trigger.fn);
    if (!loaded) throw new Error(`function host: no function "${trigger.fn}"`);
    const context = { function_name: trigger.fn, request_id: randomUUID(), environment: 'local' };
    const event = { Type: 'Timer', TriggerName: trigger.name, Time: new Date().toISOString().replace(/\.\d{3}Z$/, 'Z') };
    return localSdk.runAsTimer(async () => loaded.main(event, context));
  };

  const timers = [...functions.values()].flatMap((f) => f.timers);
  const runTimer = async (fn: string, triggerName?: string): Promise<unknown> => {
    const trigger = timers.find((t) => t.fn === fn && (triggerName === undefined || t.name === triggerName));
    if (!trigger) throw new Error(`function host: ${fn} has no timer trigger${triggerName ? ` "${triggerName}"` : ''}`);
    return invokeAsTimer(trigger);
  };
  const stopTimers = opts.timers === false ? () => undefined : scheduleTimers(timers, runTimer, log);

  return {
    url,
    port,
    functions: [...functions.keys()],
    timers,
    invoke,
    runTimer,
    instanceStats: () => Object.fromEntries([...instances].map(([fn, pool]) => [fn, pool.handled()])),
    close: async () => {
      stopTimers();
      await closeServer(server);
      await Promise.all([...instances.values()].map((i) => i.close()));
      await checkpointer?.close();
      for (const [target, key, value] of envBefore.reverse()) {
        if (value === undefined) delete target[key];
        else target[key] = value;
      }
    },
  };
}

/** One checkpointer per store file in this process, however many hosts serve it (the bench runs two). */
const checkpointers = new Map<string, { checkpointer: Checkpointer; users: number }>();

function shareCheckpointer(file: string, gate: SharedArrayBuffer): Checkpointer {
  let shared = checkpointers.get(file);
  if (!shared) checkpointers.set(file, (shared = { checkpointer: startCheckpointer(file, gate), users: 0 }));
  shared.users++;
  const entry = shared;
  let closed = false;
  return {
    ready: entry.checkpointer.ready,
    async close() {
      if (closed) return;
      closed = true;
      if (--entry.users > 0) return;
      checkpointers.delete(file);
      await entry.checkpointer.close();
    },
  };
}

/** The SQLite file the merchant config stores in, if it names one (`store: { kind: 'sqlite', file }`). */
function sqliteStoreFile(configFile: string | undefined): string | undefined {
  const { store } = readConfig(configFile);
  return store?.kind === 'sqlite' && typeof store.file === 'string' ? resolve(store.file) : undefined;
}

function loadFunctions(distDir: string): LoadedFunction[] {
  const out: LoadedFunction[] = [];
  for (const name of readdirSync(distDir).sort()) {
    const file = join(distDir, name, 'index.js');
    if (!existsSync(file)) continue;
    const exported = loadFresh(file) as { main?: unknown };
    if (typeof exported.main !== 'function') throw new Error(`function host: ${file} does not export main`);
    const configFile = join(distDir, name, 'config.json');
    const triggers = readTriggers(configFile);
    out.push({
      name,
      main: exported.main as FunctionMain,
      timers: readTimers(name, configFile),
      timerOnly: triggers.length > 0 && triggers.every((t) => t.type === 'timer'),
    });
  }
  return out;
}

type TriggerConfig = { name?: string; type?: string; config?: string };

/** Every trigger in a WeChat cloud function's `config.json` (none without one). */
function readTriggers(configFile: string): TriggerConfig[] {
  if (!existsSync(configFile)) return [];
  return (JSON.parse(readFileSync(configFile, 'utf8')) as { triggers?: TriggerConfig[] }).triggers ?? [];
}

/** `config.json` of a WeChat cloud function: `{ triggers: [{ name, type: 'timer', config: '<cron>' }] }`. */
export function readTimers(fn: string, configFile: string): TimerTrigger[] {
  return readTriggers(configFile)
    .filter((t) => t.type === 'timer')
    .map((t, i) => {
      if (typeof t.config !== 'string') throw new Error(`${configFile}: trigger ${i} has no cron "config"`);
      return { fn, name: t.name ?? `timer${i}`, schedule: parseCron(t.config) };
    });
}

function scheduleTimers(timers: TimerTrigger[], run: (fn: string, name: string) => Promise<unknown>, log: (line: string) => void): () => void {
  const handles = new Set<NodeJS.Timeout>();
  let stopped = false;
  const arm = (t: TimerTrigger, running: { now: boolean }) => {
    if (stopped) return;
    const next = t.schedule.next(new Date());
    if (!next) return;
    const handle = setTimeout(() => {
      handles.delete(handle);
      arm(t, running);
      if (running.now) return log(`timer ${t.fn}/${t.name}: previous run still going, skipped`);
      running.now = true;
      run(t.fn, t.name)
        .then((result) => log(`timer ${t.fn}/${t.name} → ${JSON.stringify(result)?.slice(0, 200)}`))
        .catch((err: unknown) => log(`timer ${t.fn}/${t.name} failed: ${(err as Error).stack ?? String(err)}`))
        .finally(() => (running.now = false));
    }, Math.max(0, next.getTime() - Date.now()));
    handle.unref();
    handles.add(handle);
  };
  for (const t of timers) arm(t, { now: false });
  return () => {
    stopped = true;
    for (const h of handles) clearTimeout(h);
    handles.clear();
  };
}

function bearerToken(req: IncomingMessage): string | undefined {
  const m = /^Bearer\s+(\S+)$/i.exec(req.headers.authorization ?? '');
  return m?.[1];
}

function readBody(req: IncomingMessage): Promise<Buffer> {
  return readBodyBytes(req, MAX_BODY_BYTES, () => new Error('request body too large'));
}

function parseJson(raw: Buffer): unknown {
  if (raw.length === 0) return {};
  try {
    return JSON.parse(raw.toString('utf8'));
  } catch {
    return undefined;
  }
}

function isUtf8(buf: Buffer): boolean {
  return bufferIsUtf8(buf);
}

function hasLoneSurrogate(text: string): boolean {
  return /\p{Cs}/u.test(text);
}

function sendJson(res: ServerResponse, status: number, body: unknown): void {
  const text = JSON.stringify(body);
  res.writeHead(status, { 'content-type': 'application/json; charset=utf-8', 'content-length': String(Buffer.byteLength(text)) });
  res.end(text);
}

function listen(server: Server, port: number, hostname: string): Promise<void> {
  return new Promise((ok, fail) => {
    server.once('error', fail);
    server.listen(port, hostname, () => {
      server.off('error', fail);
      ok();
    });
  });
}

function closeServer(server: Server): Promise<void> {
  return new Promise((ok) => {
    server.close(() => ok());
    server.closeAllConnections();
  });
}

/** CLIENTIP as WeChat cloud gives it: the peer's IPv4 address (IPv4-mapped IPv6 unwrapped). */
function clientIpOf(req: IncomingMessage): { clientIp?: string } {
  const address = req.socket.remoteAddress?.replace(/^::ffff:/, '');
  return address ? { clientIp: address } : {};
}
