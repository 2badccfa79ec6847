/**
 * The sandbox console's order sources beyond the WeChat v3 gateway: Huifu trades from a linked
 * Huifu sandbox (rows, actions forwarded to its cashier, timelines from its own request log and
 * notifications), APIv2 rows (JSAPI and APP) and what the request logs say a call was about.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { RequestLog } from '../../../sandbox/common/request-log';
import { mismatches, type MerchantOrderView } from '../../../sandbox/gateway/console/compare';
import { HUIFU_FORWARDABLE, huifuTimeline } from '../../../sandbox/gateway/console/huifu-source';
import { subjectsOf } from '../../../sandbox/gateway/console/request-log';
import { allOrders, findOrder, type ConsoleOrder } from '../../../sandbox/gateway/console/sources';
import type { GatewayData } from '../../../sandbox/gateway/state';
import type { V2OrderRecord } from '../../../sandbox/gateway/v2/records';
import { huifuSubjectsOf, type HuifuConsoleFeed } from '../../../sandbox/huifu/console-feed';
import { payscoreView } from '../../../sandbox/host/local-view-payscore';
import { HuifuState, type NotificationRecord, type RefundRecord, type TradeRecord } from '../../../sandbox/huifu/state';

let dir: string;
let state: HuifuState;
let feed: HuifuConsoleFeed;

beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'console-sources-'));
  state = new HuifuState(join(dir, 'huifu.json'));
  const requests = new RequestLog((e) => huifuSubjectsOf(state, e));
  feed = { url: 'http://127.0.0.1:1', data: () => state.data, requests, faults: () => [], onChange: () => () => undefined, reset: () => state.reset() };
});
afterEach(() => rmSync(dir, { recursive: true, force: true }));

const HUIFU_ID = '6666000100000001';
const trade = (over: Partial<TradeRecord> = {}): TradeRecord => ({
  huifuId: HUIFU_ID, reqDate: '20261201', reqSeqId: 'H1', hfSeqId: '0029HF1', tradeType: 'T_MINIAPP', transFen: 1234, goodsDesc: '咖啡', wxData: '{}',
  appId: 'wxapp', prepayId: 'wxPREPAYH1', partyOrderId: 'P1', createdAt: 2_000, expiresAt: 9_000_000, transStat: 'P', bankMessage: '', refundedFen: 0, ...over,
});
const refund = (over: Partial<RefundRecord> = {}): RefundRecord => ({
  huifuId: HUIFU_ID, reqDate: '20261201', reqSeqId: 'R1', hfSeqId: '0029RF1', tradeKey: `${HUIFU_ID}|20261201|H1`, ordFen: 200, transStat: 'P', createdAt: 3_000, dueAt: 0, outcome: 'S', feeFen: 0, ...over,
});
const emptyGateway = (over: Partial<GatewayData> = {}) =>
  ({ orders: {}, combines: {}, refunds: {}, prepays: {}, notifications: [], v2: { orders: {}, refunds: {}, prepays: {}, refundBalance: null }, payscore: { orders: {} }, ...over }) as unknown as GatewayData;
const merchant = (over: Partial<MerchantOrderView> = {}): MerchantOrderView => ({ outTradeNo: 'H1', channel: 'huifu', amount: 1234, state: 'PAYING', refundedAmount: 0, refunds: [], createdAt: 0, updatedAt: 0, ...over });
const row = (over: Partial<ConsoleOrder> = {}): ConsoleOrder => ({ channel: 'huifu', outTradeNo: 'H1', description: '', amount: 1234, state: 'P', createdAt: 0, refunded: 0, related: [], actions: [], ...over });

describe('Huifu rows', () => {
  it('a linked Huifu sandbox lists its trades as huifu rows, newest first among the WeChat ones; the buttons are its cashier calls, forwarded', () => {
    state.data.trades.a = trade();
    state.data.refunds.r = refund();
    const v3 = { outTradeNo: 'W1', description: 'd', total: 500, tradeState: 'NOTPAY', createdAt: 1_000, refunded: 0, prepayId: 'wxW1' };
    const data = emptyGateway({ orders: { W1: v3 } as unknown as GatewayData['orders'] });

    expect(allOrders({ data }).map((o) => o.channel)).toEqual(['v3']);
    const rows = allOrders({ data, huifu: feed });
    expect(rows.map((o) => [o.channel, o.outTradeNo])).toEqual([['huifu', 'H1'], ['v3', 'W1']]);
    expect(rows[0]).toEqual({
      channel: 'huifu', outTradeNo: 'H1', description: '咖啡', amount: 1234, state: 'P', createdAt: 2_000, transactionId: '0029HF1', refunded: 0, related: ['R1'],
      actions: [
        { name: 'pay', label: '支付', path: '/sandbox/console/huifu/sandbox/cashier/wxPREPAYH1/pay' },
        { name: 'cancel', label: '取消', path: '/sandbox/console/huifu/sandbox/cashier/wxPREPAYH1/cancel' },
        { name: 'fail', label: '支付失败', path: '/sandbox/console/huifu/sandbox/cashier/wxPREPAYH1/fail' },
      ],
    });
    // Found by its refund's number too.
    expect(findOrder({ data, huifu: feed }, 'R1')?.outTradeNo).toBe('H1');
    for (const a of rows[0]!.actions) expect(HUIFU_FORWARDABLE.test(a.path.slice('/sandbox/console/huifu'.length))).toBe(true);
  });

  it('a paid, failed or closed trade offers no button; a closed one says so', () => {
    state.data.trades.a = trade({ reqSeqId: 'S1', transStat: 'S', createdAt: 3 });
    state.data.trades.b = trade({ reqSeqId: 'F1', transStat: 'F', createdAt: 2 });
    state.data.trades.c = trade({ reqSeqId: 'C1', transStat: 'F', createdAt: 1, close: { reqDate: '20261201', reqSeqId: 'C1C1', transStat: 'S', at: 5 } });
    expect(allOrders({ data: emptyGateway(), huifu: feed }).map((o) => [o.outTradeNo, o.state, o.actions.length])).toEqual([
      ['S1', 'S', 0],
      ['F1', 'F', 0],
      ['C1', 'F/closed', 0],
    ]);
  });

  it('the forward reaches only the Huifu cashier, the trade actions and the fault switches', () => {
    for (const path of ['/sandbox/admin/trades/0029HF1/pay', '/sandbox/admin/faults', '/sandbox/admin/accounting/fail', '/sandbox/admin/refunds/fail']) expect(HUIFU_FORWARDABLE.test(path)).toBe(true);
    for (const path of ['/sandbox/admin/clock', '/sandbox/admin/recon/plant', '/v2/trade/payment/jspay', '/sandbox/cashier/x/pay/../../admin/faults', '/sandbox/admin/trades/x/initial']) {
      expect(HUIFU_FORWARDABLE.test(path)).toBe(false);
    }
  });

  it("trans_stat against the merchant's state: P is PAYING, S is PAID or refunded, F is CLOSED or FAILED", () => {
    expect(mismatches(row(), merchant())).toEqual([]);
    expect(mismatches(row({ state: 'S', refunded: 200 }), merchant({ state: 'PAID', refundedAmount: 200 }))).toEqual([]);
    expect(mismatches(row({ state: 'F/closed' }), merchant({ state: 'CLOSED' }))).toEqual([]);
    expect(mismatches(row({ state: 'S' }), merchant())).toEqual(['state: merchant PAYING, gateway S']);
    expect(mismatches(row({ state: 'S', transactionId: 'A' }), merchant({ state: 'PAID', transactionId: 'B' }))).toEqual(['transaction_id differs']);
  });
});

describe('Huifu timelines', () => {
  it("a call is about the trades its bodies, its cashier prepay id or its admin hf_seq_id name", () => {
    state.data.trades.a = trade();
    const api = { at: 1, method: 'POST', path: '/v2/trade/payment/scanpay/refund', status: 200 };
    expect(huifuSubjectsOf(state, { ...api, request: { sys_id: 's', data: { req_seq_id: 'R1', org_req_seq_id: 'H1' } }, response: { data: { resp_code: '00000100' } } })).toEqual(['R1', 'H1']);
    expect(huifuSubjectsOf(state, { ...api, path: '/v2/trade/payment/scanpay/query', request: { data: { org_hf_seq_id: '0029HF1' } }, response: undefined })).toEqual(['H1']);
    expect(huifuSubjectsOf(state, { ...api, path: '/sandbox/cashier/wxPREPAYH1/pay', request: {}, response: { trans_stat: 'S' } })).toEqual(['H1']);
    expect(huifuSubjectsOf(state, { ...api, path: '/sandbox/admin/trades/0029HF1/fail', request: {}, response: {} })).toEqual(['H1']);
  });

  it("shows the trade's calls (a refusal by resp_code marked), its notifications and refunds' with every attempt, and no replay button", () => {
    state.data.trades.a = trade();
    state.data.refunds.r = refund();
    feed.requests.record({ at: 10, method: 'POST', path: '/v2/trade/payment/jspay', status: 200, request: { data: { req_seq_id: 'H1' } }, response: { data: { resp_code: '00000100', resp_desc: '下单成功' } } });
    feed.requests.record({ at: 20, method: 'POST', path: '/v2/trade/payment/scanpay/close', status: 200, request: { data: { org_req_seq_id: 'H1' } }, response: { data: { resp_code: '20000001', resp_desc: '不允许关闭一分钟以内的订单' } } });
    feed.requests.record({ at: 25, method: 'POST', path: '/v2/trade/payment/scanpay/query', status: 0, request: { data: { org_req_seq_id: 'H1' } }, response: '(held)' });
    feed.requests.record({ at: 30, method: 'POST', path: '/v2/trade/payment/jspay', status: 200, request: { data: { req_seq_id: 'OTHER' } }, response: {} });
    const note = (over: Partial<NotificationRecord>): NotificationRecord => ({
      id: 'n', kind: 'trade', url: 'http://host/http/huifuNotify', reqSeqId: 'H1', createdAt: new Date(40).toISOString(), respCode: '00000000', respDesc: '', respData: '{"req_seq_id":"H1","trans_stat":"S"}',
      status: 'delivered', rounds: 1, attempts: [{ round: 1, at: new Date(41).toISOString(), statusCode: 200, reply: 'RECV_ORD_ID_H1', durationMs: 3, ok: true }], ...over,
    });
    state.data.notifications.push(note({}), note({ id: 'm', kind: 'refund', reqSeqId: 'R1', status: 'failed', attempts: [{ round: 1, at: new Date(50).toISOString(), statusCode: 500, durationMs: 1, ok: false }] }));

    const order = allOrders({ data: emptyGateway(), huifu: feed })[0]!;
    const entries = huifuTimeline(feed, order).sort((a, b) => a.at - b.at);
    expect(entries.map((e) => [e.kind, e.title, e.ok])).toEqual([
      ['request', 'huifu POST /v2/trade/payment/jspay → 200 00000100', true],
      ['request', 'huifu POST /v2/trade/payment/scanpay/close → 200 20000001 不允许关闭一分钟以内的订单', false],
      ['request', 'huifu POST /v2/trade/payment/scanpay/query → held (no answer)', false],
      ['notification', 'huifu trade notification delivered', true],
      ['attempt', 'huifu trade attempt #1 → 200', true],
      ['notification', 'huifu refund notification failed', false],
      ['attempt', 'huifu refund attempt #1 → 500', false],
    ]);
    expect(entries[3]).toMatchObject({ detail: { resp_data: { req_seq_id: 'H1', trans_stat: 'S' } } });
    expect(entries[4]).toMatchObject({ detail: { reply: 'RECV_ORD_ID_H1' } });
    expect(entries.some((e) => e.id !== undefined)).toBe(false);
  });
});

describe('APIv2 rows and calls', () => {
  const v2order = (over: Partial<V2OrderRecord>): V2OrderRecord =>
    ({ tradeType: 'JSAPI', appid: 'wx1', mchId: '1', outTradeNo: 'V1', body: '拿铁', totalFee: 100, prepayId: 'wxV2P1', createdAt: 1, tradeState: 'NOTPAY', refunded: 0, ...over }) as V2OrderRecord;

  it('an APP order is a v2app row; both kinds are paid through the admin route by order number (the cashier wants the signed parameters)', () => {
    const data = emptyGateway();
    data.v2.orders = { V1: v2order({}), A1: v2order({ outTradeNo: 'A1', tradeType: 'APP', createdAt: 2 }), P1: v2order({ outTradeNo: 'P1', tradeState: 'SUCCESS', createdAt: 0 }) };
    expect(allOrders({ data }).map((o) => [o.channel, o.outTradeNo, o.actions.map((a) => a.path)])).toEqual([
      ['v2app', 'A1', ['/sandbox/admin/v2/orders/A1/pay', '/sandbox/admin/v2/orders/A1/cancel', '/sandbox/admin/v2/orders/A1/fail']],
      ['v2', 'V1', ['/sandbox/admin/v2/orders/V1/pay', '/sandbox/admin/v2/orders/V1/cancel', '/sandbox/admin/v2/orders/V1/fail']],
      ['v2', 'P1', []],
    ]);
  });

  it('an APIv2 call logged as its XML fields names its order; a v2 cashier or APP prepay id counts as its order', () => {
    const data = emptyGateway();
    data.v2.prepays = { wxV2P1: 'V1' };
    expect(subjectsOf('/secapi/pay/refund', { out_trade_no: 'V1', out_refund_no: 'RV1', sign: 'x' }, { return_code: 'SUCCESS', refund_id: '5' }, data)).toEqual(['V1', 'RV1']);
    expect(subjectsOf('/sandbox/v2/cashier/wxV2P1/pay', {}, { code: 'SIGN_ERROR' }, data)).toEqual(['V1']);
    expect(subjectsOf('/sandbox/v2/app/pay', { prepayid: 'wxV2P1' }, undefined, data)).toEqual(['V1']);
  });
});

describe('PayScore rows beside the merchant store', () => {
  const service = (over: Partial<ConsoleOrder> = {}) => row({ channel: 'payscore', outTradeNo: 'PS1', amount: null, state: 'CREATED', refunded: undefined, ...over });
  const view = (over: Record<string, unknown> = {}) => payscoreView({ outOrderNo: 'PS1', userOpenid: 'oSECRET', package: 'PKG-SECRET', serviceIntroduction: '充电宝', state: 'CREATED', createdAt: 1, updatedAt: 2, history: [], ...over }) as unknown as MerchantOrderView;

  it("the host's view of a service order: its state as the gateway words it, the amount once completed, no openid or package", () => {
    const text = JSON.stringify(view({ state: 'DOING', stateDescription: 'MCH_COMPLETE', completion: { totalAmount: 2500 }, orderId: 'ORD1' }));
    for (const secret of ['oSECRET', 'PKG-SECRET']) expect(text).not.toContain(secret);
    expect(JSON.parse(text)).toEqual({ outTradeNo: 'PS1', channel: 'payscore', amount: 2500, description: '充电宝', state: 'DOING/MCH_COMPLETE', refundedAmount: 0, transactionId: 'ORD1', refunds: [], createdAt: 1, updatedAt: 2 });
    expect(view()).not.toHaveProperty('amount');
  });

  it('compared state for state (the description in DOING), the amount once both know it, the order_id', () => {
    expect(mismatches(service(), view())).toEqual([]);
    expect(mismatches(service({ state: 'DOING/USER_CONFIRM' }), view({ state: 'DOING', stateDescription: 'USER_CONFIRM' }))).toEqual([]);
    // Past DOING only the state counts (the merchant's view names a description in DOING only).
    expect(mismatches(service({ state: 'DONE/MCH_COMPLETE', amount: 2500 }), view({ state: 'DONE', completion: { totalAmount: 2500 } }))).toEqual([]);
    expect(mismatches(service({ state: 'DOING/USER_CONFIRM' }), view())).toEqual(['state: merchant CREATED, gateway DOING/USER_CONFIRM']);
    expect(mismatches(service({ state: 'DOING/MCH_COMPLETE', amount: 2400 }), view({ state: 'DOING', stateDescription: 'MCH_COMPLETE', completion: { totalAmount: 2500 } }))).toEqual(['amount: merchant 2500, gateway 2400']);
  });
});
