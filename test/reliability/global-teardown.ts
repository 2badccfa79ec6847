import { rmSync } from 'node:fs';
import { formatTable, readTallies } from './report';

/**
 * The one table of the run; exits non-zero (throws) on any unexpected result or loss, even if a
 * test forgot to assert its own tally.
 */
export default function globalTeardown(): void {
  const dir = process.env.RELIABILITY_REPORT_DIR;
  if (!dir) return;
  const rows = readTallies(dir);
  rmSync(dir, { recursive: true, force: true });
  if (!rows.length) return;
  process.stdout.write(`\nReliability suite (${process.env.RELIABILITY_LONG === '1' ? 'long' : 'CI'} size)\n${formatTable(rows)}\n`);
  const bad = rows.filter((r) => r.unexpected > 0 || r.lost > 0);
  if (bad.length) throw new Error(`reliability: unexpected results or losses in ${bad.map((r) => r.category).join(', ')}`);
}
