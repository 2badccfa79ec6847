/** Huifu DouGong client over an injected `fetch`: signs the envelope, verifies every response. */
import type { KeyObject } from 'node:crypto';
import { HuifuError } from './errors';
import { buildHuifuRequest, loadHuifuPrivateKey, loadHuifuPublicKey, verifyHuifuResponse, type VerifiedHuifuResponse } from './envelope';

export const HUIFU_BASE_URL = 'https://api.huifu.com';
export const HUIFU_DEFAULT_TIMEOUT_MS = 10_000;

export type HuifuFetch = (
  url: string,
  init: { method: string; headers: Record<string, string>; body: string; signal?: AbortSignal },
) => Promise<{ status: number; text(): Promise<string> }>;

export interface HuifuClientOptions {
  sysId: string;
  productId: string;
  /** PEM or the console's bare base64 (PKCS#8). */
  privateKey: KeyObject | string;
  huifuPublicKey: KeyObject | string;
  baseUrl?: string;
  fetch?: HuifuFetch;
  timeoutMs?: number;
}

export interface HuifuClient {
  post<T = Record<string, unknown>>(path: string, data: Record<string, unknown>): Promise<VerifiedHuifuResponse<T>>;
}

export function createHuifuClient(options: HuifuClientOptions): HuifuClient {
  const privateKey = loadHuifuPrivateKey(options.privateKey);
  const publicKey = loadHuifuPublicKey(options.huifuPublicKey);
  const baseUrl = (options.baseUrl ?? HUIFU_BASE_URL).replace(/\/+$/, '');
  const doFetch = options.fetch ?? (globalThis.fetch as unknown as HuifuFetch);
  const timeoutMs = options.timeoutMs ?? HUIFU_DEFAULT_TIMEOUT_MS;

  return {
    async post<T>(path: string, data: Record<string, unknown>) {
      const { body } = buildHuifuRequest({ sysId: options.sysId, productId: options.productId, data, privateKey });
      const controller = new AbortController();
      const timer = setTimeout(() => controller.abort(), timeoutMs);
      let status: number;
      let text: string;
      try {
        const response = await doFetch(baseUrl + path, {
          method: 'POST',
          headers: { 'Content-Type': 'application/json', Accept: 'application/json' },
          body,
          signal: controller.signal,
        });
        status = response.status;
        text = await response.text();
      } catch (cause) {
        if (controller.signal.aborted) throw new HuifuError('TIMEOUT', `POST ${path} got no answer within ${timeoutMs} ms`, { retryable: true, cause });
        throw new HuifuError('NETWORK_ERROR', `POST ${path} failed`, { cause });
      } finally {
        clearTimeout(timer);
      }
      if (status !== 200) throw new HuifuError('HTTP_ERROR', `POST ${path} answered HTTP ${status}`, { status, retryable: status >= 500 });
      return verifyHuifuResponse<T>(text, publicKey);
    },
  };
}
