/**
 * The Huifu channel over a scripted client: what it sends (jspay body, wx_data by config, yuan from
 * fen, our numbers as req_seq_id) and how Huifu's answers become channel-neutral outcomes and errors.
 */
import { createHuifuChannel, jspayBody, type HuifuChannelConfig } from '../../../../cloudfunctions/core/channels/huifu/channel';
import { ChannelError, toChannelAppError } from '../../../../cloudfunctions/core/channels/port';
import type { Order, Refund } from '../../../../cloudfunctions/core/domain/orders/model';
import type { HuifuClient } from '../../../../cloudfunctions/core/gateways/huifu/client';
import { HuifuError } from '../../../../cloudfunctions/core/gateways/huifu/errors';
import type { Verifier } from '../../../../cloudfunctions/core/gateways/wechatpay/auth/verifier';

const T0 = Date.parse('2026-12-01T02:00:00Z'); // 10:00 China time
const config: HuifuChannelConfig = { huifuId: '6666000000000000', appid: 'wxAPP000001', notifyUrl: 'https://m.example/http/huifuNotify', payerIdentity: 'sub_openid' };
const verifier: Verifier = { has: () => true, verify: () => undefined };

const order = (over: Partial<Order> = {}): Order => ({
  outTradeNo: '20261201100000ABCDEFGHIJKL',
  channel: 'huifu',
  amount: 1234,
  currency: 'CNY',
  description: '咖啡',
  state: 'PAYING',
  version: 2,
  payerOpenid: 'oPAYER',
  appid: 'wxAPP000001',
  mchid: config.huifuId,
  idempotencyKey: 'key_0000001',
  createdAt: T0,
  updatedAt: T0,
  expiresAt: T0 + 30 * 60_000,
  refundedAmount: 0,
  refunds: [],
  ...over,
});

/** A client answering each path with the next scripted `data` (or throwing it). */
function scripted(answers: Record<string, Array<Record<string, unknown> | Error>>) {
  const calls: Array<{ path: string; data: Record<string, unknown> }> = [];
  const client: HuifuClient = {
    async post<T>(path: string, data: Record<string, unknown>) {
      calls.push({ path, data });
      const next = answers[path]?.shift();
      if (next === undefined) throw new Error(`unexpected call ${path}`);
      if (next instanceof Error) throw next;
      return { data: next as T, dataText: JSON.stringify(next) };
    },
  };
  return { client, calls };
}

const channelWith = (answers: Record<string, Array<Record<string, unknown> | Error>>, now = T0 + 2 * 60_000, over: Partial<HuifuChannelConfig> = {}) => {
  const { client, calls } = scripted(answers);
  return { channel: createHuifuChannel({ config: { ...config, ...over }, client, verifier, now: () => now }), calls };
};

const kindOf = async (promise: Promise<unknown>) => {
  try {
    await promise;
  } catch (error) {
    if (error instanceof ChannelError) return error.kind;
    throw error;
  }
  return 'resolved';
};

const QUERY = '/v2/trade/payment/scanpay/query';
const CLOSE = '/v2/trade/payment/scanpay/close';
const paid = { resp_code: '00000000', resp_desc: '查询成功', trans_stat: 'S', hf_seq_id: 'HF1', trans_amt: '12.34', end_time: '20261201100500', settlement_amt: '12.34', payment_fee: '{"fee_amount":"0.05","fee_flag":"2"}', acct_stat: 'S' };

describe('jspay', () => {
  it('sends T_MINIAPP, trans_amt as exact yuan, our number and its China date, and wx_data as config chooses', () => {
    const body = jspayBody(order(), config);
    expect(body).toEqual({
      req_date: '20261201',
      req_seq_id: '20261201100000ABCDEFGHIJKL',
      huifu_id: config.huifuId,
      trade_type: 'T_MINIAPP',
      trans_amt: '12.34',
      goods_desc: '咖啡',
      time_expire: '20261201103000',
      notify_url: config.notifyUrl,
      wx_data: '{"sub_appid":"wxAPP000001","sub_openid":"oPAYER"}',
    });
    expect(jspayBody(order(), { ...config, payerIdentity: 'openid' }).wx_data).toBe('{"openid":"oPAYER"}');
  });

  it('00000100 下单成功 with trans_stat P is placed, never paid: pay_info passed on exactly as carried', async () => {
    const payInfo = '{"appId":"wxAPP000001","timeStamp":"1","nonceStr":"n","package":"prepay_id=wx1","signType":"RSA","paySign":"s"}';
    const { channel } = channelWith({ '/v2/trade/payment/jspay': [{ resp_code: '00000100', resp_desc: '下单成功', trans_stat: 'P', hf_seq_id: 'HF1', pay_info: payInfo }] });
    expect(await channel.create(order({ state: 'CREATED' }))).toEqual({ prepayId: 'HF1', payment: { kind: 'huifu', payInfo }, keep: true });
  });

  it('keeps the pay_info it was issued and hands exactly that back to a payer who tries again', async () => {
    const payInfo = '{"appId":"wxAPP000001","package":"prepay_id=wx1","timeStamp":"1","nonceStr":"n","signType":"RSA","paySign":"s"}';
    const { channel, calls } = channelWith({ '/v2/trade/payment/jspay': [{ resp_code: '00000100', trans_stat: 'P', hf_seq_id: 'HF1', pay_info: payInfo }] });
    const created = await channel.create(order({ state: 'CREATED' }));
    expect(created.keep).toBe(true);
    expect(await channel.resign(order({ prepayId: 'HF1', issuedPayment: created.payment }))).toEqual({ prepayId: 'HF1', payment: { kind: 'huifu', payInfo } });
    expect(calls).toHaveLength(1);
    expect(await kindOf(channel.resign(order({ prepayId: 'HF1' })))).toBe('rejected');
  });

  it('a refusal or an answer without pay_info is not a placed order', async () => {
    const refused = channelWith({ '/v2/trade/payment/jspay': [{ resp_code: '10000000', resp_desc: 'goods_desc不能为空' }] }).channel;
    expect(await kindOf(refused.create(order()))).toBe('rejected');
    const empty = channelWith({ '/v2/trade/payment/jspay': [{ resp_code: '00000100', trans_stat: 'P', hf_seq_id: 'HF1' }] }).channel;
    expect(await kindOf(empty.create(order()))).toBe('untrusted');
  });
});

describe('query: trans_stat → outcome', () => {
  it.each([
    ['P', { kind: 'PENDING' }],
    ['I', { kind: 'PENDING' }],
    ['F', { kind: 'FAILED', reason: '订单已关闭' }],
  ])('%s', async (stat, expected) => {
    const { channel } = channelWith({ [QUERY]: [{ resp_code: '00000000', trans_stat: stat, bank_message: '订单已关闭', trans_amt: '12.34' }] });
    expect(await channel.query(order())).toEqual(expected);
  });

  it('S is paid, with the amount, time, settlement and fee in fen', async () => {
    const { channel, calls } = channelWith({ [QUERY]: [paid] });
    expect(await channel.query(order())).toEqual({
      kind: 'PAID',
      transactionId: 'HF1',
      paidAt: Date.parse('2026-12-01T10:05:00+08:00'),
      paidAmount: 1234,
      settlement: { settlementAmount: 1234, feeAmount: 5, booking: 'BOOKED' },
    });
    expect(calls[0]!.data).toEqual({ huifu_id: config.huifuId, org_req_date: '20261201', org_req_seq_id: order().outTradeNo });
  });

  it('00000000 alone (no trans_stat S) is never paid', async () => {
    const { channel } = channelWith({ [QUERY]: [{ resp_code: '00000000', resp_desc: '查询成功' }] });
    expect(await kindOf(channel.query(order()))).toBe('untrusted');
  });

  it('23000001 交易不存在 is "no such order"', async () => {
    const { channel } = channelWith({ [QUERY]: [{ resp_code: '23000001', resp_desc: '交易不存在' }] });
    expect(await channel.query(order())).toEqual({ kind: 'NOT_FOUND' });
  });
});

describe('errors, as the app sees them', () => {
  it.each([
    ['91111119', '通道异常，请稍后重试', 'unavailable', 'GATEWAY_UNAVAILABLE', true],
    ['98888888', '系统错误', 'unavailable', 'GATEWAY_UNAVAILABLE', true],
    ['90000000', '数据权限认证失败', 'misconfigured', 'INTERNAL', true],
    ['10000000', '签名验证失败', 'misconfigured', 'INTERNAL', true],
  ])('%s %s → %s', async (code, desc, kind, appCode, retryable) => {
    const { channel } = channelWith({ [CLOSE]: [{ resp_code: code, resp_desc: desc }] });
    const error = await channel.close(order()).catch((e: unknown) => e);
    expect(error).toMatchObject({ kind });
    expect(toChannelAppError(error, 'close order')).toMatchObject({ code: appCode, retryable });
    expect(toChannelAppError(error, 'close order').message).toContain(desc);
  });

  it('transport and verification failures', async () => {
    const { channel } = channelWith({ [QUERY]: [new HuifuError('TIMEOUT', 'slow', { retryable: true }), new HuifuError('SIGNATURE_INVALID', 'bad')] });
    expect(await kindOf(channel.query(order()))).toBe('unavailable');
    expect(await kindOf(channel.query(order()))).toBe('untrusted');
  });
});

describe('close', () => {
  it('within 1 minute of the order the channel says tooEarly (CLOSE_TOO_EARLY) without asking Huifu; from 1 minute on it asks', async () => {
    const early = channelWith({}, T0 + 59_999);
    const error = await early.channel.close(order()).catch((e: unknown) => e);
    expect(error).toMatchObject({ kind: 'tooEarly' });
    expect(toChannelAppError(error, 'close order')).toMatchObject({ code: 'CLOSE_TOO_EARLY' });
    expect(early.calls).toEqual([]);
    const onTime = channelWith({ [CLOSE]: [{ resp_code: '00000000', trans_stat: 'S', org_trans_stat: 'P' }] }, T0 + 60_000);
    expect(await onTime.channel.close(order())).toEqual({ kind: 'closed' });
    expect(onTime.calls[0]!.data).toMatchObject({ huifu_id: config.huifuId, org_req_date: '20261201', org_req_seq_id: order().outTradeNo, req_date: '20261201' });
  });

  it("Huifu's own 20000001 is tooEarly; a second close of a closed trade is closed; a final trade is a refusal the domain settles by query", async () => {
    const { channel } = channelWith({
      [CLOSE]: [
        { resp_code: '20000001', resp_desc: '不允许关闭一分钟以内的订单' },
        { resp_code: '23000000', resp_desc: '关单状态为终态，不能重复关单' },
        { resp_code: '23000000', resp_desc: '原订单已为终态，无法发起关单操作' },
      ],
    });
    expect(await kindOf(channel.close(order()))).toBe('tooEarly');
    expect(await kindOf(channel.close(order()))).toBe('closed');
    expect(await kindOf(channel.close(order()))).toBe('rejected');
  });

  it('a close still processing is confirmed by closequery', async () => {
    const { channel, calls } = channelWith({ [CLOSE]: [{ resp_code: '00000100', trans_stat: 'P' }], '/v2/trade/payment/scanpay/closequery': [{ resp_code: '00000000', trans_stat: 'S' }] });
    expect(await channel.close(order())).toEqual({ kind: 'closed' });
    expect(calls.map((c) => c.path)).toEqual([CLOSE, '/v2/trade/payment/scanpay/closequery']);
  });
});

describe('refunds', () => {
  const refund: Refund = { outRefundNo: 'R1', outTradeNo: order().outTradeNo, amount: 300, state: 'PROCESSING', version: 1, createdAt: T0 + 86_400_000, updatedAt: T0 };

  it('sends ord_amt in yuan naming the original trade; P/S/F → PROCESSING/SUCCESS/CLOSED', async () => {
    const { channel, calls } = channelWith({
      '/v2/trade/payment/scanpay/refund': [{ resp_code: '00000100', trans_stat: 'P', ord_amt: '3.00', hf_seq_id: 'HFR' }],
      '/v2/trade/payment/scanpay/refundquery': [
        { resp_code: '00000000', trans_stat: 'S', ord_amt: '3.00' },
        { resp_code: '00000000', trans_stat: 'F', ord_amt: '3.00' },
      ],
    });
    expect(await channel.refund(order({ state: 'PAID' }), refund)).toEqual({ outRefundNo: 'R1', state: 'PROCESSING', amount: 300, refundId: 'HFR' });
    expect(calls[0]!.data).toMatchObject({ req_date: '20261202', req_seq_id: 'R1', ord_amt: '3.00', org_req_date: '20261201', org_req_seq_id: order().outTradeNo });
    expect((await channel.queryRefund(order(), refund)).state).toBe('SUCCESS');
    expect((await channel.queryRefund(order(), refund)).state).toBe('CLOSED');
    expect(calls[1]!.data).toEqual({ huifu_id: config.huifuId, org_req_date: '20261202', org_req_seq_id: 'R1' });
  });

  it('more than is left (23000003) is a refund not taken; an unknown refund is notFound', async () => {
    const { channel } = channelWith({
      '/v2/trade/payment/scanpay/refund': [{ resp_code: '23000003', resp_desc: '申请退款金额大于可退余额' }],
      '/v2/trade/payment/scanpay/refundquery': [{ resp_code: '23000001', resp_desc: '原交易不存在' }],
    });
    expect(await kindOf(channel.refund(order(), refund))).toBe('refundNotTaken');
    expect(await kindOf(channel.queryRefund(order(), refund))).toBe('notFound');
  });
});
