import { randomBytes } from 'node:crypto';
import * as http from 'node:http';
import * as https from 'node:https';
import type { LocalIdentity } from './wx-server-sdk-local';

/**
 * Local login, shaped like the real thing: the mini-program's `wx.login` code is exchanged with
 * the (sandbox) WeChat API `jscode2session` for an openid, and the host hands back an opaque
 * token bound to that openid. Tokens live in memory: a host restart logs everyone out, and the
 * mini-program's transport logs in again on the 401.
 */

export class LoginError extends Error {
  /** True when the gateway could not be reached (not the user's fault). */
  constructor(message: string, readonly upstream = false) {
    super(message);
  }
}

export async function exchangeLoginCode(opts: { gatewayUrl: string; appid: string; appSecret: string; code: string }): Promise<LocalIdentity> {
  const url = new URL('/sns/jscode2session', opts.gatewayUrl);
  url.search = new URLSearchParams({ appid: opts.appid, secret: opts.appSecret, js_code: opts.code, grant_type: 'authorization_code' }).toString();
  let answer: { openid?: unknown; unionid?: unknown; errcode?: unknown; errmsg?: unknown };
  try {
    answer = JSON.parse(await getText(url, 5000)) as typeof answer;
  } catch (err) {
    throw new LoginError(`jscode2session unreachable at ${opts.gatewayUrl}: ${(err as Error).message}`, true);
  }
  if (typeof answer.errcode === 'number' && answer.errcode !== 0) {
    throw new LoginError(`jscode2session refused the code: ${answer.errcode} ${String(answer.errmsg ?? '')}`.trim());
  }
  if (typeof answer.openid !== 'string' || !answer.openid) throw new LoginError('jscode2session answered without an openid', true);
  return { openid: answer.openid, appid: opts.appid, ...(typeof answer.unionid === 'string' && answer.unionid ? { unionid: answer.unionid } : {}) };
}

/** Plain GET over node:http (works the same under any test environment's globals). */
function getText(url: URL, timeoutMs: number): Promise<string> {
  return new Promise((resolve, reject) => {
    const req = (url.protocol === 'https:' ? https : http).get(url, { timeout: timeoutMs }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('end', () => resolve(Buffer.concat(chunks).toString('utf8')));
      res.on('error', reject);
    });
    req.on('timeout', () => req.destroy(new Error(`timed out after ${timeoutMs} ms`)));
    req.on('error', reject);
  });
}

interface Session {
  identity: LocalIdentity;
  expiresAt: number;
}

export class SessionStore {
  private readonly sessions = new Map<string, Session>();
  constructor(private readonly ttlSeconds: number) {}

  create(identity: LocalIdentity): { token: string; expiresIn: number } {
    this.prune();
    const token = randomBytes(32).toString('base64url');
    this.sessions.set(token, { identity, expiresAt: Date.now() + this.ttlSeconds * 1000 });
    return { token, expiresIn: this.ttlSeconds };
  }

  resolve(token: string | undefined): LocalIdentity | undefined {
    if (!token) return undefined;
    const session = this.sessions.get(token);
    if (!session) return undefined;
    if (session.expiresAt <= Date.now()) {
      this.sessions.delete(token);
      return undefined;
    }
    return session.identity;
  }

  private prune(): void {
    const now = Date.now();
    for (const [token, s] of this.sessions) if (s.expiresAt <= now) this.sessions.delete(token);
  }
}
