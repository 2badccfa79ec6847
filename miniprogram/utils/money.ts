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
