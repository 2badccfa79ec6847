/**
 * The stand-in's knobs. Defaults are the published behaviour; a local developer (or a test) may
 * change them through storage, like `pay:localUrls`:
 *
 *   wx.setStorageSync('sandbox:wechatpay-payment', { orderTimeoutMs: 3000, clientVersion: '8.0.50' })
 *
 * - `orderTimeoutMs`: how long a pay-touch waits for `orderCompleteCallback` (published: 30 s);
 * - `clientVersion`: the WeChat version `isSupportScanPosPay()` judges (published minimum 8.0.40;
 *   DevTools reports an older one, so set this to see the control there).
 */

/** 小程序金额控件介绍: no `orderCompleteCallback` within 30 秒 of onPayTouch → onPayFailed OrderTimeout. */
export const ORDER_TIMEOUT_MS = 30_000;
/** 小程序金额控件开发指引: 微信客户端版本 8.0.40 开始支持. */
export const MIN_CLIENT_VERSION = '8.0.40';
export const STAND_IN_SETTINGS_KEY = 'sandbox:wechatpay-payment';

export interface StandInSettings {
  orderTimeoutMs: number;
  clientVersion: string;
}

export function standInSettings(): StandInSettings {
  let stored: unknown;
  try {
    stored = wx.getStorageSync(STAND_IN_SETTINGS_KEY);
  } catch {
    stored = undefined;
  }
  const o = typeof stored === 'object' && stored !== null ? (stored as Record<string, unknown>) : {};
  const timeout = o.orderTimeoutMs;
  return {
    orderTimeoutMs: typeof timeout === 'number' && Number.isFinite(timeout) && timeout >= 0 ? timeout : ORDER_TIMEOUT_MS,
    clientVersion: typeof o.clientVersion === 'string' ? o.clientVersion : wechatVersion(),
  };
}

/** The WeChat client version: `wx.getAppBaseInfo().version`, or `wx.getSystemInfoSync().version` on older base libraries. */
function wechatVersion(): string {
  try {
    if (typeof wx.getAppBaseInfo === 'function') return wx.getAppBaseInfo().version;
    return wx.getSystemInfoSync().version;
  } catch {
    return '0';
  }
}

/** `a` ≥ `b` for dotted numeric versions ('8.0.40' ≥ '8.0.5'). */
export function versionAtLeast(a: string, b: string): boolean {
  const pa = a.split('.').map((n) => Number.parseInt(n, 10) || 0);
  const pb = b.split('.').map((n) => Number.parseInt(n, 10) || 0);
  for (let i = 0; i < Math.max(pa.length, pb.length); i++) {
    const x = pa[i] ?? 0;
    const y = pb[i] ?? 0;
    if (x !== y) return x > y;
  }
  return true;
}
