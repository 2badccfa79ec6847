/**
 * Money on the page is integer fen. These helpers convert between fen and the yuan text a person
 * reads or types, with string arithmetic only: `0.1 + 0.2` never touches an amount.
 */

/** Largest integer-part length we accept; keeps every amount far inside Number.MAX_SAFE_INTEGER. */
export const MAX_YUAN_DIGITS = 9;

const AMOUNT_TEXT = /^(\d*)(?:\.(\d*))?$/;

/**
 * Exact yuan text → fen. Accepts what a keypad may hold mid-typing: '' (0), '0.', '.5', '12.3', '12.34'.
 * Returns null for anything else (letters, a second '.', more than 2 decimals, too many digits).
 */
export function yuanTextToFen(text: string): number | null {
  const match = AMOUNT_TEXT.exec(text);
  if (!match) return null;
  const integerPart = match[1];
  const fractionPart = match[2] ?? '';
  if (fractionPart.length > 2) return null;
  const significantInteger = integerPart.replace(/^0+/, '');
  if (significantInteger.length > MAX_YUAN_DIGITS) return null;
  const yuan = significantInteger === '' ? 0 : Number(significantInteger);
  const fen = fractionPart === '' ? 0 : Number(fractionPart.padEnd(2, '0'));
  return yuan * 100 + fen;
}

/** fen → '12.34' (always two decimals). Throws on a non-integer: a fractional fen is a bug upstream. */
export function fenToYuan(fen: number): string {
  if (!Number.isSafeInteger(fen)) throw new RangeError(`fen must be a safe integer, got ${fen}`);
  const sign = fen < 0 ? '-' : '';
  const abs = Math.abs(fen);
  const yuan = Math.floor(abs / 100);
  const cents = abs % 100;
  return `${sign}${yuan}.${cents < 10 ? '0' : ''}${cents}`;
}

/** fen → '¥12.34', for labels and lists. */
export function formatFen(fen: number): string {
  return `¥${fenToYuan(fen)}`;
}

/** Why a yuan amount handed to us as a Number was refused. */
export type YuanAmountRefusal =
  | 'NOT_A_NUMBER' // not a number, NaN, ±Infinity
  | 'NOT_POSITIVE' // zero or negative
  | 'TOO_MANY_DECIMALS' // finer than a fen
  | 'ABOVE_MAX'; // above the configured maximum

export type YuanAmountResult =
  | { ok: true; fen: number }
  | { ok: false; reason: YuanAmountRefusal; code: 'INVALID_ARGUMENT' | 'AMOUNT_OUT_OF_RANGE'; message: string };

/** Longest fen digit string we turn into a Number: 15 digits are always exact in a double. */
const MAX_FEN_DIGITS = 15;

/** `String(n)` of a finite positive Number: `123`, `12.34`, `1e-7`, `1.5e+21` (shortest round-trip form). */
const NUMBER_TEXT = /^(\d+)(?:\.(\d+))?(?:e([+-]\d+))?$/;

/**
 * A yuan amount as a Number (the official amount control's `onPayTouch` `amount`, e.g. 12.34) →
 * integer fen, exactly. Never multiplies by 100 (0.29 * 100 is 28.999…): it reads the digits of
 * the Number's shortest round-trip decimal text (`String(n)`, which JS defines to be the shortest
 * text that parses back to the same Number, so 12.34 reads '12.34' and 0.1 reads '0.1'), shifts the
 * point two places in the text, and refuses what is not a whole number of fen. Anything with 15
 * or fewer significant digits — every amount a person types — survives text → Number → text
 * unchanged, so the fen are the ones that were typed.
 */
export function yuanAmountToFen(amount: unknown, maxFen: number): YuanAmountResult {
  if (typeof amount !== 'number' || !Number.isFinite(amount)) {
    return refuse('NOT_A_NUMBER', 'INVALID_ARGUMENT', '金额无效，请重新输入');
  }
  if (amount <= 0) return refuse('NOT_POSITIVE', 'INVALID_ARGUMENT', '请输入大于 0 的金额');
  const match = NUMBER_TEXT.exec(String(amount));
  if (!match) return refuse('NOT_A_NUMBER', 'INVALID_ARGUMENT', '金额无效，请重新输入');
  const fraction = match[2] ?? '';
  // digits × 10^exponent is the amount in yuan; in fen the exponent is two higher.
  let digits = match[1] + fraction;
  let exponent = (match[3] === undefined ? 0 : Number(match[3])) - fraction.length + 2;
  while (exponent < 0 && digits.endsWith('0')) {
    digits = digits.slice(0, -1);
    exponent++;
  }
  if (exponent < 0) return refuse('TOO_MANY_DECIMALS', 'INVALID_ARGUMENT', '金额最多两位小数（精确到分）');
  digits = digits.replace(LEADING_ZEROS, '');
  const fen = digits.length + exponent > MAX_FEN_DIGITS ? Number.POSITIVE_INFINITY : Number(digits + '0'.repeat(exponent));
  if (fen > maxFen) return refuse('ABOVE_MAX', 'AMOUNT_OUT_OF_RANGE', `金额超出上限，单笔最多 ¥${fenToYuan(maxFen)}`);
  return { ok: true, fen };
}

const LEADING_ZEROS = /^0+/;

function refuse(reason: YuanAmountRefusal, code: 'INVALID_ARGUMENT' | 'AMOUNT_OUT_OF_RANGE', message: string): YuanAmountResult {
  return { ok: false, reason, code, message };
}
