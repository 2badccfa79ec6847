/**
 * `npm run bench [-- <section> …]`: runs the registered sections (all by default), prints each
 * one's table, and writes every result to bench/results.json (git-ignored) for comparison over
 * time. Add a section by writing `bench/<name>.ts` exporting a `BenchSection` and listing it here.
 */
import { writeFileSync } from 'node:fs';
import { cpus } from 'node:os';
import { join } from 'node:path';
import { e2e } from './e2e';
import { protocol } from './protocol';
import { payscore } from './payscore';
import type { BenchSection } from './section';

const SECTIONS: BenchSection[] = [protocol, e2e, payscore];

/** The whole bench should stay under about a minute. */
const TOTAL_BUDGET_MS = 40_000;

async function main(): Promise<void> {
  const wanted = process.argv.slice(2);
  const unknown = wanted.filter((name) => !SECTIONS.some((s) => s.name === name));
  if (unknown.length > 0) {
    console.error(`unknown section(s): ${unknown.join(', ')}; known: ${SECTIONS.map((s) => s.name).join(', ')}`);
    process.exit(2);
  }
  const selected = wanted.length > 0 ? SECTIONS.filter((s) => wanted.includes(s.name)) : SECTIONS;
  const results: Record<string, unknown> = {};
  const started = Date.now();
  for (const section of selected) {
    console.log(`\n## ${section.name}: ${section.description}\n`);
    results[section.name] = await section.run(TOTAL_BUDGET_MS / selected.length);
  }
  const file = join(__dirname, 'results.json');
  const record = {
    date: new Date().toISOString(),
    node: process.version,
    cpu: cpus()[0]?.model ?? 'unknown',
    cores: cpus().length,
    durationMs: Date.now() - started,
    sections: results,
  };
  writeFileSync(file, JSON.stringify(record, null, 2) + '\n');
  console.log(`\nresults written to ${file} (${((Date.now() - started) / 1000).toFixed(1)} s)`);
}

main().catch((error) => {
  console.error(error);
  process.exit(1);
});
