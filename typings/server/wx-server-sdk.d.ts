/**
 * wx-server-sdk as our functions use it. The package's own index.d.ts types `init({ env })` as a
 * string only, so `cloud.init({ env: cloud.DYNAMIC_CURRENT_ENV })` — the documented way to bind a
 * function to the environment it is deployed in — does not type-check, and `getWXContext()` is
 * typed as a bag of `any`. This ambient declaration wins over the package's file; everything we
 * do not re-declare is taken from the package's own typings.
 */
declare module 'wx-server-sdk' {
  import type * as Sdk from 'wx-server-sdk/index';

  /** Resolves to the environment the function runs in (cloud) — a symbol, not a string. */
  export const DYNAMIC_CURRENT_ENV: unique symbol;

  export interface InitOptions {
    env?: string | typeof DYNAMIC_CURRENT_ENV | { database?: string; functions?: string; storage?: string };
    traceUser?: boolean;
    /** Throw instead of logging when an API call fails (SDK ≥ 2.x). */
    throwOnNotFound?: boolean;
  }
  export function init(options?: InitOptions): void;

  /**
   * The caller as WeChat cloud sees it; OPENID/APPID are absent outside a mini-program call.
   * https://developers.weixin.qq.com/miniprogram/dev/wxcloud/reference-sdk-api/utils/Cloud.getWXContext.html
   */
  export interface WXContext {
    OPENID?: string;
    APPID?: string;
    UNIONID?: string;
    /** Cross-account calls: the calling mini-program / official account's user. */
    FROM_OPENID?: string;
    FROM_APPID?: string;
    FROM_UNIONID?: string;
    ENV?: string;
    /** What triggered this run, comma-joined along a call chain: `wx_client`, `wx_trigger` (timer), `wx_http`, `scf`, … */
    SOURCE?: string;
    CLIENTIP?: string;
    CLIENTIPV6?: string;
  }
  export function getWXContext(): WXContext;

  export const database: typeof Sdk.database;
  export const callFunction: typeof Sdk.callFunction;
  export const uploadFile: typeof Sdk.uploadFile;
  export const downloadFile: typeof Sdk.downloadFile;
  export const getTempFileURL: typeof Sdk.getTempFileURL;
  export const deleteFile: typeof Sdk.deleteFile;
  export const logger: typeof Sdk.logger;
  export const openapi: typeof Sdk.openapi;
}
