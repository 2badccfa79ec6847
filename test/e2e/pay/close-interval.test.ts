/**
 * SANDBOX_CLOSE_INTERVAL: `npm start`'s options, read from its environment, shorten the 5-minute
 * close rule for local development in both the sandbox and the service — and nowhere else.
 */
import { REAL_CLOSE_INTERVAL_MS, closeIntervalFromEnv, stackOptionsFromEnv } from '../../../sandbox/start';
import { startStack, type Stack } from '../../helpers/stack';
import { idemKey, login, waitFor } from './harness';

jest.setTimeout(60_000);

describe('closeIntervalFromEnv', () => {
  it('defaults to the real rule, takes whole seconds, refuses anything else clearly', () => {
    expect(closeIntervalFromEnv({})).toBe(REAL_CLOSE_INTERVAL_MS);
    expect(REAL_CLOSE_INTERVAL_MS).toBe(300_000);
    expect(closeIntervalFromEnv({ SANDBOX_CLOSE_INTERVAL: '5' })).toBe(5_000);
    expect(closeIntervalFromEnv({ SANDBOX_CLOSE_INTERVAL: '0' })).toBe(0);
    for (const bad of ['1.5', '-1', 'five', '3601']) {
      expect(() => closeIntervalFromEnv({ SANDBOX_CLOSE_INTERVAL: bad })).toThrow(`SANDBOX_CLOSE_INTERVAL must be whole seconds between 0 and 3600 (the real rule is 300), got "${bad}"`);
    }
  });
});

describe('npm start with SANDBOX_CLOSE_INTERVAL=2', () => {
  let stack: Stack;
  beforeAll(async () => {
    const { dataDir: _unused, closeIntervalMs, ...options } = stackOptionsFromEnv({ SANDBOX_CLOSE_INTERVAL: '2', SANDBOX_PORT: '0', HOST_PORT: '0', HUIFU_SANDBOX_PORT: '0' });
    expect(closeIntervalMs).toBe(2_000);
    stack = await startStack({ ...options, huifu: undefined });
  });
  afterAll(async () => {
    await stack?.close();
  });

  it('refuses a close before 2 s (service and sandbox agree), then closes', async () => {
    expect((await stack.gateway.admin.info()).minCloseIntervalMs).toBe(2_000);
    const alice = await login(stack, 'alice');
    const created = await alice.ok('pay.create', { channel: 'jsapi', amount: 100, idempotencyKey: idemKey() });
    expect(await alice.call('pay.close', { outTradeNo: created.order.outTradeNo })).toMatchObject({ ok: false, code: 'CLOSE_TOO_EARLY' });
    const closed = await waitFor('the close to be accepted', async () => {
      const answer = await alice.call('pay.close', { outTradeNo: created.order.outTradeNo });
      return answer.ok ? answer : undefined;
    });
    expect(closed.data.order.state).toBe('CLOSED');
  });
});
