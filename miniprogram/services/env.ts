/**
 * Build-time settings of the mini-program, injected by the gulp build (esbuild `define`) from
 * PAY_TRANSPORT, PAY_HOST_URL, PAY_SANDBOX_URL, PAY_CLOUD_ENV, PAY_MERCHANT_NAME,
 * PAY_DEFAULT_DESCRIPTION and PAY_MAX_AMOUNT_FEN. Only these display/transport settings exist
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

/**
 * Storage key selecting the checkout's channel in a local build without rebuilding:
 * `wx.setStorageSync('pay:localChannel', 'huifu')` (or build with PAY_CHANNEL=huifu). Cloud builds ignore it.
 */
export const LOCAL_CHANNEL_STORAGE_KEY = 'pay:localChannel';

function localChannel(): 'jsapi' | 'huifu' | undefined {
  if (__PAY_ENV__.transport !== 'local') return undefined;
  try {
    const value: unknown = wx.getStorageSync(LOCAL_CHANNEL_STORAGE_KEY);
    return value === 'jsapi' || value === 'huifu' ? value : undefined;
  } catch {
    return undefined;
  }
}

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
  get payChannel() {
    return localChannel() ?? __PAY_ENV__.payChannel ?? 'jsapi';
  },
};
