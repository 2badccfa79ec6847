/** Plain-text output helpers: China time as WeChat Pay writes it, yuan from fen, aligned columns. */

export const chinaTime = (ms: number) => new Date(ms + 8 * 3600_000).toISOString().slice(0, 19).replace('T', ' ');

export const yuan = (fen: number | null | undefined) => (fen === null || fen === undefined ? '—' : `¥${Math.floor(fen / 100)}.${String(fen % 100).padStart(2, '0')}`);

export function columns(rows: string[][]): string[] {
  const widths = rows[0]?.map((_, i) => Math.max(...rows.map((r) => [...(r[i] ?? '')].length))) ?? [];
  return rows.map((r) => r.map((c, i) => (i === r.length - 1 ? c : c + ' '.repeat(widths[i]! - [...c].length))).join('  ').trimEnd());
}
