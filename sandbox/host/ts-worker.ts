import { createRequire } from 'node:module';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { Worker, type WorkerOptions } from 'node:worker_threads';
import { requireInMainRealm } from './loader';

/** Bundled programs by entry file: built once per process, then every worker evaluates the text. */
const programs = new Map<string, string>();

/**
 * A worker thread running one of the host's modules, bundled once per process with esbuild
 * (the host itself runs from TypeScript under `npm start` and jest): a worker that loaded the
 * TypeScript through esbuild-register instead spent ~0.3 s of CPU compiling at every start — one
 * checkpointer per test stack added about a minute to the test run. Native modules stay outside
 * the bundle, required by their resolved path (an evaluated worker resolves from nowhere in particular).
 */
export function hostWorker(dir: string, name: string, options: Omit<WorkerOptions, 'eval'>): Worker {
  const entry = existsSync(join(dir, `${name}.js`)) ? join(dir, `${name}.js`) : join(dir, `${name}.ts`);
  let program = programs.get(entry);
  if (program === undefined) {
    const nativeModule = createRequire(entry).resolve('better-sqlite3');
    // Loaded when first needed, in Node's own realm (the component tests run the host under jsdom).
    const { buildSync } = requireInMainRealm('esbuild') as typeof import('esbuild');
    const [output] = buildSync({ entryPoints: [entry], bundle: true, platform: 'node', format: 'cjs', target: 'node20', write: false, external: ['better-sqlite3'], logLevel: 'silent' }).outputFiles;
    program = output!.text.split('require("better-sqlite3")').join(`require(${JSON.stringify(nativeModule)})`);
    programs.set(entry, program);
  }
  return new Worker(program, { ...options, eval: true });
}
