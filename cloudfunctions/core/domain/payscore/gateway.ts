/**
 * The port the PayScore service talks to its gateway through. The domain owns it;
 * `channels/wechatpay-payscore` implements it over the acquiring-bank v3 calls. Failures are
 * channel-neutral `ChannelError`s (`notFound`, `rejected`, `unavailable`, `untrusted`, …), never a
 * gateway code.
 */
import type { PayScoreCollectionState, PayScoreLine, PayScoreOrder, PayScoreState, PayScoreStateDescription } from './model';

/** What the gateway says about a service order (query answer or notification plaintext). */
export interface PayScoreGatewayOrder {
  outOrderNo: string;
  appid: string;
  serviceId: string;
  state: PayScoreState;
  stateDescription?: PayScoreStateDescription;
  collectionState?: PayScoreCollectionState;
  /** Fen: the completed total (0 before completion). */
  totalAmount?: number;
  /** Fen collected so far. */
  paidAmount?: number;
  /** USER_PAID notifications: the deduction that paid. */
  outTradeNo?: string;
  orderId?: string;
}

export interface PayScoreCompletion {
  totalAmount: number;
  postPayments: PayScoreLine[];
  postDiscounts: PayScoreLine[];
  /** yyyyMMddHHmmss (Beijing). */
  endTime: string;
  completedAt: number;
}

export interface PayScoreGateway {
  /** The service id this merchant was onboarded with (notifications must name it). */
  readonly serviceId: string;
  /** Places the order (need-confirm mode); an identical repeat answers the same order. */
  create(order: PayScoreOrder, openid: string): Promise<{ orderId: string; package: string }>;
  query(outOrderNo: string): Promise<PayScoreGatewayOrder>;
  cancel(order: PayScoreOrder, reason: string): Promise<void>;
  complete(order: PayScoreOrder, completion: PayScoreCompletion): Promise<void>;
  registerDeduction(order: PayScoreOrder, outTradeNo: string): Promise<void>;
  queryDeduction(order: PayScoreOrder): Promise<{ outTradeNo?: string; description?: string }>;
}
