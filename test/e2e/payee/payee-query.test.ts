/**
 * A payee reads the orders paid to them: `pay.list` with role payee shows them, and `pay.query`
 * on one answers the same view (asking the gateway while it is PAYING, as for the payer). Read
 * only: the payee cannot close or refund it, and someone who is neither payer, payee nor admin
 * is refused.
 */
import { testOpenid } from '../../../sandbox/gateway/login';
import { startStack, type Stack } from '../../helpers/stack';
import { idemKey, login, orderRow, prepayIdOf, storeSnapshot, waitForState, type User } from '../pay/harness';

jest.setTimeout(60_000);

let stack: Stack;
let payee: User;
let payer: User;
let stranger: User;
let shareCode: string;

beforeAll(async () => {
  // Closing at once: a close the payee could make would go through, so FORBIDDEN is the only reason it does not.
  stack = await startStack({ gateway: { minCloseIntervalMs: 0 }, env: { PAY_MIN_CLOSE_INTERVAL_MS: '0' } });
  [payee, payer, stranger] = await Promise.all([login(stack, 'paula'), login(stack, 'bruno'), login(stack, 'sam')]);
  await stack.gateway.admin.authorizeContract(testOpenid(stack.gateway.keys.appid, 'paula'));
  expect(await payee.ok('payee.confirm', {})).toMatchObject({ authorized: true });
  shareCode = (await payee.ok('payee.profile', { displayName: '宝拉的花店' })).shareCode;
});
afterAll(async () => {
  await stack?.close();
});

it('the payee queries an order paid to them, PAYING then PAID; a stranger is FORBIDDEN; the payee cannot close or refund it', async () => {
  const created = await payer.ok('pay.create', { channel: 'combine', amount: 520, idempotencyKey: idemKey(), payeeCode: shareCode, description: '一束花' });
  const outTradeNo = created.order.outTradeNo;

  expect((await payee.ok('pay.query', { outTradeNo })).order).toMatchObject({ outTradeNo, state: 'PAYING', amount: 520, payee: { displayName: '宝拉的花店' } });
  expect(await stranger.call('pay.query', { outTradeNo })).toMatchObject({ ok: false, code: 'FORBIDDEN' });

  const paying = storeSnapshot(stack);
  expect(await payee.call('pay.close', { outTradeNo })).toMatchObject({ ok: false, code: 'FORBIDDEN' });
  expect(storeSnapshot(stack)).toEqual(paying);
  const atGateway = await stack.gateway.admin.order(outTradeNo);
  if (atGateway.kind !== 'combine') throw new Error('expected a combine order at the gateway');
  expect(atGateway.combine.subOrders.map((s) => s.tradeState)).toEqual(['NOTPAY']);

  await stack.gateway.admin.pay(prepayIdOf(created.payment));
  await waitForState(stack, outTradeNo, 'PAID');

  const seen = await payee.ok('pay.query', { outTradeNo });
  expect(seen.order).toMatchObject({ outTradeNo, state: 'PAID', amount: 520, description: '一束花' });
  // The same view pay.list (role payee) gives, with nothing of the payer's.
  expect((await payee.ok('pay.list', { role: 'payee' })).orders.find((o) => o.outTradeNo === outTradeNo)).toEqual(seen.order);
  expect(JSON.stringify(seen)).not.toContain(testOpenid(stack.gateway.keys.appid, 'bruno'));
  expect(await stranger.call('pay.query', { outTradeNo })).toMatchObject({ ok: false, code: 'FORBIDDEN' });

  const paid = storeSnapshot(stack);
  expect(await payee.call('pay.close', { outTradeNo })).toMatchObject({ ok: false, code: 'FORBIDDEN' });
  expect(await payee.call('pay.refund', { outTradeNo, amount: 1, idempotencyKey: idemKey() })).toMatchObject({ ok: false, code: 'FORBIDDEN' });
  expect(storeSnapshot(stack)).toEqual(paid);
  expect(orderRow(stack, outTradeNo)?.state).toBe('PAID');
});
