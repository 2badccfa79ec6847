/**
 * Shared measurement and table helpers for every bench section. Candidates doing the same work
 * are measured side by side: round-robin batches, rotating who goes first, so drift (thermal,
 * GC, noisy neighbours) hits them all alike and the ratios stay honest.
 */

export interface Candidate {
  name: string;
  /** One operation. May return a promise (awaited, and its cost counted). */
  fn: () => unknown;
}

export interface CandidateResult {
  name: string;
  opsPerSec: number;
  /** opsPerSec / baseline opsPerSec (the first candidate is the baseline). */
  ratio: number;
  rounds: number;
}

export interface ComparisonResult {
  task: string;
  baseline: string;
  candidates: CandidateResult[];
  /** Minimum ratio asked of our implementation, when there is a target. */
  target?: { candidate: string; minRatio: number; met: boolean };
}

export interface CompareOptions {
  /** Wall-clock budget for the measured rounds of this comparison. */
  durationMs: number;
  /** Time one batch of one candidate should take. */
  batchMs?: number;
  target?: { candidate: string; minRatio: number };
}

const now = () => Number(process.hrtime.bigint()) / 1e6;

/** CPU time of this process in ms: unlike wall time, it does not count time spent descheduled. */
function cpuNow(): number {
  const { user, system } = process.cpuUsage();
  return (user + system) / 1000;
}

/**
 * Runs `n` operations and returns the CPU milliseconds they took. CPU time rather than wall time
 * so that other processes sharing the machine do not skew one candidate's batches.
 */
async function runBatch(fn: () => unknown, n: number): Promise<number> {
  const start = cpuNow();
  for (let i = 0; i < n; i++) {
    const result = fn();
    if (result instanceof Promise) await result;
  }
  return cpuNow() - start;
}

/** Batch size so one batch of the slowest-per-op candidate takes about `batchMs`. */
async function calibrate(candidates: Candidate[], batchMs: number): Promise<number[]> {
  const sizes: number[] = [];
  for (const candidate of candidates) {
    let n = 1;
    for (;;) {
      const elapsed = await runBatch(candidate.fn, n);
      if (elapsed >= batchMs / 4 || n >= 1 << 20) {
        sizes.push(Math.max(1, Math.round((n * batchMs) / Math.max(elapsed, 0.001))));
        break;
      }
      n *= 2;
    }
  }
  return sizes;
}

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = sorted.length >> 1;
  return sorted.length % 2 ? sorted[mid]! : (sorted[mid - 1]! + sorted[mid]!) / 2;
}

/** The first candidate is the baseline; ratios are relative to it. */
export async function compare(task: string, candidates: Candidate[], options: CompareOptions): Promise<ComparisonResult> {
  const batchMs = options.batchMs ?? 20;
  const sizes = await calibrate(candidates, batchMs); // doubles as warm-up
  const rates: number[][] = candidates.map(() => []);
  const deadline = now() + options.durationMs;
  for (let round = 0; now() < deadline || round < 3; round++) {
    for (let k = 0; k < candidates.length; k++) {
      const i = (round + k) % candidates.length;
      const elapsed = await runBatch(candidates[i]!.fn, sizes[i]!);
      rates[i]!.push((sizes[i]! * 1000) / elapsed);
    }
  }
  const ops = rates.map(median);
  const results = candidates.map((candidate, i) => ({
    name: candidate.name,
    opsPerSec: ops[i]!,
    ratio: ops[i]! / ops[0]!,
    rounds: rates[i]!.length,
  }));
  const comparison: ComparisonResult = { task, baseline: candidates[0]!.name, candidates: results };
  if (options.target) {
    const ours = results.find((r) => r.name === options.target!.candidate);
    comparison.target = { ...options.target, met: !!ours && ours.ratio >= options.target.minRatio };
  }
  return comparison;
}

export function formatOps(ops: number): string {
  if (ops >= 1e6) return `${(ops / 1e6).toFixed(2)}M`;
  if (ops >= 1e4) return `${(ops / 1e3).toFixed(1)}k`;
  return ops.toFixed(0);
}

/** Plain-text table with aligned columns; numbers right-aligned. */
export function formatTable(header: string[], rows: string[][]): string {
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => (r[i] ?? '').length)));
  const numeric = header.map((_, i) => rows.length > 0 && rows.every((r) => /^[\d.,]+[kM%x]?$|^$/.test(r[i] ?? '')));
  const line = (cells: string[]) =>
    cells.map((c, i) => (numeric[i] ? c.padStart(widths[i]!) : c.padEnd(widths[i]!))).join('  ').trimEnd();
  return [line(header), widths.map((w) => '-'.repeat(w)).join('  '), ...rows.map(line)].join('\n');
}

export function comparisonTable(results: ComparisonResult[]): string {
  const rows: string[][] = [];
  for (const result of results) {
    for (const c of result.candidates) {
      const isTarget = result.target?.candidate === c.name;
      rows.push([
        result.task,
        c.name,
        formatOps(c.opsPerSec),
        `${(c.ratio * 100).toFixed(1)}%`,
        isTarget ? `≥${(result.target!.minRatio * 100).toFixed(0)}% ${result.target!.met ? 'met' : 'MISSED'}` : '',
      ]);
    }
  }
  return formatTable(['task', 'candidate', 'ops/s', 'vs baseline', 'target'], rows);
}
