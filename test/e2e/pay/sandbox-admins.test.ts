/**
 * SANDBOX_ADMINS: which test users `npm start` makes merchant admins. WeChat DevTools logs in as
 * `tester` (its wx.login codes are not `user:<name>`), so a developer opens the merchant console
 * there with SANDBOX_ADMINS=admin,tester; by default only `admin` is one.
 */
import { adminUsersFromEnv, stackOptionsFromEnv } from '../../../sandbox/start';
import { startStack, type Stack } from '../../helpers/stack';
import { login } from './harness';

jest.setTimeout(60_000);

describe('adminUsersFromEnv', () => {
  it('defaults to admin, takes comma-separated names once each, refuses anything else clearly', () => {
    expect(adminUsersFromEnv({})).toEqual(['admin']);
    expect(adminUsersFromEnv({ SANDBOX_ADMINS: ' admin, tester ,admin' })).toEqual(['admin', 'tester']);
    for (const bad of ['admin;tester', 'a b', ',', 'x'.repeat(33)]) {
      expect(() => adminUsersFromEnv({ SANDBOX_ADMINS: bad })).toThrow(`SANDBOX_ADMINS must be test user names separated by commas (1–32 of [A-Za-z0-9_-] each), got "${bad}"`);
    }
  });
});

describe.each([
  ['default', {}, { admin: true, tester: false }],
  ['SANDBOX_ADMINS=admin,tester', { SANDBOX_ADMINS: 'admin,tester' }, { admin: true, tester: true }],
])('npm start with %s', (_name, env, expected) => {
  let stack: Stack;
  beforeAll(async () => {
    const { dataDir: _dataDir, closeIntervalMs: _interval, huifu: _huifu, ...options } = stackOptionsFromEnv({ ...env, SANDBOX_PORT: '0', HOST_PORT: '0' });
    stack = await startStack(options);
  });
  afterAll(async () => {
    await stack?.close();
  });

  it('the merchant console answers admin.status accordingly, and the server enforces it', async () => {
    for (const user of ['admin', 'tester'] as const) {
      const session = await login(stack, user);
      expect(await session.call('admin.status', {})).toEqual({ ok: true, data: { admin: expected[user] } });
      expect(await session.call('admin.totals', {})).toMatchObject(expected[user] ? { ok: true } : { ok: false, code: 'FORBIDDEN' });
    }
  });
});
