import { parseYuan, yuanOf } from '../../../sandbox/huifu/money';

/** The sandbox's own yuan-string converter: exact on digits, strict on form. */
describe('huifu sandbox: yuan strings', () => {
  /** Written here independently: integer division, no floating point. */
  const expected = (fen: number) => `${Math.floor(fen / 100)}.${String(fen % 100).padStart(2, '0')}`;

  it('every amount from 1 to 100,000 fen round-trips (fen → yuan → fen) and reads as written by hand', () => {
    const wrong: number[] = [];
    for (let fen = 1; fen <= 100_000; fen++) {
      const yuan = yuanOf(fen);
      if (yuan !== expected(fen) || parseYuan(yuan) !== fen || parseYuan(expected(fen)) !== fen) wrong.push(fen);
    }
    expect(wrong).toEqual([]);
  });

  it('is exact where floating point is not', () => {
    expect(0.29 * 100).not.toBe(29);
    expect(parseYuan('0.29')).toBe(29);
    expect(parseYuan('4.35')).toBe(435);
    expect(parseYuan('99999999999.99')).toBe(9_999_999_999_999);
  });

  it.each([['1'], ['1.0'], ['1.000'], ['01.00'], ['.50'], ['1.'], ['-1.00'], ['+1.00'], ['1e2'], [' 1.00'], ['1.00 '], ['1,00'], [''], ['NaN'], ['Infinity'], ['１.００'], ['100000000000.00']])(
    'refuses %j (exactly two decimals, no sign or leading zero, at most 14 characters)',
    (text) => {
      expect(parseYuan(text)).toBeUndefined();
    },
  );

  it('refuses what is not a string', () => {
    for (const v of [1.5, 100, null, undefined, {}, ['1.00']]) expect(parseYuan(v)).toBeUndefined();
  });

  it('0.00 reads as 0 (the API layer refuses amounts under 0.01), and fen must be a non-negative integer', () => {
    expect(parseYuan('0.00')).toBe(0);
    expect(yuanOf(0)).toBe('0.00');
    expect(() => yuanOf(1.5)).toThrow();
    expect(() => yuanOf(-1)).toThrow();
  });
});
