/**
 * The domain's PayScore port (`domain/payscore/gateway.ts`) over the acquiring-bank v3 calls
 * (`gateways/wechatpay/v3/payscore.ts`). Builds the wire bodies from the stored order — the
 * create-time appid, the merchant's service_id / sub_mchid / channel_id — and turns every v3
 * error into a channel-neutral `ChannelError` (`v3ChannelError`).
 */
import type { V3Client } from '../../gateways/wechatpay/client';
import * as payscore from '../../gateways/wechatpay/v3/payscore';
import { WechatPayError } from '../../gateways/wechatpay/errors';
import type { PayScoreGateway } from '../../domain/payscore/gateway';
import type { PayScoreLine, PayScoreOrder } from '../../domain/payscore/model';
import { v3ChannelError } from '../wechatpay-v3/errors';
import { toRfc3339 } from '../wechatpay-v3/mapping';
import { payscoreOrderOf } from './mapping';

export interface PayScoreChannelConfig {
  serviceId: string;
  subMchid: string;
  channelId: string;
  /** The v3 notification endpoint (`payNotify`): PayScore events arrive with the payments'. */
  notifyUrl: string;
}

const line = (l: PayScoreLine) => ({
  name: l.name,
  ...(l.amount !== undefined ? { amount: l.amount } : {}),
  ...(l.description !== undefined ? { description: l.description } : {}),
  ...(l.count !== undefined ? { count: l.count } : {}),
});

/** A 2xx that is not the documented success of a body-less call (204, or 200 with nothing). */
function expectNoContent(res: { status: number; body: string; requestId?: string }, what: string): void {
  if (res.status === 204 || (res.status === 200 && res.body.trim() === '')) return;
  if (res.status === 200) return; // 200 with a body: the seed accepts it too; nothing in it is needed.
  throw new WechatPayError('RESPONSE_MALFORMED', `${what}: unexpected ${res.status}`, { status: res.status, requestId: res.requestId });
}

export function createPayScoreGateway(deps: { client: Pick<V3Client, 'request'>; config: PayScoreChannelConfig }): PayScoreGateway {
  const { client, config } = deps;
  const parties = { service_id: config.serviceId, sub_mchid: config.subMchid, channel_id: config.channelId };
  const translate = <T>(operation: 'create' | 'query', call: () => Promise<T>): Promise<T> =>
    call().catch((error: unknown) => {
      throw v3ChannelError(error, operation);
    });

  return {
    serviceId: config.serviceId,

    create: (order, openid) =>
      translate('create', async () => {
        const res = await payscore.create(client, {
          ...parties,
          appid: order.appid,
          out_order_no: order.outOrderNo,
          service_introduction: order.serviceIntroduction,
          post_payments: order.postPayments.map(line),
          post_discounts: order.postDiscounts.map((d) => ({ name: d.name, description: d.description ?? '', ...(d.count !== undefined ? { count: d.count } : {}) })),
          time_range: { start_time: order.startTime },
          ...(order.startLocation ? { location: { start_location: order.startLocation } } : {}),
          risk_fund: order.riskFund,
          notify_url: config.notifyUrl,
          openid,
          need_user_confirm: true,
        });
        const { order_id: orderId, package: pkg } = res.data ?? {};
        if (typeof orderId !== 'string' || typeof pkg !== 'string' || !pkg) throw new WechatPayError('RESPONSE_MALFORMED', 'create answer lacks order_id or package', { requestId: res.requestId });
        return { orderId, package: pkg };
      }),

    query: (outOrderNo) =>
      translate('query', async () => payscoreOrderOf((await payscore.query(client, { ...parties, out_order_no: outOrderNo })).data ?? {})),

    cancel: (order, reason) =>
      translate('create', async () => expectNoContent(await payscore.cancel(client, order.outOrderNo, { ...parties, reason }), 'cancel')),

    complete: (order, completion) =>
      translate('create', async () => {
        const res = await payscore.complete(client, order.outOrderNo, {
          ...parties,
          post_payments: completion.postPayments.map(line),
          post_discounts: completion.postDiscounts.map((d) => ({ name: d.name, description: d.description ?? '', amount: d.amount ?? 0, ...(d.count !== undefined ? { count: d.count } : {}) })),
          total_amount: completion.totalAmount,
          time_range: { start_time: order.startTime, end_time: completion.endTime },
          ...(order.startLocation ? { location: { end_location: order.startLocation } } : {}),
          complete_time: toRfc3339(completion.completedAt),
        });
        expectNoContent(res, 'complete');
      }),

    registerDeduction: (order, outTradeNo) =>
      translate('create', async () => {
        await payscore.registerDeductInfo(client, order.outOrderNo, { ...parties, appid: order.appid, out_trade_no: outTradeNo });
      }),

    queryDeduction: (order) =>
      translate('query', async () => {
        const data = (await payscore.queryDeduction(client, { ...parties, appid: order.appid, out_order_no: order.outOrderNo })).data ?? {};
        return { ...(typeof data.out_trade_no === 'string' ? { outTradeNo: data.out_trade_no } : {}), ...(typeof data.description === 'string' ? { description: data.description } : {}) };
      }),
  };
}
