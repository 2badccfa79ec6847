/**
 * `npm start`: the whole local stack on loopback — the sandbox gateway (WeChat Pay + login
 * emulator) and the function host running the built cloud functions against it.
 *
 *   SANDBOX_PORT (default 9400), HOST_PORT (default 9401; 0 = random), HUIFU_SANDBOX_PORT (the Huifu
 *   DouGong sandbox, default 9402), PAY_DATA_DIR (default .data),
 *   SANDBOX_SIGN_LAYOUT (published | seed: the signing-page layout of both the sandbox and the
 *   local merchant config; default published), SANDBOX_V2_SIGN_TYPE (MD5 | HMAC-SHA256: the APIv2
 *   sign type of the local merchant config's `wechatpayV2` section; default MD5),
 *   SANDBOX_CLOSE_INTERVAL (seconds an order must age before it may be closed, applied to both the
 *   WeChat sandbox and the local merchant config; default the real rule, 300),
 *   SANDBOX_ADMINS (test users who are merchant admins, comma-separated; default admin — add
 *   tester to use the merchant console from WeChat DevTools, whose wx.login is always tester),
 *   HOST_INSTANCES (worker-thread instances of each notification function, as WeChat cloud runs
 *   several instances of a busy function side by side; default 0 = on the host's own thread)
 *
 * `startLocalStack` is also what the e2e tests start (test/helpers/stack.ts), with a temp data
 * folder and random ports.
 */
import { mkdirSync } from 'node:fs';
import { resolve } from 'node:path';
import { startGateway, type Gateway, type GatewayOptions, type SandboxKeys, type SignLayout } from './gateway';
import { signLayoutOf } from './gateway/contracts';
import { startHost, type FunctionHost, type HostOptions } from './host';
import { writeLocalMerchantConfig, type LocalHuifu, type LocalV2Options } from './local-config';
import { testOpenid } from './gateway/login';
import { DEFAULT_HUIFU_PORT, startHuifuGateway, type HuifuGateway, type HuifuGatewayOptions } from './huifu';

export const DEFAULT_GATEWAY_PORT = 9400;
export const DEFAULT_HOST_PORT = 9401;
export const DEFAULT_DATA_DIR = resolve(__dirname, '../.data');
/** The HTTP-trigger functions that receive the gateways' notifications (the busy ones). */
export const NOTIFICATION_FUNCTIONS = ['payNotify', 'payNotifyV2', 'huifuNotify'] as const;
/**
 * Instances of each under `npm start` unless HOST_INSTANCES says: none. One instance carries more
 * notifications from 8 in flight up (bench notify, issue 16 session 23: 2,692–2,882/s at 8 and
 * 3,195–3,436/s at best, against 1,974–2,097 and 2,047–2,266/s on the host's thread; two
 * instances carried less than one on this 2-core machine) but fewer at 1 in flight (each event
 * crosses to a thread and back: 786–891 against 1,081–1,240/s). On the host's thread a debugger
 * steps into the function, the stack starts 0.2–0.5 s sooner in 35 MiB less (113 against 148 MiB
 * with one instance of each notification function), and it is what every e2e suite runs.
 */
export const DEFAULT_NOTIFY_INSTANCES = 0;

export interface LocalStackOptions {
  dataDir: string;
  gatewayPort?: number;
  hostPort?: number;
  /** Built functions; default dist/cloudfunctions. */
  distDir?: string;
  /** Fire timer triggers on schedule (default true). */
  timers?: boolean;
  /** HTTP-trigger functions run in worker-thread instances (`HostOptions.instances`). */
  instances?: Record<string, number>;
  gateway?: Omit<GatewayOptions, 'dataDir' | 'port'>;
  /**
   * The merchant config's `payee.signLayout`; default the gateway's own signing-page layout
   * (`gateway.signLayout`, else env SANDBOX_SIGN_LAYOUT, else `published`), so the two agree
   * unless a test sets them apart.
   */
  payeeSignLayout?: SignLayout;
  /** Test users (sandbox login names) who are merchant admins; default `admin`. */
  adminUsers?: readonly string[];
  /** Extra process env for the functions (merged over the merchant config env). */
  env?: Record<string, string>;
  /** The `wechatpayV2` section written for the APIv2 sandbox (sign type, certificate form, overrides). */
  v2?: Omit<LocalV2Options, 'info'>;
  /**
   * Also start the Huifu DouGong sandbox (sandbox/huifu), with the WeChat sandbox's appid
   * configured, and write the merchant config's `huifu` section for it (`config` merged over it).
   */
  huifu?: Omit<HuifuGatewayOptions, 'dataDir'> & { config?: LocalHuifu['overrides'] };
  log?: (line: string) => void;
}

export interface LocalStack {
  gateway: Gateway;
  host: FunctionHost;
  gatewayUrl: string;
  hostUrl: string;
  dataDir: string;
  huifu?: HuifuGateway;
  close(): Promise<void>;
}

/**
 * HOOK — the local merchant config of the pay functions, written from the sandbox keys. Returns
 * the process env the function host applies before loading the bundles (static per process).
 */
export function localMerchantEnv(opts: { dataDir: string; keys: SandboxKeys; gatewayUrl: string; hostUrl: string; signLayout?: SignLayout; v2?: LocalV2Options; huifu?: LocalHuifu; adminUsers?: readonly string[] }): Record<string, string> {
  const openidOf = (user: string) => testOpenid(opts.keys.appid, user);
  const file = writeLocalMerchantConfig({ ...opts, openidOf, ...(opts.adminUsers ? { admins: opts.adminUsers.map(openidOf) } : {}) });
  return { PAY_CONFIG_FILE: file };
}

export async function startLocalStack(opts: LocalStackOptions): Promise<LocalStack> {
  mkdirSync(opts.dataDir, { recursive: true });
  const log = opts.log ?? (() => undefined);
  const signLayout = signLayoutOf(opts.gateway?.signLayout);
  const gateway = await startGateway({ ...(opts.gateway ?? {}), signLayout, dataDir: opts.dataDir, port: opts.gatewayPort ?? 0, log: opts.gateway?.log ?? log });
  let host: FunctionHost;
  let huifu: HuifuGateway | undefined;
  try {
    if (opts.huifu) {
      const { config: _config, ...huifuOptions } = opts.huifu;
      huifu = await startHuifuGateway({ appids: [gateway.keys.appid], log, ...huifuOptions, dataDir: opts.dataDir });
    }
    const localHuifu: LocalHuifu | undefined = huifu && { url: huifu.url, keys: huifu.keys, ...(opts.huifu?.config ? { overrides: opts.huifu.config } : {}) };
    const hostOptions: HostOptions = {
      gatewayUrl: gateway.url,
      appid: gateway.keys.appid,
      appSecret: gateway.keys.appSecret,
      distDir: opts.distDir,
      port: opts.hostPort ?? 0,
      timers: opts.timers,
      ...(opts.instances ? { instances: opts.instances } : {}),
      log,
      env: ({ url }) => ({
        ...localMerchantEnv({
          dataDir: opts.dataDir,
          keys: gateway.keys,
          gatewayUrl: gateway.url,
          hostUrl: url,
          signLayout: opts.payeeSignLayout ?? signLayout,
          ...(opts.adminUsers ? { adminUsers: opts.adminUsers } : {}),
          v2: { info: gateway.v2, signType: v2SignTypeOf(process.env.SANDBOX_V2_SIGN_TYPE), ...opts.v2 },
          ...(localHuifu ? { huifu: localHuifu } : {}),
        }),
        ...(opts.env ?? {}),
      }),
    };
    host = await startHost(hostOptions);
    gateway.linkMerchantView(host.url);
    if (huifu) gateway.linkHuifu(huifu.console);
  } catch (err) {
    await huifu?.close();
    await gateway.close();
    throw err;
  }
  return {
    gateway,
    host,
    gatewayUrl: gateway.url,
    hostUrl: host.url,
    dataDir: opts.dataDir,
    huifu,
    close: async () => {
      await host.close();
      await huifu?.close();
      await gateway.close();
    },
  };
}

/** SANDBOX_V2_SIGN_TYPE: the local merchant's APIv2 sign type (MD5 default, or HMAC-SHA256). */
function v2SignTypeOf(raw: string | undefined): 'MD5' | 'HMAC-SHA256' {
  if (raw === undefined || raw === '' || raw === 'MD5') return 'MD5';
  if (raw === 'HMAC-SHA256') return raw;
  throw new Error(`SANDBOX_V2_SIGN_TYPE must be MD5 or HMAC-SHA256, got "${raw}"`);
}

function instancesPhrase(count: number): string {
  return count === 1 ? 'one worker-thread instance' : `${count} worker-thread instances`;
}

/** HOST_INSTANCES: instances of each notification function (0 = the host's own thread). */
export function notifyInstancesFromEnv(env: Record<string, string | undefined> = process.env): Record<string, number> | undefined {
  const raw = env.HOST_INSTANCES;
  const count = raw === undefined || raw === '' ? DEFAULT_NOTIFY_INSTANCES : Number(raw);
  if (!Number.isInteger(count) || count < 0 || count > 16) throw new Error(`HOST_INSTANCES must be a whole number from 0 to 16, got "${raw}"`);
  return count === 0 ? undefined : Object.fromEntries(NOTIFICATION_FUNCTIONS.map((fn) => [fn, count]));
}

function portFromEnv(name: string, fallback: number, env: Record<string, string | undefined> = process.env): number {
  const raw = env[name];
  if (raw === undefined || raw === '') return fallback;
  const port = Number(raw);
  if (!Number.isInteger(port) || port < 0 || port > 65535) throw new Error(`${name} must be a port number (0 = random), got "${raw}"`);
  return port;
}

/**
 * The WeChat Pay close rule (an order may be closed 5 minutes after it was created; seed 004 and
 * https://pay.weixin.qq.com/doc/v3/merchant/4012556398), shortened for local development only.
 */
export const REAL_CLOSE_INTERVAL_MS = 5 * 60_000;

export function closeIntervalFromEnv(env: Record<string, string | undefined> = process.env): number {
  const raw = env.SANDBOX_CLOSE_INTERVAL;
  if (raw === undefined || raw === '') return REAL_CLOSE_INTERVAL_MS;
  const seconds = Number(raw);
  if (!Number.isInteger(seconds) || seconds < 0 || seconds > 3600) throw new Error(`SANDBOX_CLOSE_INTERVAL must be whole seconds between 0 and 3600 (the real rule is 300), got "${raw}"`);
  return seconds * 1000;
}

/** SANDBOX_ADMINS: test user names (as `user:<name>` logs them in), comma-separated. */
export function adminUsersFromEnv(env: Record<string, string | undefined> = process.env): string[] {
  const raw = env.SANDBOX_ADMINS;
  if (raw === undefined || raw.trim() === '') return ['admin'];
  const names = raw.split(',').map((name) => name.trim());
  const bad = names.find((name) => !/^[A-Za-z0-9_-]{1,32}$/.test(name));
  if (bad !== undefined) throw new Error(`SANDBOX_ADMINS must be test user names separated by commas (1–32 of [A-Za-z0-9_-] each), got "${raw}"`);
  return [...new Set(names)];
}

/** What `npm start` reads from its environment (the variables in this file's header). */
export function stackOptionsFromEnv(env: Record<string, string | undefined> = process.env): LocalStackOptions & { closeIntervalMs: number; adminUsers: string[] } {
  const closeIntervalMs = closeIntervalFromEnv(env);
  const instances = notifyInstancesFromEnv(env);
  return {
    dataDir: resolve(env.PAY_DATA_DIR || DEFAULT_DATA_DIR),
    closeIntervalMs,
    adminUsers: adminUsersFromEnv(env),
    // The sandbox refuses an early close, and the service waits for the same interval (plus its margin).
    gateway: { minCloseIntervalMs: closeIntervalMs },
    env: { PAY_MIN_CLOSE_INTERVAL_MS: String(closeIntervalMs) },
    gatewayPort: portFromEnv('SANDBOX_PORT', DEFAULT_GATEWAY_PORT, env),
    hostPort: portFromEnv('HOST_PORT', DEFAULT_HOST_PORT, env),
    ...(instances ? { instances } : {}),
    huifu: { port: portFromEnv('HUIFU_SANDBOX_PORT', DEFAULT_HUIFU_PORT, env) },
  };
}

async function main(): Promise<void> {
  const options = stackOptionsFromEnv();
  const { dataDir, closeIntervalMs } = options;
  const stack = await startLocalStack({ ...options, log: (line) => console.log(`  ${line}`) });
  console.log(
    [
      '',
      `sandbox gateway: ${stack.gatewayUrl}`,
      `function host: ${stack.hostUrl}`,
      `data folder: ${dataDir}`,
      `sandbox console: ${stack.gatewayUrl}/sandbox/console (live orders beside the merchant store, timelines, user actions, faults, replays)`,
      'sandbox CLI: npm run sandbox -- help',
      `huifu sandbox: ${stack.huifu!.url} (dashboard ${stack.huifu!.url}/sandbox/, keys in ${stack.huifu!.keys.dir})`,
      `channel huifu: configured for it (checkout pays through Huifu when built with PAY_CHANNEL=huifu, or after wx.setStorageSync('pay:channel', 'huifu'))`,
      `functions: ${stack.host.functions.join(', ')}`,
      options.instances
        ? `notifications: ${Object.keys(options.instances).join(', ')} in ${instancesPhrase(Object.values(options.instances)[0]!)} each (HOST_INSTANCES; 0 = on the host's thread)`
        : "notifications: on the host's own thread (HOST_INSTANCES=1 runs each notification function in a worker-thread instance of its own)",
      `merchant admins (test users; SANDBOX_ADMINS): ${options.adminUsers.join(', ')}${options.adminUsers.includes('tester') ? '' : ' — WeChat DevTools logs in as tester: SANDBOX_ADMINS=admin,tester to open the merchant console there'}`,
      closeIntervalMs === REAL_CLOSE_INTERVAL_MS
        ? 'orders may be closed 5 minutes after creation, as in production (SANDBOX_CLOSE_INTERVAL=<seconds> shortens it locally)'
        : `orders may be closed ${closeIntervalMs / 1000} s after creation (SANDBOX_CLOSE_INTERVAL; production: 300 s)`,
      '',
      'Open the repository root in WeChat DevTools (it reads project.config.json → dist/miniprogram).',
      'In 详情 → 本地设置, tick 不校验合法域名、web-view（业务域名）、TLS 版本以及 HTTPS 证书.',
      stack.hostUrl === 'http://127.0.0.1:9401' && stack.gatewayUrl === 'http://127.0.0.1:9400'
        ? 'The default build already points at these URLs; `npm run dev` rebuilds on change.'
        : `Build the mini-program for these URLs: PAY_HOST_URL=${stack.hostUrl} PAY_SANDBOX_URL=${stack.gatewayUrl} npm run dev`,
      'Ctrl-C stops both.',
      '',
    ].join('\n'),
  );
  let stopping = false;
  const stop = (signal: string) => {
    if (stopping) return;
    stopping = true;
    console.log(`\n${signal}: shutting down…`);
    stack.close().then(
      () => process.exit(0),
      (err: unknown) => {
        console.error(err);
        process.exit(1);
      },
    );
  };
  process.on('SIGINT', () => stop('SIGINT'));
  process.on('SIGTERM', () => stop('SIGTERM'));
}

/** The env variable that sets each default port, for the one line a busy port gets. */
const PORT_VARIABLES: ReadonlyArray<[string, number]> = [
  ['SANDBOX_PORT', DEFAULT_GATEWAY_PORT],
  ['HOST_PORT', DEFAULT_HOST_PORT],
  ['HUIFU_SANDBOX_PORT', DEFAULT_HUIFU_PORT],
];

/**
 * One line for the failures a new user meets (a port taken by another program, a data folder that
 * cannot be written), naming what to change; undefined for anything else (a bug: its stack is shown).
 */
export function describeStartFailure(err: unknown, env: Record<string, string | undefined> = process.env): string | undefined {
  const e = err as NodeJS.ErrnoException & { port?: number; path?: string };
  if (e?.code === 'EADDRINUSE' && typeof e.port === 'number') {
    const variable = PORT_VARIABLES.find(([name, fallback]) => portFromEnv(name, fallback, env) === e.port)?.[0];
    return `port ${e.port} is already in use by another program${variable ? `: stop it, or choose another port with ${variable}=<port> npm start` : ''}`;
  }
  if (['EACCES', 'EROFS', 'ENOTDIR', 'EEXIST', 'EPERM'].includes(e?.code ?? '') && typeof e.path === 'string') {
    return `cannot write the data folder (${e.code} at ${e.path}): choose a writable one with PAY_DATA_DIR=<folder> npm start`;
  }
  return undefined;
}

if ((require as unknown as NodeJS.Require).main === module) {
  main().catch((err: unknown) => {
    const known = describeStartFailure(err);
    console.error(known ? `npm start: ${known}` : `npm start failed: ${(err as Error).stack ?? String(err)}`);
    process.exit(1);
  });
}
