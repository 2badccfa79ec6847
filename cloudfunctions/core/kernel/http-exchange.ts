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
) => Promise<{
  status: number;
  headers?: { forEach(callback: (value: string, name: string) => void): void };
  text(): Promise<string>;
  /** The body's bytes as received (downloads such as a gzip bill are not UTF-8). */
  arrayBuffer?(): Promise<ArrayBuffer>;
}>;

export interface RawExchange {
  status: number;
  /** Lower-case names. */
  headers: Record<string, string>;
  /** The body exactly as received: signatures are verified over it. */
  text: string;
  /** The same body as bytes (a download such as a gzip bill is not text). */
  bytes: Buffer;
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
    const bytes = response.arrayBuffer ? Buffer.from(await response.arrayBuffer()) : Buffer.from(await response.text(), 'utf8');
    return { status: response.status, headers, text: bytes.toString('utf8'), bytes };
  } catch (cause) {
    throw fail(controller.signal.aborted || isConnectTimeout(cause) ? 'TIMEOUT' : 'NETWORK_ERROR', cause);
  } finally {
    clearTimeout(timer);
  }
}

/** Connect/header timeouts of the transport are timeouts too (retryable), not dead networks. */
function isConnectTimeout(error: unknown): boolean {
  const code = (error as { code?: unknown })?.code ?? (error as { cause?: { code?: unknown } })?.cause?.code;
  return code === 'UND_ERR_CONNECT_TIMEOUT' || code === 'UND_ERR_HEADERS_TIMEOUT' || code === 'ETIMEDOUT';
}

/**
 * A client identity for mutual TLS (APIv2 refunds and other 需要证书 calls present the merchant API
 * certificate): PEM certificate + key, or PKCS#12 (`apiclient_cert.p12`) and its passphrase — plus, optionally, the CA to trust for the server instead of
 * Node's bundled roots.
 */
export type ClientTls = ({ cert: string | Buffer; key: string | Buffer; pfx?: undefined } | { pfx: Buffer; passphrase?: string; cert?: undefined; key?: undefined }) & {
  ca?: string | Buffer | Array<string | Buffer>;
};

/**
 * The default transport of every gateway client: node:http / node:https with one keep-alive agent
 * per client, so a call to the gateway reuses its connection (and TLS session) instead of opening
 * one. node:http rather than the global `fetch` (undici): the same exchange cost about twice the
 * CPU through fetch's WHATWG streams and request objects (docs/references/performance.md).
 */
export function httpFetch(): ExchangeFetch {
  return nodeFetch(undefined);
}

/**
 * An `ExchangeFetch` that presents `tls` on every connection (one keep-alive agent per gateway).
 * node:https rather than `fetch`: Node's built-in fetch cannot take a client certificate without
 * undici's `Agent`, which Node does not expose (it would be a dependency). The key material stays
 * in memory; nothing is written anywhere.
 */
export function tlsFetch(tls: ClientTls): ExchangeFetch {
  if (tls.pfx === undefined && (tls.cert === undefined || tls.key === undefined)) {
    throw new TypeError('a client certificate needs cert and key (PEM), or pfx (PKCS#12)');
  }
  const identity = {
    ...(tls.pfx !== undefined ? { pfx: tls.pfx, passphrase: tls.passphrase } : { cert: tls.cert, key: tls.key }),
    ...(tls.ca !== undefined ? { ca: tls.ca } : {}),
  };
  // Read once now, so a wrong passphrase or a key that is not the certificate's fails at cold
  // start with the reason, not at the first refund as a dropped connection.
  try {
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    (require('node:tls') as typeof import('node:tls')).createSecureContext(identity);
  } catch (cause) {
    throw new TypeError(`client certificate unreadable: ${(cause as Error).message}`, { cause });
  }
  return nodeFetch(identity);
}

/** https://undici.nodejs.org/#/docs/api/Client — keepAliveTimeout default 4e3 ms. */
const IDLE_SOCKET_MS = 4_000;

type Transport = typeof import('node:http') | typeof import('node:https');

function nodeFetch(identity: Record<string, unknown> | undefined): ExchangeFetch {
  // Loaded lazily, and node:https only for an https URL: bundles pay at first use, not at cold start.
  const transports = new Map<string, { module: Transport; agent: import('node:http').Agent }>();
  const transportOf = (protocol: string) => {
    let transport = transports.get(protocol);
    if (!transport) {
      if (protocol !== 'http:' && protocol !== 'https:') throw new TypeError(`unsupported protocol ${protocol}`);
      // eslint-disable-next-line @typescript-eslint/no-require-imports
      const module = (protocol === 'https:' ? require('node:https') : require('node:http')) as Transport;
      // An idle kept socket is closed after IDLE_SOCKET_MS (undici's keepAliveTimeout, what fetch
      // did), or a second before the server's `Keep-Alive: timeout=` hint when that is sooner, so a
      // call is not written to a connection the server has already dropped.
      transport = { module, agent: new module.Agent({ keepAlive: true, timeout: IDLE_SOCKET_MS, ...(protocol === 'https:' ? identity : {}) }) };
      transports.set(protocol, transport);
    }
    return transport;
  };
  return (url, init) => {
    const target = new URL(url);
    const { module, agent } = transportOf(target.protocol);
    const headers: Record<string, string | number> = { ...init.headers };
    if (init.body !== undefined && !Object.keys(headers).some((name) => name.toLowerCase() === 'content-length')) {
      headers['content-length'] = Buffer.byteLength(init.body);
    }
    const send = (): Promise<Awaited<ReturnType<ExchangeFetch>>> =>
      new Promise((resolve, reject) => {
        const request = module.request(target, { method: init.method, headers, agent, signal: init.signal }, (response) => {
          const chunks: Buffer[] = [];
          response.on('data', (chunk: Buffer) => chunks.push(chunk));
          response.on('error', reject);
          response.on('close', () => {
            if (!response.complete) reject(Object.assign(new Error('the connection closed before the whole answer arrived'), { code: 'ECONNRESET' }));
          });
          response.on('end', () => {
            const body = Buffer.concat(chunks);
            const answerHeaders = response.headers;
            resolve({
              status: response.statusCode ?? 0,
              headers: {
                forEach(callback) {
                  for (const [name, value] of Object.entries(answerHeaders)) {
                    if (value !== undefined) callback(Array.isArray(value) ? value.join(', ') : value, name);
                  }
                },
              },
              text: async () => body.toString('utf8'),
              arrayBuffer: async () => body.buffer.slice(body.byteOffset, body.byteOffset + body.byteLength) as ArrayBuffer,
            });
          });
        });
        request.on('error', reject);
        request.end(init.body);
      });
    return send();
  };
}
