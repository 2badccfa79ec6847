/** The parent's handle on the load-generator process (`load-generator.ts`, forked once per section). */
import { fork, type ChildProcess } from 'node:child_process';
import { join } from 'node:path';
import type { GeneratorJob, GeneratorResult } from './load-generator';

export interface Generator {
  run(job: GeneratorJob): Promise<GeneratorResult>;
  close(): void;
}

export async function startGenerator(): Promise<Generator> {
  const child: ChildProcess = fork(join(__dirname, 'load-generator.ts'), [], { execArgv: ['-r', 'esbuild-register'], stdio: ['ignore', 'inherit', 'inherit', 'ipc'] });
  await new Promise<void>((ok, fail) => {
    child.once('message', () => ok());
    child.once('error', fail);
    child.once('exit', (code) => fail(new Error(`load generator exited (${code}) before it was ready`)));
  });
  child.removeAllListeners('exit');
  return {
    run: (job) =>
      new Promise((ok, fail) => {
        child.once('message', (m: { ok: boolean; result?: GeneratorResult; error?: string }) => (m.ok ? ok(m.result!) : fail(new Error(m.error))));
        child.send(job);
      }),
    close: () => {
      child.send('exit');
    },
  };
}
