// Namespace import: lets esbuild drop the zod locales (~560 KB) the `z` object would drag in.
import * as z from 'zod';
import { createHandler, type ContractActions } from '../core/kernel/platform/handler';
import { LIVE_PAY_CHANNELS } from '../../typings/pay-channels';
import { isValidOutTradeNo } from '../core/domain/orders/out-trade-no';
import { runtime } from '../core/runtime';

/**
 * pay: create, query, close, list and refund orders; admins list alerts. Thin: each action validates its event, takes
 * the caller from the platform (an openid in the event is stripped before it gets here) and calls
 * the order service once.
 */

const fen = z.number().int('must be an integer number of fen').positive('must be positive').max(Number.MAX_SAFE_INTEGER);
const outTradeNo = z.string().refine(isValidOutTradeNo, 'must be 1–32 characters of [0-9A-Za-z_-]');
/** Shown to the payer; the gateway takes at most 127 bytes. */
const description = z
  .string()
  .max(127)
  .refine((text) => Buffer.byteLength(text, 'utf8') <= 127, 'must be at most 127 bytes')
  .refine((text) => !/[\p{Cc}]/u.test(text), 'must not contain control characters');

/** Client-generated; a retry with the same key is the same request (pay.create: the same order; pay.refund: the same refund). */
const idempotencyKey = z.string().regex(/^[A-Za-z0-9_-]{8,64}$/, 'must be 8–64 characters of [A-Za-z0-9_-]');

const actions = {
  create: {
    schema: z.object({
      channel: z.enum(LIVE_PAY_CHANNELS),
      amount: fen,
      description: description.optional(),
      idempotencyKey,
      payeeCode: z.string().min(1).max(64).optional(),
    }),
    run: (request, caller) => runtime().orders.create(caller, request),
  },
  query: {
    schema: z.object({ outTradeNo }),
    run: (request, caller) => runtime().orders.query(caller, request.outTradeNo),
  },
  close: {
    schema: z.object({ outTradeNo }),
    run: (request, caller) => runtime().orders.close(caller, request.outTradeNo),
  },
  list: {
    schema: z.object({
      pageSize: z.number().int().min(1).max(100).optional(),
      cursor: z.string().min(1).max(512).optional(),
      role: z.enum(['payer', 'payee']).optional(),
    }),
    run: (request, caller) => runtime().orders.list(caller, request),
  },
  refund: {
    // reason: sent to the gateway as `reason` (at most 80 bytes there), shown to the payer.
    schema: z.object({
      outTradeNo,
      amount: fen,
      reason: z
        .string()
        .max(80)
        .refine((text) => Buffer.byteLength(text, 'utf8') <= 80, 'must be at most 80 bytes')
        .optional(),
      idempotencyKey,
    }),
    run: (request, caller) => runtime().orders.refund(caller, request),
  },
  alerts: {
    schema: z.object({ pageSize: z.number().int().min(1).max(100).optional(), cursor: z.string().min(1).max(512).optional() }),
    run: (request, caller) => runtime().orders.alerts(caller, request),
  },
} satisfies ContractActions<'pay'>;

export const main = createHandler({ actions });
