/**
 * The gateway rotates its platform certificate while the functions run (certificate mode, the
 * local stack's default: shipped certificate + platform public key, the sandbox signing with the
 * certificate). The next answer and the next notification name a serial the functions have never
 * seen: they fetch `GET /v3/certificates` once, verify, and carry on — no restart, no refusal.
 */
import { startStack, type Stack } from '../../helpers/stack';
import { cashier, idemKey, login, waitForState, type User } from './harness';

jest.setTimeout(60_000);

let stack: Stack;
let alice: User;

beforeAll(async () => {
  stack = await startStack({ gateway: { timeScale: 100 } });
  alice = await login(stack, 'alice');
});
afterAll(async () => {
  await stack?.close();
});

it('after a rotation, create, notification and query verify under the new certificate', async () => {
  const before = await alice.ok('pay.create', { channel: 'jsapi', amount: 101, idempotencyKey: idemKey() });
  expect(before.order.state).toBe('PAYING');

  const rotation = await stack.gateway.admin.rotatePlatformCertificate();
  expect(rotation.signingSerial).not.toBe(stack.gateway.keys.platformCert.serialNo);

  const created = await alice.ok('pay.create', { channel: 'jsapi', amount: 102, idempotencyKey: idemKey() });
  expect(created.order.state).toBe('PAYING');
  await cashier(stack, 'pay', created.payment);
  await waitForState(stack, created.order.outTradeNo, 'PAID');
  const delivered = await stack.gateway.admin.notifications();
  expect(delivered.find((n) => n.subject === created.order.outTradeNo)).toMatchObject({ status: 'delivered' });

  await cashier(stack, 'pay', before.payment);
  expect((await alice.ok('pay.query', { outTradeNo: before.order.outTradeNo })).order.state).toBe('PAID');
});
