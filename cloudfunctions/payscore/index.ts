// valibot (tree-shakeable); kernel/validation.ts words its issues.
import * as v from 'valibot';
import { AppError } from '../core/kernel/errors';
import { createHandler, type ContractActions } from '../core/kernel/platform/handler';
import { MAX_POST_DISCOUNTS, MAX_POST_PAYMENTS, PAYSCORE_ORDER_NO, SERVICE_INTRODUCTION_MAX_CHARS, chars } from '../core/domain/payscore/rules';
import type { PayScoreService } from '../core/domain/payscore/service';
import { runtime } from '../core/runtime';

/**
 * payscore (微信支付分, 先享后付): the user creates, queries and cancels (before confirmation) their
 * own service orders; admins complete them with the final amount and register / query deductions.
 * Thin: each action validates its event and calls the PayScore service once. Field limits are the
 * published create page's (https://pay.weixin.qq.com/docs/partner/apis/partner-institution-weixin-pay-score/acquiring-bank-service-order/create-acquiring-bank-service-order.html).
 * Strict objects: a field the contract does not name is refused, not dropped.
 */
function buildSchemas() {
  const notFen = (issue: { input: unknown }) => (issue.input === undefined ? 'is required' : 'must be an integer number of fen');
  const fen = v.pipe(v.number(notFen), v.integer(notFen), v.minValue(0, 'must not be negative'), v.maxValue(Number.MAX_SAFE_INTEGER));
  const positiveFen = v.pipe(v.number(notFen), v.integer(notFen), v.gtValue(0, 'must be positive'), v.maxValue(Number.MAX_SAFE_INTEGER));
  const text = (max: number) =>
    v.pipe(
      v.string(),
      v.minLength(1, 'must not be empty'),
      v.check((t: string) => chars(t) <= max, `must be at most ${max} characters`),
      v.check((t: string) => !/[\p{Cc}]/u.test(t), 'must not contain control characters'),
    );
  const orderNo = v.pipe(v.string(), v.regex(PAYSCORE_ORDER_NO, 'must be 1–32 characters of [0-9A-Za-z_-|*]'));
  const count = v.optional(v.pipe(v.number(), v.integer(), v.minValue(1), v.maxValue(1_000_000)));
  const lines = <T extends v.GenericSchema>(item: T, min: number, max: number) => v.pipe(v.array(item), v.minLength(min, 'needs at least one line'), v.maxLength(max, `at most ${max} lines`));
  const payment = v.strictObject({ name: text(20), amount: v.optional(fen), description: v.optional(text(30)), count });
  const finalPayment = v.strictObject({ name: text(20), amount: fen, description: v.optional(text(30)), count });
  const discount = v.strictObject({ name: text(20), description: text(30), count });
  const finalDiscount = v.strictObject({ name: text(20), description: text(30), amount: fen, count });
  return {
    create: v.strictObject({
      outOrderNo: orderNo,
      serviceIntroduction: text(SERVICE_INTRODUCTION_MAX_CHARS),
      postPayments: lines(payment, 1, MAX_POST_PAYMENTS),
      postDiscounts: v.optional(lines(discount, 0, MAX_POST_DISCOUNTS)),
      riskFund: v.strictObject({
        name: v.pipe(v.string(), v.regex(/^[A-Z_]{1,32}$/, 'must be a risk fund enum name such as ESTIMATE_ORDER_COST')),
        amount: positiveFen,
        description: v.optional(text(30)),
      }),
      startLocation: v.optional(text(50)),
    }),
    byNo: v.strictObject({ outOrderNo: orderNo }),
    cancel: v.strictObject({ outOrderNo: orderNo, reason: text(50) }),
    complete: v.strictObject({
      outOrderNo: orderNo,
      postPayments: lines(finalPayment, 1, MAX_POST_PAYMENTS),
      postDiscounts: v.optional(lines(finalDiscount, 0, MAX_POST_DISCOUNTS)),
      totalAmount: fen,
    }),
    register: v.strictObject({ outOrderNo: orderNo, outTradeNo: orderNo }),
  };
}

let built: ReturnType<typeof buildSchemas> | undefined;
const schemas = () => (built ??= buildSchemas());

function service(): PayScoreService {
  const { payscore } = runtime();
  if (!payscore) throw new AppError('CHANNEL_UNAVAILABLE', 'PayScore is not configured on this server (wechatpayV3.payscore)');
  return payscore;
}

const actions = {
  create: { schema: v.lazy(() => schemas().create), run: (request, caller) => service().create(caller, request) },
  query: { schema: v.lazy(() => schemas().byNo), run: (request, caller) => service().query(caller, request.outOrderNo) },
  cancel: { schema: v.lazy(() => schemas().cancel), run: (request, caller) => service().cancel(caller, request.outOrderNo, request.reason) },
  complete: { schema: v.lazy(() => schemas().complete), run: (request, caller) => service().complete(caller, request) },
  registerDeduction: { schema: v.lazy(() => schemas().register), run: (request, caller) => service().registerDeduction(caller, request.outOrderNo, request.outTradeNo) },
  queryDeduction: { schema: v.lazy(() => schemas().byNo), run: (request, caller) => service().queryDeduction(caller, request.outOrderNo) },
} satisfies ContractActions<'payscore'>;

export const main = createHandler({ actions });
