import {
  canSubmit,
  initialKeypadState,
  keypadReducer,
  type KeypadKey,
  type KeypadState,
} from '../../../miniprogram/components/amount-keypad/keypad-reducer';

const NO_MAX = 0;

function type(keys: string, maxFen = NO_MAX): KeypadState {
  let state = initialKeypadState(maxFen);
  for (const ch of keys) {
    const key = (ch === '<' ? 'delete' : ch === 'C' ? 'clear' : ch) as KeypadKey;
    state = keypadReducer(state, { type: 'key', key });
  }
  return state;
}

describe('keypad reducer: typing', () => {
  it.each([
    ['1', '1', 100],
    ['12', '12', 1200],
    ['12.', '12.', 1200],
    ['12.3', '12.3', 1230],
    ['12.34', '12.34', 1234],
    ['12.345', '12.34', 1234], // third decimal refused
    ['0', '0', 0],
    ['00', '0', 0], // no leading zeros
    ['000', '0', 0],
    ['05', '5', 500],
    ['0.', '0.', 0],
    ['0.0', '0.0', 0],
    ['0.05', '0.05', 5],
    ['.', '0.', 0], // a leading point becomes '0.'
    ['.5', '0.5', 50],
    ['1..2', '1.2', 120], // second point ignored
    ['1.2.3', '1.23', 123],
    ['10', '10', 1000],
    ['100.00', '100.00', 10_000],
    ['12<', '1', 100],
    ['0.<', '0', 0],
    ['0.<<', '', 0],
    ['<', '', 0], // delete on empty stays empty
    ['12.3C', '', 0],
    ['12.34<5', '12.35', 1235],
  ])('%p → text %p, %p fen', (keys, text, fen) => {
    const state = type(keys);
    expect(state.text).toBe(text);
    expect(state.amount).toBe(fen);
  });

  it('says why a key was refused, and clears the reason on the next accepted key', () => {
    const full = type('1.234');
    expect(full.rejected).toBe('TOO_MANY_DECIMALS');
    expect(keypadReducer(full, { type: 'key', key: 'delete' }).rejected).toBeUndefined();
  });

  it('caps the integer part at 9 digits', () => {
    const state = type('1234567890');
    expect(state.text).toBe('123456789');
    expect(state.rejected).toBe('TOO_MANY_DIGITS');
  });

  it('refuses a key that would exceed the maximum and keeps the text', () => {
    const max = 50_000; // ¥500.00
    expect(type('500', max).text).toBe('500');
    expect(type('500.00', max).amount).toBe(50_000);
    const over = type('5001', max);
    expect(over.text).toBe('500');
    expect(over.rejected).toBe('OVER_MAX');
    expect(type('500.01', max).text).toBe('500.0');
    expect(type('499.99', max).amount).toBe(49_999);
  });

  it('never produces a text whose fen differs from exact decimal parsing (exhaustive over 4-key sequences)', () => {
    const keys: KeypadKey[] = ['0', '1', '5', '9', '.', 'delete'];
    const seqs: KeypadKey[][] = [[]];
    for (let len = 0; len < 4; len++) {
      for (const seq of seqs.splice(0)) for (const k of keys) seqs.push([...seq, k]);
      for (const seq of seqs) {
        let state = initialKeypadState(NO_MAX);
        for (const k of seq) state = keypadReducer(state, { type: 'key', key: k });
        expect(state.text).toMatch(/^(|0|[1-9]\d*)(\.\d{0,2})?$/);
        const [int, frac = ''] = state.text.split('.');
        expect(state.amount).toBe(Number(int || '0') * 100 + Number((frac + '00').slice(0, 2)));
      }
    }
  });
});

describe('keypad reducer: pasted text', () => {
  const paste = (text: string, maxFen = NO_MAX) => keypadReducer(initialKeypadState(maxFen, '7'), { type: 'paste', text });

  it.each([
    ['12.34', '12.34', 1234],
    ['  8.5 ', '8.5', 850],
    ['¥19.99', '19.99', 1999],
    ['.5', '0.5', 50],
    ['00', '0', 0],
    ['007.10', '7.10', 710],
    ['3.', '3.', 300],
  ])('accepts %p as %p (%p fen)', (text, expected, fen) => {
    const state = paste(text);
    expect(state.text).toBe(expected);
    expect(state.amount).toBe(fen);
    expect(state.rejected).toBeUndefined();
  });

  it.each([
    ['12.345', 'TOO_MANY_DECIMALS'],
    ['abc', 'NOT_AN_AMOUNT'],
    ['', 'NOT_AN_AMOUNT'],
    ['.', 'NOT_AN_AMOUNT'],
    ['1.2.3', 'NOT_AN_AMOUNT'],
    ['-5', 'NOT_AN_AMOUNT'],
    ['1e5', 'NOT_AN_AMOUNT'],
    ['1234567890', 'TOO_MANY_DIGITS'],
  ])('refuses %p (%s) and keeps what was typed', (text, reason) => {
    const state = paste(text);
    expect(state.text).toBe('7');
    expect(state.amount).toBe(700);
    expect(state.rejected).toBe(reason);
  });

  it('refuses a pasted amount over the maximum', () => {
    const state = paste('1000.01', 100_000);
    expect(state.rejected).toBe('OVER_MAX');
    expect(state.text).toBe('7');
  });
});

describe('canSubmit', () => {
  it('only for a positive amount within the maximum', () => {
    expect(canSubmit(type(''))).toBe(false);
    expect(canSubmit(type('0.'))).toBe(false);
    expect(canSubmit(type('0.00'))).toBe(false);
    expect(canSubmit(type('0.01'))).toBe(true);
    expect(canSubmit(type('5', 500))).toBe(true);
  });

  it('refuses an initial text over a maximum that shrank', () => {
    expect(canSubmit({ text: '10', amount: 1000, maxFen: 500 })).toBe(false);
  });
});
