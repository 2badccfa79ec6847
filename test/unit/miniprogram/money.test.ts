import { fenToYuan, formatFen, yuanTextToFen } from '../../../miniprogram/utils/money';

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
