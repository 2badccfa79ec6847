import type { ApiError } from '../../typings/api';
import { env } from './env';
import { httpRequest } from './transport-http';

/**
 * Local login to the function host, shaped like production: `wx.login` gives a one-time code,
 * the host exchanges it (jscode2session) for the openid and answers an opaque session token. The
 * token is kept in storage; concurrent callers share one login.
 */

export const SESSION_STORAGE_KEY = 'pay:session';

/** Login failed: carries the ApiError the caller should get. */
export class SessionError extends Error {
  constructor(readonly error: ApiError) {
    super(error.message);
  }
}

let pending: Promise<string> | undefined;

export async function sessionToken(): Promise<string> {
  const stored: unknown = wx.getStorageSync(SESSION_STORAGE_KEY);
  if (typeof stored === 'string' && stored) return stored;
  return login();
}

/** Log in again (coalesced: many callers, one wx.login). */
export function login(): Promise<string> {
  if (!pending) {
    pending = doLogin().finally(() => {
      pending = undefined;
    });
  }
  return pending;
}

export function clearSession(): void {
  wx.removeStorageSync(SESSION_STORAGE_KEY);
}

async function doLogin(): Promise<string> {
  const code = await wxLoginCode();
  let answer;
  try {
    answer = await httpRequest({ url: `${env.hostUrl}/session`, method: 'POST', data: { code } });
  } catch (err) {
    throw new SessionError({ ok: false, code: 'TRANSPORT_ERROR', message: `function host unreachable at ${env.hostUrl}: ${(err as Error).message}`, retryable: true });
  }
  const data = answer.data as { token?: unknown; code?: unknown; message?: unknown } | null;
  if (answer.statusCode === 200 && data && typeof data.token === 'string') {
    wx.setStorageSync(SESSION_STORAGE_KEY, data.token);
    return data.token;
  }
  const message = typeof data?.message === 'string' ? data.message : `login failed (HTTP ${answer.statusCode})`;
  const code401 = answer.statusCode === 401 || answer.statusCode === 400;
  throw new SessionError({ ok: false, code: code401 ? 'UNAUTHENTICATED' : 'TRANSPORT_ERROR', message, retryable: !code401 });
}

function wxLoginCode(): Promise<string> {
  return new Promise((resolve, reject) => {
    wx.login({
      success: (res) => (res.code ? resolve(res.code) : reject(new SessionError({ ok: false, code: 'UNAUTHENTICATED', message: 'wx.login gave no code', retryable: true }))),
      fail: (err) => reject(new SessionError({ ok: false, code: 'TRANSPORT_ERROR', message: `wx.login failed: ${err.errMsg}`, retryable: true })),
    });
  });
}

