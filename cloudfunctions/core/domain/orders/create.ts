/**
 * `pay.create`: a payment request becomes an order (once per idempotency key), is placed through
 * its channel and answered with the parameters of its cashier. A retried create resumes the same
 * order; a final refusal marks it FAILED; an unavailable gateway leaves it CREATED for a retry.
 */
import type { PayCreateRequest, PayCreateResponse } from '../../../../typings/api';
import type { PaymentChannel } from '../../channels/port';
import { toChannelAppError } from '../../channels/port';
import type { ChannelRegistry } from '../../channels/registry';
import { AppError } from '../../kernel/errors';
import { crashPoint } from '../../kernel/platform/crash-point';
import type { Caller } from '../../kernel/platform/identity';
import type { Store } from '../../store/port';
import { isStoreError } from '../../store/port';
import type { Order } from './model';
import { newOrderRecord, toOrderView } from './model';
import type { OrderLedger } from './order-ledger';

export interface CreateConfig {
  appid: string;
  mchid: string;
  orderTtlMs: number;
  amount: { minFen: number; maxFen: number };
  defaultDescription: string;
}

export interface PayeeResolver {
  resolvePayeeForPayment(input: { shareCode: string; payerOpenid: string }): Promise<{ openid: string; displayName: string; individualAuthId: string }>;
}

export interface CreateDeps {
  store: Store;
  channels: ChannelRegistry;
  config: CreateConfig;
  ledger: OrderLedger;
  /** Needed for channel `combine`. */
  payees?: PayeeResolver;
  now: () => number;
  newNumber: (prefix: string) => string;
}

export function createOrderCreation(deps: CreateDeps) {
  const { store, channels, config, ledger, now, newNumber } = deps;

  /** Places a CREATED order at the gateway; marks it FAILED on a final refusal. */
  async function place(order: Order, channel: PaymentChannel): Promise<PayCreateResponse> {
    let created;
    try {
      created = await channel.create(order);
    } catch (error) {
      const appError = toChannelAppError(error, 'create order');
      if (appError.code === 'GATEWAY_REJECTED') {
        await ledger.apply(order.outTradeNo, { type: 'CREATE_REJECTED', reason: appError.message }, 'user');
      }
      // Unavailable/untrusted: the order stays CREATED; a retry with the same idempotency key
      // resends the identical body under the same out_trade_no.
      throw appError;
    }
    crashPoint('pay.create:after-gateway');
    const placed = await ledger.applyOrThrow(order.outTradeNo, { type: 'PREPAY_CREATED', prepayId: created.prepayId, ...(created.keep ? { issuedPayment: created.payment } : {}) }, 'user');
    crashPoint('pay.create:after-store');
    return { order: toOrderView(placed), payment: created.payment };
  }

  /** A retried create: the same order, and fresh payment parameters while it can still be paid. */
  async function resume(existing: Order, request: PayCreateRequest): Promise<PayCreateResponse> {
    if (existing.amount !== request.amount || existing.channel !== request.channel) {
      throw new AppError('INVALID_ARGUMENT', 'idempotencyKey was already used for a different payment');
    }
    const channel = channels.get(existing.channel);
    if (existing.expiresAt <= now()) return { order: toOrderView(existing) };
    if (existing.state === 'CREATED') return place(existing, channel);
    if (existing.state === 'PAYING') {
      try {
        return { order: toOrderView(existing), payment: (await channel.resign(existing)).payment };
      } catch (error) {
        throw toChannelAppError(error, 'sign payment');
      }
    }
    return { order: toOrderView(existing) };
  }

  /** The combine part of a new order: its payee (authorized, not the payer) and its one sub-order. */
  async function combineParts(caller: Caller, request: PayCreateRequest, outTradeNo: string, description: string): Promise<Pick<Order, 'payee' | 'combineOutTradeNo' | 'subOrders'>> {
    if (!request.payeeCode) throw new AppError('INVALID_ARGUMENT', 'payeeCode: required for channel combine');
    if (!deps.payees) throw new AppError('INVALID_ARGUMENT', 'payment channel "combine" is not available');
    const payee = await deps.payees.resolvePayeeForPayment({ shareCode: request.payeeCode, payerOpenid: caller.openid });
    return {
      payee: { openid: payee.openid, displayName: payee.displayName },
      combineOutTradeNo: outTradeNo,
      subOrders: [{ mchid: config.mchid, outTradeNo: newNumber('S'), amount: request.amount, individualAuthId: payee.individualAuthId, description, state: 'NOTPAY' }],
    };
  }

  async function create(caller: Caller, request: PayCreateRequest): Promise<PayCreateResponse> {
    if (request.amount < config.amount.minFen || request.amount > config.amount.maxFen) {
      throw new AppError('AMOUNT_OUT_OF_RANGE', `amount must be between ${config.amount.minFen} and ${config.amount.maxFen} fen`);
    }
    const existing = await store.findOrderByIdempotencyKey(caller.openid, request.idempotencyKey);
    if (existing) return resume(existing, request);

    const channel = channels.get(request.channel);
    const description = request.description?.trim() || config.defaultDescription;
    const outTradeNo = newNumber(request.channel === 'combine' ? 'C' : '');
    const combine = request.channel === 'combine' ? await combineParts(caller, request, outTradeNo, description) : {};
    const at = now();
    const order = newOrderRecord(
      {
        outTradeNo,
        channel: request.channel,
        amount: request.amount,
        description,
        payerOpenid: caller.openid,
        // The caller's appid from the platform: the pay sign must use the appid the order was created with.
        appid: channel.orderParty?.appid ?? (caller.appid || config.appid),
        // The merchant id the channel's gateway knows (v2 mchid, Huifu huifu_id); notifications are checked against it.
        mchid: channel.orderParty?.mchid ?? config.mchid,
        idempotencyKey: request.idempotencyKey,
        expiresAt: at + config.orderTtlMs,
        ...(caller.clientIp ? { payerClientIp: caller.clientIp } : {}),
        ...combine,
      },
      at,
    );
    try {
      await store.insertOrder(order);
    } catch (error) {
      // Two creates with one key raced: the loser answers with the winner's order.
      if (isStoreError(error, 'DUPLICATE') && error.field === 'idempotencyKey') {
        const winner = await store.findOrderByIdempotencyKey(caller.openid, request.idempotencyKey);
        if (winner) return resume(winner, request);
      }
      throw error;
    }
    crashPoint('pay.create:after-insert');
    return place(order, channel);
  }

  return { create };
}
