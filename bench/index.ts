/**
 * `npm run bench [-- <section> …] [--chart | --chart-only]`: runs the registered sections (all by
 * default), prints each one's table, then every figure with its target and met/missed; writes
 * the results to bench/results.json (git-ignored) and appends one line to bench/history.jsonl
 * (committed: date, commit, machine load, figures). `--chart` then draws docs/bench/*.svg from the
 * history; `--chart-only` only draws. Add a section by writing `bench/<name>.ts` exporting a
 * `BenchSection` and listing it here.
 */
import { fork } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { cpus } from 'node:os';
import { join } from 'node:path';
import { e2e } from './e2e';
import { huifu } from './huifu';
import { memory } from './memory';
import { notify, type NotifyResults } from './notify';
import { protocol } from './protocol';
import { appendHistory, currentCommit, figuresTable, machineLoad, readHistory, writeCharts, type Figure } from './report';
import { scale } from './scale';
import { payscore } from './payscore';
import type { BenchSection } from './section';
import { v2 } from './v2';

const SECTIONS = [protocol, e2e, notify, scale, memory, v2, huifu, payscore] as BenchSection[];

/** Budget shared by the timed parts; seeding (scale, memory) and signing come on top. */
const TOTAL_BUDGET_MS = 60_000;

/**
 * Each section of a run of several runs in a process of its own: a section measured after another
 * in the same process inherited its heap, its JIT state and its leftovers — notify after e2e came
 * out 15–30 % lower than alone (issue 16, session 21). In its own process after e2e it still came
 * out lower in the one pair of runs compared (2,779 against 3,207/s run alone just after): the
 * machine (page cache, disk) still carries what the section before it did.
 */
function runSectionInChild(name: string, budgetMs: number): Promise<unknown> {
  const child = fork(__filename, ['--section-child', name, String(budgetMs)], { execArgv: ['-r', 'esbuild-register'], stdio: ['ignore', 'inherit', 'inherit', 'ipc'] });
  return new Promise((ok, fail) => {
    let answered = false;
    child.once('message', (m: { ok: boolean; result?: unknown; error?: string }) => {
      answered = true;
      if (m.ok) ok(m.result);
      else fail(new Error(`section ${name}: ${m.error}`));
    });
    child.once('exit', (code) => {
      if (!answered) fail(new Error(`section ${name}: its process exited (${code}) without results`));
    });
  });
}

/** The child's side: run one section, send its results, exit. */
async function sectionChild(name: string, budgetMs: number): Promise<void> {
  const section = SECTIONS.find((s) => s.name === name)!;
  try {
    const result = await section.run(budgetMs);
    process.send!({ ok: true, result });
  } catch (error) {
    process.send!({ ok: false, error: String((error as Error)?.stack ?? error) });
  }
  process.disconnect?.();
}

async function main(): Promise<void> {
  const args = process.argv.slice(2);
  if (args[0] === '--section-child') return sectionChild(args[1]!, Number(args[2]));
  const chart = args.includes('--chart') || args.includes('--chart-only');
  if (args.includes('--chart-only')) return drawCharts();
  const wanted = args.filter((a) => !a.startsWith('--'));
  const unknown = wanted.filter((name) => !SECTIONS.some((s) => s.name === name));
  if (unknown.length > 0) {
    console.error(`unknown section(s): ${unknown.join(', ')}; known: ${SECTIONS.map((s) => s.name).join(', ')}`);
    process.exit(2);
  }
  const selected = wanted.length > 0 ? SECTIONS.filter((s) => wanted.includes(s.name)) : SECTIONS;
  const results: Record<string, unknown> = {};
  const figures: Figure[] = [];
  const started = Date.now();
  const loadAtStart = machineLoad();
  // The code measured is the code at the start (HEAD may move while a long run goes on).
  const commit = currentCommit();
  for (const section of selected) {
    console.log(`\n## ${section.name}: ${section.description}\n`);
    const budgetMs = TOTAL_BUDGET_MS / selected.length;
    results[section.name] = selected.length > 1 ? await runSectionInChild(section.name, budgetMs) : await section.run(budgetMs);
    figures.push(...(section.figures?.(results[section.name]) ?? []));
  }
  const load = Math.max(loadAtStart, machineLoad());
  console.log(`\n## figures (issue 16 targets; ${cpus().length} cores, load average ${load.toFixed(1)} — shared machine)\n`);
  console.log(figuresTable(figures));
  const file = join(__dirname, 'results.json');
  const record = {
    date: new Date().toISOString(),
    commit,
    node: process.version,
    cpu: cpus()[0]?.model ?? 'unknown',
    cores: cpus().length,
    load,
    durationMs: Date.now() - started,
    figures,
    sections: results,
  };
  writeFileSync(file, JSON.stringify(record, null, 2) + '\n');
  const notifyResults = results.notify as NotifyResults | undefined;
  const curve = notifyResults?.curve;
  appendHistory({
    date: record.date,
    commit,
    load: Number(load.toFixed(2)),
    cores: record.cores,
    sections: selected.map((s) => s.name),
    figures: Object.fromEntries(figures.map((f) => [f.key, Number(f.value.toPrecision(6))])),
    ...(curve ? { curve: curve.map((p) => [p.concurrency, Math.round(p.ours.perSecond), Math.round(p.baseline.perSecond), Math.round(p.instances.perSecond)] as [number, number, number, number]) } : {}),
    ...(curve ? { instances: notifyResults!.instanceCount } : {}),
  });
  console.log(`\nresults written to ${file}, appended to bench/history.jsonl (${((Date.now() - started) / 1000).toFixed(1)} s)`);
  if (chart) drawCharts();
}

function drawCharts(): void {
  for (const file of writeCharts(readHistory())) console.log(`chart: ${file}`);
}

main().catch((error) => {
  console.error(error);
  process.exit(1);
});
