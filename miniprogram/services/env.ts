/**
 * Build-time settings of the mini-program, injected by the gulp build (esbuild `define`) from
 * PAY_TRANSPORT, PAY_HOST_URL, PAY_SANDBOX_URL, PAY_CLOUD_ENV, PAY_MERCHANT_NAME,
 * PAY_DEFAULT_DESCRIPTION, PAY_MAX_AMOUNT_FEN and PAY_CHANNEL. Only these display/transport settings exist
 * here: merchant keys and secrets never reach the mini-program.
 */
import type { PayEnv } from '../../typings/pay-env';

export type { PayEnv };

declare const __PAY_ENV__: PayEnv;

/**
 * Storage key a developer may set from the DevTools console to point a local build at another
 * host without rebuilding (e.g. a phone on the LAN):
 * `wx.setStorageSync('pay:localUrls', { hostUrl: 'http://192.168.1.5:9401' })`.
 * Ignored by cloud builds.
 */
export const LOCAL_URLS_STORAGE_KEY = 'pay:localUrls';

function localOverride(name: 'hostUrl' | 'sandboxUrl' | 'huifuSandboxUrl'): string | undefined {
  if (__PAY_ENV__.transport !== 'local') return undefined;
  try {
    const urls: unknown = wx.getStorageSync(LOCAL_URLS_STORAGE_KEY);
    const value = typeof urls === 'object' && urls !== null ? (urls as Record<string, unknown>)[name] : undefined;
    return typeof value === 'string' && /^https?:\/\//.test(value) ? value.replace(/\/+$/, '') : undefined;
  } catch {
    return undefined;
  }
}

export const env: PayEnv = {
  ...__PAY_ENV__,
  get hostUrl() {
    return localOverride('hostUrl') ?? __PAY_ENV__.hostUrl;
  },
  get sandboxUrl() {
    return localOverride('sandboxUrl') ?? __PAY_ENV__.sandboxUrl;
  },
  get huifuSandboxUrl() {
    return localOverride('huifuSandboxUrl') ?? __PAY_ENV__.huifuSandboxUrl ?? 'http://127.0.0.1:9402';
  },
  get channel() {
    return checkoutChannel();
  },
};

/**
 * Storage key that switches a local build's checkout channel without rebuilding, e.g. to pay
 * through the APIv2 or Huifu sandbox: `wx.setStorageSync('pay:channel', 'v2')` (or `'huifu'`;
 * `'jsapi'` or remove it to go back). Ignored by cloud builds, which pay through their build's
 * PAY_CHANNEL.
 */
export const CHANNEL_STORAGE_KEY = 'pay:channel';

/** The channel checkout creates orders on (a payee's share code aside, which is always `combine`). */
export function checkoutChannel(): PayEnv['channel'] {
  if (__PAY_ENV__.transport === 'local') {
    try {
      const chosen: unknown = wx.getStorageSync(CHANNEL_STORAGE_KEY);
      if (chosen === 'v2' || chosen === 'jsapi' || chosen === 'huifu') return chosen;
    } catch {
      // storage unreadable: the build's channel
    }
  }
  return __PAY_ENV__.channel ?? 'jsapi';
}
