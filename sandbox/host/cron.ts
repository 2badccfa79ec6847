/**
 * WeChat cloud timer triggers: 7 fields `sec min hour day month weekday year`, e.g.
 * `0 0/5 * * * * *` (every 5 minutes). Supported per field: `*`, numbers, ranges `a-b`, steps
 * (star-slash-n, `a/n`, `a-b/n`), and comma lists of those. Weekday 0–6 is Sunday–Saturday (7 is Sunday too).
 */

interface Field {
  min: number;
  max: number;
}

const FIELDS: Field[] = [
  { min: 0, max: 59 }, // second
  { min: 0, max: 59 }, // minute
  { min: 0, max: 23 }, // hour
  { min: 1, max: 31 }, // day of month
  { min: 1, max: 12 }, // month
  { min: 0, max: 7 }, // weekday
  { min: 1970, max: 2199 }, // year
];

export interface CronSchedule {
  source: string;
  matches(date: Date): boolean;
  /** The first matching whole second strictly after `after`, or undefined within `horizonDays`. */
  next(after: Date, horizonDays?: number): Date | undefined;
}

export function parseCron(expression: string): CronSchedule {
  const parts = expression.trim().split(/\s+/);
  if (parts.length !== 7) throw new Error(`cron "${expression}": expected 7 fields (sec min hour day month weekday year), got ${parts.length}`);
  const sets = parts.map((part, i) => parseField(part, FIELDS[i], expression));
  // 7 and 0 are both Sunday.
  if (sets[5].has(7)) sets[5].add(0);
  const [sec, min, hour, day, month, weekday, year] = sets;

  const matches = (d: Date): boolean =>
    sec.has(d.getSeconds()) &&
    min.has(d.getMinutes()) &&
    hour.has(d.getHours()) &&
    day.has(d.getDate()) &&
    month.has(d.getMonth() + 1) &&
    weekday.has(d.getDay()) &&
    year.has(d.getFullYear());

  const next = (after: Date, horizonDays = 366): Date | undefined => {
    const t = new Date(Math.floor(after.getTime() / 1000) * 1000 + 1000);
    const end = after.getTime() + horizonDays * 86_400_000;
    while (t.getTime() <= end) {
      // Skip whole days, hours and minutes that cannot match, then test seconds.
      if (!(day.has(t.getDate()) && month.has(t.getMonth() + 1) && weekday.has(t.getDay()) && year.has(t.getFullYear()))) {
        t.setHours(24, 0, 0, 0);
        continue;
      }
      if (!hour.has(t.getHours())) {
        t.setMinutes(60, 0, 0);
        continue;
      }
      if (!min.has(t.getMinutes())) {
        t.setSeconds(60, 0);
        continue;
      }
      if (sec.has(t.getSeconds())) return new Date(t);
      t.setSeconds(t.getSeconds() + 1);
    }
    return undefined;
  };

  return { source: expression, matches, next };
}

function parseField(part: string, field: Field, expression: string): Set<number> {
  const out = new Set<number>();
  for (const item of part.split(',')) {
    const m = /^(\*|(\d+)(?:-(\d+))?)(?:\/(\d+))?$/.exec(item);
    if (!m) throw new Error(`cron "${expression}": cannot read "${item}"`);
    const step = m[4] === undefined ? 1 : Number(m[4]);
    let from = field.min;
    let to = field.max;
    if (m[1] !== '*') {
      from = Number(m[2]);
      to = m[3] === undefined ? (m[4] === undefined ? from : field.max) : Number(m[3]);
    }
    if (step < 1 || from < field.min || to > field.max || from > to) {
      throw new Error(`cron "${expression}": "${item}" is outside ${field.min}-${field.max}`);
    }
    for (let v = from; v <= to; v += step) out.add(v);
  }
  return out;
}
