/**
 * Seed 000 over the whole local stack (sandbox gateway + function host, real HTTP, real SQLite):
 * a person signs up as an individual payee, another user pays them through a combine order, and
 * every rejection the issue lists. Calls go through the host exactly as the mini-program's
 * local transport sends them.
 */
import { createHash, createPrivateKey, createVerify, sign } from 'node:crypto';
import { encryptResource } from '../../../cloudfunctions/core/gateways/wechatpay/cipher';
import { idemKey, login, prepayIdOf, startRemoteStack, storeTable, waitFor, type OrderRow, type RemoteStack, type User } from './remote-stack';

jest.setTimeout(60_000);

let stack: RemoteStack;

beforeAll(async () => {
  // Closing at once and reconciling fresh orders keep the close/reconcile tests fast.
  stack = await startRemoteStack({ PAY_MIN_CLOSE_INTERVAL_MS: '0', PAY_RECONCILE_AFTER_MS: '0' });
});
afterAll(async () => {
  await stack?.close();
});

/** The sandbox's openid for a test user (same derivation as its jscode2session). */
function openidOf(user: string): string {
  return 'o' + createHash('sha256').update(`openid:${stack.keys.appid}:${user}`).digest('base64url').slice(0, 27);
}

/** Sign up through the real flow: signParams → the sandbox signing page verifies and authorizes → confirm. */
async function signUp(user: User, displayName: string): Promise<string> {
  expect(await user.ok('payee.status', {})).toMatchObject({ authorized: false, authState: 'UNAUTHORIZED' });
  const params = await user.ok('payee.signParams', {});
  // The default layout (published): appid, timeStamp, nonceStr, package, and the merchant serial.
  expect(params.certSerialNo).toBe(stack.keys.merchant.serialNo);
  const lines = `${params.appid}\n${params.timeStamp}\n${params.nonceStr}\n${params.package}\n`;
  expect(createVerify('RSA-SHA256').update(lines).verify(stack.keys.merchant.certificatePem, params.signature, 'base64')).toBe(true);
  const signed = await fetch(`${stack.gatewayUrl}/sandbox/sign`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(params) });
  expect(signed.status).toBe(200);
  expect(await user.ok('payee.confirm', {})).toMatchObject({ authorized: true, authState: 'AUTHORIZED' });
  const profile = await user.ok('payee.profile', { displayName });
  expect(profile).toMatchObject({ displayName, authorized: true });
  return profile.shareCode;
}

const orderRows = () => storeTable<OrderRow>(stack, 'orders');
/** What a refused payment must not touch (payee rows may change: the gateway was asked). */
const paymentTables = () => ({ orders: storeTable(stack, 'orders'), audit: storeTable(stack, 'audit'), notifications: storeTable(stack, 'notifications') });

describe('sign up and get paid', () => {
  let alice: User;
  let bob: User;
  let shareCode: string;

  beforeAll(async () => {
    alice = await login(stack, 'alice');
    bob = await login(stack, 'bob');
  });

  it('A signs up: the signing page signature verifies at the gateway and confirm shows AUTHORIZED', async () => {
    shareCode = await signUp(alice, '爱丽丝的小店');
    expect(shareCode).toMatch(/^[2-9A-HJ-NP-Z]{10}$/);
    expect(JSON.stringify(await alice.ok('payee.profile', {}))).not.toMatch(/individual|auth_id/i);
  });

  it('sign params asked by an already-authorized payee are refused', async () => {
    const res = await alice.call('payee.signParams', {});
    expect(res).toMatchObject({ ok: false, code: 'PAYEE_ALREADY_AUTHORIZED' });
  });

  it('B opens the share card, pays 8.88 through a combine order; the sandbox pays and notifies; B sees PAID; A sees it received', async () => {
    expect(await bob.ok('payee.card', { shareCode })).toEqual({ displayName: '爱丽丝的小店', canReceive: true });
    const created = await bob.ok('pay.create', { channel: 'combine', amount: 888, idempotencyKey: idemKey(), payeeCode: shareCode, description: '打赏' });
    expect(created.order).toMatchObject({ channel: 'combine', amount: 888, state: 'PAYING', payee: { displayName: '爱丽丝的小店' } });
    expect(JSON.stringify(created)).not.toContain(openidOf('alice'));
    expect(created.payment).toMatchObject({ signType: 'RSA' });

    // What the gateway recorded: one sub-order with the payee's individual_auth_id, the platform mchid.
    const atGateway = await stack.admin.order(created.order.outTradeNo);
    if (atGateway.kind !== 'combine') throw new Error('expected a combine order at the gateway');
    expect(atGateway.combine.payerOpenid).toBe(openidOf('bob'));
    expect(atGateway.combine.subOrders).toHaveLength(1);
    expect(atGateway.combine.subOrders[0]).toMatchObject({ mchid: stack.keys.mchid, total: 888 });

    await stack.admin.pay(prepayIdOf(created.payment));
    await waitFor('PAID in the store', async () => orderRows().find((r) => r.out_trade_no === created.order.outTradeNo && r.state === 'PAID'));

    expect((await bob.ok('pay.query', { outTradeNo: created.order.outTradeNo })).order).toMatchObject({ state: 'PAID', amount: 888 });
    const received = await alice.ok('pay.list', { role: 'payee' });
    expect(received.orders.map((o) => [o.outTradeNo, o.state, o.amount])).toEqual([[created.order.outTradeNo, 'PAID', 888]]);

    const rows = orderRows().filter((r) => r.combine_out_trade_no !== null);
    expect(rows).toHaveLength(1);
    const order = JSON.parse(rows[0].data) as { state: string; payee: { openid: string }; subOrders: Array<{ individualAuthId: string; state: string; amount: number; transactionId?: string }> };
    expect(rows[0].payee_openid).toBe(openidOf('alice'));
    expect(order.state).toBe('PAID');
    expect(order.subOrders).toHaveLength(1);
    expect(order.subOrders[0]).toMatchObject({ individualAuthId: atGateway.combine.subOrders[0].individualAuthId, state: 'SUCCESS', amount: 888 });
    expect(order.subOrders[0].transactionId).toMatch(/^\d+$/);
  });

  it('a user cannot pay themself; nothing is written', async () => {
    const before = orderRows().length;
    const res = await alice.call('pay.create', { channel: 'combine', amount: 100, idempotencyKey: idemKey(), payeeCode: shareCode });
    expect(res).toMatchObject({ ok: false, code: 'SELF_PAY' });
    expect(orderRows()).toHaveLength(before);
  });
});

describe('payees who cannot be paid', () => {
  let carol: User;
  let dave: User;
  let erin: User;

  beforeAll(async () => {
    carol = await login(stack, 'carol');
    dave = await login(stack, 'dave');
    erin = await login(stack, 'erin');
  });

  it('never signed: card says so and pay.create is refused before any order exists', async () => {
    const { shareCode } = await carol.ok('payee.profile', { displayName: '卡罗尔' });
    expect(await dave.ok('payee.card', { shareCode })).toEqual({ displayName: '卡罗尔', canReceive: false });
    const before = paymentTables();
    const gatewayBefore = (await stack.admin.orders()).combines.length;
    expect(await dave.call('pay.create', { channel: 'combine', amount: 100, idempotencyKey: idemKey(), payeeCode: shareCode })).toMatchObject({
      ok: false,
      code: 'PAYEE_NOT_AUTHORIZED',
    });
    expect(paymentTables()).toEqual(before);
    expect((await stack.admin.orders()).combines).toHaveLength(gatewayBefore);
  });

  it('revoked since signing (cache still says AUTHORIZED): refused, because every payment asks the gateway', async () => {
    const shareCode = await signUp(erin, '艾琳');
    expect(await dave.ok('payee.card', { shareCode })).toMatchObject({ canReceive: true });
    await stack.admin.revokeContract(openidOf('erin'));
    const before = orderRows().length;
    expect(await dave.call('pay.create', { channel: 'combine', amount: 100, idempotencyKey: idemKey(), payeeCode: shareCode })).toMatchObject({
      ok: false,
      code: 'PAYEE_NOT_AUTHORIZED',
    });
    expect(orderRows()).toHaveLength(before);
    expect(await erin.ok('payee.status', {})).toMatchObject({ authorized: false });
  });

  it('a client that claims signing succeeded while the gateway says unauthorized stays unauthorized', async () => {
    const frank = await login(stack, 'frank');
    await frank.ok('payee.signParams', {});
    // The signing page is never completed; the client calls confirm as if it had been.
    expect(await frank.ok('payee.confirm', {})).toMatchObject({ authorized: false, authState: 'UNAUTHORIZED' });
    expect((await frank.ok('payee.profile', {})).authorized).toBe(false);
  });

  it('a tampered signing request is refused by the gateway and changes nothing', async () => {
    const gina = await login(stack, 'gina');
    const params = await gina.ok('payee.signParams', {});
    // Someone edits the package to authorize another openid with gina's signature.
    const forged = { ...params, package: `openid=${openidOf('carol')}&permissionType=INDIVIDUAL_PAYEE` };
    const res = await fetch(`${stack.gatewayUrl}/sandbox/sign`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(forged) });
    expect(res.status).toBe(401);
    expect(await carol.ok('payee.confirm', {})).toMatchObject({ authorized: false });
  });

  it('unknown and malformed share codes', async () => {
    expect(await dave.call('payee.card', { shareCode: '2222222222' })).toMatchObject({ ok: false, code: 'NOT_FOUND' });
    expect(await dave.call('payee.card', { shareCode: 'nope' })).toMatchObject({ ok: false, code: 'INVALID_ARGUMENT' });
    expect(await dave.call('pay.create', { channel: 'combine', amount: 100, idempotencyKey: idemKey(), payeeCode: '2222222222' })).toMatchObject({ ok: false, code: 'NOT_FOUND' });
  });
});

describe('combine notifications that contradict the order', () => {
  let payer: User;
  let payee: User;
  let shareCode: string;

  beforeAll(async () => {
    payer = await login(stack, 'henry');
    payee = await login(stack, 'iris');
    shareCode = await signUp(payee, '艾瑞斯');
  });

  /** A notification signed by the gateway's platform key and encrypted with the APIv3 key — authentic, but lying about facts. */
  async function postNotification(resource: Record<string, unknown>): Promise<{ status: number; body: string }> {
    const keys = stack.keys;
    const nonce = 'a1b2c3d4e5f6';
    const body = JSON.stringify({
      id: `EV-${Date.now()}-${Math.random().toString(36).slice(2)}`,
      create_time: new Date().toISOString(),
      event_type: 'TRANSACTION.SUCCESS',
      resource_type: 'encrypt-resource',
      summary: '支付成功',
      resource: {
        algorithm: 'AEAD_AES_256_GCM',
        ciphertext: encryptResource(JSON.stringify(resource), keys.apiV3Key, nonce, 'transaction'),
        nonce,
        associated_data: 'transaction',
        original_type: 'transaction',
      },
    });
    const timestamp = String(Math.floor(Date.now() / 1000));
    const headerNonce = 'n0nce' + Math.random().toString(36).slice(2);
    const signature = sign('sha256', Buffer.from(`${timestamp}\n${headerNonce}\n${body}\n`), createPrivateKey(keys.platformCert.privateKeyPem)).toString('base64');
    const res = await fetch(`${stack.hostUrl}/http/payNotify`, {
      method: 'POST',
      headers: {
        'content-type': 'application/json',
        'wechatpay-timestamp': timestamp,
        'wechatpay-nonce': headerNonce,
        'wechatpay-signature': signature,
        'wechatpay-serial': keys.platformCert.serialNo,
      },
      body,
    });
    return { status: res.status, body: await res.text() };
  }

  async function paidResourceFor(outTradeNo: string, change: (sub: Record<string, unknown>) => void) {
    const atGateway = await stack.admin.order(outTradeNo);
    if (atGateway.kind !== 'combine') throw new Error('expected combine');
    const c = atGateway.combine;
    const sub: Record<string, unknown> = {
      mchid: c.subOrders[0].mchid,
      trade_type: 'JSAPI',
      trade_state: 'SUCCESS',
      attach: c.subOrders[0].attach,
      success_time: new Date().toISOString(),
      transaction_id: '4200000000000000000000000001',
      out_trade_no: c.subOrders[0].outTradeNo,
      individual_auth_id: c.subOrders[0].individualAuthId,
      amount: { total_amount: c.subOrders[0].total, currency: 'CNY', payer_amount: c.subOrders[0].total, payer_currency: 'CNY' },
    };
    change(sub);
    return { combine_appid: c.combineAppid, combine_mchid: c.combineMchid, combine_out_trade_no: c.combineOutTradeNo, sub_orders: [sub], combine_payer_info: { openid: c.payerOpenid } };
  }

  it.each([
    ['sub-order amount', (sub: Record<string, unknown>) => (sub.amount = { total_amount: 1, currency: 'CNY', payer_amount: 1, payer_currency: 'CNY' })],
    ['individual_auth_id', (sub: Record<string, unknown>) => (sub.individual_auth_id = 'IAUTH_SOMEONE_ELSE')],
  ])('a combine notification whose %s does not match is rejected and changes nothing', async (_what, change) => {
    const created = await payer.ok('pay.create', { channel: 'combine', amount: 520, idempotencyKey: idemKey(), payeeCode: shareCode });
    const before = orderRows().find((r) => r.out_trade_no === created.order.outTradeNo)!;
    const reply = await postNotification(await paidResourceFor(created.order.outTradeNo, change));
    expect(reply.status).toBeGreaterThanOrEqual(400);
    expect(JSON.parse(reply.body)).toMatchObject({ code: 'FAIL' });
    expect(orderRows().find((r) => r.out_trade_no === created.order.outTradeNo)).toEqual(before);
  });

  it('the same notification with the true facts is applied (the rejection above was about facts, not the signature)', async () => {
    const created = await payer.ok('pay.create', { channel: 'combine', amount: 521, idempotencyKey: idemKey(), payeeCode: shareCode });
    const reply = await postNotification(await paidResourceFor(created.order.outTradeNo, () => undefined));
    expect(reply.status).toBeLessThan(300);
    expect(orderRows().find((r) => r.out_trade_no === created.order.outTradeNo)!.state).toBe('PAID');
  });
});

describe('combine query and close go through the same state machine', () => {
  it('a dropped notification: pay.query asks the gateway (combine query) and records PAID with the sub-order state', async () => {
    const payer = await login(stack, 'jack');
    const payee = await login(stack, 'kate');
    const shareCode = await signUp(payee, '凯特');
    await stack.admin.fault({ kind: 'notification', effect: 'drop', count: 1 });
    const created = await payer.ok('pay.create', { channel: 'combine', amount: 333, idempotencyKey: idemKey(), payeeCode: shareCode });
    await stack.admin.pay(prepayIdOf(created.payment));
    const { order } = await payer.ok('pay.query', { outTradeNo: created.order.outTradeNo });
    expect(order.state).toBe('PAID');
    const row = orderRows().find((r) => r.out_trade_no === created.order.outTradeNo)!;
    expect((JSON.parse(row.data) as { subOrders: Array<{ state: string }> }).subOrders[0].state).toBe('SUCCESS');
  });
});

describe('combine close and reconcile', () => {
  let payer: User;
  let shareCode: string;

  beforeAll(async () => {
    payer = await login(stack, 'lucy');
    shareCode = await signUp(await login(stack, 'mike'), '迈克');
  });

  it('pay.close closes the combine order at the gateway with its sub-orders; paying it afterwards fails', async () => {
    const created = await payer.ok('pay.create', { channel: 'combine', amount: 200, idempotencyKey: idemKey(), payeeCode: shareCode });
    expect((await payer.ok('pay.close', { outTradeNo: created.order.outTradeNo })).order.state).toBe('CLOSED');
    const atGateway = await stack.admin.order(created.order.outTradeNo);
    if (atGateway.kind !== 'combine') throw new Error('expected combine');
    expect(atGateway.combine.subOrders.map((s) => s.tradeState)).toEqual(['CLOSED']);
    await expect(stack.admin.pay(prepayIdOf(created.payment))).rejects.toThrow();
    const row = orderRows().find((r) => r.out_trade_no === created.order.outTradeNo)!;
    expect(row.state).toBe('CLOSED');
    expect((JSON.parse(row.data) as { subOrders: Array<{ state: string }> }).subOrders.map((s) => s.state)).toEqual(['CLOSED']);
  });

  it('a paid combine order cannot be closed', async () => {
    const created = await payer.ok('pay.create', { channel: 'combine', amount: 201, idempotencyKey: idemKey(), payeeCode: shareCode });
    await stack.admin.pay(prepayIdOf(created.payment));
    expect(await payer.call('pay.close', { outTradeNo: created.order.outTradeNo })).toMatchObject({ ok: false, code: 'INVALID_STATE' });
  });

  it('a failed combine payment is found by pay.query, and the store keeps which sub-order failed', async () => {
    const created = await payer.ok('pay.create', { channel: 'combine', amount: 203, idempotencyKey: idemKey(), payeeCode: shareCode });
    await stack.admin.fail(prepayIdOf(created.payment));
    expect((await payer.ok('pay.query', { outTradeNo: created.order.outTradeNo })).order.state).toBe('FAILED');
    const row = orderRows().find((r) => r.out_trade_no === created.order.outTradeNo)!;
    expect(row.state).toBe('FAILED');
    expect((JSON.parse(row.data) as { subOrders: Array<{ state: string }> }).subOrders.map((s) => s.state)).toEqual(['PAYERROR']);
  });

  it('reconcile finds a paid combine order whose notification was lost, through the combine query', async () => {
    await stack.admin.fault({ kind: 'notification', effect: 'drop', count: 1 });
    const created = await payer.ok('pay.create', { channel: 'combine', amount: 202, idempotencyKey: idemKey(), payeeCode: shareCode });
    await stack.admin.pay(prepayIdOf(created.payment));
    expect(orderRows().find((r) => r.out_trade_no === created.order.outTradeNo)!.state).toBe('PAYING');
    await stack.runTimer('reconcile');
    const row = orderRows().find((r) => r.out_trade_no === created.order.outTradeNo)!;
    expect(row.state).toBe('PAID');
    expect((JSON.parse(row.data) as { subOrders: Array<{ state: string }> }).subOrders[0].state).toBe('SUCCESS');
    const trail = storeTable<{ out_trade_no: string; data: string }>(stack, 'audit')
      .filter((a) => a.out_trade_no === created.order.outTradeNo)
      .map((a) => (JSON.parse(a.data) as { to: string; actor: string }).actor);
    expect(trail).toEqual(['user', 'user', 'reconcile']);
  });
});
