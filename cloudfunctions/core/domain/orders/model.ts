/**
 * The order and refund records as the store keeps them. Money is integer fen, times are ms since
 * the epoch; ISO strings appear only in `OrderView`, the page-facing projection.
 *
 * Records are plain JSON-safe objects (no classes, no Dates) so every store adapter can persist
 * them as documents or JSON columns without a mapper.
 */
import type { OrderState, OrderView, PayChannel } from '../../../../typings/api';
import { PAY_CHANNELS } from '../../../../typings/pay-channels';

export type { OrderState, PayChannel };
/** Names a stored record may carry: the one list in `channels/names.ts`. */
export { PAY_CHANNELS };

export const ORDER_STATES: readonly OrderState[] = ['CREATED', 'PAYING', 'PAID', 'CLOSED', 'FAILED', 'REFUNDING', 'REFUNDED'];

/** Gateway trade states of a combine sub-order (v3 `trade_state`). */
export type SubOrderState = 'NOTPAY' | 'USERPAYING' | 'SUCCESS' | 'CLOSED' | 'PAYERROR' | 'REVOKED' | 'REFUND';

/** One sub-order of a combine (合单) order: money going to one individual payee. */
export interface SubOrder {
  /** Platform mchid bound to the appid. */
  mchid: string;
  outTradeNo: string;
  /** fen */
  amount: number;
  individualAuthId: string;
  description: string;
  state: SubOrderState;
  transactionId?: string;
}

export type RefundState = 'PROCESSING' | 'SUCCESS' | 'ABNORMAL' | 'CLOSED';

/**
 * The order's own ledger of refunds started against it. It is what lets the state machine know
 * the in-flight amount without reading the refunds collection, and detect an already-applied
 * refund result. The `Refund` record remains the source for the gateway-facing details.
 */
export interface RefundEntry {
  outRefundNo: string;
  /** fen */
  amount: number;
  /**
   * FAILED: closed or refused, the money stayed with the merchant. ABNORMAL: the gateway could not
   * deliver it (the payer's card was cancelled or frozen) and a person must re-route it in the
   * merchant platform — the money is neither refunded nor refundable again, so it stays reserved.
   */
  state: 'PROCESSING' | 'SUCCESS' | 'FAILED' | 'ABNORMAL';
}

/** Ledger states whose money is on its way out: reserved, not refundable again. */
export const OPEN_REFUND_STATES: ReadonlySet<RefundEntry['state']> = new Set(['PROCESSING', 'ABNORMAL']);

export interface Order {
  /** Our order number (for combine orders: the combine_out_trade_no when there is no other). */
  outTradeNo: string;
  channel: PayChannel;
  /** fen, positive integer */
  amount: number;
  currency: 'CNY';
  description: string;
  state: OrderState;
  /** Starts at 1, +1 on every change; the compare-and-set token. */
  version: number;
  payerOpenid: string;
  /** The appid the order was created with; the pay sign must use the same one (seed 000). */
  appid: string;
  mchid: string;
  /** Client-generated; unique per payer. */
  idempotencyKey: string;
  createdAt: number;
  updatedAt: number;
  /** After this the order can no longer be paid. */
  expiresAt: number;
  prepayId?: string;
  /**
   * When the gateway's answer to the create arrived. The gateway counts its close interval from
   * its own creation, which is after our `createdAt` and before this: closes count from here, so
   * a slow create (retries, load) cannot make a close too early for the gateway.
   */
  placedAt?: number;
  transactionId?: string;
  paidAt?: number;
  /** fen refunded successfully so far. */
  refundedAmount: number;
  refunds: RefundEntry[];
  /** Why the order is FAILED/CLOSED, when worth showing. */
  reason?: string;
  /** Combine orders: who receives the money. */
  payee?: { openid: string; displayName: string };
  combineOutTradeNo?: string;
  /** The gateway's id of a combine order, stored once known (notification or query); never changes after. */
  combineTransactionId?: string;
  subOrders?: SubOrder[];
  /** The payer's IP from the platform (CLIENTIP), for the gateway's scene_info. */
  payerClientIp?: string;
  /** Set when a verified payment arrived after the order was closed: it is refunded automatically. */
  paidAfterClose?: true;
  /** Payment parameters the gateway issues only once (Huifu `pay_info`), handed back on a retried create. */
  issuedPayment?: import('../../../../typings/api').ClientPaymentParams;
  /** fen that reached the merchant's account, as the gateway reports it once paid (Huifu `settlement_amt`). */
  settlementAmount?: number;
  /** fen the gateway kept as its fee (Huifu `fee_amount`). */
  feeAmount?: number;
}

export interface Refund {
  outRefundNo: string;
  outTradeNo: string;
  /** fen */
  amount: number;
  state: RefundState;
  version: number;
  /** The gateway's refund id, once known. */
  refundId?: string;
  createdAt: number;
  updatedAt: number;
  /** When the gateway reported SUCCESS. */
  succeededAt?: number;
  /** Sent to the gateway as `reason` (shown to the payer); part of the body every re-send repeats. */
  reason?: string;
  /** Why it ended CLOSED without the gateway taking it (the gateway's refusal code), when it did. */
  failure?: string;
}

/** Who caused a change: the source of the fact, not the code path. */
export type AuditActor = 'notify' | 'query' | 'reconcile' | 'user' | 'admin';

/** One line of an order's append-only history. */
export interface AuditEvent {
  at: number;
  outTradeNo: string;
  /** null for the creation entry. */
  from: OrderState | null;
  to: OrderState;
  /** `ORDER_CREATED` or an `OrderEvent` type. */
  event: string;
  actor: AuditActor;
  /** Event facts worth keeping (ids, amounts, reasons). Never openids or auth ids. */
  detail: Record<string, string | number | boolean | null>;
}

/** Projection for pages: no openids, auth ids, prepay ids, mchids or appids. */
export function toOrderView(order: Order): OrderView {
  const view: OrderView = {
    outTradeNo: order.outTradeNo,
    channel: order.channel,
    amount: order.amount,
    description: order.description,
    state: order.state,
    createdAt: new Date(order.createdAt).toISOString(),
    expiresAt: new Date(order.expiresAt).toISOString(),
    refundedAmount: order.refundedAmount,
  };
  if (order.paidAt !== undefined) view.paidAt = new Date(order.paidAt).toISOString();
  if (order.transactionId !== undefined) view.transactionId = order.transactionId;
  if (order.payee) view.payee = { displayName: order.payee.displayName };
  if (order.reason !== undefined && (order.state === 'FAILED' || order.state === 'CLOSED')) view.reason = order.reason;
  return view;
}

/** fen still refundable: paid amount minus what was refunded and what is being refunded. */
export function refundableAmount(order: Order): number {
  const inFlight = order.refunds.filter((r) => OPEN_REFUND_STATES.has(r.state)).reduce((sum, r) => sum + r.amount, 0);
  return order.amount - order.refundedAmount - inFlight;
}

export function isPositiveFen(value: unknown): value is number {
  return typeof value === 'number' && Number.isSafeInteger(value) && value > 0;
}
function isFen(value: unknown): value is number {
  return typeof value === 'number' && Number.isSafeInteger(value) && value >= 0;
}
function isTime(value: unknown): value is number {
  return typeof value === 'number' && Number.isSafeInteger(value) && value > 0;
}
function isText(value: unknown): value is string {
  return typeof value === 'string' && value.length > 0;
}

/**
 * Structural problems of an order record, empty when it is sound. Stores refuse to write a record
 * with problems, so a bug upstream cannot persist fractional fen or a broken version.
 */
export function orderProblems(order: Order): string[] {
  const problems: string[] = [];
  const o = order as unknown as Record<string, unknown>;
  for (const key of ['outTradeNo', 'payerOpenid', 'appid', 'mchid', 'idempotencyKey'] as const) {
    if (!isText(o[key])) problems.push(`${key} must be a non-empty string`);
  }
  if (typeof o.description !== 'string') problems.push('description must be a string');
  if (!PAY_CHANNELS.includes(order.channel)) problems.push(`channel ${String(order.channel)} is unknown`);
  if (!ORDER_STATES.includes(order.state)) problems.push(`state ${String(order.state)} is unknown`);
  if (order.currency !== 'CNY') problems.push('currency must be CNY');
  if (!isPositiveFen(order.amount)) problems.push('amount must be a positive integer (fen)');
  if (!isFen(order.refundedAmount)) problems.push('refundedAmount must be a non-negative integer (fen)');
  else if (isPositiveFen(order.amount) && order.refundedAmount > order.amount) problems.push('refundedAmount exceeds amount');
  if (!Number.isSafeInteger(order.version) || order.version < 1) problems.push('version must be an integer >= 1');
  for (const key of ['createdAt', 'updatedAt', 'expiresAt'] as const) {
    if (!isTime(order[key])) problems.push(`${key} must be a ms epoch integer`);
  }
  if (order.paidAt !== undefined && !isTime(order.paidAt)) problems.push('paidAt must be a ms epoch integer');
  if (order.placedAt !== undefined && !isTime(order.placedAt)) problems.push('placedAt must be a ms epoch integer');
  if (order.combineTransactionId !== undefined && !isText(order.combineTransactionId)) problems.push('combineTransactionId must be a non-empty string');
  for (const key of ['settlementAmount', 'feeAmount'] as const) {
    if (order[key] !== undefined && !isFen(order[key])) problems.push(`${key} must be a non-negative integer (fen)`);
  }
  if (!Array.isArray(order.refunds)) problems.push('refunds must be an array');
  else if (order.refunds.some((r) => !isText(r.outRefundNo) || !isPositiveFen(r.amount))) problems.push('refunds entries need outRefundNo and positive fen');
  if (order.subOrders !== undefined) {
    if (!Array.isArray(order.subOrders)) problems.push('subOrders must be an array');
    else if (order.subOrders.some((s) => !isText(s.outTradeNo) || !isText(s.mchid) || !isPositiveFen(s.amount))) {
      problems.push('subOrders entries need outTradeNo, mchid and positive fen');
    }
  }
  if (order.payee !== undefined && (!isText(order.payee.openid) || typeof order.payee.displayName !== 'string')) {
    problems.push('payee needs openid and displayName');
  }
  return problems;
}

export function refundProblems(refund: Refund): string[] {
  const problems: string[] = [];
  if (!isText(refund.outRefundNo)) problems.push('outRefundNo must be a non-empty string');
  if (!isText(refund.outTradeNo)) problems.push('outTradeNo must be a non-empty string');
  if (!isPositiveFen(refund.amount)) problems.push('amount must be a positive integer (fen)');
  if (!['PROCESSING', 'SUCCESS', 'ABNORMAL', 'CLOSED'].includes(refund.state)) problems.push(`state ${String(refund.state)} is unknown`);
  if (!Number.isSafeInteger(refund.version) || refund.version < 1) problems.push('version must be an integer >= 1');
  if (!isTime(refund.createdAt) || !isTime(refund.updatedAt)) problems.push('createdAt/updatedAt must be ms epoch integers');
  return problems;
}

/** What the order service decides when it creates an order; the rest starts at fixed values. */
export type NewOrderInput = Pick<
  Order,
  'outTradeNo' | 'channel' | 'amount' | 'description' | 'payerOpenid' | 'appid' | 'mchid' | 'idempotencyKey' | 'expiresAt'
> &
  Partial<Pick<Order, 'payee' | 'combineOutTradeNo' | 'subOrders' | 'payerClientIp'>>;

/** A fresh order in state CREATED, version 1. Throws (code INVALID_RECORD) when unsound. */
export function newOrderRecord(input: NewOrderInput, now: number): Order {
  const order: Order = { ...input, currency: 'CNY', state: 'CREATED', version: 1, createdAt: now, updatedAt: now, refundedAmount: 0, refunds: [] };
  const problems = orderProblems(order);
  if (problems.length) throw new InvalidRecordError(`order ${String(input.outTradeNo)}: ${problems.join('; ')}`);
  return order;
}

export function newRefundRecord(input: Pick<Refund, 'outRefundNo' | 'outTradeNo' | 'amount'> & { reason?: string }, now: number): Refund {
  const refund: Refund = { ...input, state: 'PROCESSING', version: 1, createdAt: now, updatedAt: now };
  const problems = refundProblems(refund);
  if (problems.length) throw new InvalidRecordError(`refund ${String(input.outRefundNo)}: ${problems.join('; ')}`);
  return refund;
}

export class InvalidRecordError extends Error {
  readonly code = 'INVALID_RECORD' as const;
  constructor(message: string) {
    super(message);
    this.name = 'InvalidRecordError';
  }
}
