/**
 * The PayScore service (先享后付, seed 001): create, query, cancel for the user who created the
 * service order; complete (the final amount), register and query deductions for admins;
 * notifications and reconcile for the gateway's side. Every rule is checked before the gateway is
 * asked (`rules.ts`); every state change goes through the ledger loop (read → transition →
 * compare-and-set, audit entry in the same write). What the page is told always comes from the
 * gateway's answer, never from the client's openBusinessView result.
 */
import type { PayScoreCreateRequest, PayScoreCompleteRequest, PayScoreView } from '../../../../typings/api';
import { isChannelError, toChannelAppError, type ChannelNotification } from '../../channels/port';
import { AppError } from '../../kernel/errors';
import { crashPoint } from '../../kernel/platform/crash-point';
import type { Caller } from '../../kernel/platform/identity';
import type { NotificationLog, PayScoreRepository } from '../../store/port';
import { isStoreError } from '../../store/port';
import { applyToLedger, type LedgerOutcome } from '../ledger';
import type { NotificationOutcome } from '../notifications';
import type { PayScoreGateway, PayScoreGatewayOrder } from './gateway';
import { FINAL_PAYSCORE_STATES, type PayScoreActor, type PayScoreAuditEntry, type PayScoreOrder } from './model';
import { CREATED_WINDOW_MS, DEDUCTION_LIFETIME_MS, checkAppid, checkCancellable, checkCompletion, checkDeductionQuery, checkRegistration } from './rules';
import { transitionPayScore, type PayScoreEvent, type PayScoreRejection } from './state-machine';

export interface PayScoreDeps {
  store: PayScoreRepository & NotificationLog;
  gateway: PayScoreGateway;
  config: {
    appid: string;
    admins: readonly string[];
    /** Largest risk fund a user may confirm (the merchant's amount limit). */
    maxRiskFundFen: number;
    /** A CREATED or collecting order unchanged this long is asked about at the gateway. */
    staleAfterMs: number;
    batchSize: number;
  };
  now?: () => number;
  log?: (line: string) => void;
}

export interface PayScoreReconcileReport {
  queried: number;
  confirmed: number;
  paid: number;
  expired: number;
  revoked: number;
  failed: number;
}

export type PayScoreService = ReturnType<typeof createPayScoreService>;

const BEIJING_OFFSET_MS = 8 * 3600_000;
/** yyyyMMddHHmmss in Beijing time, as every published `time_range` sample writes it. */
export function serviceTime(ms: number): string {
  return new Date(ms + BEIJING_OFFSET_MS).toISOString().replace(/[-:T]/g, '').slice(0, 14);
}

export function createPayScoreService(deps: PayScoreDeps) {
  const { store, gateway, config } = deps;
  const now = deps.now ?? Date.now;
  const log = deps.log ?? ((line: string) => console.log(`[payscore] ${line}`));
  const isAdmin = (openid: string) => config.admins.includes(openid);

  const apply = (outOrderNo: string, event: PayScoreEvent, actor: PayScoreActor): Promise<LedgerOutcome<PayScoreOrder, PayScoreAuditEntry, PayScoreRejection>> =>
    applyToLedger(
      {
        describe: `payscore ${outOrderNo}: ${event.type}`,
        read: () => store.getPayScoreOrder(outOrderNo),
        decide: (order, at) => transitionPayScore(order, event, at, actor),
        write: (next, expectedVersion) => store.updatePayScoreOrder(next, expectedVersion),
      },
      { now },
    );

  /** Applies and answers the order, or the rejection as an app error. */
  async function applyOrThrow(outOrderNo: string, event: PayScoreEvent, actor: PayScoreActor): Promise<PayScoreOrder> {
    const outcome = await apply(outOrderNo, event, actor);
    if (outcome.kind === 'notFound') throw new AppError('NOT_FOUND', `no service order ${outOrderNo}`);
    if (outcome.kind === 'rejected') throw new AppError('INVALID_STATE', outcome.message);
    return outcome.record;
  }

  async function load(outOrderNo: string): Promise<PayScoreOrder> {
    const order = await store.getPayScoreOrder(outOrderNo);
    if (!order) throw new AppError('NOT_FOUND', `no service order ${outOrderNo}`);
    return order;
  }

  /** The user's own order; admins see every order. Someone else's is NOT_FOUND (no probing). */
  async function visibleTo(caller: Caller, outOrderNo: string): Promise<PayScoreOrder> {
    const order = await load(outOrderNo);
    if (order.userOpenid !== caller.openid && !isAdmin(caller.openid)) throw new AppError('NOT_FOUND', `no service order ${outOrderNo}`);
    return order;
  }

  function requireAdmin(caller: Caller, what: string): void {
    if (!isAdmin(caller.openid)) throw new AppError('FORBIDDEN', `${what} is the merchant's act: admins only`);
  }

  const gatewayError = (what: string) => (error: unknown): never => {
    throw toChannelAppError(error, what);
  };

  /** The events that bring our record to what the gateway says, in order. */
  function catchUp(order: PayScoreOrder, g: PayScoreGatewayOrder): PayScoreEvent[] {
    const events: PayScoreEvent[] = [];
    if (order.state === 'CREATED' && (g.state === 'DOING' || g.state === 'DONE')) events.push({ type: 'CONFIRMED' });
    if (g.state === 'DONE' && g.collectionState === 'USER_PAID' && order.completion && order.completion.totalAmount > 0) {
      events.push({ type: 'PAID', paidAmount: g.paidAmount ?? g.totalAmount ?? -1, ...(g.outTradeNo ? { outTradeNo: g.outTradeNo } : {}) });
    }
    if (g.state === 'REVOKED') events.push({ type: 'CANCELLED', reason: order.cancelReason ?? 'revoked at the gateway' });
    if (g.state === 'EXPIRED') events.push({ type: 'EXPIRED' });
    return events;
  }

  /** Asks the gateway and applies what it says. */
  async function syncWithGateway(order: PayScoreOrder, actor: PayScoreActor): Promise<PayScoreOrder> {
    if (FINAL_PAYSCORE_STATES.includes(order.state)) return order;
    return applyGatewayAnswer(order, await gateway.query(order.outOrderNo).catch(gatewayError('query service order')), actor);
  }

  async function applyGatewayAnswer(order: PayScoreOrder, g: PayScoreGatewayOrder, actor: PayScoreActor): Promise<PayScoreOrder> {
    if (g.appid !== order.appid || g.outOrderNo !== order.outOrderNo) throw new AppError('GATEWAY_UNTRUSTED', `the gateway's answer for ${order.outOrderNo} names another order or appid`);
    let current = order;
    for (const event of catchUp(current, g)) {
      const outcome = await apply(order.outOrderNo, event, actor);
      if (outcome.kind === 'applied' || outcome.kind === 'alreadyApplied') current = outcome.record;
      else if (outcome.kind === 'rejected') log(`${order.outOrderNo}: gateway says ${g.state}, not applied: ${outcome.message}`);
    }
    return current;
  }

  function view(order: PayScoreOrder, caller: Caller): PayScoreView {
    return {
      outOrderNo: order.outOrderNo,
      state: order.state,
      ...(order.state === 'DOING' && order.stateDescription ? { stateDescription: order.stateDescription } : {}),
      ...(order.collectionState ? { collectionState: order.collectionState } : {}),
      serviceIntroduction: order.serviceIntroduction,
      riskFund: order.riskFund,
      postPayments: order.completion?.postPayments ?? order.postPayments,
      postDiscounts: order.completion?.postDiscounts ?? order.postDiscounts,
      ...(order.completion ? { totalAmount: order.completion.totalAmount } : {}),
      ...(order.paidAmount !== undefined ? { paidAmount: order.paidAmount } : {}),
      ...(order.cancelReason ? { cancelReason: order.cancelReason } : {}),
      createdAt: order.createdAt,
      updatedAt: order.updatedAt,
      ...(order.state === 'CREATED' && order.package && order.userOpenid === caller.openid ? { confirm: { businessType: 'wxpayScoreUse' as const, extraData: { package: order.package } } } : {}),
    };
  }

  async function create(caller: Caller, request: PayScoreCreateRequest): Promise<{ order: PayScoreView }> {
    if (caller.appid !== config.appid) throw new AppError('PAYSCORE_APPID_MISMATCH', `PayScore is offered in the mini-program ${config.appid} only`);
    if (request.riskFund.amount > config.maxRiskFundFen) throw new AppError('AMOUNT_OUT_OF_RANGE', `riskFund.amount ${request.riskFund.amount} is above the merchant's limit ${config.maxRiskFundFen}`);
    const existing = await store.getPayScoreOrder(request.outOrderNo);
    if (existing) {
      // A retry of the same create answers the same order; the number is someone else's otherwise.
      if (existing.userOpenid !== caller.openid) throw new AppError('FORBIDDEN', `service order number ${request.outOrderNo} is taken`);
      return { order: view(existing, caller) };
    }
    const at = now();
    const draft: PayScoreOrder = {
      outOrderNo: request.outOrderNo,
      userOpenid: caller.openid,
      appid: config.appid,
      serviceIntroduction: request.serviceIntroduction,
      riskFund: request.riskFund,
      postPayments: request.postPayments,
      postDiscounts: request.postDiscounts ?? [],
      startTime: serviceTime(at),
      ...(request.startLocation ? { startLocation: request.startLocation } : {}),
      state: 'CREATED',
      deductions: [],
      createdAt: at,
      updatedAt: at,
      version: 1,
      history: [{ at, from: null, to: 'CREATED', event: 'CREATED', actor: 'user' }],
    };
    // The gateway first: a failed create writes nothing, and an identical repeat (same number,
    // same parameters) is answered with the same order by the gateway ("支持原参重入").
    const placed = await gateway.create(draft, caller.openid).catch(gatewayError('create service order'));
    crashPoint('payscore.create:after-gateway');
    const order: PayScoreOrder = { ...draft, orderId: placed.orderId, package: placed.package };
    try {
      await store.insertPayScoreOrder(order);
    } catch (error) {
      if (!isStoreError(error, 'DUPLICATE')) throw error;
      return { order: view(await visibleTo(caller, request.outOrderNo), caller) };
    }
    log(`${order.outOrderNo}: created, risk fund ${order.riskFund.amount} fen`);
    crashPoint('payscore.create:after-store');
    return { order: view(order, caller) };
  }

  async function query(caller: Caller, outOrderNo: string): Promise<{ order: PayScoreView }> {
    const order = await visibleTo(caller, outOrderNo);
    return { order: view(await syncWithGateway(order, 'query'), caller) };
  }

  async function cancel(caller: Caller, outOrderNo: string, reason: string): Promise<{ order: PayScoreView }> {
    let order = await visibleTo(caller, outOrderNo);
    const admin = isAdmin(caller.openid);
    checkAppid(order, caller.appid);
    // A confirmation may have happened without a notification yet: ask before cancelling.
    order = await syncWithGateway(order, 'query');
    checkCancellable(order, now());
    if (!admin && order.state !== 'CREATED') throw new AppError('INVALID_STATE', `service order ${outOrderNo} is confirmed: only the merchant can cancel it now`);
    await gateway.cancel(order, reason).catch(gatewayError('cancel service order'));
    return { order: view(await applyOrThrow(outOrderNo, { type: 'CANCELLED', reason }, admin ? 'admin' : 'user'), caller) };
  }

  async function complete(caller: Caller, request: PayScoreCompleteRequest): Promise<{ order: PayScoreView }> {
    requireAdmin(caller, 'completing a service order');
    let order = await load(request.outOrderNo);
    checkAppid(order, caller.appid);
    const input = { totalAmount: request.totalAmount, postPayments: request.postPayments, postDiscounts: request.postDiscounts ?? [] };
    checkCompletion(order, input);
    if (order.completion) {
      if (order.completion.totalAmount !== request.totalAmount) throw new AppError('INVALID_STATE', `service order ${order.outOrderNo} was completed at ${order.completion.totalAmount} fen already`);
      return { order: view(order, caller) };
    }
    if (order.state === 'CREATED') order = await syncWithGateway(order, 'query');
    if (order.state !== 'DOING' || order.stateDescription !== 'USER_CONFIRM') {
      throw new AppError('INVALID_STATE', `service order ${order.outOrderNo} is ${order.state}: only a confirmed order in service (DOING/USER_CONFIRM) can be completed`);
    }
    const at = now();
    const completion = { ...input, endTime: serviceTime(at), completedAt: at };
    await gateway.complete(order, completion).catch((error: unknown) => completedAlready(order, input.totalAmount, error));
    crashPoint('payscore.complete:after-gateway');
    const done = await applyOrThrow(order.outOrderNo, { type: 'COMPLETED', totalAmount: input.totalAmount, postPayments: input.postPayments, postDiscounts: input.postDiscounts, endTime: completion.endTime }, 'admin');
    log(`${order.outOrderNo}: completed at ${input.totalAmount} fen`);
    crashPoint('payscore.complete:after-store');
    return { order: view(done, caller) };
  }

  /**
   * A completion refused because the gateway has it already: ours whose answer was lost (the
   * function died after the gateway completed, before our write; a retry is refused as
   * INVALID_ORDER_STATE). The gateway's record decides: completed (MCH_COMPLETE or DONE) at the
   * same total, this completion is the one it holds and is recorded now; otherwise the refusal stands.
   */
  async function completedAlready(order: PayScoreOrder, totalAmount: number, error: unknown): Promise<void> {
    const refusal = toChannelAppError(error, 'complete service order');
    if (refusal.code === 'GATEWAY_UNAVAILABLE') throw refusal;
    const g = await gateway.query(order.outOrderNo).catch(() => undefined);
    const completedThere = g !== undefined && g.appid === order.appid && ((g.state === 'DOING' && g.stateDescription === 'MCH_COMPLETE') || g.state === 'DONE');
    if (!completedThere || g.totalAmount !== totalAmount) throw refusal;
    log(`${order.outOrderNo}: completed at the gateway already (${totalAmount} fen): recorded`);
  }

  async function registerDeduction(caller: Caller, outOrderNo: string, outTradeNo: string): Promise<{ order: PayScoreView }> {
    requireAdmin(caller, 'registering a deduction');
    let order = await load(outOrderNo);
    checkAppid(order, caller.appid);
    checkRegistration(order, outTradeNo);
    await gateway.registerDeduction(order, outTradeNo).catch(gatewayError('register deduction'));
    const outcome = await apply(outOrderNo, { type: 'DEDUCTION_REGISTERED', outTradeNo, lifetimeMs: DEDUCTION_LIFETIME_MS }, 'admin');
    if (outcome.kind === 'rejected') throw new AppError(outcome.rejected === 'DEDUCTION_REUSED' ? 'PAYSCORE_DEDUCTION_REUSED' : 'INVALID_STATE', outcome.message);
    if (outcome.kind === 'notFound') throw new AppError('NOT_FOUND', `no service order ${outOrderNo}`);
    order = outcome.record;
    return { order: view(order, caller) };
  }

  async function queryDeduction(caller: Caller, outOrderNo: string): Promise<{ order: PayScoreView; outTradeNo?: string; description?: string }> {
    requireAdmin(caller, 'querying a deduction');
    let order = await load(outOrderNo);
    checkAppid(order, caller.appid);
    order = await syncWithGateway(order, 'query');
    checkDeductionQuery(order);
    const answer = await gateway.queryDeduction(order).catch(gatewayError('query deduction'));
    return { order: view(order, caller), ...(answer.outTradeNo ? { outTradeNo: answer.outTradeNo } : {}), ...(answer.description ? { description: answer.description } : {}) };
  }

  /** A verified PAYSCORE.USER_CONFIRM / PAYSCORE.USER_PAID, checked against the stored order and applied once. */
  async function applyNotification(event: Extract<ChannelNotification, { kind: 'payscore' }>): Promise<NotificationOutcome> {
    const reject = (status: 400 | 404 | 409, code: string, message: string): NotificationOutcome => {
      log(`notification ${event.notificationId} rejected: ${code} ${message}`);
      return { status, result: 'rejected', code, message };
    };
    const g = event.order;
    const order = await store.getPayScoreOrder(g.outOrderNo);
    if (!order) return reject(404, 'ORDER_NOT_FOUND', `no service order ${g.outOrderNo}`);
    if (g.appid !== order.appid) return reject(400, 'APPID_MISMATCH', `appid ${g.appid} is not the order's`);
    if (g.serviceId !== gateway.serviceId) return reject(400, 'SERVICE_MISMATCH', `service_id ${g.serviceId} is not this merchant's`);
    let payscoreEvent: PayScoreEvent;
    if (event.eventType === 'USER_CONFIRM') {
      if (g.state !== 'DOING' && g.state !== 'DONE') return reject(400, 'NOT_A_RESULT', `USER_CONFIRM for ${g.outOrderNo} in state ${g.state}`);
      payscoreEvent = { type: 'CONFIRMED' };
    } else {
      if (g.state !== 'DONE' || g.collectionState !== 'USER_PAID') return reject(400, 'NOT_A_RESULT', `USER_PAID for ${g.outOrderNo} in state ${g.state}`);
      if (g.paidAmount === undefined) return reject(400, 'AMOUNT_MISMATCH', `USER_PAID for ${g.outOrderNo} carries no paid amount`);
      payscoreEvent = { type: 'PAID', paidAmount: g.paidAmount, ...(g.outTradeNo ? { outTradeNo: g.outTradeNo } : {}) };
    }
    const outcome = await apply(g.outOrderNo, payscoreEvent, 'notify');
    if (outcome.kind === 'notFound') return reject(404, 'ORDER_NOT_FOUND', `no service order ${g.outOrderNo}`);
    if (outcome.kind === 'rejected') return reject(outcome.rejected === 'AMOUNT_MISMATCH' ? 400 : 409, outcome.rejected, outcome.message);
    crashPoint('notify:after-apply');
    // Recorded after the fact is applied (the CAS, not this record, makes it exactly-once).
    const first = await store.recordNotification(event.notificationId, { eventType: `PAYSCORE.${event.eventType}`, receivedAt: now(), outTradeNo: g.outOrderNo });
    return { status: 204, result: outcome.kind === 'applied' && first ? 'applied' : 'duplicate' };
  }

  /**
   * Recovery by query: CREATED orders (a lost confirmation; expiry after 30 days) and orders
   * being collected (a lost USER_PAID) nobody heard about for `staleAfterMs`.
   */
  async function reconcile(): Promise<PayScoreReconcileReport> {
    const report: PayScoreReconcileReport = { queried: 0, confirmed: 0, paid: 0, expired: 0, revoked: 0, failed: 0 };
    const olderThan = now() - config.staleAfterMs;
    const candidates = [
      ...(await store.listPayScoreOrdersInState('CREATED', { olderThan, limit: config.batchSize })),
      ...(await store.listPayScoreOrdersInState('DOING', { olderThan, limit: config.batchSize })).filter((o) => o.collectionState === 'USER_PAYING'),
    ];
    for (const order of candidates) {
      report.queried++;
      try {
        let answer: PayScoreGatewayOrder;
        try {
          answer = await gateway.query(order.outOrderNo);
        } catch (error) {
          // The gateway does not know an order we placed longer ago than its window: it is over.
          if (isChannelError(error, 'notFound') && order.state === 'CREATED' && now() - order.createdAt >= CREATED_WINDOW_MS) {
            if ((await apply(order.outOrderNo, { type: 'EXPIRED' }, 'reconcile')).kind === 'applied') report.expired++;
            continue;
          }
          throw toChannelAppError(error, 'query service order');
        }
        const after = await applyGatewayAnswer(order, answer, 'reconcile');
        if (order.state === 'CREATED' && (after.state === 'DOING' || after.state === 'DONE')) report.confirmed++;
        if (after.state === 'DONE' && order.state !== 'DONE' && after.collectionState === 'USER_PAID') report.paid++;
        if (after.state === 'EXPIRED') report.expired++;
        if (after.state === 'REVOKED') report.revoked++;
      } catch (error) {
        report.failed++;
        log(`reconcile ${order.outOrderNo}: ${(error as Error).message}`);
      }
    }
    return report;
  }

  return { create, query, cancel, complete, registerDeduction, queryDeduction, applyNotification, reconcile };
}
