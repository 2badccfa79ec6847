/**
 * Days and months as a merchant in China counts them: Asia/Shanghai is UTC+8 all year (no
 * daylight saving since 1991), so a fixed offset is exact and needs no time-zone database.
 */
export const CHINA_OFFSET_MS = 8 * 3600_000;
const DAY_MS = 24 * 3600_000;

/** ms epoch of 00:00 China time of the day `at` falls in. */
export function chinaDayStart(at: number): number {
  return Math.floor((at + CHINA_OFFSET_MS) / DAY_MS) * DAY_MS - CHINA_OFFSET_MS;
}

/** [from, before) of the China-time month `at` falls in. */
export function chinaMonth(at: number): { from: number; before: number } {
  const local = new Date(at + CHINA_OFFSET_MS);
  const year = local.getUTCFullYear();
  const month = local.getUTCMonth();
  return { from: Date.UTC(year, month, 1) - CHINA_OFFSET_MS, before: Date.UTC(year, month + 1, 1) - CHINA_OFFSET_MS };
}

/** `YYYY-MM-DD` (a real calendar day) → ms epoch of its 00:00 China time; undefined when not a date. */
export function chinaDateStart(date: string): number | undefined {
  const match = /^(\d{4})-(\d{2})-(\d{2})$/.exec(date);
  if (!match) return undefined;
  const [year, month, day] = [Number(match[1]), Number(match[2]), Number(match[3])];
  const utc = Date.UTC(year, month - 1, day);
  const check = new Date(utc);
  if (check.getUTCFullYear() !== year || check.getUTCMonth() !== month - 1 || check.getUTCDate() !== day) return undefined;
  return utc - CHINA_OFFSET_MS;
}

export const ONE_DAY_MS = DAY_MS;
