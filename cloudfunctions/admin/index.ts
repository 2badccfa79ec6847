// valibot (tree-shakeable); kernel/validation.ts words its issues.
import * as v from 'valibot';
import { createHandler, type ContractActions } from '../core/kernel/platform/handler';
import { PAY_CHANNELS } from '../../typings/pay-channels';
import { ORDER_STATES } from '../core/domain/orders/model';
import { isValidOutTradeNo } from '../core/domain/orders/out-trade-no';
import { merchantConsole } from './console';

/**
 * admin: the merchant console's reads and alert acknowledgement (pages/admin/*). A function of
 * its own rather than more `pay` actions: the payer's function and its cold start stay as they
 * are, the console can be deployed, watched and limited on its own, and `pay` keeps only what a
 * payer calls. Money-changing steps stay where they are — the console's refund and close buttons
 * call `pay.refund` / `pay.close`, which check the admin themselves. Every action here but
 * `status` answers FORBIDDEN unless the caller's openid is in merchant config `admins`.
 */

function buildSchemas() {
  const pageSize = v.optional(v.pipe(v.number(), v.integer(), v.minValue(1), v.maxValue(100)));
  const cursor = v.optional(v.pipe(v.string(), v.minLength(1), v.maxLength(512)));
  // Calendar validity (no 02-30) is checked where the date becomes a time (china-time.ts).
  const day = v.optional(v.pipe(v.string(), v.regex(/^\d{4}-\d{2}-\d{2}$/, 'must be a date YYYY-MM-DD')));
  const outTradeNo = v.pipe(v.string(), v.check((text: string) => isValidOutTradeNo(text), 'must be 1–32 characters of [0-9A-Za-z_-]'));
  return {
    status: v.object({}),
    orders: v.object({
      pageSize,
      cursor,
      state: v.optional(v.picklist(ORDER_STATES as readonly (typeof ORDER_STATES)[number][])),
      channel: v.optional(v.picklist(PAY_CHANNELS)),
      createdFrom: day,
      createdTo: day,
    }),
    order: v.object({ outTradeNo }),
    acknowledgeAlert: v.object({ id: v.pipe(v.string(), v.regex(/^A[0-9a-f]{31}$/, 'must be an alert id')) }),
    totals: v.object({}),
  };
}

let built: ReturnType<typeof buildSchemas> | undefined;
const schemas = () => (built ??= buildSchemas());

const actions = {
  status: { schema: v.lazy(() => schemas().status), run: (_request, caller) => merchantConsole().status(caller) },
  orders: { schema: v.lazy(() => schemas().orders), run: (request, caller) => merchantConsole().orders(caller, request) },
  order: { schema: v.lazy(() => schemas().order), run: (request, caller) => merchantConsole().order(caller, request) },
  acknowledgeAlert: { schema: v.lazy(() => schemas().acknowledgeAlert), run: (request, caller) => merchantConsole().acknowledgeAlert(caller, request) },
  totals: { schema: v.lazy(() => schemas().totals), run: (_request, caller) => merchantConsole().totals(caller) },
} satisfies ContractActions<'admin'>;

export const main = createHandler({ actions });
