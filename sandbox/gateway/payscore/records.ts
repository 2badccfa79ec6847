/**
 * What the PayScore (微信支付分, acquiring-bank mode, seed 001) emulator remembers, persisted in
 * `gateway.json` under `payscore`. Field names follow the published resources (create/query
 * answers, notification plaintexts: https://wechatpay.im/openapi/v3/payscore/acquiringbank/serviceorder,
 * mirroring https://pay.weixin.qq.com/docs/partner/apis/partner-institution-weixin-pay-score/acquiring-bank-service-order/get-acquiring-bank-service-order.html),
 * kept in camelCase here and turned back into the wire names by `views.ts`.
 */

/** `state` of a service order; REVOKED/EXPIRED/DONE are final. */
export type PayScoreState = 'CREATED' | 'DOING' | 'DONE' | 'REVOKED' | 'EXPIRED';
/** `state_description`, only while DOING. */
export type PayScoreStateDescription = 'USER_CONFIRM' | 'MCH_COMPLETE';
/** `collection.state`. */
export type CollectionState = 'USER_PAYING' | 'USER_PAID';

export interface PostPayment {
  name: string;
  amount?: number;
  description?: string;
  count?: number;
}

export interface PostDiscount {
  name: string;
  description: string;
  amount?: number;
  count?: number;
}

export interface RiskFund {
  name: string;
  amount: number;
  description?: string;
}

export interface TimeRange {
  startTime: string;
  startTimeRemark?: string;
  endTime?: string;
  endTimeRemark?: string;
}

export interface ServiceLocation {
  startLocation?: string;
  endLocation?: string;
}

/**
 * One `registerdeductinfo`: the out_trade_no the institution gives the clearing institution for
 * ONE collection attempt. `pending` until the clearing stub settles it (`paid` | `failed`);
 * `held` while an admin keeps it open; `lapsed` when 24 h passed with no collection.
 */
export interface DeductRegistration {
  outTradeNo: string;
  appid: string;
  subAppid?: string;
  /** Sandbox clock ms. */
  registeredAt: number;
  expiresAt: number;
  /** When the clearing stub collects (sandbox clock ms), unless held. */
  collectAt?: number;
  /** What the clearing stub will answer when it collects (from the admin's script). */
  plan?: 'succeed' | 'fail';
  outcome: 'pending' | 'held' | 'paid' | 'failed' | 'lapsed';
  settledAt?: number;
}

/**
 * One collection. `paid_type` / `transaction_id` are optional in the published table and this
 * money moves at the clearing institution, not through a WeChat Pay transaction: left out.
 */
export interface CollectionDetail {
  seq: number;
  amount: number;
  paidTime: string;
  /** The registration it settled (not on the wire). */
  outTradeNo: string;
}

/** One transition, for the dashboard and tests: who moved the order where. */
export interface PayScoreAuditEntry {
  at: string;
  from: string;
  to: string;
  by: 'merchant' | 'user' | 'clearing' | 'clock' | 'admin';
  note?: string;
}

export interface PayScoreOrderRecord {
  /** The institution (从业机构) that signed the create request. */
  mchid: string;
  serviceId: string;
  appid: string;
  subMchid: string;
  subAppid?: string;
  channelId: string;
  outOrderNo: string;
  serviceIntroduction: string;
  postPayments: PostPayment[];
  postDiscounts: PostDiscount[];
  riskFund: RiskFund;
  timeRange: TimeRange;
  location?: ServiceLocation;
  attach?: string;
  notifyUrl: string;
  needUserConfirm: boolean;
  /** Openid given at creation (optional on the published page), else the confirming user's. */
  openid?: string;
  subOpenid?: string;
  /** 微信支付服务订单号. */
  orderId: string;
  /** For `wx.openBusinessView({businessType: 'wxpayScoreUse', extraData: {package}})`. */
  package: string;
  /** Handed to the front end when the user comes back from the confirmation page. */
  queryId: string;
  state: PayScoreState;
  stateDescription?: PayScoreStateDescription;
  totalAmount?: number;
  collectionState?: CollectionState;
  collectionDetails: CollectionDetail[];
  completeTime?: string;
  profitSharing?: boolean;
  goodsTag?: string;
  cancelReason?: string;
  /** The user closed the confirmation page without confirming (order stays CREATED). */
  userRefusedAt?: string;
  registrations: DeductRegistration[];
  /** Canonical JSON of the create request: an identical repeat succeeds, another is refused. */
  fingerprint: string;
  /** Sandbox clock ms. */
  createdAt: number;
  /** Last change (sandbox clock ms): 30 days without one turns a CREATED order EXPIRED. */
  lastActivityAt: number;
  history: PayScoreAuditEntry[];
}

/** What the admin arms the clearing stub with, consumed one registration at a time. */
export type ClearingOutcome = 'succeed' | 'fail' | 'hold';

export interface PayScoreData {
  orders: Record<string, PayScoreOrderRecord>;
  /** Scripted outcomes for the next registrations, in order; empty → succeed. */
  clearingScript: ClearingOutcome[];
  /** Admin clock advance (ms) added to Date.now() for PayScore's own deadlines. */
  clockOffsetMs: number;
}

export const emptyPayScoreData = (): PayScoreData => ({ orders: {}, clearingScript: [], clockOffsetMs: 0 });
