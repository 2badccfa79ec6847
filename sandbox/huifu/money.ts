/**
 * Huifu amounts are yuan strings "单位元，保留两位小数，最低 0.01", String(14)
 * (https://github.com/huifurepo/dg-payment-skills donggong-aggregation-aggregate-order/references/
 * aggregate-order-request.md `trans_amt`; scanpay/refund `ord_amt` the same). The sandbox reads
 * them strictly: digits, a point, exactly two decimals, no sign, no leading zeros, at most 14
 * characters. Conversion is on digits, never through floating point.
 */

const YUAN = /^(0|[1-9]\d*)\.(\d{2})$/;
export const MAX_AMOUNT_CHARS = 14;

/** Integer fen of a well-formed yuan string, or undefined when it is not one. */
export function parseYuan(text: unknown): number | undefined {
  if (typeof text !== 'string' || text.length > MAX_AMOUNT_CHARS) return undefined;
  const m = YUAN.exec(text);
  if (!m) return undefined;
  const fen = Number(m[1]) * 100 + Number(m[2]);
  return Number.isSafeInteger(fen) ? fen : undefined;
}

export function yuanOf(fen: number): string {
  if (!Number.isSafeInteger(fen) || fen < 0) throw new Error(`fen must be a non-negative integer, got ${fen}`);
  const digits = String(fen).padStart(3, '0');
  return `${digits.slice(0, -2)}.${digits.slice(-2)}`;
}
