/**
 * The reliability suite's one counting and report module. Every test file tallies its cases by
 * category; each tally is written to the run's report folder (set by `global-setup.ts`), and
 * `global-teardown.ts` prints one table — category, cases tried, refused as expected, accepted as
 * expected, unexpected, data lost — and fails the run on any unexpected result or any loss.
 * Each test also asserts its own tally is clean, so the failing case is named where it happened.
 */
import { mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

export interface TallyRow {
  category: string;
  tried: number;
  refused: number;
  accepted: number;
  unexpected: number;
  lost: number;
  /** The first few unexpected cases / losses, for the failure message. */
  samples: string[];
}

const MAX_SAMPLES = 5;

export class Tally {
  readonly row: TallyRow;
  constructor(category: string) {
    this.row = { category, tried: 0, refused: 0, accepted: 0, unexpected: 0, lost: 0, samples: [] };
  }
  /** A case that was refused, and should have been. */
  refused(): void {
    this.row.tried++;
    this.row.refused++;
  }
  /** A case that was accepted, and should have been. */
  accepted(): void {
    this.row.tried++;
    this.row.accepted++;
  }
  /** A case whose outcome was not the expected one (an exception, a 500, a wrong code, a write). */
  unexpected(what: string): void {
    this.row.tried++;
    this.row.unexpected++;
    this.sample(`unexpected: ${what}`);
  }
  /** Money or state that went missing (counted beside the case's own outcome). */
  lost(what: string): void {
    this.row.lost++;
    this.sample(`lost: ${what}`);
  }
  /** Records an outcome from a check: `expected` says which way it should have gone. */
  outcome(expected: 'refused' | 'accepted', actual: 'refused' | 'accepted' | string, what: string): void {
    if (actual === expected) (expected === 'refused' ? this.refused() : this.accepted());
    else this.unexpected(`${what}: expected ${expected}, got ${actual}`);
  }
  get clean(): boolean {
    return this.row.unexpected === 0 && this.row.lost === 0;
  }
  summary(): string {
    return `${this.row.category}: ${this.row.tried} tried, ${this.row.unexpected} unexpected, ${this.row.lost} lost${this.row.samples.length ? '\n  ' + this.row.samples.join('\n  ') : ''}`;
  }
  private sample(text: string): void {
    if (this.row.samples.length < MAX_SAMPLES) this.row.samples.push(text.slice(0, 600));
  }
}

/** The folder this run's tallies go to (the global setup names it; a lone file run gets a fresh one). */
export function reportDir(): string {
  const dir = process.env.RELIABILITY_REPORT_DIR ?? join(tmpdir(), `reliability-report-${process.pid}`);
  mkdirSync(dir, { recursive: true });
  return dir;
}

/** Writes a tally for the end-of-run table (one file per category; a rerun overwrites). */
export function saveTally(tally: Tally): void {
  const name = tally.row.category.replace(/[^A-Za-z0-9_-]+/g, '_');
  writeFileSync(join(reportDir(), `${name}.json`), JSON.stringify(tally.row));
}

/** Saves the tally and fails the test with its samples unless it is clean. */
export function finish(tally: Tally): void {
  saveTally(tally);
  if (!tally.clean) throw new Error(tally.summary());
  if (tally.row.tried === 0) throw new Error(`${tally.row.category}: no cases were tried`);
}

export function readTallies(dir: string): TallyRow[] {
  return readdirSync(dir)
    .filter((f) => f.endsWith('.json'))
    .map((f) => JSON.parse(readFileSync(join(dir, f), 'utf8')) as TallyRow)
    .sort((a, b) => a.category.localeCompare(b.category));
}

const HEADERS = ['category', 'cases tried', 'refused as expected', 'accepted as expected', 'unexpected', 'data lost'] as const;

/** The report table, as Markdown (it goes in the README as printed). */
export function formatTable(rows: TallyRow[]): string {
  const cells = rows.map((r) => [r.category, r.tried, r.refused, r.accepted, r.unexpected, r.lost].map(String));
  const total = ['total', ...[1, 2, 3, 4, 5].map((i) => String(cells.reduce((sum, c) => sum + Number(c[i]), 0)))];
  const all = [[...HEADERS], ...cells, total];
  const widths = HEADERS.map((_, i) => Math.max(...all.map((c) => c[i].length)));
  const line = (c: string[]) => `| ${c.map((text, i) => (i === 0 ? text.padEnd(widths[i]) : text.padStart(widths[i]))).join(' | ')} |`;
  const rule = `|${widths.map((w, i) => (i === 0 ? '-'.repeat(w + 2) : '-'.repeat(w + 1) + ':')).join('|')}|`;
  return [line(all[0]), rule, ...all.slice(1).map(line)].join('\n');
}
