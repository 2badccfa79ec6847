/** Huifu DouGong client over an injected `fetch`: signs the envelope, verifies every response. */
import { exchange, httpFetch, tlsFetch, type ClientTls, type ExchangeFetch } from '../../kernel/http-exchange';
import type { KeyObject } from 'node:crypto';
import type { Signer } from '../wechatpay/auth/signer';
import type { Verifier } from '../wechatpay/auth/verifier';
import { HuifuError } from './errors';
import { buildHuifuRequest, huifuSigner, HuifuVerifier, verifyHuifuResponse, type VerifiedHuifuResponse } from './envelope';

export const HUIFU_BASE_URL = 'https://api.huifu.com';
export const HUIFU_DEFAULT_TIMEOUT_MS = 10_000;

export type HuifuFetch = ExchangeFetch;

export interface HuifuClientOptions {
  sysId: string;
  productId: string;
  /** PEM or the console's bare base64 (PKCS#8); or `signer` (a key held in a KMS/HSM). */
  privateKey?: KeyObject | string;
  signer?: Signer;
  /** PEM or bare base64; or `verifier`. */
  huifuPublicKey?: KeyObject | string;
  verifier?: Verifier;
  baseUrl?: string;
  fetch?: HuifuFetch;
  /** Mutual TLS, when the deployment asks for a client certificate; ignored with `fetch`. */
  tls?: ClientTls;
  timeoutMs?: number;
}

export interface HuifuClient {
  post<T = Record<string, unknown>>(path: string, data: Record<string, unknown>): Promise<VerifiedHuifuResponse<T>>;
}

export function createHuifuClient(options: HuifuClientOptions): HuifuClient {
  const signer = options.signer ?? (options.privateKey !== undefined ? huifuSigner(options.privateKey) : undefined);
  const verifier = options.verifier ?? (options.huifuPublicKey !== undefined ? new HuifuVerifier(options.huifuPublicKey) : undefined);
  if (!signer || !verifier) throw new HuifuError('ARGUMENT_INVALID', 'a Huifu client needs privateKey or signer, and huifuPublicKey or verifier');
  const baseUrl = (options.baseUrl ?? HUIFU_BASE_URL).replace(/\/+$/, '');
  const doFetch = options.fetch ?? (options.tls ? tlsFetch(options.tls) : httpFetch());
  const timeoutMs = options.timeoutMs ?? HUIFU_DEFAULT_TIMEOUT_MS;

  return {
    async post<T>(path: string, data: Record<string, unknown>) {
      const { body } = await buildHuifuRequest({ sysId: options.sysId, productId: options.productId, data, signer });
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
      return verifyHuifuResponse<T>(text, verifier);
    },
  };
}
