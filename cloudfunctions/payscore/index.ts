// zod's tree-shakeable build; kernel/validation.ts words its issues.
import * as z from 'zod/mini';
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
 */
function buildSchemas() {
  const fen = z.int({ error: (issue) => (issue.input === undefined ? undefined : 'must be an integer number of fen') }).check(z.minimum(0, 'must not be negative'), z.maximum(Number.MAX_SAFE_INTEGER));
  const positiveFen = fen.check(z.positive('must be positive'));
  const text = (max: number) => z.string().check(z.minLength(1, 'must not be empty'), z.refine((t) => chars(t) <= max, `must be at most ${max} characters`), z.refine((t) => !/[\p{Cc}]/u.test(t), 'must not contain control characters'));
  const orderNo = z.string().check(z.regex(PAYSCORE_ORDER_NO, 'must be 1–32 characters of [0-9A-Za-z_-|*]'));
  const count = z.optional(z.int().check(z.minimum(1), z.maximum(1_000_000)));
  const payment = z.strictObject({ name: text(20), amount: z.optional(fen), description: z.optional(text(30)), count });
  const finalPayment = z.strictObject({ name: text(20), amount: fen, description: z.optional(text(30)), count });
  const discount = z.strictObject({ name: text(20), description: text(30), count });
  const finalDiscount = z.strictObject({ name: text(20), description: text(30), amount: fen, count });
  return {
    create: z.strictObject({
      outOrderNo: orderNo,
      serviceIntroduction: text(SERVICE_INTRODUCTION_MAX_CHARS),
      postPayments: z.array(payment).check(z.minLength(1, 'needs at least one line'), z.maxLength(MAX_POST_PAYMENTS, `at most ${MAX_POST_PAYMENTS} lines`)),
      postDiscounts: z.optional(z.array(discount).check(z.maxLength(MAX_POST_DISCOUNTS, `at most ${MAX_POST_DISCOUNTS} lines`))),
      riskFund: z.strictObject({ name: z.string().check(z.regex(/^[A-Z_]{1,32}$/, 'must be a risk fund enum name such as ESTIMATE_ORDER_COST')), amount: positiveFen, description: z.optional(text(30)) }),
      startLocation: z.optional(text(50)),
    }),
    byNo: z.strictObject({ outOrderNo: orderNo }),
    cancel: z.strictObject({ outOrderNo: orderNo, reason: text(50) }),
    complete: z.strictObject({
      outOrderNo: orderNo,
      postPayments: z.array(finalPayment).check(z.minLength(1, 'needs at least one line'), z.maxLength(MAX_POST_PAYMENTS, `at most ${MAX_POST_PAYMENTS} lines`)),
      postDiscounts: z.optional(z.array(finalDiscount).check(z.maxLength(MAX_POST_DISCOUNTS, `at most ${MAX_POST_DISCOUNTS} lines`))),
      totalAmount: fen,
    }),
    register: z.strictObject({ outOrderNo: orderNo, outTradeNo: orderNo }),
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
  create: { schema: z.lazy(() => schemas().create), run: (request, caller) => service().create(caller, request) },
  query: { schema: z.lazy(() => schemas().byNo), run: (request, caller) => service().query(caller, request.outOrderNo) },
  cancel: { schema: z.lazy(() => schemas().cancel), run: (request, caller) => service().cancel(caller, request.outOrderNo, request.reason) },
  complete: { schema: z.lazy(() => schemas().complete), run: (request, caller) => service().complete(caller, request) },
  registerDeduction: { schema: z.lazy(() => schemas().register), run: (request, caller) => service().registerDeduction(caller, request.outOrderNo, request.outTradeNo) },
  queryDeduction: { schema: z.lazy(() => schemas().byNo), run: (request, caller) => service().queryDeduction(caller, request.outOrderNo) },
} satisfies ContractActions<'payscore'>;

export const main = createHandler({ actions });
