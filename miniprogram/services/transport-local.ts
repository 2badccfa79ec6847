import type { ApiResult } from '../../typings/api';
import { env } from './env';
import { clearSession, login, sessionToken, SessionError } from './session';
import { isApiResult, transportError } from './transport-result';
import { httpRequest, type HttpAnswer } from './transport-http';

/**
 * Local function host: `POST {hostUrl}/call/<fn>` with `{ data }` and the session token. A 401
 * (host restarted, token expired) logs in again once and retries.
 */
export async function callLocal(fn: string, data: Record<string, unknown>): Promise<ApiResult<unknown>> {
  try {
    let answer = await post(fn, data, await sessionToken());
    if (answer.statusCode === 401) {
      clearSession();
      answer = await post(fn, data, await login());
    }
    if (isApiResult(answer.data)) return answer.data;
    return transportError(`function host answered HTTP ${answer.statusCode} for ${fn}`);
  } catch (err) {
    if (err instanceof SessionError) return err.error;
    return transportError(`function host unreachable at ${env.hostUrl}: ${(err as Error).message}`);
  }
}

function post(fn: string, data: Record<string, unknown>, token: string): Promise<HttpAnswer> {
  return httpRequest({
    url: `${env.hostUrl}/call/${encodeURIComponent(fn)}`,
    method: 'POST',
    data: { data },
    headers: { authorization: `Bearer ${token}` },
  });
}
