/**
 * The amount keypad's input logic as a pure reducer: (state, action) → state. The component only
 * renders `text` and forwards keys, so every typing rule is tested here without a renderer.
 *
 * Rules: digits, one decimal point, at most 2 decimals, no leading zeros ('00' stays '0',
 * '05' becomes '5'), '.' first becomes '0.', never above `maxFen`. A rejected key leaves the text
 * unchanged and says why in `rejected`, so the view can give feedback.
 */
import { MAX_YUAN_DIGITS, yuanTextToFen } from '../../utils/money';

export type KeypadKey = '0' | '1' | '2' | '3' | '4' | '5' | '6' | '7' | '8' | '9' | '.' | 'delete' | 'clear';

export type KeypadAction =
  | { type: 'key'; key: KeypadKey }
  /** Text from outside (paste, a preset amount). Accepted whole or not at all: money is never truncated. */
  | { type: 'paste'; text: string };

export type RejectReason = 'TOO_MANY_DECIMALS' | 'TOO_MANY_DIGITS' | 'OVER_MAX' | 'NOT_AN_AMOUNT';

export interface KeypadState {
  /** What the user has typed so far, e.g. '', '0.', '12.3'. */
  text: string;
  /** Exact value of `text` in fen (0 while empty). */
  amount: number;
  /** Largest accepted amount in fen; 0 or less means no limit beyond the digit cap. */
  maxFen: number;
  /** Why the last action changed nothing; undefined when it was accepted. */
  rejected?: RejectReason;
}

export function initialKeypadState(maxFen: number, text = ''): KeypadState {
  const amount = yuanTextToFen(text);
  if (amount === null) throw new RangeError(`not an amount: ${text}`);
  return { text, amount, maxFen };
}

const DIGIT = /^[0-9]$/;

export function keypadReducer(state: KeypadState, action: KeypadAction): KeypadState {
  const next = action.type === 'key' ? applyKey(state.text, action.key) : normalizePasted(action.text);
  if (typeof next !== 'string') return { ...state, rejected: next.rejected };
  const amount = yuanTextToFen(next);
  if (amount === null) return { ...state, rejected: 'NOT_AN_AMOUNT' };
  if (state.maxFen > 0 && amount > state.maxFen) return { ...state, rejected: 'OVER_MAX' };
  return { text: next, amount, maxFen: state.maxFen };
}

/** The amount may be submitted: positive and within the maximum. */
export function canSubmit(state: KeypadState): boolean {
  return state.amount > 0 && (state.maxFen <= 0 || state.amount <= state.maxFen);
}

function applyKey(text: string, key: KeypadKey): string | { rejected: RejectReason } {
  if (key === 'clear') return '';
  if (key === 'delete') return text.slice(0, -1);
  if (key === '.') {
    if (text.includes('.')) return text; // a second point is a no-op, not an error
    return text === '' ? '0.' : `${text}.`;
  }
  if (!DIGIT.test(key)) return { rejected: 'NOT_AN_AMOUNT' };
  const point = text.indexOf('.');
  if (point >= 0) {
    if (text.length - point - 1 >= 2) return { rejected: 'TOO_MANY_DECIMALS' };
    return text + key;
  }
  if (text === '0') return key; // '0' then '0' stays '0'; '0' then '5' is '5'
  if (text.length >= MAX_YUAN_DIGITS) return { rejected: 'TOO_MANY_DIGITS' };
  return text + key;
}

/** Pasted text → canonical keypad text, or why it is not an amount. Allows surrounding spaces and a leading ¥/￥. */
function normalizePasted(raw: string): string | { rejected: RejectReason } {
  const trimmed = raw.trim().replace(/^[¥￥]\s*/, '');
  const match = /^(\d*)(?:\.(\d*))?$/.exec(trimmed);
  if (!match || trimmed === '' || trimmed === '.') return { rejected: 'NOT_AN_AMOUNT' };
  const fraction = match[2];
  if (fraction !== undefined && fraction.length > 2) return { rejected: 'TOO_MANY_DECIMALS' };
  const integer = match[1].replace(/^0+(?=\d)/, '') || '0';
  if (integer.length > MAX_YUAN_DIGITS) return { rejected: 'TOO_MANY_DIGITS' };
  return fraction === undefined ? integer : `${integer}.${fraction}`;
}
