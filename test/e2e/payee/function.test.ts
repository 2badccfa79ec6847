/**
 * The `payee` function's own rules, invoked in the function host (in-process stack) as a given
 * platform identity: identity comes only from the platform, other mini-programs are refused, and
 * bad input gets a stable code.
 */
import { createHash } from 'node:crypto';
import { startStack, type Stack } from '../../helpers/stack';

jest.setTimeout(60_000);

let stack: Stack;
let appid: string;
const openidOf = (user: string) => 'o' + createHash('sha256').update(`openid:${appid}:${user}`).digest('base64url').slice(0, 27);
const as = (user: string, event: Record<string, unknown>, otherAppid?: string) =>
  stack.host.invoke('payee', event, { openid: openidOf(user), appid: otherAppid ?? appid }) as Promise<{ ok: boolean; code?: string; data?: Record<string, unknown> }>;

beforeAll(async () => {
  stack = await startStack();
  appid = stack.gateway.keys.appid;
  await stack.gateway.admin.authorizeContract(openidOf('alice'));
});
afterAll(async () => {
  await stack?.close();
});

it('an openid in the event is ignored: bob asking with alice\'s openid gets his own state', async () => {
  expect(await as('alice', { action: 'status' })).toMatchObject({ ok: true, data: { authorized: true } });
  expect(await as('bob', { action: 'status', openid: openidOf('alice') })).toMatchObject({ ok: true, data: { authorized: false } });
  const bobsParams = await as('bob', { action: 'signParams', openid: openidOf('alice'), userInfo: { openId: openidOf('alice') } });
  expect(bobsParams).toMatchObject({ ok: true });
  expect(bobsParams.data!.package).toBe(`openid=${openidOf('bob')}&permissionType=INDIVIDUAL_PAYEE`);
});

it('a caller from another mini-program (another appid) is refused', async () => {
  for (const action of ['status', 'signParams', 'confirm', 'profile']) {
    expect(await as('carol', { action }, 'wx0000000000000000')).toMatchObject({ ok: false, code: 'FORBIDDEN' });
  }
});

it('bad input: stable codes', async () => {
  expect(await as('alice', { action: 'nope' })).toMatchObject({ ok: false, code: 'UNKNOWN_ACTION' });
  expect(await as('alice', { action: 'card', shareCode: 42 })).toMatchObject({ ok: false, code: 'INVALID_ARGUMENT' });
  expect(await as('alice', { action: 'profile', displayName: 'x'.repeat(65) })).toMatchObject({ ok: false, code: 'INVALID_ARGUMENT' });
  expect(await as('alice', { action: 'profile', displayName: '\u202Eevil' })).toMatchObject({ ok: false, code: 'INVALID_ARGUMENT' });
  expect(await stack.host.invoke('payee', { action: 'status' })).toMatchObject({ ok: false, code: 'UNAUTHENTICATED' });
});

it('the auth id never leaves the server', async () => {
  const answers = [await as('alice', { action: 'status' }), await as('alice', { action: 'confirm' }), await as('alice', { action: 'profile' })];
  const card = await as('bob', { action: 'card', shareCode: (answers[2].data as { shareCode: string }).shareCode });
  const contract = await stack.gateway.admin.authorizeContract(openidOf('alice'));
  expect(contract.individual_auth_id).toBeTruthy();
  expect(JSON.stringify([...answers, card])).not.toContain(contract.individual_auth_id!);
});
