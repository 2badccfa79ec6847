/**
 * Generators of bad values, one per kind of field, and the generic mutations of a valid event:
 * wrong types, boundary amounts, ill-formed Unicode, oversized text, prototype keys, unknown
 * fields, missing required fields, a bad or unknown action. Shared by every target, so a new
 * function or action gets all of them by describing its fields (targets.ts).
 */
import fc from 'fast-check';

export type FieldKind =
  | 'fen'
  | 'outTradeNo'
  | 'idempotencyKey'
  | 'description'
  | 'reason'
  | 'pageSize'
  | 'cursor'
  | 'role'
  | 'channel'
  | 'payeeCode'
  | 'shareCode'
  | 'displayName'
  // the merchant console (admin) and pay.statement
  | 'orderState'
  | 'anyChannel'
  | 'day'
  | 'alertId'
  | 'fileDate'
  // PayScore (strict objects: an unknown field inside a line is refused too)
  | 'payscoreNo'
  | 'text'
  | 'zeroOrMoreFen'
  | 'payments'
  | 'finalPayments'
  | 'discounts'
  | 'finalDiscounts'
  | 'riskFund';

export interface FieldSpec {
  kind: FieldKind;
  required: boolean;
  /** `text`: at most this many characters. */
  max?: number;
}

const LONE_SURROGATES = ['\uD800', '\uDBFF', '\uDC00', '\uDFFF', 'ab\uD83Dcd', '\uDE00x'];

/** Values no field of any kind accepts. */
const wrongTypeForAll = fc.constantFrom<unknown>(null, true, false, [], [1], {}, { $gt: '' }, () => 1);

const illFormed = fc.tuple(fc.string({ maxLength: 6 }), fc.constantFrom(...LONE_SURROGATES), fc.string({ maxLength: 6 })).map(([a, s, b]) => a + s + b);

const badFen = fc.oneof(
  fc.constantFrom<unknown>(0, -0, -1, 0.5, 1.5, 99.99, Number.NaN, Number.POSITIVE_INFINITY, Number.NEGATIVE_INFINITY, Number.MAX_SAFE_INTEGER + 1, Number.MAX_VALUE, '100', '1e2', 1e300),
  fc.integer({ max: 0 }),
  fc.double({ noInteger: true, noDefaultInfinity: false }),
  wrongTypeForAll,
);

const overBytes = (maxBytes: number) =>
  fc.oneof(
    fc.integer({ min: maxBytes + 1, max: maxBytes + 300 }).map((n) => 'x'.repeat(n)),
    // Few characters, many bytes: 3 bytes each in UTF-8.
    fc.integer({ min: Math.floor(maxBytes / 3) + 1, max: maxBytes }).map((n) => '支'.repeat(n)),
    fc.integer({ min: 100_000, max: 1_000_000 }).map((n) => 'A'.repeat(n)),
  );

/** An integer amount of fen that may be 0 (PayScore lines and totals): everything else. */
const badZeroOrMoreFen = fc.oneof(
  fc.constantFrom<unknown>(-1, 0.5, 1.5, Number.NaN, Number.POSITIVE_INFINITY, Number.MAX_SAFE_INTEGER + 1, '100', '0', 1e300),
  fc.integer({ max: -1 }),
  fc.double({ noInteger: true }),
  wrongTypeForAll,
);

/** Bad PayScore text of at most `max` characters (the published pages count characters). */
const badText = (max: number) => fc.oneof(fc.constantFrom<unknown>('', 'a\u0007b', 'line\nbreak', 7), fc.integer({ min: max + 1, max: max + 40 }).map((n) => '字'.repeat(n)), illFormed, wrongTypeForAll);

const line = { name: '租借费用', amount: 100, description: '每小时', count: 1 };
/** `minLines` 0: an empty list is a valid one (no discounts). */
const badLines = (extra: unknown[], maxLines: number, minLines: 0 | 1) =>
  fc.oneof(
    fc.constantFrom<unknown>('x', {}, [null], [7], [{}], [{ ...line, name: '' }], [{ ...line, amount: -1 }], [{ ...line, amount: 1.5 }], [{ ...line, count: 0 }], [{ ...line, count: 1.5 }], [{ ...line, name: '名'.repeat(21) }], [{ ...line, description: '述'.repeat(31) }], [{ ...line, note: 'unknown field' }], [{ ...line, name: 'a\uD800' }], ...extra),
    fc.constant(Array.from({ length: maxLines + 1 }, () => ({ name: 'x', amount: 1, description: 'y' }))),
    minLines === 1 ? wrongTypeForAll : wrongTypeForAll.filter((v) => !(Array.isArray(v) && v.length === 0)),
  );

const BAD_BY_KIND: Record<Exclude<FieldKind, 'text'>, fc.Arbitrary<unknown>> = {
  fen: badFen,
  outTradeNo: fc.oneof(
    fc.constantFrom<unknown>('', ' ', 'A'.repeat(33), 'ab cd', '订单号', 'a/b', '../etc', 'a\u0000b', 42),
    fc.string({ minLength: 1, maxLength: 40 }).filter((s) => !/^[0-9A-Za-z_-]{1,32}$/.test(s)),
    illFormed,
    wrongTypeForAll,
  ),
  idempotencyKey: fc.oneof(
    fc.constantFrom<unknown>('', 'short', 'x'.repeat(65), 'has space1', 'ключ_ключ', 12345678),
    fc.string({ maxLength: 70 }).filter((s) => !/^[A-Za-z0-9_-]{8,64}$/.test(s)),
    illFormed,
    wrongTypeForAll,
  ),
  description: fc.oneof(overBytes(127), fc.constantFrom<unknown>('a\u0007b', 'line\nbreak', '\u0000', 'tab\there', 7), illFormed, wrongTypeForAll),
  reason: fc.oneof(overBytes(80), fc.constantFrom<unknown>(7, 0), illFormed, wrongTypeForAll),
  pageSize: fc.oneof(fc.constantFrom<unknown>(0, -1, 101, 1.5, '10', Number.NaN, Number.POSITIVE_INFINITY), fc.integer({ min: 101 }), wrongTypeForAll),
  cursor: fc.oneof(fc.constantFrom<unknown>('', 7), fc.integer({ min: 513, max: 5000 }).map((n) => 'c'.repeat(n)), illFormed, wrongTypeForAll),
  role: fc.oneof(fc.constantFrom<unknown>('admin', 'PAYER', '', 1), illFormed, wrongTypeForAll),
  // `native` is a planned channel: named by the contract, not yet payable.
  channel: fc.oneof(fc.constantFrom<unknown>('', 'JSAPI', 'V2', 'v3', 'native', 'HUIFU', 'payscore', '__proto__', 1), illFormed, wrongTypeForAll),
  anyChannel: fc.oneof(fc.constantFrom<unknown>('', 'JSAPI', 'V2', 'v3', 'HUIFU', 'payscore', '__proto__', 1), illFormed, wrongTypeForAll),
  orderState: fc.oneof(fc.constantFrom<unknown>('', 'paid', 'PAID ', 'SUCCESS', 'NOTPAY', '__proto__', 3), illFormed, wrongTypeForAll),
  // Shape and calendar: 02-30 has the right shape and no day.
  day: fc.oneof(fc.constantFrom<unknown>('', '2026-1-01', '20261201', '2026/12/01', '2026-02-30', '2026-13-01', '2026-00-10', '2026-12-32', '2026-12-01T00:00:00Z', ' 2026-12-01', 20261201), illFormed, wrongTypeForAll),
  alertId: fc.oneof(fc.constantFrom<unknown>('', 'A', `A${'0'.repeat(30)}`, `A${'0'.repeat(32)}`, `a${'0'.repeat(31)}`, `A${'G'.repeat(31)}`, `A${'F'.repeat(31)}`, 7), illFormed, wrongTypeForAll),
  fileDate: fc.oneof(fc.constantFrom<unknown>('', '2026-12-01', '19991231', '2026120', '202612011', '2o261201', 20261201), illFormed, wrongTypeForAll),
  payscoreNo: fc.oneof(
    fc.constantFrom<unknown>('', ' ', 'A'.repeat(33), 'ab cd', '订单号', 'a/b', 'a\u0000b', 'a.b', 42),
    fc.string({ minLength: 1, maxLength: 40 }).filter((s) => !/^[0-9A-Za-z_\-|*]{1,32}$/.test(s)),
    illFormed,
    wrongTypeForAll,
  ),
  zeroOrMoreFen: badZeroOrMoreFen,
  payments: badLines([], 100, 1),
  // The final lines carry their amounts.
  finalPayments: badLines([[{ name: '租借费用' }]], 100, 1),
  discounts: badLines([[{ name: '新用户优惠' }]], 30, 0),
  finalDiscounts: badLines([[{ name: '新用户优惠', description: '首单立减' }]], 30, 0),
  riskFund: fc.oneof(
    fc.constantFrom<unknown>(
      'x',
      [],
      { name: 'estimate_order_cost', amount: 100 },
      { name: 'ESTIMATE ORDER', amount: 100 },
      { name: 'A'.repeat(33), amount: 100 },
      { name: 'ESTIMATE_ORDER_COST', amount: 0 },
      { name: 'ESTIMATE_ORDER_COST', amount: 1.5 },
      { name: 'ESTIMATE_ORDER_COST', amount: -100 },
      { amount: 100 },
      { name: 'ESTIMATE_ORDER_COST' },
      { name: 'ESTIMATE_ORDER_COST', amount: 100, currency: 'CNY' },
      { name: 'ESTIMATE_ORDER_COST', amount: 100, description: '' },
    ),
    wrongTypeForAll,
  ),
  payeeCode: fc.oneof(fc.constantFrom<unknown>('', 7), fc.integer({ min: 65, max: 500 }).map((n) => 'P'.repeat(n)), illFormed, wrongTypeForAll),
  shareCode: fc.oneof(fc.constantFrom<unknown>('', 'ABCDEFGHI', 'ABCDEFGHIJK', 'abcdefghij', 'ABCDEFGHI0', 'ABCDEFGHIO', 7), illFormed, wrongTypeForAll),
  displayName: fc.oneof(fc.integer({ min: 65, max: 400 }).map((n) => '名'.repeat(n)), fc.constantFrom<unknown>(7), illFormed, wrongTypeForAll),
};

function badValuesFor(spec: FieldSpec): fc.Arbitrary<unknown> {
  return spec.kind === 'text' ? badText(spec.max ?? 20) : BAD_BY_KIND[spec.kind];
}

/** Keys that must never reach an object as data (prototype pollution) or be accepted as unknown. */
const PROTOTYPE_KEYS = ['__proto__', 'constructor', 'prototype'];
/** Unknown field names: ignored (the schemas keep only their own fields), so the event stays valid. */
const UNKNOWN_KEYS = ['toString', 'hasOwnProperty', 'valueOf', 'mchId', 'mchid', 'appid', 'amount_total', '$where', '$set', ''];

/** `stillValid`: the mutated event is a valid one (an unknown field is ignored), judged as such. */
export type Mutation = { describe: string; apply: (event: Record<string, unknown>) => unknown; stillValid?: boolean };

/** Sets an own property, even `__proto__` (an object literal would set the prototype instead). */
function withOwn(event: Record<string, unknown>, key: string, value: unknown): Record<string, unknown> {
  const copy: Record<string, unknown> = { ...event };
  Object.defineProperty(copy, key, { value, enumerable: true, configurable: true, writable: true });
  return copy;
}

const show = (v: unknown) => (typeof v === 'string' && v.length > 40 ? `"${v.slice(0, 20)}…" (${v.length} chars)` : typeof v === 'function' ? 'a function' : JSON.stringify(v) ?? String(v));

/**
 * Every invalid mutation of a valid event of an action with these fields. `strict`: the action's
 * schema refuses fields it does not name (PayScore), so an unknown field is an invalid mutation
 * there rather than an ignored one.
 */
export function invalidMutations(fields: Record<string, FieldSpec>, actionName: string | undefined, strict = false): fc.Arbitrary<Mutation> {
  const names = Object.keys(fields);
  const options: Array<fc.Arbitrary<Mutation>> = [];
  if (names.length) {
    options.push(
      fc.constantFrom(...names).chain((name) =>
        badValuesFor(fields[name]).map((bad) => ({ describe: `${name} = ${show(bad)}`, apply: (e: Record<string, unknown>) => withOwn(e, name, bad) })),
      ),
    );
  }
  const required = names.filter((n) => fields[n].required);
  if (required.length) {
    options.push(fc.constantFrom(...required).map((name) => ({ describe: `without ${name}`, apply: (e: Record<string, unknown>) => Object.fromEntries(Object.entries(e).filter(([k]) => k !== name)) })));
  }
  options.push(
    fc.tuple(fc.constantFrom(...PROTOTYPE_KEYS, '\uD800key'), fc.oneof(fc.constant<unknown>({ polluted: true }), fc.string({ maxLength: 8 }), fc.integer())).map(([key, value]) => ({
      describe: `field ${JSON.stringify(key)}`,
      apply: (e: Record<string, unknown>) => withOwn(e, key, value),
    })),
    fc.tuple(fc.constantFrom(...UNKNOWN_KEYS), fc.oneof(fc.constant<unknown>({ polluted: true }), fc.string({ maxLength: 8 }), fc.integer())).map(([key, value]) => ({
      describe: `unknown field ${JSON.stringify(key)} (${strict ? 'refused' : 'ignored'})`,
      apply: (e: Record<string, unknown>) => withOwn(e, key, value),
      stillValid: !strict,
    })),
    fc.constantFrom<unknown>(7, null, ['create'], 'CREATE', 'nosuchaction', '__proto__', 'constructor', 'toString', 'create\uD800').map((bad) => ({
      describe: `action = ${show(bad)}`,
      apply: (e: Record<string, unknown>) => (actionName === undefined && bad === 'default' ? e : withOwn(e, 'action', bad)),
    })),
  );
  // An event that is no object is read as {} (no action): refused wherever an action is needed.
  if (actionName !== undefined) options.push(fc.constantFrom<unknown>(null, 'create', 42, []).map((bad) => ({ describe: `event = ${show(bad)}`, apply: () => bad })));
  return fc.oneof(...options);
}

/** Valid PayScore text: 1–`maxChars` well-formed characters (code points), no control characters. */
export function validChars(maxChars: number): fc.Arbitrary<string> {
  return validText(4 * maxChars).filter((s) => s.length > 0 && Array.from(s).length <= maxChars);
}

/** Valid text: any well-formed characters (CJK, emoji, RTL) except control characters. */
export function validText(maxBytes: number): fc.Arbitrary<string> {
  return fc
    .string({ unit: fc.oneof(fc.constantFrom('a', 'Z', '9', ' ', '支', '付', '😀', 'é', 'ß', '‏', '\u00a0', '<', '"', "'", '\\', '&'), fc.string({ unit: 'grapheme', minLength: 1, maxLength: 1 })), maxLength: 40 })
    .filter((s) => !/\p{Cc}/u.test(s) && Buffer.byteLength(s) <= maxBytes);
}

let unique = 0;
/** A fresh idempotency key of a generated shape (a repeat would be a different request with the same key). */
export const freshIdempotencyKey = fc.stringMatching(/^[A-Za-z0-9_-]{0,40}$/).map((s) => `${s}-fz${++unique}`.padStart(8, '0'));
