/** Huifu DouGong client over an injected `fetch`: signs the envelope, verifies every response. */
import { exchange, type ExchangeFetch } from '../../kernel/http-exchange';
import type { KeyObject } from 'node:crypto';
import { HuifuError } from './errors';
import { buildHuifuRequest, loadHuifuPrivateKey, loadHuifuPublicKey, verifyHuifuResponse, type VerifiedHuifuResponse } from './envelope';

export const HUIFU_BASE_URL = 'https://api.huifu.com';
export const HUIFU_DEFAULT_TIMEOUT_MS = 10_000;

export type HuifuFetch = ExchangeFetch;

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
      const { status, text } = await exchange(
        doFetch,
        baseUrl + path,
        { method: 'POST', headers: { 'Content-Type': 'application/json', Accept: 'application/json' }, body },
        timeoutMs,
        (kind, cause) =>
          kind === 'TIMEOUT'
            ? new HuifuError('TIMEOUT', `POST ${path} got no answer within ${timeoutMs} ms`, { retryable: true, cause })
            : new HuifuError('NETWORK_ERROR', `POST ${path} failed`, { cause }),
      );
      if (status !== 200) throw new HuifuError('HTTP_ERROR', `POST ${path} answered HTTP ${status}`, { status, retryable: status >= 500 });
      return verifyHuifuResponse<T>(text, publicKey);
    },
  };
}
