// valibot (tree-shakeable); kernel/validation.ts words its issues.
import * as v from 'valibot';
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
  const notFen = (issue: { input: unknown }) => (issue.input === undefined ? 'is required' : 'must be an integer number of fen');
  const fen = v.pipe(v.number(notFen), v.integer(notFen), v.gtValue(0, 'must be positive'), v.maxValue(Number.MAX_SAFE_INTEGER));
  const outTradeNo = v.pipe(v.string(), v.check((text: string) => isValidOutTradeNo(text), 'must be 1–32 characters of [0-9A-Za-z_-]'));
  /** At most `max` bytes of UTF-8; a text over `max` characters is over `max` bytes too, and one message is enough. */
  const bytesAtMost = (max: number) => v.check((text: string) => text.length > max || Buffer.byteLength(text, 'utf8') <= max, `must be at most ${max} bytes`);
  /** Shown to the payer; the gateway takes at most 127 bytes. */
  const description = v.pipe(
    v.string(),
    v.maxLength(127),
    bytesAtMost(127),
    v.check((text) => !/[\p{Cc}]/u.test(text), 'must not contain control characters'),
  );
  const pageSize = v.optional(v.pipe(v.number(), v.integer(), v.minValue(1), v.maxValue(100)));
  const cursor = v.optional(v.pipe(v.string(), v.minLength(1), v.maxLength(512)));

  /** Client-generated; a retry with the same key is the same request (pay.create: the same order; pay.refund: the same refund). */
  const idempotencyKey = v.pipe(v.string(), v.regex(/^[A-Za-z0-9_-]{8,64}$/, 'must be 8–64 characters of [A-Za-z0-9_-]'));

  return {
    create: v.object({
      channel: v.picklist(LIVE_PAY_CHANNELS),
      amount: fen,
      description: v.optional(description),
      idempotencyKey,
      payeeCode: v.optional(v.pipe(v.string(), v.minLength(1), v.maxLength(64))),
    }),
    query: v.object({ outTradeNo }),
    close: v.object({ outTradeNo }),
    list: v.object({
      pageSize,
      cursor,
      role: v.optional(v.picklist(['payer', 'payee'])),
    }),
    // reason: sent to the gateway as `reason` (at most 80 bytes there), shown to the payer.
    refund: v.object({
      outTradeNo,
      amount: fen,
      reason: v.optional(v.pipe(v.string(), v.maxLength(80), bytesAtMost(80))),
      idempotencyKey,
    }),
    alerts: v.object({ pageSize, cursor }),
    statement: v.object({ fileDate: v.optional(v.pipe(v.string(), v.regex(/^20\d{6}$/, 'must be a date yyyyMMdd'))) }),
  };
}

let built: ReturnType<typeof buildSchemas> | undefined;
const schemas = () => (built ??= buildSchemas());

const actions = {
  create: {
    schema: v.lazy(() => schemas().create),
    run: (request, caller) => runtime().orders.create(caller, request),
  },
  query: {
    schema: v.lazy(() => schemas().query),
    run: (request, caller) => runtime().orders.query(caller, request.outTradeNo),
  },
  close: {
    schema: v.lazy(() => schemas().close),
    run: (request, caller) => runtime().orders.close(caller, request.outTradeNo),
  },
  list: {
    schema: v.lazy(() => schemas().list),
    run: (request, caller) => runtime().orders.list(caller, request),
  },
  refund: {
    schema: v.lazy(() => schemas().refund),
    run: (request, caller) => runtime().orders.refund(caller, request),
  },
  statement: {
    schema: v.lazy(() => schemas().statement),
    run: (request, caller) => runtime().orders.statement(caller, request),
  },
  alerts: {
    schema: v.lazy(() => schemas().alerts),
    run: (request, caller) => runtime().orders.alerts(caller, request),
  },
} satisfies ContractActions<'pay'>;

export const main = createHandler({ actions });
