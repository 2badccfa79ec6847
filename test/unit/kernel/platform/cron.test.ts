import { parseCron } from '../../../../sandbox/host/cron';

const at = (s: string) => new Date(s);

describe('parseCron (WeChat cloud timer triggers: sec min hour day month weekday year)', () => {
  it('matches numbers, stars, steps and lists', () => {
    const everyFiveMin = parseCron('0 */5 * * * * *');
    expect(everyFiveMin.matches(at('2026-03-01T10:15:00'))).toBe(true);
    expect(everyFiveMin.matches(at('2026-03-01T10:16:00'))).toBe(false);
    expect(everyFiveMin.matches(at('2026-03-01T10:15:01'))).toBe(false);
    const list = parseCron('30 0 2,14 * * * *');
    expect(list.matches(at('2026-03-01T14:00:30'))).toBe(true);
    expect(list.matches(at('2026-03-01T13:00:30'))).toBe(false);
  });

  it('computes the next firing time', () => {
    expect(parseCron('0 0 2 1 * * *').next(at('2026-03-15T12:00:00'))).toEqual(at('2026-04-01T02:00:00'));
    expect(parseCron('*/10 * * * * * *').next(at('2026-03-15T12:00:03'))).toEqual(at('2026-03-15T12:00:10'));
    expect(parseCron('* * * * * * *').next(at('2026-03-15T12:00:03.500'))).toEqual(at('2026-03-15T12:00:04'));
    // Weekday 1 = Monday; 2026-03-16 is a Monday.
    expect(parseCron('0 0 9 * * 1 *').next(at('2026-03-14T00:00:00'))).toEqual(at('2026-03-16T09:00:00'));
    // A year that has passed never fires.
    expect(parseCron('0 0 0 1 1 * 2020').next(at('2026-01-01T00:00:00'))).toBeUndefined();
  });

  it('accepts ranges and 7 as Sunday', () => {
    const weekdays = parseCron('0 0 9 * * 1-5 *');
    expect(weekdays.matches(at('2026-03-20T09:00:00'))).toBe(true); // Friday
    expect(weekdays.matches(at('2026-03-21T09:00:00'))).toBe(false); // Saturday
    expect(parseCron('0 0 9 * * 7 *').matches(at('2026-03-22T09:00:00'))).toBe(true); // Sunday
  });

  it('rejects expressions it cannot read, with the reason', () => {
    expect(() => parseCron('0 */5 * * * *')).toThrow(/expected 7 fields/);
    expect(() => parseCron('61 * * * * * *')).toThrow(/outside 0-59/);
    expect(() => parseCron('0 */0 * * * * *')).toThrow(/outside/);
    expect(() => parseCron('0 ? * * * * *')).toThrow(/cannot read "\?"/);
  });
});
