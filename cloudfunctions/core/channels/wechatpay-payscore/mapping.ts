/**
 * PayScore wire ⇄ domain vocabulary: a query answer or a notification plaintext (the same shape:
 * https://wechatpay.im/openapi/v3/payscore/acquiringbank/serviceorder#get,
 * https://wechatpay.im/webhook/v3/PAYSCORE.USER_CONFIRM, …/PAYSCORE.USER_PAID) → `PayScoreGatewayOrder`.
 * Anything the domain would branch on must be present and well-typed, or the answer is malformed.
 */
import { WechatPayError } from '../../gateways/wechatpay/errors';
import type { ServiceOrder } from '../../gateways/wechatpay/v3/payscore';
import type { PayScoreGatewayOrder } from '../../domain/payscore/gateway';

const STATES = ['CREATED', 'DOING', 'DONE', 'REVOKED', 'EXPIRED'] as const;
const DESCRIPTIONS = ['USER_CONFIRM', 'MCH_COMPLETE'] as const;
const COLLECTION = ['USER_PAYING', 'USER_PAID'] as const;

const fen = (value: unknown): number | undefined => (Number.isSafeInteger(value) && (value as number) >= 0 ? (value as number) : undefined);

/** Loose on purpose: a notification's plaintext is typed with plain strings. */
export function payscoreOrderOf(data: { [K in keyof ServiceOrder]?: unknown } & { collection?: { state?: unknown; total_amount?: unknown; paid_amount?: unknown } }): PayScoreGatewayOrder {
  const { out_order_no: outOrderNo, appid, service_id: serviceId, state } = data;
  if (typeof outOrderNo !== 'string' || typeof appid !== 'string' || typeof serviceId !== 'string') {
    throw new WechatPayError('RESPONSE_MALFORMED', 'service order lacks out_order_no, appid or service_id');
  }
  if (!STATES.includes(state as (typeof STATES)[number])) throw new WechatPayError('RESPONSE_MALFORMED', `unknown service order state ${String(state)}`);
  const description = DESCRIPTIONS.find((d) => d === data.state_description);
  const collectionState = COLLECTION.find((c) => c === data.collection?.state);
  const totalAmount = fen(data.collection?.total_amount ?? data.total_amount);
  const paidAmount = fen(data.collection?.paid_amount);
  return {
    outOrderNo,
    appid,
    serviceId,
    state: state as PayScoreGatewayOrder['state'],
    ...(state === 'DOING' && description ? { stateDescription: description } : {}),
    ...(collectionState ? { collectionState } : {}),
    ...(totalAmount !== undefined ? { totalAmount } : {}),
    ...(paidAmount !== undefined ? { paidAmount } : {}),
    ...(typeof data.out_trade_no === 'string' ? { outTradeNo: data.out_trade_no } : {}),
    ...(typeof data.order_id === 'string' ? { orderId: data.order_id } : {}),
  };
}
