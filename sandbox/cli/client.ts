/**
 * The CLI's HTTP to a running stack: JSON in and out; a stack that is not there is one clear line,
 * never a stack trace.
 */

export class CliError extends Error {}

export interface StackUrls {
  gatewayUrl: string;
  hostUrl: string;
}

/** SANDBOX_URL / HOST_URL, else the ports `npm start` uses (SANDBOX_PORT / HOST_PORT, default 9400 / 9401). */
export function stackUrlsFromEnv(env: Record<string, string | undefined> = process.env): StackUrls {
  return {
    gatewayUrl: (env.SANDBOX_URL || `http://127.0.0.1:${env.SANDBOX_PORT || 9400}`).replace(/\/+$/, ''),
    hostUrl: (env.HOST_URL || `http://127.0.0.1:${env.HOST_PORT || 9401}`).replace(/\/+$/, ''),
  };
}

export type Call = <T>(method: string, path: string, body?: unknown) => Promise<T>;

export function caller(baseUrl: string, what: string, variable: string): Call {
  return async <T>(method: string, path: string, body?: unknown): Promise<T> => {
    let res: Response;
    try {
      res = await fetch(baseUrl + path, {
        method,
        headers: body === undefined ? {} : { 'Content-Type': 'application/json' },
        body: body === undefined ? undefined : JSON.stringify(body),
      });
    } catch (err) {
      const code = ((err as { cause?: { code?: string } }).cause?.code ?? (err as Error).message) || 'unreachable';
      throw new CliError(`the ${what} is not running at ${baseUrl} (${code}): start the stack with \`npm start\`, or point ${variable} at it`);
    }
    const text = await res.text();
    let json: unknown;
    try {
      json = text ? (JSON.parse(text) as unknown) : undefined;
    } catch {
      json = undefined;
    }
    if (!res.ok) {
      const e = (json ?? {}) as { code?: string; message?: string };
      throw new CliError(`${method} ${path} → ${res.status} ${e.code ?? ''} ${e.message ?? text.slice(0, 200)}`.trim());
    }
    return json as T;
  };
}
