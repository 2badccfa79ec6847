import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { Worker, type WorkerOptions } from 'node:worker_threads';

/**
 * A worker thread running one of the host's modules: from its build where there is one, else its
 * TypeScript source through esbuild-register, as the host itself runs under `npm start` and jest.
 */
export function hostWorker(dir: string, name: string, options: Omit<WorkerOptions, 'eval'>): Worker {
  const built = join(dir, `${name}.js`);
  const resolvedModule = existsSync(built) ? built : join(dir, `${name}.ts`);
  const load = resolvedModule.endsWith('.js')
    ? `require(${JSON.stringify(resolvedModule)})`
    : `require('esbuild-register/dist/node').register({ target: 'node20' }); require(${JSON.stringify(resolvedModule)})`;
  return new Worker(load, { ...options, eval: true });
}
