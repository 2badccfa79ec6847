/**
 * Seed 000 combine orders against the published 个人收款 reference, over the whole local stack
 * (sandbox gateway + function host, real HTTP, real SQLite): the gateway's combine_transaction_id
 * is stored on the order once known, in the transition that learns it, and the product then queries
 * by it (the published recommended path, https://pay.weixin.qq.com/doc/v3/partner/4012602242).
 */
import { idemKey, login, prepayIdOf, startRemoteStack, storeTable, waitFor, type OrderRow, type RemoteStack, type User } from './remote-stack';

jest.setTimeout(60_000);

let stack: RemoteStack;
let payer: User;
let shareCode: string;

beforeAll(async () => {
  stack = await startRemoteStack();
  payer = await login(stack, 'nina');
  const payee = await login(stack, 'otto');
  // Sign up through the real flow: sign params → the sandbox signing page → confirm.
  const params = await payee.ok('payee.signParams', {});
  const signed = await fetch(`${stack.gatewayUrl}/sandbox/sign`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(params) });
  expect(signed.status).toBe(200);
  expect(await payee.ok('payee.confirm', {})).toMatchObject({ authorized: true });
  shareCode = (await payee.ok('payee.profile', { displayName: '奥托的二手店' })).shareCode;
});
afterAll(async () => {
  await stack?.close();
});

type StoredOrder = { state: string; combineTransactionId?: string };
const stored = (outTradeNo: string): StoredOrder | undefined => {
  const row = storeTable<OrderRow>(stack, 'orders').find((r) => r.out_trade_no === outTradeNo);
  return row ? (JSON.parse(row.data) as StoredOrder) : undefined;
};
const auditEvents = (outTradeNo: string) =>
  storeTable<{ out_trade_no: string; data: string }>(stack, 'audit')
    .filter((a) => a.out_trade_no === outTradeNo)
    .map((a) => (JSON.parse(a.data) as { event: string }).event);

async function gatewayCombineId(outTradeNo: string): Promise<string> {
  const atGateway = await stack.admin.order(outTradeNo);
  if (atGateway.kind !== 'combine' || !atGateway.combine.combineTransactionId) throw new Error('expected a combine order with its id at the gateway');
  return atGateway.combine.combineTransactionId;
}

describe('combine_transaction_id through the stack', () => {
  it('payment → notification: the order stores the gateway combine_transaction_id in the PAID transition', async () => {
    const created = await payer.ok('pay.create', { channel: 'combine', amount: 1288, idempotencyKey: idemKey(), payeeCode: shareCode, description: '二手相机' });
    const gatewayId = await gatewayCombineId(created.order.outTradeNo);
    await stack.admin.pay(prepayIdOf(created.payment));
    const paid = await waitFor('PAID in the store', async () => {
      const order = stored(created.order.outTradeNo);
      return order?.state === 'PAID' ? order : undefined;
    });
    expect(paid.combineTransactionId).toBe(gatewayId);
    expect(auditEvents(created.order.outTradeNo)).toEqual(['ORDER_CREATED', 'PREPAY_CREATED', 'PAID']);
  });

  it('a query of the unpaid order stores the id; the payment is then found by the published query by id, never by number', async () => {
    const created = await payer.ok('pay.create', { channel: 'combine', amount: 1388, idempotencyKey: idemKey(), payeeCode: shareCode });
    const gatewayId = await gatewayCombineId(created.order.outTradeNo);
    expect((await payer.ok('pay.query', { outTradeNo: created.order.outTradeNo })).order.state).toBe('PAYING');
    expect(stored(created.order.outTradeNo)).toMatchObject({ state: 'PAYING', combineTransactionId: gatewayId });

    // The by-number path now fails if used at all; the notification is lost: only a query by id can find the payment.
    await stack.admin.fault({ kind: 'endpoint', method: 'GET', path: '/v3/combine-transactions/out-trade-no/*', effect: 'SYSTEM_ERROR', count: 5 });
    await stack.admin.fault({ kind: 'notification', effect: 'drop', count: 1 });
    try {
      await stack.admin.pay(prepayIdOf(created.payment));
      expect((await payer.ok('pay.query', { outTradeNo: created.order.outTradeNo })).order.state).toBe('PAID');
      expect(stored(created.order.outTradeNo)).toMatchObject({ state: 'PAID', combineTransactionId: gatewayId });
      expect((await stack.admin.faults()).find((f) => f.kind === 'endpoint')).toMatchObject({ remaining: 5 });
    } finally {
      await stack.admin.clearFaults();
    }
    expect(auditEvents(created.order.outTradeNo)).toEqual(['ORDER_CREATED', 'PREPAY_CREATED', 'COMBINE_TRANSACTION_ID_LEARNED', 'PAID']);
  });
});
