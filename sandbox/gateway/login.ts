import { createHash, randomBytes } from 'node:crypto';
import type { SandboxKeys } from '../keys';
import type { Reply } from './http';
import type { GatewayState } from './state';

/**
 * `GET /sns/jscode2session` (api.weixin.qq.com in reality): a `wx.login` code → openid.
 * Codes are single-use. `user:<name>` (optionally `user:<name>:<anything>` to make the code
 * unique) logs in the test user `<name>`; any other code is the default user `tester`, because
 * DevTools' real `wx.login` codes look random.
 */

export const DEFAULT_TEST_USER = 'tester';

/** The stable openid of a test user under an appid: `o` + 27 base64url chars, 28 like real ones. */
export function testOpenid(appid: string, user: string): string {
  return 'o' + createHash('sha256').update(`openid:${appid}:${user}`).digest('base64url').slice(0, 27);
}

/** unionid is per open-platform account, so it does not depend on the appid. */
export function testUnionid(user: string): string {
  return 'o' + createHash('sha256').update(`unionid:${user}`).digest('base64url').slice(0, 27);
}

export function testUserOfCode(code: string): string {
  const m = /^user:([^:]+)/.exec(code);
  return m ? m[1]! : DEFAULT_TEST_USER;
}

export function jscode2session(query: URLSearchParams, keys: SandboxKeys, state: GatewayState): Reply {
  const appid = query.get('appid') ?? '';
  const secret = query.get('secret') ?? '';
  const code = query.get('js_code') ?? '';
  const rid = randomBytes(12).toString('hex');
  const fail = (errcode: number, errmsg: string): Reply => ({ status: 200, json: { errcode, errmsg: `${errmsg}, rid: ${rid}` } });
  if (appid !== keys.appid || secret !== keys.appSecret) return fail(40125, 'invalid appsecret');
  if (query.get('grant_type') !== 'authorization_code') return fail(40002, 'invalid grant_type');
  if (!code) return fail(40029, 'invalid code');
  if (!state.useCode(code)) return fail(40163, 'code been used');
  const user = testUserOfCode(code);
  return {
    status: 200,
    json: { openid: testOpenid(appid, user), session_key: randomBytes(16).toString('base64'), unionid: testUnionid(user) },
  };
}
