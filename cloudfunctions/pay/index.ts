// zod's tree-shakeable build; kernel/validation.ts words its issues.
import * as z from 'zod/mini';
import { createHandler, type ContractActions } from '../core/kernel/platform/handler';
import { LIVE_PAY_CHANNELS } from '../../typings/pay-channels';
import { isValidOutTradeNo } from '../core/domain/orders/out-trade-no';
import { runtime } from '../core/runtime';

/**
 * pay: create, query, close, list and refund orders; admins list alerts. Thin: each action validates its event, takes
 * the caller from the platform (an openid in the event is stripped before it gets here) and calls
 * the order service once.
 */

/**
 * The event schemas, built on the first call rather than as the bundle loads (a cold `require`
 * stays lean; bench e2e).
 */
function buildSchemas() {
  // A missing amount says "is required" (our wording); anything else that is no integer says fen.
  const fen = z
    .int({ error: (issue) => (issue.input === undefined ? undefined : 'must be an integer number of fen') })
    .check(z.positive('must be positive'), z.maximum(Number.MAX_SAFE_INTEGER));
  const outTradeNo = z.string().check(z.refine(isValidOutTradeNo, 'must be 1–32 characters of [0-9A-Za-z_-]'));
  /** Shown to the payer; the gateway takes at most 127 bytes. */
  const description = z.string().check(
    // abort: a text over 127 characters is over 127 bytes too; one message is enough.
    z.maxLength(127, { abort: true }),
    z.refine((text) => Buffer.byteLength(text, 'utf8') <= 127, 'must be at most 127 bytes'),
    z.refine((text) => !/[\p{Cc}]/u.test(text), 'must not contain control characters'),
  );
  const pageSize = z.optional(z.int().check(z.minimum(1), z.maximum(100)));
  const cursor = z.optional(z.string().check(z.minLength(1), z.maxLength(512)));

  /** Client-generated; a retry with the same key is the same request (pay.create: the same order; pay.refund: the same refund). */
  const idempotencyKey = z.string().check(z.regex(/^[A-Za-z0-9_-]{8,64}$/, 'must be 8–64 characters of [A-Za-z0-9_-]'));

  return {
    create: z.object({
      channel: z.enum(LIVE_PAY_CHANNELS),
      amount: fen,
      description: z.optional(description),
      idempotencyKey,
      payeeCode: z.optional(z.string().check(z.minLength(1), z.maxLength(64))),
    }),
    query: z.object({ outTradeNo }),
    close: z.object({ outTradeNo }),
    list: z.object({
      pageSize,
      cursor,
      role: z.optional(z.enum(['payer', 'payee'])),
    }),
    // reason: sent to the gateway as `reason` (at most 80 bytes there), shown to the payer.
    refund: z.object({
      outTradeNo,
      amount: fen,
      reason: z.optional(
        z.string().check(
          z.maxLength(80, { abort: true }),
          z.refine((text) => Buffer.byteLength(text, 'utf8') <= 80, 'must be at most 80 bytes'),
        ),
      ),
      idempotencyKey,
    }),
    alerts: z.object({ pageSize, cursor }),
    statement: z.object({ fileDate: z.optional(z.string().check(z.regex(/^20\d{6}$/, 'must be a date yyyyMMdd'))) }),
  };
}

let built: ReturnType<typeof buildSchemas> | undefined;
const schemas = () => (built ??= buildSchemas());

const actions = {
  create: {
    schema: z.lazy(() => schemas().create),
    run: (request, caller) => runtime().orders.create(caller, request),
  },
  query: {
    schema: z.lazy(() => schemas().query),
    run: (request, caller) => runtime().orders.query(caller, request.outTradeNo),
  },
  close: {
    schema: z.lazy(() => schemas().close),
    run: (request, caller) => runtime().orders.close(caller, request.outTradeNo),
  },
  list: {
    schema: z.lazy(() => schemas().list),
    run: (request, caller) => runtime().orders.list(caller, request),
  },
  refund: {
    schema: z.lazy(() => schemas().refund),
    run: (request, caller) => runtime().orders.refund(caller, request),
  },
  statement: {
    schema: z.lazy(() => schemas().statement),
    run: (request, caller) => runtime().orders.statement(caller, request),
  },
  alerts: {
    schema: z.lazy(() => schemas().alerts),
    run: (request, caller) => runtime().orders.alerts(caller, request),
  },
} satisfies ContractActions<'pay'>;

export const main = createHandler({ actions });
