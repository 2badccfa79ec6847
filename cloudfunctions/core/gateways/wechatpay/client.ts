/**
 * APIv3 HTTP client over an injected `fetch`: signs every request, verifies every response
 * (an unsigned or badly signed 2xx is an error), maps failures to `WechatPayError`s with
 * `{status, code, message, retryable}`, and retries only what may be retried, resending the
 * identical body.
 */
import { exchange, httpFetch, tlsFetch, type ClientTls, type ExchangeFailure, type ExchangeFetch } from '../../kernel/http-exchange';
import { WechatPayError, withRequestId } from './errors';
import { DEFAULT_BASE_URL, DEFAULT_TIMEOUT_MS, HEADER, JSON_MEDIA_TYPE, USER_AGENT } from './consts';
import { buildAuthorization } from './auth/authorization';
import { signerFromPem } from './auth/signers/sha256-rsa';
import type { PrivateKeyInput } from './auth/keys';
import { randomNonce, unixSeconds, type Clock, type NonceSource } from '../../kernel/nonce';
import { backoffDelay, DEFAULT_RETRY_POLICY, isRetryableApiError, type RetryPolicy } from './retry';
import type { Signer } from './auth/signer';
import { validateSigned } from './auth/validator';
import type { Verifier } from './auth/verifier';

export type HttpMethod = 'GET' | 'POST' | 'PUT' | 'PATCH' | 'DELETE';

/** The part of `fetch` we use; `globalThis.fetch` fits. */
export type FetchLike = ExchangeFetch;

export interface V3ClientOptions {
  mchid: string;
  /** Merchant API certificate serial; with `privateKey` builds the default signer. */
  serialNo?: string;
  privateKey?: PrivateKeyInput;
  /** Alternative to serialNo + privateKey (HSM, KMS): its `keyId` is the `serial_no` sent. */
  signer?: Signer;
  verifier: Verifier;
  /**
   * Certificate mode: a response names a platform serial `verifier` does not hold. Resolves true
   * once it does (certificates fetched), and the same response is verified again.
   */
  onUnknownSerial?: (serial: string) => Promise<boolean>;
  baseUrl?: string;
  fetch?: FetchLike;
  /** Mutual TLS: a client certificate presented on every call; ignored with `fetch`. */
  tls?: ClientTls;
  timeoutMs?: number;
  retry?: Partial<RetryPolicy>;
  clock?: Clock;
  nonce?: NonceSource;
  /** Source of jitter in [0, 1). */
  random?: () => number;
  sleep?: (ms: number) => Promise<void>;
  userAgent?: string;
}

export interface V3Response<T = unknown> {
  status: number;
  /** Lower-case names. */
  headers: Record<string, string>;
  /** Raw text, exactly as received and verified. */
  body: string;
  /** Parsed JSON, or undefined for an empty or non-JSON body. */
  data: T | undefined;
  requestId: string | undefined;
}

export interface RequestOptions {
  /** Added to the path as a query string (values URI-encoded; undefined values skipped). */
  query?: Record<string, string | number | undefined>;
  /** Names the platform key that encrypted sensitive fields of this request. */
  wechatpaySerial?: string;
  timeoutMs?: number;
  headers?: Record<string, string>;
  /**
   * Replaces the standard response check (used by the certificate download, which verifies the
   * response with the certificates it carries). Must throw when the response is not authentic.
   */
  validate?: (headers: Record<string, string>, body: string) => void;
}

export interface V3Client {
  readonly mchid: string;
  readonly baseUrl: string;
  request<T = unknown>(method: HttpMethod, path: string, body?: unknown, options?: RequestOptions): Promise<V3Response<T>>;
  /**
   * `GET` of an absolute URL the gateway handed out (a bill's `download_url`), signed like any
   * request; the answer is bytes and carries NO platform signature ("该接口响应的信息请求头中不包含
   * 微信接口响应的签名值，因此需要跳过验签的流程", https://pay.weixin.qq.com/docs/partner/apis/bill-download/download-sub-merchant-fund-bill.html):
   * its integrity is the caller's hash check.
   */
  download(url: string, options?: { timeoutMs?: number }): Promise<{ status: number; bytes: Buffer; requestId: string | undefined }>;
}

const defaultSleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

export function createV3Client(options: V3ClientOptions): V3Client {
  const signer = options.signer ?? defaultSigner(options);
  const baseUrl = (options.baseUrl ?? DEFAULT_BASE_URL).replace(/\/+$/, '');
  const doFetch: FetchLike = options.fetch ?? (options.tls ? tlsFetch(options.tls) : httpFetch());
  if (typeof doFetch !== 'function') throw new WechatPayError('ARGUMENT_INVALID', 'no fetch available; inject one');
  const clock = options.clock ?? Date.now;
  const nonce = options.nonce ?? randomNonce;
  const random = options.random ?? Math.random;
  const sleep = options.sleep ?? defaultSleep;
  const retry: RetryPolicy = { ...DEFAULT_RETRY_POLICY, ...options.retry };
  if (!Number.isInteger(retry.maxAttempts) || retry.maxAttempts < 1) {
    throw new WechatPayError('ARGUMENT_INVALID', 'retry.maxAttempts must be a positive integer');
  }
  const userAgent = options.userAgent ?? USER_AGENT;
  const defaultTimeout = options.timeoutMs ?? DEFAULT_TIMEOUT_MS;

  // Sign exactly what goes on the wire: the URL parser's normalised path and query.
  const authorization = (method: HttpMethod, url: URL, body: string) =>
    buildAuthorization({ mchid: options.mchid, signer, method, pathWithQuery: url.pathname + url.search, body, timestamp: unixSeconds(clock), nonce: nonce() });
  const failure = (method: HttpMethod, url: URL, timeoutMs: number) => (kind: ExchangeFailure, cause: unknown) =>
    kind === 'TIMEOUT'
      ? new WechatPayError('TIMEOUT', `${method} ${url.pathname} got no answer within ${timeoutMs} ms`, { retryable: true, cause })
      : new WechatPayError('NETWORK_ERROR', `${method} ${url.pathname} failed: ${(cause as Error)?.message ?? cause}`, { cause });

  async function attempt(method: HttpMethod, url: URL, body: string, requestOptions: RequestOptions): Promise<V3Response> {
    const headers: Record<string, string> = {
      [HEADER.accept]: JSON_MEDIA_TYPE,
      [HEADER.userAgent]: userAgent,
      ...requestOptions.headers,
      [HEADER.authorization]: await authorization(method, url, body),
    };
    if (body !== '') headers[HEADER.contentType] = JSON_MEDIA_TYPE;
    if (requestOptions.wechatpaySerial) headers[HEADER.serial] = requestOptions.wechatpaySerial;

    const timeoutMs = requestOptions.timeoutMs ?? defaultTimeout;
    const { status, headers: responseHeaders, text } = await exchange(doFetch, url.href, { method, headers, ...(body === '' ? {} : { body }) }, timeoutMs, failure(method, url, timeoutMs));

    const requestId = responseHeaders[HEADER.requestId.toLowerCase()];
    if (status < 200 || status > 299) throw apiError(status, text, requestId);

    try {
      if (requestOptions.validate) requestOptions.validate(responseHeaders, text);
      else await validateResponse(responseHeaders, text);
    } catch (error) {
      if (error instanceof WechatPayError) throw withStatus(withRequestId(error, requestId), status);
      throw error;
    }
    return { status, headers: responseHeaders, body: text, data: parseJson(text, responseHeaders['content-type'], status, requestId), requestId };
  }

  /** The standard check; an unknown serial gets one certificate fetch, then the same bytes are checked again. */
  async function validateResponse(headers: Record<string, string>, text: string): Promise<void> {
    const check = () => validateSigned(headers, text, { verifier: options.verifier, clock, missingCode: 'RESPONSE_UNSIGNED' });
    try {
      check();
    } catch (error) {
      const serial = error instanceof WechatPayError && error.code === 'SERIAL_UNKNOWN' ? error.serial : undefined;
      if (!serial || !options.onUnknownSerial || !(await options.onUnknownSerial(serial))) throw error;
      check();
    }
  }

  async function download(href: string, requestOptions: { timeoutMs?: number } = {}) {
    let url: URL;
    try {
      url = new URL(href);
    } catch (cause) {
      throw new WechatPayError('ARGUMENT_INVALID', `not a download URL: ${href.slice(0, 100)}`, { cause });
    }
    const headers = { [HEADER.accept]: '*/*', [HEADER.userAgent]: userAgent, [HEADER.authorization]: await authorization('GET', url, '') };
    const timeoutMs = requestOptions.timeoutMs ?? defaultTimeout;
    // Bytes, not text: a gzip body must reach the gunzip untouched. No signature check: the
    // download answer is not signed; the bill's hash is the integrity check.
    const { status, headers: responseHeaders, bytes } = await exchange(doFetch, url.href, { method: 'GET', headers }, timeoutMs, failure('GET', url, timeoutMs));
    const requestId = responseHeaders[HEADER.requestId.toLowerCase()];
    if (status < 200 || status > 299) throw apiError(status, bytes.toString('utf8'), requestId);
    return { status, bytes, requestId };
  }

  return {
    mchid: options.mchid,
    baseUrl,
    download,
    async request<T>(method: HttpMethod, path: string, body?: unknown, requestOptions: RequestOptions = {}) {
      if (!path.startsWith('/')) throw new WechatPayError('ARGUMENT_INVALID', `path must start with "/": ${path}`);
      const url = new URL(baseUrl + path + queryString(requestOptions.query, path.includes('?')));
      // Serialised once: every retry sends (and signs) the identical bytes.
      const payload = body === undefined || method === 'GET' ? '' : typeof body === 'string' ? body : JSON.stringify(body);
      for (let failures = 0; ; ) {
        try {
          return (await attempt(method, url, payload, requestOptions)) as V3Response<T>;
        } catch (error) {
          failures++;
          if (!(error instanceof WechatPayError) || !error.retryable || failures >= retry.maxAttempts) throw error;
          await sleep(backoffDelay(failures, retry, random));
        }
      }
    },
  };
}

function defaultSigner(options: V3ClientOptions): Signer {
  if (!options.serialNo || !options.privateKey) {
    throw new WechatPayError('ARGUMENT_INVALID', 'either signer, or serialNo and privateKey, are required');
  }
  return signerFromPem(options.privateKey, options.serialNo);
}

function queryString(query: RequestOptions['query'], hasQuery: boolean): string {
  if (!query) return '';
  const parts: string[] = [];
  for (const [name, value] of Object.entries(query)) {
    if (value !== undefined) parts.push(`${encodeURIComponent(name)}=${encodeURIComponent(String(value))}`);
  }
  return parts.length === 0 ? '' : (hasQuery ? '&' : '?') + parts.join('&');
}

function apiError(status: number, text: string, requestId: string | undefined): WechatPayError {
  let code = `HTTP_${status}`;
  let message = text.slice(0, 200) || `HTTP ${status}`;
  let detail: unknown;
  try {
    const parsed = JSON.parse(text) as { code?: unknown; message?: unknown; detail?: unknown };
    if (typeof parsed.code === 'string') code = parsed.code;
    if (typeof parsed.message === 'string') message = parsed.message;
    detail = parsed.detail;
  } catch {
    // Not JSON (a proxy's error page): keep the HTTP_<status> code.
  }
  return new WechatPayError(code, message, { status, requestId, retryable: isRetryableApiError(status, code), detail });
}

function withStatus(error: WechatPayError, status: number): WechatPayError {
  if (error.status === status) return error;
  return new WechatPayError(error.code, error.reason, { serial: error.serial, requestId: error.requestId, status, cause: error.cause });
}

/** JSON bodies are parsed (a broken one is an error); other bodies (bill files) stay raw text. */
function parseJson(text: string, contentType: string | undefined, status: number, requestId: string | undefined): unknown {
  if (text === '' || (contentType !== undefined && !contentType.includes('json'))) return undefined;
  try {
    return JSON.parse(text);
  } catch (cause) {
    throw new WechatPayError('RESPONSE_MALFORMED', 'verified response body is not JSON', { status, requestId, cause });
  }
}

