import { existsSync } from 'node:fs';
import { dirname, join } from 'node:path';

/** What an emulator's stand-alone start script (`<emulator>/main.ts`) shares. */

/** SANDBOX_DATA_DIR, else `.data` at the repo root. */
export function defaultDataDir(): string {
  return process.env.SANDBOX_DATA_DIR ?? join(repoRoot(), '.data');
}

/** The nearest directory above this file with package.json and node_modules (works from dist/ too). */
export function repoRoot(): string {
  for (let dir = __dirname; dir !== dirname(dir); dir = dirname(dir)) {
    if (existsSync(join(dir, 'package.json')) && existsSync(join(dir, 'node_modules'))) return dir;
  }
  return process.cwd();
}

/** Runs `main`, exiting 1 with the error printed when it fails. */
export function runMain(main: () => Promise<void>): void {
  main().catch((err: unknown) => {
    console.error(err);
    process.exit(1);
  });
}

/** On SIGINT / SIGTERM: `close` once, then exit 0; `announce` hears which signal came. */
export function stopOnSignals(close: () => Promise<void>, announce?: (signal: string) => void): void {
  let stopping = false;
  const stop = (signal: string) => {
    if (stopping) return;
    stopping = true;
    announce?.(signal);
    void close().then(() => process.exit(0));
  };
  process.on('SIGINT', () => stop('SIGINT'));
  process.on('SIGTERM', () => stop('SIGTERM'));
}
