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
import { freshIdempotencyKey, validText } from './inputs';

export interface FuzzFixtures {
  /** Orders alice (the payer) created and left PAYING. */
  payingOrders: string[];
  /** Orders alice paid, with plenty left to refund. */
  paidOrders: string[];
  /** bob's share code (an authorized payee). */
  shareCode: string;
}

export type Role = 'payer' | 'admin' | 'payee' | 'stranger' | 'none';

export interface ActionTarget {
  fn: string;
  /** Undefined for a single-job function (login). */
  action?: string;
  caller: Role;
  fields: Record<string, FieldSpec>;
  valid: (fx: FuzzFixtures) => fc.Arbitrary<Record<string, unknown>>;
  /** Codes a valid event may get for a business reason (the state of the order, …). */
  businessRefusals?: string[];
  /** Shrunk counterexamples kept as regression cases (tried before the generated ones). */
  regressions?: Array<Record<string, unknown> | unknown>;
}

const opt = <T>(arb: fc.Arbitrary<T>) => fc.option(arb, { nil: undefined });
/** Drops keys whose value is undefined (an optional field left out). */
const compact = (o: Record<string, unknown>) => Object.fromEntries(Object.entries(o).filter(([, v]) => v !== undefined));

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
];
