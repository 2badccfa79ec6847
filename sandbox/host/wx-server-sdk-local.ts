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

const current = new AsyncLocalStorage<LocalIdentity>();

export const DYNAMIC_CURRENT_ENV = Symbol.for('wx-server-sdk.DYNAMIC_CURRENT_ENV');

export function init(_options?: unknown): void {
  // Nothing to bind locally: there is one local environment.
}

export function runAs<T>(identity: LocalIdentity | undefined, fn: () => T): T {
  return identity ? current.run(identity, fn) : current.exit(fn);
}

export function getWXContext(): { OPENID?: string; APPID?: string; UNIONID?: string; CLIENTIP?: string; ENV: string; SOURCE: string } {
  const id = current.getStore();
  if (!id) return { ENV: 'local', SOURCE: 'local-host' };
  return {
    OPENID: id.openid,
    APPID: id.appid,
    ...(id.unionid ? { UNIONID: id.unionid } : {}),
    ...(id.clientIp ? { CLIENTIP: id.clientIp } : {}),
    ENV: 'local',
    SOURCE: 'wx_client',
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
