/**
 * Huifu speaks yuan strings ("0.01"); we keep integer fen everywhere else. Conversion is done on
 * digits, never through floating point, and refuses anything that is not an exact amount.
 */
import { HuifuError } from './errors';

const YUAN = /^(0|[1-9]\d{0,12})(?:\.(\d{1,2}))?$/;

export function yuanToFen(yuan: string): number {
  const match = typeof yuan === 'string' ? YUAN.exec(yuan) : null;
  if (!match) throw new HuifuError('AMOUNT_INVALID', `not a yuan amount with at most 2 decimals: ${JSON.stringify(yuan)}`);
  const fraction = (match[2] ?? '').padEnd(2, '0');
  return Number(match[1]) * 100 + Number(fraction);
}

export function fenToYuan(fen: number): string {
  if (!Number.isSafeInteger(fen) || fen < 0) throw new HuifuError('AMOUNT_INVALID', `fen must be a non-negative integer: ${fen}`);
  const text = String(fen).padStart(3, '0');
  return `${text.slice(0, -2)}.${text.slice(-2)}`;
}
