import { AsyncLocalStorage } from 'node:async_hooks';

/**
 * The wx-server-sdk the function host gives to the built bundles. The real SDK's
 * `getWXContext()` reads OPENID/APPID from process env vars when it is not in WeChat cloud, which
 * is one identity per process; here every call runs inside `runAs(identity, …)` and reads its own
 * identity from AsyncLocalStorage, so concurrent calls of two users never see each other.
 */

export interface LocalIdentity {
  openid: string;
  appid: string;
  unionid?: string;
  /** The caller's address as WeChat cloud reports it in CLIENTIP (here: the HTTP peer). */
  clientIp?: string;
}

/** What one run of a function knows about its trigger: a caller (mini-program call) or a timer. */
type RunContext = { identity: LocalIdentity; source: 'wx_client' } | { source: 'wx_trigger' };

const current = new AsyncLocalStorage<RunContext | undefined>();

export const DYNAMIC_CURRENT_ENV = Symbol.for('wx-server-sdk.DYNAMIC_CURRENT_ENV');

export function init(_options?: unknown): void {
  // Nothing to bind locally: there is one local environment.
}

/** Run as a mini-program call of `identity` (SOURCE wx_client), or with no context at all. */
export function runAs<T>(identity: LocalIdentity | undefined, fn: () => T): T {
  // No context is `run(undefined)`, not `exit`: exit disables and re-enables the storage (promise
  // hooks off and on) on every call, a measurable cost per notification (issue 16).
  return current.run(identity ? { identity, source: 'wx_client' } : undefined, fn);
}

/**
 * Run as a timer trigger: no caller, SOURCE `wx_trigger`, as WeChat cloud reports a run its timer
 * started (https://developers.weixin.qq.com/miniprogram/dev/wxcloud/reference-sdk-api/utils/Cloud.getWXContext.html).
 */
export function runAsTimer<T>(fn: () => T): T {
  return current.run({ source: 'wx_trigger' }, fn);
}

export function getWXContext(): { OPENID?: string; APPID?: string; UNIONID?: string; CLIENTIP?: string; ENV: string; SOURCE: string } {
  const ctx = current.getStore();
  if (!ctx) return { ENV: 'local', SOURCE: 'local-host' };
  if (!('identity' in ctx)) return { ENV: 'local', SOURCE: ctx.source };
  const id = ctx.identity;
  return {
    OPENID: id.openid,
    APPID: id.appid,
    ...(id.unionid ? { UNIONID: id.unionid } : {}),
    ...(id.clientIp ? { CLIENTIP: id.clientIp } : {}),
    ENV: 'local',
    SOURCE: ctx.source,
  };
}

export function database(): never {
  throw new Error('wx-server-sdk database() is not available in the local function host: use the sqlite store locally');
}

function unavailable(name: string): () => never {
  return () => {
    throw new Error(`wx-server-sdk ${name}() is not available in the local function host`);
  };
}

export const callFunction = unavailable('callFunction');
export const uploadFile = unavailable('uploadFile');
export const downloadFile = unavailable('downloadFile');
export const getTempFileURL = unavailable('getTempFileURL');
export const deleteFile = unavailable('deleteFile');
export const logger = () => console;
export const openapi: Record<string, never> = {};
