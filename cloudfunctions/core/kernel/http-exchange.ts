/**
 * One HTTP exchange with a deadline, read whole: what every gateway client (APIv3, APIv2, Huifu)
 * needs before it verifies the answer. Failures are reported through the caller's own error
 * factory, so each client keeps its typed errors.
 */

export interface ExchangeRequest {
  method: string;
  headers: Record<string, string>;
  body?: string;
  signal?: AbortSignal;
}

/** The part of `fetch` we use; tests inject their own. `headers` may be absent on simple fakes. */
export type ExchangeFetch = (
  url: string,
  init: ExchangeRequest,
) => Promise<{ status: number; headers?: { forEach(callback: (value: string, name: string) => void): void }; text(): Promise<string> }>;

export interface RawExchange {
  status: number;
  /** Lower-case names. */
  headers: Record<string, string>;
  /** The body exactly as received: signatures are verified over it. */
  text: string;
}

export type ExchangeFailure = 'TIMEOUT' | 'NETWORK_ERROR';

export async function exchange(
  doFetch: ExchangeFetch,
  url: string,
  request: Omit<ExchangeRequest, 'signal'>,
  timeoutMs: number,
  fail: (kind: ExchangeFailure, cause: unknown) => Error,
): Promise<RawExchange> {
  const controller = new AbortController();
  const timer = setTimeout(() => controller.abort(), timeoutMs);
  try {
    const response = await doFetch(url, { ...request, signal: controller.signal });
    const headers: Record<string, string> = {};
    response.headers?.forEach((value, name) => {
      headers[name.toLowerCase()] = value;
    });
    return { status: response.status, headers, text: await response.text() };
  } catch (cause) {
    throw fail(controller.signal.aborted || isConnectTimeout(cause) ? 'TIMEOUT' : 'NETWORK_ERROR', cause);
  } finally {
    clearTimeout(timer);
  }
}

/** undici's own connect/header timeouts are timeouts too (retryable), not dead networks. */
function isConnectTimeout(error: unknown): boolean {
  const code = (error as { cause?: { code?: unknown } })?.cause?.code;
  return code === 'UND_ERR_CONNECT_TIMEOUT' || code === 'UND_ERR_HEADERS_TIMEOUT' || code === 'ETIMEDOUT';
}
