/**
 * login end to end over real HTTP: session from the sandbox's jscode2session, identity injected by
 * the function host, the built login bundle answering.
 */
import { testOpenid, testUnionid } from '../../sandbox/gateway/login';
import { startStack, type Stack } from '../helpers/stack';

jest.setTimeout(30_000);

let stack: Stack;
beforeAll(async () => {
  stack = await startStack();
});
afterAll(async () => {
  await stack?.close();
});

let codeCounter = 0;
async function session(user: string): Promise<string> {
  const res = await fetch(`${stack.hostUrl}/session`, { method: 'POST', body: JSON.stringify({ code: `user:${user}:${++codeCounter}` }) });
  expect(res.status).toBe(200);
  const body = (await res.json()) as { token: string; expiresIn: number };
  expect(body.expiresIn).toBeGreaterThan(0);
  return body.token;
}

async function callFn(fn: string, data: unknown, token?: string): Promise<{ status: number; body: any }> {
  const res = await fetch(`${stack.hostUrl}/call/${fn}`, {
    method: 'POST',
    headers: token ? { authorization: `Bearer ${token}` } : {},
    body: JSON.stringify({ data }),
  });
  return { status: res.status, body: await res.json() };
}

it('answers the openid, appid and unionid of the logged-in test user', async () => {
  const { status, body } = await callFn('login', {}, await session('alice'));
  expect(status).toBe(200);
  expect(body).toEqual({
    ok: true,
    data: { openid: testOpenid(stack.gateway.keys.appid, 'alice'), appid: stack.gateway.keys.appid, unionid: testUnionid('alice') },
  });
});

it('ignores an openid (and userInfo) sent in the event body', async () => {
  const bob = testOpenid(stack.gateway.keys.appid, 'bob');
  const { body } = await callFn('login', { openid: bob, userInfo: { openId: bob }, OPENID: bob }, await session('alice'));
  expect(body.ok).toBe(true);
  expect(body.data.openid).toBe(testOpenid(stack.gateway.keys.appid, 'alice'));
});

it('refuses a call without a valid session', async () => {
  for (const token of [undefined, 'not-a-session', '']) {
    const { status, body } = await callFn('login', {}, token);
    expect(status).toBe(401);
    expect(body).toMatchObject({ ok: false, code: 'UNAUTHENTICATED' });
  }
});

it('refuses a login code the gateway rejects (single-use codes)', async () => {
  const code = `user:carol:reused-${Date.now()}`;
  const first = await fetch(`${stack.hostUrl}/session`, { method: 'POST', body: JSON.stringify({ code }) });
  expect(first.status).toBe(200);
  const second = await fetch(`${stack.hostUrl}/session`, { method: 'POST', body: JSON.stringify({ code }) });
  expect(second.status).toBe(401);
  expect(await second.json()).toMatchObject({ ok: false, code: 'UNAUTHENTICATED', message: expect.stringContaining('40163') });
});

it('gives concurrent calls of two users each their own openid', async () => {
  const [alice, bob] = await Promise.all([session('alice'), session('bob')]);
  const calls = Array.from({ length: 40 }, (_, i) => (i % 2 === 0 ? { user: 'alice', token: alice } : { user: 'bob', token: bob }));
  const answers = await Promise.all(calls.map(async (c) => ({ user: c.user, answer: await callFn('login', {}, c.token) })));
  for (const { user, answer } of answers) {
    expect(answer.body.data.openid).toBe(testOpenid(stack.gateway.keys.appid, user));
  }
});

it('answers an unknown action with UNKNOWN_ACTION', async () => {
  const { status, body } = await callFn('login', { action: 'become-admin' }, await session('alice'));
  expect(status).toBe(200);
  expect(body).toMatchObject({ ok: false, code: 'UNKNOWN_ACTION' });
});
