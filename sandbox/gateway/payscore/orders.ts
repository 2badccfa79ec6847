import { randomBytes } from 'node:crypto';
import type { GatewayContext } from '../context';
import { GatewayError, paramError } from '../http';
import { randomDigits, rfc3339China } from '../time';
import * as v from '../validate';
import { IDLE_EXPIRY_MS, REGISTRATION_LIFETIME_MS, payscoreNow, scaled } from './clock';
import * as f from './fields';
import { payscoreIdentity } from './identity';
import { notifyUserConfirm, notifyUserPaid } from './notify';
import type { DeductRegistration, PayScoreAuditEntry, PayScoreOrderRecord, PayScoreState, PayScoreStateDescription, CollectionState } from './records';

/**
 * The service-order state machine (seed 001 §3.1, PROTOCOL.md §2):
 *
 *   CREATED ─user confirms─► DOING/USER_CONFIRM ─complete─► DOING/MCH_COMPLETE (USER_PAYING)
 *   DOING/MCH_COMPLETE ─registration collected─► DONE (USER_PAID)
 *   CREATED | DOING (no live registration) ─cancel─► REVOKED
 *   CREATED ─30 idle days─► EXPIRED
 *
 * Every change goes through `moveTo`, which stamps the audit trail. Deadlines (expiry, the 24 h
 * registration, a due collection) are applied lazily by `refresh` whenever the order is read,
 * so they hold across restarts without timers.
 */

type Json = v.Json;
type By = PayScoreAuditEntry['by'];

const label = (s: PayScoreState, d?: PayScoreStateDescription, c?: CollectionState) => `${s}${s === 'DOING' && d ? `/${d}` : ''}${c ? ` (${c})` : ''}`;

function moveTo(ctx: GatewayContext, o: PayScoreOrderRecord, to: { state: PayScoreState; stateDescription?: PayScoreStateDescription; collectionState?: CollectionState }, by: By, note?: string): void {
  const from = label(o.state, o.stateDescription, o.collectionState);
  o.state = to.state;
  if (to.stateDescription) o.stateDescription = to.stateDescription;
  else delete o.stateDescription;
  if (to.collectionState) o.collectionState = to.collectionState;
  touch(ctx, o);
  o.history.push({ at: rfc3339China(), from, to: label(o.state, o.stateDescription, o.collectionState), by, ...(note ? { note } : {}) });
  ctx.log(`payscore ${o.outOrderNo}: ${from} → ${label(o.state, o.stateDescription, o.collectionState)} by ${by}${note ? ` (${note})` : ''}`);
}

function touch(ctx: GatewayContext, o: PayScoreOrderRecord): void {
  o.lastActivityAt = payscoreNow(ctx);
  ctx.state.changed();
}

/** The registration still counting: not yet collected or failed, and under 24 h old. */
export function liveRegistration(o: PayScoreOrderRecord): DeductRegistration | undefined {
  return o.registrations.find((r) => r.outcome === 'pending' || r.outcome === 'held');
}

/** Applies what time has decided: due collections, lapsed registrations, 30-day expiry. */
export function refresh(ctx: GatewayContext, o: PayScoreOrderRecord): void {
  const now = payscoreNow(ctx);
  for (const r of o.registrations) {
    if (r.outcome === 'pending' && r.collectAt !== undefined && r.collectAt <= now && r.collectAt <= r.expiresAt) settle(ctx, o, r, r.plan ?? 'succeed', 'clearing');
  }
  for (const r of o.registrations) {
    if ((r.outcome === 'pending' || r.outcome === 'held') && r.expiresAt <= now) {
      r.outcome = 'lapsed';
      r.settledAt = now;
      touch(ctx, o);
      ctx.log(`payscore ${o.outOrderNo}: registration ${r.outTradeNo} lapsed after 24 h`);
    }
  }
  if (o.state === 'CREATED' && now - o.lastActivityAt >= scaled(ctx, IDLE_EXPIRY_MS)) moveTo(ctx, o, { state: 'EXPIRED' }, 'clock', '30 天未确认');
}

export function findByOutOrderNo(ctx: GatewayContext, outOrderNo: string): PayScoreOrderRecord {
  const o = ctx.state.data.payscore.orders[outOrderNo];
  if (!o) throw f.orderNotExist();
  refresh(ctx, o);
  return o;
}

export function findByQueryId(ctx: GatewayContext, queryId: string): PayScoreOrderRecord {
  const o = Object.values(ctx.state.data.payscore.orders).find((x) => x.queryId === queryId);
  if (!o) throw f.orderNotExist();
  refresh(ctx, o);
  return o;
}

export function findByPackage(ctx: GatewayContext, pkg: string): PayScoreOrderRecord {
  const o = Object.values(ctx.state.data.payscore.orders).find((x) => x.package === pkg);
  if (!o) throw new GatewayError(404, 'ORDER_NOT_EXIST', 'package 对应的订单不存在');
  refresh(ctx, o);
  return o;
}

/**
 * service_id / sub_mchid / channel_id must be the ones this institution was onboarded with
 * (sandbox: `payscoreIdentity`); another is 403 NO_AUTH ("商户信息不合法", the PayScore common
 * error table as mirrored at https://wepay-docs.netlify.app/docs/payscore/without-confirm/users_permissions_terminate).
 */
export function checkParties(ctx: GatewayContext, src: Json, location: 'body' | 'query', channelRequired = true): void {
  const id = payscoreIdentity(ctx.keys);
  const serviceId = v.str(src.service_id, 'service_id', { maxBytes: 32 });
  const subMchid = v.str(src.sub_mchid, 'sub_mchid', { maxBytes: 32 });
  const channelId = channelRequired || src.channel_id !== undefined ? v.str(src.channel_id, 'channel_id', { maxBytes: 32 }) : undefined;
  const noAuth = (what: string) => new GatewayError(403, 'NO_AUTH', `${what} 与从业机构的支付分配置不符，无权限`, { location });
  if (serviceId !== id.serviceId) throw noAuth(`service_id ${serviceId}`);
  if (subMchid !== id.subMchid) throw noAuth(`sub_mchid ${subMchid}`);
  if (channelId !== undefined && channelId !== id.channelId) throw noAuth(`channel_id ${channelId}`);
}

const CREATE_FIELDS = [
  'service_id', 'appid', 'sub_mchid', 'sub_appid', 'channel_id', 'out_order_no', 'service_introduction', 'post_payments', 'post_discounts',
  'risk_fund', 'time_range', 'location', 'openid', 'sub_openid', 'need_user_confirm', 'notify_url', 'attach',
];

export const newOrderId = () => `1000000000${randomDigits(22)}`;
/** Opaque, ≤ 128 chars like the published `AAQTnZoAAAAB…` sample. */
export const newPackage = () => `AAQ${randomBytes(72).toString('base64url')}`;
const newQueryId = () => randomDigits(20);

/** 创建订单: a new CREATED order, or the same one again for an identical repeat. */
export function createServiceOrder(ctx: GatewayContext, signer: string, body: Json): PayScoreOrderRecord {
  v.onlyFields(body, CREATE_FIELDS);
  checkParties(ctx, body, 'body');
  const appid = v.str(body.appid, 'appid', { maxBytes: 32 });
  if (appid !== ctx.keys.appid) throw new GatewayError(400, 'PARAM_ERROR', `appid ${appid} 与从业机构商户号 ${signer} 未绑定`, { field: 'appid', location: 'body', issue: 'APPID_MCHID_NOT_MATCH' });
  const subAppid = v.optStr(body.sub_appid, 'sub_appid', { maxBytes: 32 });
  const outOrderNo = f.outOrderNo(body.out_order_no);
  const serviceIntroduction = f.serviceIntroduction(body.service_introduction);
  const postPayments = f.postPayments(body.post_payments, false);
  const postDiscounts = f.postDiscounts(body.post_discounts, 'create');
  const riskFund = f.riskFund(body.risk_fund);
  const timeRange = f.timeRange(body.time_range);
  const location = f.location(body.location);
  const openid = v.optStr(body.openid, 'openid', { maxBytes: 128 });
  const subOpenid = v.optStr(body.sub_openid, 'sub_openid', { maxBytes: 128 });
  const needUserConfirm = f.optBool(body.need_user_confirm, 'need_user_confirm') ?? true;
  const notifyUrl = v.notifyUrl(body.notify_url);
  const attach = v.optStr(body.attach, 'attach', { maxBytes: 256 });
  // Seed 001 uses need-confirm mode only; the confirm-free permission is granted at onboarding
  // and this sandbox's institution does not have it.
  if (!needUserConfirm) throw new GatewayError(403, 'NO_AUTH', '从业机构未开通免确认订单模式，need_user_confirm 须为 true');

  const print = v.fingerprint({ ...body, need_user_confirm: needUserConfirm });
  const existing = ctx.state.data.payscore.orders[outOrderNo];
  if (existing) {
    // "该接口支持原参重入,相同参数重复调用可以返回成功" (https://pay.wechatpay.cn/doc/v3/merchant/4012587900).
    if (existing.fingerprint !== print) throw f.invalidRequest('商户服务订单号重复：请确认相同单号是否使用了不同的参数');
    refresh(ctx, existing);
    return existing;
  }
  const now = payscoreNow(ctx);
  const o: PayScoreOrderRecord = {
    mchid: signer,
    serviceId: v.str(body.service_id, 'service_id'),
    appid,
    subMchid: v.str(body.sub_mchid, 'sub_mchid'),
    channelId: v.str(body.channel_id, 'channel_id'),
    outOrderNo,
    serviceIntroduction,
    postPayments,
    postDiscounts,
    riskFund,
    timeRange,
    notifyUrl,
    needUserConfirm,
    orderId: newOrderId(),
    package: newPackage(),
    queryId: newQueryId(),
    state: 'CREATED',
    collectionDetails: [],
    registrations: [],
    fingerprint: print,
    createdAt: now,
    lastActivityAt: now,
    history: [{ at: rfc3339China(), from: '', to: 'CREATED', by: 'merchant' }],
    ...(subAppid !== undefined ? { subAppid } : {}),
    ...(location ? { location } : {}),
    ...(attach !== undefined ? { attach } : {}),
    ...(openid !== undefined ? { openid } : {}),
    ...(subOpenid !== undefined ? { subOpenid } : {}),
  };
  ctx.state.data.payscore.orders[outOrderNo] = o;
  ctx.state.changed();
  ctx.log(`payscore ${outOrderNo} created (risk fund ${riskFund.amount} fen, order_id ${o.orderId})`);
  return o;
}

/** The user confirmed on the PayScore page: DOING/USER_CONFIRM and a USER_CONFIRM notification. */
export function userConfirm(ctx: GatewayContext, o: PayScoreOrderRecord, openid: string, by: By = 'user'): void {
  if (o.state !== 'CREATED') throw f.invalidOrderState(`订单状态为 ${label(o.state, o.stateDescription, o.collectionState)}，不能确认`);
  if (o.openid !== undefined && o.openid !== openid) throw new GatewayError(403, 'SANDBOX_USER_MISMATCH', `该订单创建时指定了用户 ${o.openid}，不是 ${openid}`);
  o.openid = openid;
  moveTo(ctx, o, { state: 'DOING', stateDescription: 'USER_CONFIRM' }, by);
  notifyUserConfirm(ctx, o);
}

/** The user left the page without confirming: nothing changes but the record of it. */
export function userRefuse(ctx: GatewayContext, o: PayScoreOrderRecord, by: By = 'user'): void {
  if (o.state !== 'CREATED') throw f.invalidOrderState(`订单状态为 ${label(o.state, o.stateDescription, o.collectionState)}，不能拒绝`);
  o.userRefusedAt = rfc3339China();
  o.history.push({ at: o.userRefusedAt, from: 'CREATED', to: 'CREATED', by, note: '用户未确认（拒绝）' });
  touch(ctx, o);
}

/**
 * 取消订单: CREATED or DOING (also after completion, while USER_PAYING — seed 001 §3.2.3), never
 * while a deduct registration is live (PROTOCOL.md §2 [ref]).
 */
export function cancelOrder(ctx: GatewayContext, o: PayScoreOrderRecord, reason: string): void {
  if (o.state !== 'CREATED' && o.state !== 'DOING') throw f.invalidOrderState(`订单状态为 ${o.state}，不能取消`);
  const live = liveRegistration(o);
  if (live) throw f.invalidOrderState(`扣款单 ${live.outTradeNo} 登记生效中（24 小时内），不能取消订单`);
  o.cancelReason = reason;
  moveTo(ctx, o, { state: 'REVOKED' }, 'merchant', reason);
}

export interface CompleteInput {
  postPayments: PayScoreOrderRecord['postPayments'];
  postDiscounts: PayScoreOrderRecord['postDiscounts'];
  totalAmount: number;
  timeRange?: PayScoreOrderRecord['timeRange'];
  location?: PayScoreOrderRecord['location'];
  completeTime?: string;
  profitSharing?: boolean;
  goodsTag?: string;
}

/**
 * 完结订单: only DOING/USER_CONFIRM ("前置条件：服务订单状态为“进行中”且订单状态说明需为
 * [USER_CONFIRM : 用户确认]", https://wechatpay.im/openapi/v3/payscore/acquiringbank/serviceorder/%7Bout_order_no%7D/complete).
 * total_amount = Σ post_payments.amount − Σ post_discounts.amount (PROTOCOL.md §2 [ref]; seed
 * 001's own sample breaks it) and ≤ risk_fund.amount (the brief's rule; see the reference doc).
 */
export function completeOrder(ctx: GatewayContext, o: PayScoreOrderRecord, input: CompleteInput): void {
  if (o.state !== 'DOING' || o.stateDescription !== 'USER_CONFIRM') {
    throw f.invalidOrderState(`订单状态为 ${label(o.state, o.stateDescription, o.collectionState)}，只有 DOING/USER_CONFIRM 可以完结`);
  }
  const payments = input.postPayments.reduce((sum, p) => sum + (p.amount ?? 0), 0);
  const discounts = input.postDiscounts.reduce((sum, d) => sum + (d.amount ?? 0), 0);
  if (input.totalAmount !== payments - discounts) {
    throw f.invalidRequest(`total_amount ${input.totalAmount} 不等于后付费项目金额之和 ${payments} 减商户优惠金额之和 ${discounts}（${payments - discounts}）`);
  }
  if (input.totalAmount > o.riskFund.amount) throw f.invalidRequest(`total_amount ${input.totalAmount} 超过订单风险金额 ${o.riskFund.amount}`);
  o.postPayments = input.postPayments;
  o.postDiscounts = input.postDiscounts;
  o.totalAmount = input.totalAmount;
  if (input.timeRange) o.timeRange = input.timeRange;
  if (input.location) o.location = { ...o.location, ...input.location };
  o.completeTime = input.completeTime ?? rfc3339China();
  if (input.profitSharing !== undefined) o.profitSharing = input.profitSharing;
  if (input.goodsTag !== undefined) o.goodsTag = input.goodsTag;
  if (input.totalAmount === 0) {
    // Nothing to collect (sandbox choice, see the reference doc): done at once.
    moveTo(ctx, o, { state: 'DONE', collectionState: 'USER_PAID' }, 'merchant', '完结金额 0');
    return;
  }
  moveTo(ctx, o, { state: 'DOING', stateDescription: 'MCH_COMPLETE', collectionState: 'USER_PAYING' }, 'merchant', `完结 ${input.totalAmount} 分`);
}

/**
 * 登记扣款信息: only DOING/MCH_COMPLETE ("前置条件：服务订单状态为“进行中”且订单状态说明需为
 * [MCH_COMPLETE : 商户完结]", https://wechatpay.im/openapi/v3/payscore/acquiringbank/serviceorder/%7Bout_order_no%7D/registerdeductinfo).
 * One registration = one collection attempt (PROTOCOL.md §2 [ref]): an identical repeat of the
 * live one answers the same; another while one is live, or a number already used, is refused.
 */
export function registerDeduction(ctx: GatewayContext, o: PayScoreOrderRecord, input: { outTradeNo: string; appid?: string; subAppid?: string }): { registration: DeductRegistration; repeated: boolean } {
  if (input.appid !== undefined && input.appid !== o.appid) throw f.invalidRequest(`appid ${input.appid} 与创单时的 appid ${o.appid} 不一致`);
  const same = o.registrations.find((r) => r.outTradeNo === input.outTradeNo);
  const live = liveRegistration(o);
  if (same && same === live) return { registration: same, repeated: true };
  if (o.state !== 'DOING' || o.stateDescription !== 'MCH_COMPLETE') {
    throw f.invalidOrderState(`订单状态为 ${label(o.state, o.stateDescription, o.collectionState)}，只有 DOING/MCH_COMPLETE 可以登记扣款信息`);
  }
  if (same) throw f.invalidRequest(`扣款单号 ${input.outTradeNo} 已登记过（${same.outcome}）：每次登记只能扣款一次，重试请使用新的 out_trade_no`);
  if (live) throw f.invalidOrderState(`扣款单 ${live.outTradeNo} 登记生效中，不能再登记`);
  const now = payscoreNow(ctx);
  const registration: DeductRegistration = {
    outTradeNo: input.outTradeNo,
    appid: input.appid ?? o.appid,
    ...(input.subAppid !== undefined ? { subAppid: input.subAppid } : {}),
    registeredAt: now,
    expiresAt: now + scaled(ctx, REGISTRATION_LIFETIME_MS),
    outcome: 'pending',
  };
  o.registrations.push(registration);
  o.history.push({ at: rfc3339China(), from: label(o.state, o.stateDescription, o.collectionState), to: label(o.state, o.stateDescription, o.collectionState), by: 'merchant', note: `登记扣款 ${input.outTradeNo}` });
  touch(ctx, o);
  return { registration, repeated: false };
}

/** The clearing institution's answer for one registration. */
export function settle(ctx: GatewayContext, o: PayScoreOrderRecord, r: DeductRegistration, outcome: 'succeed' | 'fail', by: By): void {
  if (r.outcome !== 'pending' && r.outcome !== 'held') throw f.invalidOrderState(`扣款单 ${r.outTradeNo} 已结束（${r.outcome}）`);
  const now = payscoreNow(ctx);
  r.settledAt = now;
  delete r.plan;
  if (outcome === 'fail' || o.state !== 'DOING' || o.stateDescription !== 'MCH_COMPLETE') {
    r.outcome = 'failed';
    o.history.push({ at: rfc3339China(), from: label(o.state, o.stateDescription, o.collectionState), to: label(o.state, o.stateDescription, o.collectionState), by, note: `扣款 ${r.outTradeNo} 失败` });
    touch(ctx, o);
    ctx.log(`payscore ${o.outOrderNo}: collection ${r.outTradeNo} failed`);
    return;
  }
  r.outcome = 'paid';
  o.collectionDetails.push({ seq: o.collectionDetails.length + 1, amount: o.totalAmount ?? 0, paidTime: rfc3339China(), outTradeNo: r.outTradeNo });
  moveTo(ctx, o, { state: 'DONE', collectionState: 'USER_PAID' }, by, `扣款 ${r.outTradeNo} 成功`);
  notifyUserPaid(ctx, o, r.outTradeNo);
}

/** The registration the deduction query reports: the latest one. */
export function latestRegistration(o: PayScoreOrderRecord): DeductRegistration | undefined {
  return o.registrations.at(-1);
}

export const missing = (field: string, location: 'body' | 'query' | 'path' = 'body') => paramError(field, '字段缺失或为空', location);
