/**
 * One JSON call to a sandbox admin API: the body as JSON when given, the answer parsed; a non-2xx
 * answer becomes the emulator's own error from its status, `code` and `message`.
 */
export function adminJsonCaller(baseUrl: string, toError: (status: number, code: string, message: string) => Error) {
  return async function call<T>(method: string, path: string, body?: unknown): Promise<T> {
    const res = await fetch(new URL(path, baseUrl), {
      method,
      headers: body === undefined ? {} : { 'Content-Type': 'application/json' },
      body: body === undefined ? undefined : JSON.stringify(body),
    });
    const text = await res.text();
    const json = text ? (JSON.parse(text) as unknown) : undefined;
    if (!res.ok) {
      const err = (json ?? {}) as { code?: string; message?: string };
      throw toError(res.status, err.code ?? 'UNKNOWN', err.message ?? text);
    }
    return json as T;
  };
}
