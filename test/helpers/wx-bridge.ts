/**
 * A `wx` global for component tests (jsdom + miniprogram-simulate) that talks to real servers:
 * `wx.request` does real HTTP with Node's `http` module, `wx.login` answers a fresh
 * `user:<name>:<n>` code the sandbox gateway maps to that test user's stable openid, storage is
 * an in-memory map, and the UI/navigation/payment APIs are recorded (and overridable per test).
 *
 *   const wxb = installWx({ user: 'alice', hostUrl: stack.hostUrl, sandboxUrl: stack.gatewayUrl });
 *   … wxb.callsOf('navigateTo')[0] …
 *   wxb.uninstall();
 */
import * as http from 'node:http';
import * as https from 'node:https';

/** Options object of a callback-style wx API. */
export interface WxCallbackOptions {
  success?: (res: unknown) => void;
  fail?: (err: { errMsg: string }) => void;
  complete?: (res: unknown) => void;
  [key: string]: unknown;
}

/** What a recorded API does: return its success result, or throw `{ errMsg }` to fail. */
export type WxBehaviour = (options: WxCallbackOptions) => unknown | Promise<unknown>;

export const RECORDED_APIS = [
  'showToast',
  'hideToast',
  'showLoading',
  'hideLoading',
  'showModal',
  'showActionSheet',
  'navigateTo',
  'redirectTo',
  'navigateBack',
  'reLaunch',
  'switchTab',
  'requestPayment',
  'setClipboardData',
  'vibrateShort',
  'requestSubscribeMessage',
  'setNavigationBarTitle',
  'stopPullDownRefresh',
] as const;
export type RecordedApi = (typeof RECORDED_APIS)[number];

export interface InstallWxOptions {
  /** Test user whose openid `wx.login` codes resolve to. Default `tester`. */
  user?: string;
  /** Points a local build at these URLs (through the `pay:localUrls` storage override). */
  hostUrl?: string;
  sandboxUrl?: string;
  /** Replace what a recorded API does (calls are still recorded). */
  overrides?: Partial<Record<RecordedApi, WxBehaviour>>;
  /** Pre-filled storage. */
  storage?: Record<string, unknown>;
}

export interface WxRequestRecord {
  url: string;
  method: string;
  status?: number;
  error?: string;
}

export interface WxBridge {
  /** Every recorded API call in order: `{ api, options }`. */
  calls: Array<{ api: RecordedApi; options: WxCallbackOptions }>;
  callsOf(api: RecordedApi): WxCallbackOptions[];
  /** Every `wx.request`. */
  requests: WxRequestRecord[];
  storage: Map<string, unknown>;
  /** The page stack `getCurrentPages()` answers, kept by navigateTo/redirectTo/navigateBack/reLaunch. */
  pages: Array<{ route: string; options: Record<string, string> }>;
  /** Switch the user subsequent `wx.login` calls log in as. */
  setUser(user: string): void;
  /** Change a recorded API's behaviour mid-test. */
  override(api: RecordedApi, behaviour: WxBehaviour): void;
  uninstall(): void;
}

const DEFAULTS: Record<RecordedApi, WxBehaviour> = {
  showToast: () => ({ errMsg: 'showToast:ok' }),
  hideToast: () => ({ errMsg: 'hideToast:ok' }),
  showLoading: () => ({ errMsg: 'showLoading:ok' }),
  hideLoading: () => ({ errMsg: 'hideLoading:ok' }),
  showModal: () => ({ errMsg: 'showModal:ok', confirm: true, cancel: false }),
  showActionSheet: () => ({ errMsg: 'showActionSheet:ok', tapIndex: 0 }),
  navigateTo: () => ({ errMsg: 'navigateTo:ok' }),
  redirectTo: () => ({ errMsg: 'redirectTo:ok' }),
  navigateBack: () => ({ errMsg: 'navigateBack:ok' }),
  reLaunch: () => ({ errMsg: 'reLaunch:ok' }),
  switchTab: () => ({ errMsg: 'switchTab:ok' }),
  requestPayment: () => ({ errMsg: 'requestPayment:ok' }),
  setClipboardData: () => ({ errMsg: 'setClipboardData:ok' }),
  vibrateShort: () => ({ errMsg: 'vibrateShort:ok' }),
  requestSubscribeMessage: () => ({ errMsg: 'requestSubscribeMessage:ok' }),
  setNavigationBarTitle: () => ({ errMsg: 'setNavigationBarTitle:ok' }),
  stopPullDownRefresh: () => ({ errMsg: 'stopPullDownRefresh:ok' }),
};

type WxGlobal = Record<string, unknown>;
let loginCounter = 0;

export function installWx(opts: InstallWxOptions = {}): WxBridge {
  const g = globalThis as unknown as { wx?: WxGlobal };
  const wx: WxGlobal = g.wx ?? {};
  g.wx = wx;
  const previous = new Map<string, unknown>();
  const set = (name: string, value: unknown) => {
    if (!previous.has(name)) previous.set(name, wx[name]);
    wx[name] = value;
  };

  let user = opts.user ?? 'tester';
  const behaviours: Record<RecordedApi, WxBehaviour> = { ...DEFAULTS, ...(opts.overrides ?? {}) };
  const storage = new Map<string, unknown>(Object.entries(opts.storage ?? {}));
  if (opts.hostUrl || opts.sandboxUrl) {
    storage.set('pay:localUrls', { ...(opts.hostUrl ? { hostUrl: opts.hostUrl } : {}), ...(opts.sandboxUrl ? { sandboxUrl: opts.sandboxUrl } : {}) });
  }
  const bridge: WxBridge = {
    calls: [],
    callsOf: (api) => bridge.calls.filter((c) => c.api === api).map((c) => c.options),
    requests: [],
    storage,
    pages: [{ route: 'pages/index/index', options: {} }],
    setUser: (next) => {
      user = next;
    },
    override: (api, behaviour) => {
      behaviours[api] = behaviour;
    },
    uninstall: () => {
      for (const [name, value] of previous) {
        if (value === undefined) delete wx[name];
        else wx[name] = value;
      }
    },
  };

  for (const api of RECORDED_APIS) {
    set(api, (options: WxCallbackOptions = {}) => {
      bridge.calls.push({ api, options });
      return settle(api, options, () => {
        const result = behaviours[api](options);
        followNavigation(bridge.pages, api, options);
        return result;
      });
    });
  }

  // Vant's link mixin (van-cell url, …) asks getCurrentPages() before navigating.
  const globals = globalThis as unknown as Record<string, unknown>;
  const previousGetCurrentPages = globals.getCurrentPages;
  globals.getCurrentPages = () => bridge.pages.map((p) => ({ ...p }));
  const uninstallWx = bridge.uninstall;
  bridge.uninstall = () => {
    uninstallWx();
    globals.getCurrentPages = previousGetCurrentPages;
  };

  set('login', (options: WxCallbackOptions = {}) => settle('login', options, () => ({ errMsg: 'login:ok', code: `user:${user}:${++loginCounter}` })));

  // Storage (sync and async forms).
  const clone = (v: unknown) => (v === undefined ? '' : JSON.parse(JSON.stringify(v)));
  set('getStorageSync', (key: string) => (storage.has(key) ? clone(storage.get(key)) : ''));
  set('setStorageSync', (key: string, value: unknown) => void storage.set(key, clone(value)));
  set('removeStorageSync', (key: string) => void storage.delete(key));
  set('clearStorageSync', () => storage.clear());
  set('getStorage', (o: WxCallbackOptions) =>
    settle('getStorage', o, () => {
      const key = String(o.key);
      if (!storage.has(key)) throw { errMsg: 'getStorage:fail data not found' };
      return { errMsg: 'getStorage:ok', data: clone(storage.get(key)) };
    }),
  );
  set('setStorage', (o: WxCallbackOptions) => settle('setStorage', o, () => (storage.set(String(o.key), clone(o.data)), { errMsg: 'setStorage:ok' })));
  set('removeStorage', (o: WxCallbackOptions) => settle('removeStorage', o, () => (storage.delete(String(o.key)), { errMsg: 'removeStorage:ok' })));

  set('request', (o: WxCallbackOptions) => realRequest(o, bridge.requests));

  return bridge;
}

function followNavigation(pages: WxBridge['pages'], api: RecordedApi, options: WxCallbackOptions): void {
  const target = () => {
    const [path, query = ''] = String(options.url ?? '').split('?');
    return { route: path.replace(/^\//, ''), options: Object.fromEntries(new URLSearchParams(query)) };
  };
  if (api === 'navigateTo') pages.push(target());
  else if (api === 'redirectTo') pages.splice(pages.length - 1, 1, target());
  else if (api === 'reLaunch' || api === 'switchTab') pages.splice(0, pages.length, target());
  else if (api === 'navigateBack') pages.splice(Math.max(1, pages.length - Number(options.delta ?? 1)));
}

/** Run a behaviour the way wx does: callbacks asynchronously, or a Promise when none is given. */
function settle(api: string, options: WxCallbackOptions, run: () => unknown): Promise<unknown> | undefined {
  const usesCallbacks = typeof options.success === 'function' || typeof options.fail === 'function' || typeof options.complete === 'function';
  const outcome = (async () => run())().then(
    (res) => ({ ok: true as const, res }),
    (err: unknown) => ({ ok: false as const, err: toWxError(api, err) }),
  );
  if (!usesCallbacks) return outcome.then((o) => (o.ok ? o.res : Promise.reject(o.err)));
  void outcome.then((o) => {
    if (o.ok) options.success?.(o.res);
    else options.fail?.(o.err);
    options.complete?.(o.ok ? o.res : o.err);
  });
  return undefined;
}

function toWxError(api: string, err: unknown): { errMsg: string } {
  if (typeof err === 'object' && err !== null && typeof (err as { errMsg?: unknown }).errMsg === 'string') return err as { errMsg: string };
  return { errMsg: `${api}:fail ${err instanceof Error ? err.message : String(err)}` };
}

/** `wx.request` over real HTTP: JSON in, JSON parsed out when `dataType` is json (the default). */
function realRequest(o: WxCallbackOptions, log: WxRequestRecord[]): { abort(): void } {
  const method = String(o.method ?? 'GET').toUpperCase();
  const url = new URL(String(o.url));
  const headers: Record<string, string> = {};
  for (const [k, v] of Object.entries((o.header as Record<string, unknown>) ?? {})) headers[k.toLowerCase()] = String(v);
  let body: Buffer | undefined;
  if (o.data !== undefined && o.data !== null) {
    if (method === 'GET') {
      for (const [k, v] of Object.entries(o.data as Record<string, unknown>)) url.searchParams.set(k, String(v));
    } else {
      const text = typeof o.data === 'string' ? o.data : JSON.stringify(o.data);
      body = Buffer.from(text);
      headers['content-type'] ??= 'application/json';
    }
  }
  const record: WxRequestRecord = { url: url.toString(), method };
  log.push(record);
  const transport = url.protocol === 'https:' ? https : http;
  const fail = (message: string) => {
    record.error = message;
    const err = { errMsg: `request:fail ${message}` };
    o.fail?.(err);
    o.complete?.(err);
  };
  const req = transport.request(url, { method, headers: body ? { ...headers, 'content-length': String(body.length) } : headers, timeout: Number(o.timeout ?? 60000) }, (res) => {
    const chunks: Buffer[] = [];
    res.on('data', (c: Buffer) => chunks.push(c));
    res.on('error', (e) => fail(e.message));
    res.on('end', () => {
      const text = Buffer.concat(chunks).toString('utf8');
      let data: unknown = text;
      if ((o.dataType ?? 'json') === 'json') {
        try {
          data = JSON.parse(text);
        } catch {
          data = text;
        }
      }
      record.status = res.statusCode;
      const answer = { errMsg: 'request:ok', statusCode: res.statusCode ?? 0, data, header: res.headers };
      o.success?.(answer);
      o.complete?.(answer);
    });
  });
  req.on('timeout', () => req.destroy(new Error('timeout')));
  req.on('error', (e) => fail(e.message));
  if (body) req.write(body);
  req.end();
  return { abort: () => req.destroy(new Error('abort')) };
}
