/**
 * The fuzzing targets: every action of every called function, one row each. A row says who
 * calls, what a valid event looks like (a generator over the live fixtures), which fields the
 * action has (the invalid mutations are derived from them, inputs.ts), and which business
 * refusals a valid event may still get (always with a clear code and no write).
 *
 * A new action is one row; a new function is a few rows. Notification endpoints are in
 * notify-targets.ts.
 */
import fc from 'fast-check';
import type { FieldSpec } from './inputs';
import { freshIdempotencyKey, validChars, validText } from './inputs';

export interface FuzzFixtures {
  /** Orders alice (the payer) created and left PAYING. */
  payingOrders: string[];
  /** Orders alice paid, with plenty left to refund. */
  paidOrders: string[];
  /** bob's share code (an authorized payee). */
  shareCode: string;
  /** Orders alice paid on the APIv2 and Huifu channels, with plenty left to refund. */
  otherPaidOrders: string[];
  /** Orders alice created on v2, v2app and Huifu and left PAYING (the admin closes them). */
  otherPayingOrders: string[];
  /** Ids of alerts the store holds (raised by verified but inconsistent notifications). */
  alertIds: string[];
  /** PayScore service orders of alice: waiting for her confirmation, confirmed (in service), completed by the admin. */
  payscoreCreated: string[];
  payscoreConfirmed: string[];
  payscoreCompleted: string[];
}

export type Role = 'payer' | 'admin' | 'payee' | 'stranger' | 'none';

export interface ActionTarget {
  fn: string;
  /** Undefined for a single-job function (login). */
  action?: string;
  /** Names a second row of the same action (another channel, another caller). */
  variant?: string;
  /** The schema refuses fields it does not name (PayScore): an unknown field is refused, not ignored. */
  strict?: boolean;
  /** Only merchant admins may call it: every other caller gets FORBIDDEN and nothing is written. */
  adminOnly?: boolean;
  caller: Role;
  fields: Record<string, FieldSpec>;
  valid: (fx: FuzzFixtures) => fc.Arbitrary<Record<string, unknown>>;
  /** Codes a valid event may get for a business reason (the state of the order, …). */
  businessRefusals?: string[];
  /** Shrunk counterexamples kept as regression cases: valid events tried before the generated ones. */
  regressions?: (fx: FuzzFixtures) => Array<Record<string, unknown>>;
}

const opt = <T>(arb: fc.Arbitrary<T>) => fc.option(arb, { nil: undefined });
/** Drops keys whose value is undefined (an optional field left out). */
const compact = (o: Record<string, unknown>) => Object.fromEntries(Object.entries(o).filter(([, v]) => v !== undefined));

const fen = (max: number) => fc.integer({ min: 1, max });
/** A calendar date YYYY-MM-DD (China time is only its interpretation). */
const day = fc.date({ min: new Date('2020-01-01T00:00:00Z'), max: new Date('2030-12-31T00:00:00Z'), noInvalidDate: true }).map((d) => d.toISOString().slice(0, 10));
let psSeq = 0;
/** A fresh service order number of the published alphabet [0-9A-Za-z_-|*]. */
const freshPayScoreNo = fc.stringMatching(/^[0-9A-Za-z_|*-]{0,16}$/).map((s) => `${s}Z${(++psSeq).toString(36)}${process.pid}`.slice(-32));
const payLine = fc.record({ name: validChars(20), amount: opt(fc.integer({ min: 0, max: 2000 })), description: opt(validChars(30)), count: opt(fc.integer({ min: 1, max: 99 })) }).map(compact);
const discountLine = fc.record({ name: validChars(20), description: validChars(30), count: opt(fc.integer({ min: 1, max: 9 })) }).map(compact);
/** A completion whose total is its payments minus its discounts, within the 50.00 risk fund of the fixtures. */
const completion = (outOrderNo: string) =>
  fc
    .tuple(fc.array(fc.record({ name: validChars(20), amount: fc.integer({ min: 0, max: 2500 }), description: opt(validChars(30)) }).map(compact), { minLength: 1, maxLength: 3 }), fc.array(fc.record({ name: validChars(20), description: validChars(30), amount: fc.integer({ min: 0, max: 100 }) }), { maxLength: 2 }))
    .filter(([payments, discounts]) => sum(payments) >= sum(discounts) && sum(payments) - sum(discounts) <= 5000)
    .map(([postPayments, postDiscounts]) => ({ outOrderNo, postPayments, postDiscounts, totalAmount: sum(postPayments) - sum(postDiscounts) }));
const sum = (lines: Array<{ amount?: unknown }>) => lines.reduce((t, l) => t + (typeof l.amount === 'number' ? l.amount : 0), 0);
/** The state of a service order decides most of what the merchant may do with it (always without a write). */
const PAYSCORE_STATE_REFUSALS = ['INVALID_STATE', 'PAYSCORE_DEDUCTION_REUSED', 'PAYSCORE_DEDUCTION_LIVE'];

const isDisplayName = (s: string) => {
  const n = Array.from(s.normalize('NFC').trim()).length;
  return s.length <= 64 && n >= 1 && n <= 20 && !/[\u2028\u2029\u202A-\u202E\u2066-\u2069]/u.test(s);
};

export const ACTION_TARGETS: ActionTarget[] = [
  {
    fn: 'pay',
    action: 'create',
    caller: 'payer',
    fields: {
      channel: { kind: 'channel', required: true },
      amount: { kind: 'fen', required: true },
      description: { kind: 'description', required: false },
      idempotencyKey: { kind: 'idempotencyKey', required: true },
      payeeCode: { kind: 'payeeCode', required: false },
    },
    valid: (fx) =>
      fc.oneof(
        fc.record({ channel: fc.constant('jsapi'), amount: fc.integer({ min: 1, max: 5_000_000 }), description: opt(validText(127)), idempotencyKey: freshIdempotencyKey }).map(compact),
        fc.record({ channel: fc.constant('combine'), amount: fc.integer({ min: 1, max: 5_000_000 }), description: opt(validText(127)), idempotencyKey: freshIdempotencyKey, payeeCode: fc.constant(fx.shareCode) }).map(compact),
      ),
  },
  {
    fn: 'pay',
    action: 'query',
    caller: 'payer',
    fields: { outTradeNo: { kind: 'outTradeNo', required: true } },
    valid: (fx) => fc.record({ outTradeNo: fc.constantFrom(...fx.payingOrders, ...fx.paidOrders) }),
  },
  {
    fn: 'pay',
    action: 'close',
    caller: 'payer',
    fields: { outTradeNo: { kind: 'outTradeNo', required: true } },
    valid: (fx) => fc.record({ outTradeNo: fc.constantFrom(...fx.payingOrders, ...fx.paidOrders) }),
    // Orders younger than the minimum close interval (refused by us before the gateway is asked),
    // and paid ones. Always without a write. The gateway's own refusal (GATEWAY_REJECTED) is not
    // expected: our interval is the gateway's (it came only from another stack's leaked env, bd2c3d1).
    businessRefusals: ['CLOSE_TOO_EARLY', 'INVALID_STATE'],
  },
  {
    fn: 'pay',
    action: 'list',
    caller: 'payer',
    fields: { pageSize: { kind: 'pageSize', required: false }, cursor: { kind: 'cursor', required: false }, role: { kind: 'role', required: false } },
    valid: () => fc.record({ pageSize: opt(fc.integer({ min: 1, max: 100 })), role: opt(fc.constantFrom('payer', 'payee')) }).map(compact),
  },
  {
    fn: 'pay',
    action: 'refund',
    caller: 'admin',
    adminOnly: true,
    fields: {
      outTradeNo: { kind: 'outTradeNo', required: true },
      amount: { kind: 'fen', required: true },
      reason: { kind: 'reason', required: false },
      idempotencyKey: { kind: 'idempotencyKey', required: true },
    },
    valid: (fx) => fc.record({ outTradeNo: fc.constantFrom(...fx.paidOrders), amount: fc.integer({ min: 1, max: 3 }), reason: opt(validText(80)), idempotencyKey: freshIdempotencyKey }).map(compact),
  },
  {
    fn: 'pay',
    action: 'alerts',
    caller: 'admin',
    adminOnly: true,
    fields: { pageSize: { kind: 'pageSize', required: false }, cursor: { kind: 'cursor', required: false } },
    valid: () => fc.record({ pageSize: opt(fc.integer({ min: 1, max: 100 })) }).map(compact),
  },
  { fn: 'payee', action: 'status', caller: 'payee', fields: {}, valid: () => fc.constant({}) },
  // A stranger (not yet authorized) asks for the signing page's parameters; bob would get PAYEE_ALREADY_AUTHORIZED.
  { fn: 'payee', action: 'signParams', caller: 'stranger', fields: {}, valid: () => fc.constant({}) },
  { fn: 'payee', action: 'confirm', caller: 'payee', fields: {}, valid: () => fc.constant({}) },
  {
    fn: 'payee',
    action: 'profile',
    caller: 'payee',
    fields: { displayName: { kind: 'displayName', required: false } },
    // The service's rule (payees/service.ts normalizeDisplayName): trimmed, 1–20 characters, no bidi overrides.
    valid: () => fc.record({ displayName: opt(validText(64).filter(isDisplayName)) }).map(compact),
  },
  {
    fn: 'payee',
    action: 'card',
    caller: 'payer',
    fields: { shareCode: { kind: 'shareCode', required: true } },
    valid: (fx) => fc.record({ shareCode: fc.constant(fx.shareCode) }),
  },
  { fn: 'login', caller: 'payer', fields: {}, valid: () => fc.constant({}) },
  // ---- the APIv2 and Huifu channels through the same pay actions
  {
    fn: 'pay',
    action: 'create',
    variant: 'v2, v2app, huifu',
    caller: 'payer',
    fields: {
      channel: { kind: 'channel', required: true },
      amount: { kind: 'fen', required: true },
      description: { kind: 'description', required: false },
      idempotencyKey: { kind: 'idempotencyKey', required: true },
    },
    valid: () => fc.record({ channel: fc.constantFrom('v2', 'v2app', 'huifu'), amount: fen(5_000_000), description: opt(validText(127)), idempotencyKey: freshIdempotencyKey }).map(compact),
  },
  {
    fn: 'pay',
    action: 'refund',
    variant: 'v2, huifu',
    caller: 'admin',
    adminOnly: true,
    fields: {
      outTradeNo: { kind: 'outTradeNo', required: true },
      amount: { kind: 'fen', required: true },
      reason: { kind: 'reason', required: false },
      idempotencyKey: { kind: 'idempotencyKey', required: true },
    },
    valid: (fx) => fc.record({ outTradeNo: fc.constantFrom(...fx.otherPaidOrders), amount: fen(3), reason: opt(validText(80)), idempotencyKey: freshIdempotencyKey }).map(compact),
  },
  {
    // The console's close button: an admin closes a payer's order (v2, v2app, Huifu). The first close
    // of an order may come before its gateway's interval; a later one finds it CLOSED.
    fn: 'pay',
    action: 'close',
    variant: 'admin; v2, v2app, huifu',
    caller: 'admin',
    fields: { outTradeNo: { kind: 'outTradeNo', required: true } },
    valid: (fx) => fc.record({ outTradeNo: fc.constantFrom(...fx.otherPayingOrders) }),
    businessRefusals: ['CLOSE_TOO_EARLY', 'INVALID_STATE'],
  },
  {
    // Reconcile the daily files now (the console's button); a day whose file is not out yet is reported, not refused.
    fn: 'pay',
    action: 'statement',
    caller: 'admin',
    adminOnly: true,
    fields: { fileDate: { kind: 'fileDate', required: false } },
    valid: () => fc.record({ fileDate: opt(fc.date({ min: new Date('2026-11-01T00:00:00Z'), max: new Date('2026-11-30T00:00:00Z'), noInvalidDate: true }).map((d) => d.toISOString().slice(0, 10).replace(/-/g, ''))) }).map(compact),
  },
  // ---- the merchant console (function admin)
  { fn: 'admin', action: 'status', caller: 'admin', fields: {}, valid: () => fc.constant({}) },
  { fn: 'admin', action: 'status', variant: 'not an admin', caller: 'payer', fields: {}, valid: () => fc.constant({}) },
  {
    fn: 'admin',
    action: 'orders',
    caller: 'admin',
    adminOnly: true,
    fields: {
      pageSize: { kind: 'pageSize', required: false },
      cursor: { kind: 'cursor', required: false },
      state: { kind: 'orderState', required: false },
      channel: { kind: 'anyChannel', required: false },
      createdFrom: { kind: 'day', required: false },
      createdTo: { kind: 'day', required: false },
    },
    valid: () =>
      fc
        .record({
          pageSize: opt(fc.integer({ min: 1, max: 100 })),
          state: opt(fc.constantFrom('CREATED', 'PAYING', 'PAID', 'CLOSED', 'FAILED', 'REFUNDING', 'REFUNDED')),
          channel: opt(fc.constantFrom('jsapi', 'combine', 'native', 'v2', 'v2app', 'huifu')),
          window: opt(fc.tuple(opt(day), opt(day))),
        })
        .map(({ window, ...rest }) => {
          const [a, b] = window ?? [];
          const [from, to] = a && b && a > b ? [b, a] : [a, b];
          return compact({ ...rest, createdFrom: from, createdTo: to });
        }),
  },
  {
    fn: 'admin',
    action: 'order',
    caller: 'admin',
    adminOnly: true,
    fields: { outTradeNo: { kind: 'outTradeNo', required: true } },
    valid: (fx) => fc.record({ outTradeNo: fc.constantFrom(...fx.payingOrders, ...fx.paidOrders, ...fx.otherPaidOrders, ...fx.otherPayingOrders) }),
  },
  {
    // Acknowledging twice answers the first stamp: valid, and no second write.
    fn: 'admin',
    action: 'acknowledgeAlert',
    caller: 'admin',
    adminOnly: true,
    fields: { id: { kind: 'alertId', required: true } },
    valid: (fx) => fc.record({ id: fc.constantFrom(...fx.alertIds) }),
  },
  { fn: 'admin', action: 'totals', caller: 'admin', adminOnly: true, fields: {}, valid: () => fc.constant({}) },
  // ---- PayScore (function payscore): strict schemas
  {
    fn: 'payscore',
    action: 'create',
    caller: 'payer',
    strict: true,
    fields: {
      outOrderNo: { kind: 'payscoreNo', required: true },
      serviceIntroduction: { kind: 'text', max: 20, required: true },
      postPayments: { kind: 'payments', required: true },
      postDiscounts: { kind: 'discounts', required: false },
      riskFund: { kind: 'riskFund', required: true },
      startLocation: { kind: 'text', max: 50, required: false },
    },
    valid: () =>
      fc
        .record({
          outOrderNo: freshPayScoreNo,
          serviceIntroduction: validChars(20),
          postPayments: fc.array(payLine, { minLength: 1, maxLength: 3 }),
          postDiscounts: opt(fc.array(discountLine, { maxLength: 2 })),
          riskFund: fc.record({ name: fc.constantFrom('ESTIMATE_ORDER_COST', 'DEPOSIT', 'ADVANCE', 'CASH_DEPOSIT'), amount: fen(5_000_000), description: opt(validChars(30)) }).map(compact),
          startLocation: opt(validChars(50)),
        })
        .map(compact),
    // Shrunk: no discounts at all is a valid list (the fuzzer's own mistake once; kept so it stays valid).
    regressions: () => [{ outOrderNo: `PSREG${process.pid}`, serviceIntroduction: 'a', postPayments: [{ name: ' ' }], postDiscounts: [], riskFund: { name: 'ESTIMATE_ORDER_COST', amount: 1 } }],
  },
  {
    fn: 'payscore',
    action: 'query',
    caller: 'payer',
    strict: true,
    fields: { outOrderNo: { kind: 'payscoreNo', required: true } },
    valid: (fx) => fc.record({ outOrderNo: fc.constantFrom(...fx.payscoreCreated, ...fx.payscoreConfirmed, ...fx.payscoreCompleted) }),
  },
  {
    // The payer may cancel before confirming; a confirmed or cancelled order refuses by its state.
    fn: 'payscore',
    action: 'cancel',
    caller: 'payer',
    strict: true,
    fields: { outOrderNo: { kind: 'payscoreNo', required: true }, reason: { kind: 'text', max: 50, required: true } },
    valid: (fx) => fc.record({ outOrderNo: fc.constantFrom(...fx.payscoreCreated, ...fx.payscoreConfirmed), reason: validChars(50) }),
    businessRefusals: PAYSCORE_STATE_REFUSALS,
  },
  {
    // The first completion of a confirmed order takes; a second with another total is refused by state.
    fn: 'payscore',
    action: 'complete',
    caller: 'admin',
    strict: true,
    adminOnly: true,
    fields: {
      outOrderNo: { kind: 'payscoreNo', required: true },
      postPayments: { kind: 'finalPayments', required: true },
      postDiscounts: { kind: 'finalDiscounts', required: false },
      totalAmount: { kind: 'zeroOrMoreFen', required: true },
    },
    valid: (fx) => fc.constantFrom(...fx.payscoreConfirmed).chain(completion),
    businessRefusals: PAYSCORE_STATE_REFUSALS,
  },
  {
    // One registration at a time: while one is live the gateway refuses another ("登记生效中，不能再登记"),
    // which is its call, not ours (domain/payscore/rules.ts checkRegistration).
    fn: 'payscore',
    action: 'registerDeduction',
    caller: 'admin',
    strict: true,
    adminOnly: true,
    fields: { outOrderNo: { kind: 'payscoreNo', required: true }, outTradeNo: { kind: 'payscoreNo', required: true } },
    valid: (fx) => fc.record({ outOrderNo: fc.constantFrom(...fx.payscoreCompleted), outTradeNo: freshPayScoreNo }),
    businessRefusals: [...PAYSCORE_STATE_REFUSALS, 'GATEWAY_REJECTED'],
    // Shrunk: the gateway's refusal of a second registration came back as INTERNAL (the side bundle's
    // WechatPayError copy was not recognised; gateways/wechatpay/errors.ts now marks the class).
    regressions: (fx) => [
      { outOrderNo: fx.payscoreCompleted[0], outTradeNo: '-Z1k' },
      { outOrderNo: fx.payscoreCompleted[0], outTradeNo: '|Z1j' },
    ],
  },
  {
    fn: 'payscore',
    action: 'queryDeduction',
    caller: 'admin',
    strict: true,
    adminOnly: true,
    fields: { outOrderNo: { kind: 'payscoreNo', required: true } },
    valid: (fx) => fc.record({ outOrderNo: fc.constantFrom(...fx.payscoreCompleted) }),
    businessRefusals: PAYSCORE_STATE_REFUSALS,
  },
];
