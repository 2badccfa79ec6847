/** RFC 3339 in China Standard Time, as WeChat Pay writes every time (`2018-06-08T10:34:56+08:00`). */
export function rfc3339China(ms: number = Date.now()): string {
  return `${new Date(ms + 8 * 3600_000).toISOString().slice(0, 19)}+08:00`;
}

/** `yyyyMMdd` / `yyyyMMddHHmmss` in China time, for ids shaped like WeChat's. */
export function compactChina(ms: number = Date.now()): string {
  return new Date(ms + 8 * 3600_000).toISOString().slice(0, 19).replace(/[-T:]/g, '');
}

export function randomDigits(n: number): string {
  let out = '';
  for (let i = 0; i < n; i++) out += Math.floor(Math.random() * 10);
  return out;
}
