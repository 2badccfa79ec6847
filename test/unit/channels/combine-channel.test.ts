/**
 * Combine channel: wire mapping with real keys. The v3 client is replaced at its `request` seam by
 * a recorder (the end-to-end suite exercises the real client against the sandbox); notifications
 * are real: AES-256-GCM encrypted with the APIv3 key and signed with a generated platform key.
 */
import { generateKeyPairSync, sign, verify, type KeyObject } from 'node:crypto';
import { AppError } from '../../../cloudfunctions/core/kernel/errors';
import type { Order } from '../../../cloudfunctions/core/domain/orders/model';
import {
  combineCloseBody,
  combineCreateBody,
  combineMismatch,
  createCombineChannel,
  subStates,
  type CombineChannelDeps,
  type CombineOptions,
} from '../../../cloudfunctions/core/channels/wechatpay-combine/channel';
import { WechatPayError } from '../../../cloudfunctions/core/gateways/wechatpay/errors';
import { encryptResource } from '../../../cloudfunctions/core/gateways/wechatpay/cipher';
import { PublicKeyVerifier } from '../../../cloudfunctions/core/gateways/wechatpay/auth/public-key-verifier';
import { signerFromPem } from '../../../cloudfunctions/core/gateways/wechatpay/auth/signers/sha256-rsa';

const APPID = 'wx1234567890abcdef';
const MCHID = '1900009191';
const API_V3_KEY = 'abcdefghijklmnopqrstuvwxyz012345';
const KEY_ID = 'PUB_KEY_ID_0119000091912025000000000001';
const NOW = Date.UTC(2026, 0, 1, 4, 0, 0); // 12:00 in China

let merchant: { privateKey: KeyObject; publicKey: KeyObject };
let platform: { privateKey: KeyObject; publicKey: KeyObject };

beforeAll(() => {
  merchant = generateKeyPairSync('rsa', { modulusLength: 2048 });
  platform = generateKeyPairSync('rsa', { modulusLength: 2048 });
});

function combineOrder(overrides: Partial<Order> = {}): Order {
  return {
    outTradeNo: 'C20260101120000abcdef',
    combineOutTradeNo: 'C20260101120000abcdef',
    channel: 'combine',
    amount: 888,
    currency: 'CNY',
    description: '打赏 小明',
    state: 'CREATED',
    version: 1,
    payerOpenid: 'oPayer000000000000000000000008',
    appid: APPID,
    mchid: MCHID,
    idempotencyKey: 'key-12345678',
    createdAt: NOW,
    updatedAt: NOW,
    expiresAt: NOW + 30 * 60_000,
    refundedAmount: 0,
    refunds: [],
    payee: { openid: 'oPayee000000000000000000000007', displayName: '小明' },
    subOrders: [
      { mchid: MCHID, outTradeNo: 'S20260101120000abcdef', amount: 888, individualAuthId: 'AUTH-7', description: '打赏 小明', state: 'NOTPAY' },
    ],
    ...overrides,
  };
}

type Call = { method: string; path: string; body?: unknown };
function recorder(answer: (call: Call) => unknown) {
  const calls: Call[] = [];
  return {
    calls,
    async request(method: string, path: string, body?: unknown) {
      const call = { method, path, body };
      calls.push(call);
      const data = answer(call);
      if (data instanceof Error) throw data;
      return { status: data === undefined ? 204 : 200, headers: {}, body: data === undefined ? '' : JSON.stringify(data), data, requestId: 'req-1' };
    },
  };
}

function channelWith(client: ReturnType<typeof recorder>, combine: CombineOptions = {}) {
  return createCombineChannel({
    config: {
      appid: APPID,
      mchid: MCHID,
      signer: signerFromPem(merchant.privateKey),
      notifyUrl: 'https://example.com/notify',
      apiV3Key: API_V3_KEY,
      verifier: new PublicKeyVerifier(KEY_ID, platform.publicKey),
    },
    client: client as unknown as CombineChannelDeps['client'],
    combine,
    now: () => NOW,
    nonce: () => 'N0NCE',
  });
}

function paidResource(order: Order, subOverrides: Record<string, unknown> = {}) {
  return {
    combine_appid: order.appid,
    combine_mchid: order.mchid,
    combine_out_trade_no: order.combineOutTradeNo,
    combine_payer_info: { openid: order.payerOpenid },
    sub_orders: order.subOrders!.map((s) => ({
      mchid: s.mchid,
      trade_type: 'JSAPI',
      trade_state: 'SUCCESS',
      success_time: '2026-01-01T12:01:00+08:00',
      transaction_id: '4200000000202601010000000001',
      out_trade_no: s.outTradeNo,
      individual_auth_id: s.individualAuthId,
      amount: { total_amount: s.amount, currency: 'CNY', payer_amount: s.amount, payer_currency: 'CNY' },
      ...subOverrides,
    })),
  };
}

async function appError(promise: Promise<unknown>): Promise<AppError> {
  try {
    await promise;
  } catch (error) {
    if (error instanceof AppError) return error;
    throw error;
  }
  throw new Error('expected an AppError');
}

describe('create', () => {
  it('sends exactly the published 个人收款交易下单-小程序 fields (no seed-only time_start, settle_info, transfer_scene; RECOMMERCE)', () => {
    const body = combineCreateBody(combineOrder(), 'https://example.com/notify');
    expect(body).toEqual({
      combine_appid: APPID,
      combine_mchid: MCHID,
      combine_out_trade_no: 'C20260101120000abcdef',
      combine_payer_info: { openid: 'oPayer000000000000000000000008' },
      scene_info: { payer_client_ip: '127.0.0.1' },
      sub_orders: [
        {
          mchid: MCHID,
          individual_auth_id: 'AUTH-7',
          out_trade_no: 'S20260101120000abcdef',
          amount: { total_amount: 888, currency: 'CNY' },
          attach: 'C20260101120000abcdef',
          description: '打赏 小明',
          individual_name: '小明',
        },
      ],
      time_expire: '2026-01-01T12:30:00+08:00',
      notify_url: 'https://example.com/notify',
      trade_scenario: 'RECOMMERCE',
    });
  });

  it('every field sent is on the published field list, at every level', () => {
    // https://pay.weixin.qq.com/doc/v3/partner/4012602225 (mirror: https://wechatpay.im/openapi/v3/combine-transactions/miniprogram)
    const published = {
      top: ['combine_appid', 'combine_mchid', 'combine_out_trade_no', 'combine_payer_info', 'scene_info', 'sub_orders', 'time_expire', 'notify_url', 'trade_scenario'],
      sub: ['mchid', 'individual_auth_id', 'individual_name', 'out_trade_no', 'amount', 'attach', 'description'],
    };
    const body = combineCreateBody(combineOrder(), 'https://x/n', { tradeScenario: 'RECOMMERCE', payerClientIp: '14.17.22.32' });
    expect(Object.keys(body).filter((k) => !published.top.includes(k))).toEqual([]);
    for (const sub of body.sub_orders as unknown as Array<Record<string, unknown>>) expect(Object.keys(sub).filter((k) => !published.sub.includes(k))).toEqual([]);
    expect(Object.keys(body.scene_info as object)).toEqual(['payer_client_ip']);
    expect(body.trade_scenario).toBe('RECOMMERCE');
  });

  it("reports the payer's own IP (from the platform, stored on the order) in scene_info, over the fallback", () => {
    const body = combineCreateBody(combineOrder({ payerClientIp: '203.0.113.7' }), 'https://x/n', { payerClientIp: '14.17.22.32' });
    expect(body.scene_info).toEqual({ payer_client_ip: '203.0.113.7' });
  });

  it('posts the order and pay-signs the prepay with the order appid', async () => {
    const client = recorder(() => ({ prepay_id: 'wx2026prepay001' }));
    const created = await channelWith(client).create(combineOrder());
    expect(client.calls.map((c) => `${c.method} ${c.path}`)).toEqual(['POST /v3/combine-transactions/miniprogram']);
    expect(created.prepayId).toBe('wx2026prepay001');
    expect(created.payment).toMatchObject({ kind: 'miniprogram', timeStamp: String(NOW / 1000), nonceStr: 'N0NCE', package: 'prepay_id=wx2026prepay001', signType: 'RSA' });
    if (created.payment.kind !== 'miniprogram') throw new Error('combine pays in the mini-program cashier');
    const message = `${APPID}\n${created.payment.timeStamp}\nN0NCE\nprepay_id=wx2026prepay001\n`;
    expect(verify('sha256', Buffer.from(message), merchant.publicKey, Buffer.from(created.payment.paySign, 'base64'))).toBe(true);
  });

  it('refuses broken combine orders before calling the gateway', async () => {
    const client = recorder(() => ({ prepay_id: 'x' }));
    const channel = channelWith(client);
    const noAuth = combineOrder();
    noAuth.subOrders![0].individualAuthId = '';
    expect((await appError(channel.create(noAuth))).code).toBe('PAYEE_NOT_AUTHORIZED');
    expect((await appError(channel.create(combineOrder({ amount: 889 })))).code).toBe('INTERNAL');
    expect((await appError(channel.create(combineOrder({ subOrders: [] })))).code).toBe('INTERNAL');
    expect(client.calls).toHaveLength(0);
  });

  it('gateway errors reach the order service as channel-neutral errors (it decides what they mean), the gateway\'s own as their cause', async () => {
    const failure = new WechatPayError('NOAUTH', 'individual_auth_id not authorized', { status: 403 });
    await expect(channelWith(recorder(() => failure)).create(combineOrder())).rejects.toMatchObject({ kind: 'rejected', cause: failure });
    await expect(channelWith(recorder(() => ({}))).create(combineOrder())).rejects.toMatchObject({ kind: 'untrusted', cause: expect.objectContaining({ code: 'RESPONSE_MALFORMED' }) });
  });

  it('resign uses the stored prepay id', async () => {
    const channel = channelWith(recorder(() => undefined));
    expect((await channel.resign(combineOrder({ prepayId: 'wxP' }))).payment).toMatchObject({ kind: 'miniprogram', package: 'prepay_id=wxP' });
    await expect(channel.resign(combineOrder())).rejects.toMatchObject({ cause: expect.objectContaining({ code: 'ARGUMENT_INVALID' }) });
  });
});

describe('query', () => {
  it('maps all sub-orders SUCCESS to PAID with the sub-order facts', async () => {
    const order = combineOrder({ state: 'PAYING' });
    const client = recorder(() => paidResource(order));
    const state = await channelWith(client).query(order);
    expect(client.calls[0]).toMatchObject({ method: 'GET', path: '/v3/combine-transactions/out-trade-no/C20260101120000abcdef' });
    expect(state).toEqual({
      kind: 'PAID',
      transactionId: '4200000000202601010000000001',
      paidAt: Date.parse('2026-01-01T12:01:00+08:00'),
      paidAmount: 888,
      subOrders: [
        {
          mchid: MCHID,
          outTradeNo: 'S20260101120000abcdef',
          tradeState: 'SUCCESS',
          amount: 888,
          transactionId: '4200000000202601010000000001',
          individualAuthId: 'AUTH-7',
        },
      ],
    });
  });

  it.each([
    ['NOTPAY', 'PENDING'],
    ['USERPAYING', 'PENDING'],
    ['CLOSED', 'CLOSED'],
    ['PAYERROR', 'FAILED'],
  ])('sub-order %s → %s', async (tradeState, kind) => {
    const order = combineOrder({ state: 'PAYING' });
    const client = recorder(() => paidResource(order, { trade_state: tradeState, transaction_id: undefined, success_time: undefined }));
    expect((await channelWith(client).query(order)).kind).toBe(kind);
  });

  it('queries by combine_out_trade_no until the gateway id is known, then by combine_transaction_id (the published recommended path)', async () => {
    const order = combineOrder({ state: 'PAYING' });
    const pending = { ...paidResource(order, { trade_state: 'NOTPAY', transaction_id: undefined, success_time: undefined }), combine_transaction_id: '1217752501201407033233368018' };
    const first = recorder(() => pending);
    expect(await channelWith(first).query(order)).toEqual({ kind: 'PENDING', combineTransactionId: '1217752501201407033233368018' });
    expect(first.calls.map((c) => `${c.method} ${c.path}`)).toEqual(['GET /v3/combine-transactions/out-trade-no/C20260101120000abcdef']);

    const known = combineOrder({ state: 'PAYING', combineTransactionId: '1217752501201407033233368018' });
    const second = recorder(() => ({ ...paidResource(known), combine_transaction_id: '1217752501201407033233368018' }));
    expect(await channelWith(second).query(known)).toMatchObject({ kind: 'PAID', combineTransactionId: '1217752501201407033233368018' });
    expect(second.calls.map((c) => `${c.method} ${c.path}`)).toEqual(['GET /v3/combine-transactions/id/1217752501201407033233368018']);
  });

  it('an answer about another combine_transaction_id than the one stored is untrusted', async () => {
    const order = combineOrder({ state: 'PAYING', combineTransactionId: '1217752501201407033233368018' });
    for (const other of ['1217752501201407033233368019', undefined]) {
      const client = recorder(() => ({ ...paidResource(order), combine_transaction_id: other }));
      expect((await appError(channelWith(client).query(order))).code).toBe('GATEWAY_UNTRUSTED');
    }
  });

  it('an unknown order is NOT_FOUND', async () => {
    const client = recorder(() => new WechatPayError('ORDER_NOT_EXIST', 'no such order', { status: 404 }));
    expect(await channelWith(client).query(combineOrder())).toEqual({ kind: 'NOT_FOUND' });
  });

  it('refuses answers that contradict the stored order (amount, auth id, other order)', async () => {
    const order = combineOrder({ state: 'PAYING' });
    for (const resource of [
      paidResource(order, { amount: { total_amount: 1, currency: 'CNY' } }),
      paidResource(order, { individual_auth_id: 'AUTH-OTHER' }),
      { ...paidResource(order), combine_out_trade_no: 'OTHER' },
    ]) {
      expect((await appError(channelWith(recorder(() => resource)).query(order))).code).toBe('GATEWAY_UNTRUSTED');
    }
  });

  it('a paid sub-order without a transaction id is malformed, not a failure', async () => {
    const order = combineOrder({ state: 'PAYING' });
    const client = recorder(() => paidResource(order, { transaction_id: undefined }));
    await expect(channelWith(client).query(order)).rejects.toMatchObject({ kind: 'untrusted', cause: expect.objectContaining({ code: 'RESPONSE_MALFORMED' }) });
  });
});

describe('close', () => {
  it('posts the sub-orders with their auth ids', async () => {
    const client = recorder(() => undefined);
    await channelWith(client).close(combineOrder({ state: 'PAYING' }));
    expect(combineCloseBody(combineOrder()).sub_orders).toHaveLength(1);
    expect(client.calls).toEqual([
      {
        method: 'POST',
        path: '/v3/combine-transactions/out-trade-no/C20260101120000abcdef/close',
        body: {
          combine_appid: APPID,
          sub_orders: [{ mchid: MCHID, out_trade_no: 'S20260101120000abcdef', individual_auth_id: 'AUTH-7', description: '打赏 小明' }],
        },
      },
    ]);
  });
});

describe('refund', () => {
  it('is refused clearly (seed 000 has no refund API)', async () => {
    const refund = { outRefundNo: 'R1', outTradeNo: 'C1', amount: 1, state: 'PROCESSING' as const, version: 1, createdAt: NOW, updatedAt: NOW };
    expect((await appError(channelWith(recorder(() => undefined)).refund(combineOrder(), refund))).code).toBe('INVALID_STATE');
  });
});

describe('notifications', () => {
  function notification(resource: unknown, eventType = 'TRANSACTION.SUCCESS') {
    const nonce = 'abcdefabcdef';
    const body = JSON.stringify({
      id: 'EV-2026-0001',
      create_time: '2026-01-01T12:01:01+08:00',
      event_type: eventType,
      resource_type: 'encrypt-resource',
      summary: '支付成功',
      resource: {
        algorithm: 'AEAD_AES_256_GCM',
        ciphertext: encryptResource(JSON.stringify(resource), API_V3_KEY, nonce, 'transaction'),
        nonce,
        associated_data: 'transaction',
        original_type: 'transaction',
      },
    });
    const timestamp = String(Math.floor(NOW / 1000));
    const headerNonce = 'HDRNONCE';
    const signature = sign('sha256', Buffer.from(`${timestamp}\n${headerNonce}\n${body}\n`), platform.privateKey).toString('base64');
    return {
      headers: { 'wechatpay-timestamp': timestamp, 'wechatpay-nonce': headerNonce, 'wechatpay-signature': signature, 'wechatpay-serial': KEY_ID },
      body,
    };
  }

  it('verifies, decrypts and maps a combine payment', async () => {
    const order = combineOrder({ state: 'PAYING' });
    const parsed = await channelWith(recorder(() => undefined)).parseNotification(notification(paidResource(order)));
    expect(parsed).toMatchObject({ kind: 'payment', notificationId: 'EV-2026-0001', outTradeNo: 'C20260101120000abcdef', appid: APPID, mchid: MCHID });
    if (parsed.kind !== 'payment' || parsed.state.kind !== 'PAID') throw new Error('expected PAID');
    expect(parsed.state.paidAmount).toBe(888);
    expect(combineMismatch(order, parsed.state.subOrders!)).toBeUndefined();
  });

  it('carries the combine_transaction_id of the notification to the order service', async () => {
    const order = combineOrder({ state: 'PAYING' });
    const resource = { ...paidResource(order), combine_transaction_id: '1217752501201407033233368018' };
    const parsed = await channelWith(recorder(() => undefined)).parseNotification(notification(resource));
    if (parsed.kind !== 'payment') throw new Error('expected payment');
    expect(parsed.state).toMatchObject({ kind: 'PAID', combineTransactionId: '1217752501201407033233368018' });
  });

  it('a notification whose sub-order amount or auth id does not match is detectable', async () => {
    const order = combineOrder({ state: 'PAYING' });
    const channel = channelWith(recorder(() => undefined));
    for (const [override, pattern] of [
      [{ amount: { total_amount: 1, currency: 'CNY' } }, /1 fen reported, 888 fen recorded/],
      [{ individual_auth_id: 'AUTH-OTHER' }, /another individual_auth_id/],
    ] as const) {
      const parsed = await channel.parseNotification(notification(paidResource(order, override)));
      if (parsed.kind !== 'payment' || parsed.state.kind !== 'PAID') throw new Error('expected PAID');
      expect(combineMismatch(order, parsed.state.subOrders!)).toMatch(pattern);
    }
  });

  it('rejects a tampered body with the verifier code', async () => {
    const good = notification(paidResource(combineOrder()));
    const tampered = { ...good, body: good.body.replace('EV-2026-0001', 'EV-2026-0002') };
    await expect(channelWith(recorder(() => undefined)).parseNotification(tampered)).rejects.toMatchObject({ code: 'SIGNATURE_INVALID' });
  });
});

describe('helpers', () => {
  it('subStates reads every sub-order fact, including the payee', () => {
    const order = combineOrder();
    expect(subStates(paidResource(order))[0]).toMatchObject({ outTradeNo: 'S20260101120000abcdef', amount: 888, individualAuthId: 'AUTH-7' });
    expect(subStates({})).toEqual([]);
  });

  it('combineMismatch catches a missing or extra sub-order', () => {
    const order = combineOrder();
    expect(combineMismatch(order, [])).toMatch(/0 sub-orders/);
    expect(combineMismatch(order, [{ mchid: MCHID, outTradeNo: 'OTHER', tradeState: 'SUCCESS', amount: 888 }])).toMatch(/not part of/);
  });
});
