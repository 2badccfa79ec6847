/**
 * The order service with the real combine channel and a real SQLite store; the gateway is a small
 * in-test double at the client's `request` seam that answers like the published 个人收款 pages
 * (query by our number or by `combine_transaction_id`). What is checked: the id is stored on the
 * order once known, in the same transition that learns it, and later queries go by it.
 */
import { generateKeyPairSync, type KeyObject } from 'node:crypto';
import { createCombineChannel, type CombineChannelDeps } from '../../../cloudfunctions/core/channels/wechatpay-combine/channel';
import { combinePaymentStateOf } from '../../../cloudfunctions/core/channels/wechatpay-v3/mapping';
import type { Order } from '../../../cloudfunctions/core/domain/orders/model';
import type { OrderService } from '../../../cloudfunctions/core/domain/orders/service';
import type { Store } from '../../../cloudfunctions/core/store/port';
import { WechatPayError } from '../../../cloudfunctions/core/gateways/wechatpay/errors';
import { PublicKeyVerifier } from '../../../cloudfunctions/core/gateways/wechatpay/auth/public-key-verifier';
import { signerFromPem } from '../../../cloudfunctions/core/gateways/wechatpay/auth/signers/sha256-rsa';
import { closeOrderService, openOrderService, serviceConfig, type ServiceUnderTest } from '../domain/orders/service-fixtures';

const APPID = 'wx1234567890abcdef';
const MCHID = '1900009191';
const COMBINE_ID = '1217752501201407033233368018';
const payer = { openid: 'oPayer000000000000000000000008', appid: APPID };

/** One combine order as the gateway keeps it, answered on the published paths only. */
class CombineDesk {
  readonly calls: string[] = [];
  order?: Order;
  tradeState = 'NOTPAY';

  resource(): Record<string, unknown> {
    const order = this.order!;
    const paid = this.tradeState === 'SUCCESS';
    return {
      combine_appid: order.appid,
      combine_mchid: order.mchid,
      combine_out_trade_no: order.combineOutTradeNo,
      combine_transaction_id: COMBINE_ID,
      combine_payer_info: { openid: order.payerOpenid },
      sub_orders: order.subOrders!.map((s) => ({
        mchid: s.mchid,
        trade_type: 'JSAPI',
        trade_state: this.tradeState,
        out_trade_no: s.outTradeNo,
        individual_auth_id: s.individualAuthId,
        amount: { total_amount: s.amount, currency: 'CNY' },
        ...(paid ? { transaction_id: '4200000000202601010000000001', success_time: '2026-01-01T12:01:00+08:00' } : {}),
      })),
      trade_scenario: 'RECOMMERCE',
    };
  }

  async request(method: string, path: string, body?: Record<string, unknown>) {
    this.calls.push(`${method} ${path}`);
    const ok = (data: unknown) => ({ status: 200, headers: {}, body: JSON.stringify(data), data, requestId: 'req' });
    if (method === 'POST' && path === '/v3/combine-transactions/miniprogram') return ok({ prepay_id: `wx_${String(body!.combine_out_trade_no)}` });
    if (method === 'GET' && this.order && path === `/v3/combine-transactions/out-trade-no/${this.order.combineOutTradeNo}`) return ok(this.resource());
    if (method === 'GET' && this.order && path === `/v3/combine-transactions/id/${COMBINE_ID}`) return ok(this.resource());
    throw new WechatPayError('ORDER_NOT_EXIST', `no answer for ${method} ${path}`, { status: 404 });
  }
}

const config = serviceConfig({ appid: APPID, mchid: MCHID, defaultDescription: '二手闲置' });

let keys: { privateKey: KeyObject; publicKey: KeyObject };
let sut: ServiceUnderTest;
let store: Store;
let desk: CombineDesk;
let service: OrderService;
const clock = Date.UTC(2026, 0, 1, 4, 0, 0);
let seq = 0;

beforeAll(() => {
  keys = generateKeyPairSync('rsa', { modulusLength: 2048 });
});

beforeEach(() => {
  desk = new CombineDesk();
  const combine = createCombineChannel({
    config: { appid: APPID, mchid: MCHID, signer: signerFromPem(keys.privateKey), notifyUrl: 'https://example.com/notify', apiV3Key: 'k'.repeat(32), verifier: new PublicKeyVerifier('PUB_KEY_ID_1', keys.publicKey) },
    client: desk as unknown as CombineChannelDeps['client'],
    now: () => clock,
  });
  sut = openOrderService('combine-id-', {
    channels: { combine },
    config,
    payees: { resolvePayeeForPayment: async () => ({ openid: 'oPayee000000000000000000000007', displayName: '小明', individualAuthId: 'AUTH-7' }) },
    now: () => clock,
  });
  ({ store, service } = sut);
});

afterEach(() => closeOrderService(sut));

async function createCombine(): Promise<Order> {
  const { order } = await service.create(payer, { channel: 'combine', amount: 888, idempotencyKey: `idem_${++seq}_combine`, payeeCode: 'AAAAAAAAAA' });
  desk.order = (await store.getOrder(order.outTradeNo))!;
  return desk.order;
}

describe('combine_transaction_id: stored once known, then the query path', () => {
  it('a query of a still-unpaid order stores the id; the next query goes by it and records PAID', async () => {
    const order = await createCombine();
    expect((await service.query(payer, order.outTradeNo)).order.state).toBe('PAYING');
    expect(desk.calls.slice(1)).toEqual([`GET /v3/combine-transactions/out-trade-no/${order.combineOutTradeNo}`]);
    expect(await store.getOrder(order.outTradeNo)).toMatchObject({ state: 'PAYING', combineTransactionId: COMBINE_ID });
    expect((await store.listAudit(order.outTradeNo)).at(-1)).toMatchObject({ event: 'COMBINE_TRANSACTION_ID_LEARNED', from: 'PAYING', to: 'PAYING', actor: 'query' });

    desk.tradeState = 'SUCCESS';
    expect((await service.query(payer, order.outTradeNo)).order.state).toBe('PAID');
    expect(desk.calls.slice(2)).toEqual([`GET /v3/combine-transactions/id/${COMBINE_ID}`]);
    expect(await store.getOrder(order.outTradeNo)).toMatchObject({ state: 'PAID', combineTransactionId: COMBINE_ID });
  });

  it('a payment notification stores the id in the same transition as PAID', async () => {
    const order = await createCombine();
    desk.tradeState = 'SUCCESS';
    const state = combinePaymentStateOf(desk.resource() as never, clock);
    const outcome = await service.applyNotification({ kind: 'payment', notificationId: 'EV-1', outTradeNo: order.combineOutTradeNo!, appid: APPID, mchid: MCHID, state });
    expect(outcome).toMatchObject({ status: 204, result: 'applied' });
    expect(await store.getOrder(order.outTradeNo)).toMatchObject({ state: 'PAID', combineTransactionId: COMBINE_ID, version: 3 });
    expect((await store.listAudit(order.outTradeNo)).map((a) => a.event)).toEqual(['ORDER_CREATED', 'PREPAY_CREATED', 'PAID']);
  });
});
