import { fenToYuan, formatFen, yuanAmountToFen, yuanTextToFen } from '../../../miniprogram/utils/money';

describe('yuanTextToFen: exact, never through floats', () => {
  it.each([
    ['', 0], ['0', 0], ['0.', 0], ['.5', 50], ['0.5', 50], ['0.05', 5], ['1', 100], ['12.3', 1230],
    ['12.34', 1234], ['0.01', 1], ['007', 700], ['999999999.99', 99_999_999_999],
    // classic float traps: 0.29*100 = 28.999…, 1.15*100 = 114.999…, 4.35*100 = 434.999…
    ['0.29', 29], ['1.15', 115], ['4.35', 435], ['19.99', 1999], ['1.005'.slice(0, 4), 100],
  ])('%p → %p', (text, fen) => {
    expect(yuanTextToFen(text)).toBe(fen);
  });

  it.each(['abc', '1.2.3', '12.345', '-1', '1e3', ' 1', '1,000', '¥1', '1234567890', '0x10', '.'.repeat(2)])(
    'rejects %p',
    (text) => {
      expect(yuanTextToFen(text)).toBeNull();
    },
  );

  it('agrees with integer arithmetic for every amount up to 100.00', () => {
    for (let fen = 0; fen <= 10_000; fen++) {
      expect(yuanTextToFen(fenToYuan(fen))).toBe(fen);
    }
  });
});

describe('fenToYuan / formatFen', () => {
  it.each([
    [0, '0.00'], [1, '0.01'], [10, '0.10'], [99, '0.99'], [100, '1.00'], [1234, '12.34'], [-250, '-2.50'],
  ])('%p fen → %p', (fen, text) => {
    expect(fenToYuan(fen)).toBe(text);
  });

  it('refuses a fractional fen', () => {
    expect(() => fenToYuan(1.5)).toThrow(RangeError);
  });

  it('formats with the yuan sign', () => {
    expect(formatFen(1999)).toBe('¥19.99');
  });
});

describe('yuanAmountToFen: the amount control\'s yuan Number → fen, exactly, without float arithmetic', () => {
  const MAX = 100_000_000; // ¥1,000,000.00: room for every 6-digit integer part

  it.each([
    [12.34, 1234], [19.99, 1999], [0.29, 29], [100, 10000], [0.1, 10], [0.01, 1], [1, 100], [12.3, 1230], [1.15, 115],
    [4.35, 435], [8.2, 820], [1.1, 110], [0.07, 7], [999999.99, 99_999_999], [123456.78, 12_345_678], [1e2, 10000], [2.5e1, 2500],
    [1e-2, 1], [5e-2, 5], [1.5e-1, 15],
  ])('%p yuan → %p fen', (yuan, fen) => {
    expect(yuanAmountToFen(yuan, MAX)).toEqual({ ok: true, fen });
  });

  it.each([
    [Number.NaN, 'NOT_A_NUMBER', 'INVALID_ARGUMENT'],
    [Number.POSITIVE_INFINITY, 'NOT_A_NUMBER', 'INVALID_ARGUMENT'],
    [Number.NEGATIVE_INFINITY, 'NOT_A_NUMBER', 'INVALID_ARGUMENT'],
    ['12.34', 'NOT_A_NUMBER', 'INVALID_ARGUMENT'],
    [null, 'NOT_A_NUMBER', 'INVALID_ARGUMENT'],
    [undefined, 'NOT_A_NUMBER', 'INVALID_ARGUMENT'],
    [0, 'NOT_POSITIVE', 'INVALID_ARGUMENT'],
    [-0, 'NOT_POSITIVE', 'INVALID_ARGUMENT'],
    [-0.01, 'NOT_POSITIVE', 'INVALID_ARGUMENT'],
    [-12.34, 'NOT_POSITIVE', 'INVALID_ARGUMENT'],
    [1.005, 'TOO_MANY_DECIMALS', 'INVALID_ARGUMENT'],
    [0.001, 'TOO_MANY_DECIMALS', 'INVALID_ARGUMENT'],
    [0.1 + 0.2, 'TOO_MANY_DECIMALS', 'INVALID_ARGUMENT'], // 0.30000000000000004
    [1e-7, 'TOO_MANY_DECIMALS', 'INVALID_ARGUMENT'], // String() gives '1e-7'
    [Number.MIN_VALUE, 'TOO_MANY_DECIMALS', 'INVALID_ARGUMENT'],
    [1000000.01, 'ABOVE_MAX', 'AMOUNT_OUT_OF_RANGE'],
    [1e21, 'ABOVE_MAX', 'AMOUNT_OUT_OF_RANGE'], // String() gives '1e+21'
    [Number.MAX_VALUE, 'ABOVE_MAX', 'AMOUNT_OUT_OF_RANGE'],
    [Number.MAX_SAFE_INTEGER, 'ABOVE_MAX', 'AMOUNT_OUT_OF_RANGE'],
  ])('refuses %p (%s, %s) with a clear message', (yuan, reason, code) => {
    const result = yuanAmountToFen(yuan, MAX);
    expect(result).toMatchObject({ ok: false, reason, code });
    if (!result.ok) expect(result.message).toMatch(/金额/);
  });

  it('refuses above the configured maximum and names it, accepts exactly the maximum', () => {
    expect(yuanAmountToFen(1000, 100_000)).toEqual({ ok: true, fen: 100_000 });
    expect(yuanAmountToFen(1000.01, 100_000)).toEqual({
      ok: false,
      reason: 'ABOVE_MAX',
      code: 'AMOUNT_OUT_OF_RANGE',
      message: '金额超出上限，单笔最多 ¥1000.00',
    });
    expect(yuanAmountToFen(0.02, 1)).toMatchObject({ ok: false, reason: 'ABOVE_MAX' });
  });

  /**
   * The string oracle: the digits a person typed, with the point moved two places in the TEXT
   * ('12' '.3' → '12' + '30' → 1230). The code under test sees only what the control hands over,
   * Number(text). Zero typed must be refused.
   */
  const wrong: string[] = [];
  let checked = 0;
  function check(text: string, integerDigits: string, centDigits: string): void {
    checked++;
    const expected = Number(integerDigits + centDigits);
    const got = yuanAmountToFen(Number(text), MAX);
    const ok = expected === 0 ? !got.ok && got.reason === 'NOT_POSITIVE' : got.ok && got.fen === expected;
    if (!ok && wrong.length < 10) wrong.push(`${text} → ${JSON.stringify(got)} (expected ${expected})`);
  }
  beforeEach(() => {
    wrong.length = 0;
    checked = 0;
  });

  /** Seconds on an idle machine; a loaded 2-core CI is several times slower. */
  const SWEEP_TIMEOUT_MS = 120_000;
  const CENTS = Array.from({ length: 100 }, (_, c) => (c < 10 ? `0${c}` : `${c}`));

  /*
   * Which amounts: typed 12.3 and 12.30 are the same Number, and so are 12 and 12.00, so "every 1–6
   * digit amount with 0–2 decimals" is every k/100 for k < 10^8: 10^8 Numbers, minutes of CPU on
   * every run. We run every two-decimal amount below ¥10,000 (10^6: all 100 cent patterns under
   * every integer part of 1–4 digits) and every integer part 0…999,999 typed bare, with one decimal
   * and with two, the decimal digits rotating through all 10 / 100 patterns across integer parts
   * (3·10^6): 4·10^6 checks, seconds. Why that suffices beyond the
   * samples: a decimal text of at most 15 significant digits comes back unchanged from
   * String(Number(text)) (a double holds 15 decimal digits), and these have at most 8; the sweep
   * checks that our reading of that text is right for every integer part and every cent pattern.
   */
  it('agrees with the string oracle for every two-decimal amount below ¥10,000', () => {
    for (let integer = 0; integer < 10_000; integer++) {
      const digits = String(integer);
      for (const cents of CENTS) check(`${digits}.${cents}`, digits, cents);
    }
    expect(wrong).toEqual([]);
    expect(checked).toBe(1_000_000);
  }, SWEEP_TIMEOUT_MS);

  it('agrees with the string oracle for every 1–6 digit integer part, bare and with 1 and 2 decimals', () => {
    for (let integer = 0; integer < 1_000_000; integer++) {
      const digits = String(integer);
      const tenth = String(integer % 10);
      const cents = CENTS[(integer * 37) % 100]!; // every pattern, not tied to the last digits
      check(digits, digits, '00');
      check(`${digits}.${tenth}`, digits, `${tenth}0`);
      check(`${digits}.${cents}`, digits, cents);
    }
    expect(wrong).toEqual([]);
    expect(checked).toBe(3_000_000);
  }, SWEEP_TIMEOUT_MS);

  it('refuses a third decimal for every integer part (sampled third digits)', () => {
    const wrong: string[] = [];
    for (let integer = 0; integer < 1_000_000; integer += 7) {
      const text = `${integer}.${integer % 100 < 10 ? '0' : ''}${integer % 100}${(integer % 9) + 1}`;
      const got = yuanAmountToFen(Number(text), MAX);
      if ((got.ok || got.reason !== 'TOO_MANY_DECIMALS') && wrong.length < 10) wrong.push(`${text} → ${JSON.stringify(got)}`);
    }
    expect(wrong).toEqual([]);
  });

  it('never multiplies by 100 (where that would be wrong, it is exact)', () => {
    // The classic: 0.29 * 100 === 28.999999999999996, 1.15 * 100 === 114.99999999999999.
    expect(0.29 * 100).not.toBe(29);
    expect(yuanAmountToFen(0.29, MAX)).toEqual({ ok: true, fen: 29 });
    expect(1.15 * 100).not.toBe(115);
    expect(yuanAmountToFen(1.15, MAX)).toEqual({ ok: true, fen: 115 });
  });
});
