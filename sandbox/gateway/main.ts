import { existsSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { startGateway } from './index';

/**
 * Runs the gateway on its own: `node -r esbuild-register sandbox/gateway/main.ts`.
 * SANDBOX_PORT (default 0 = free port), SANDBOX_DATA_DIR (default `.data` at the repo root),
 * SANDBOX_TIME_SCALE (default 1).
 */
async function main(): Promise<void> {
  const dataDir = process.env.SANDBOX_DATA_DIR ?? join(repoRoot(), '.data');
  const gateway = await startGateway({
    dataDir,
    port: Number(process.env.SANDBOX_PORT ?? 0),
    log: (line) => console.log(line),
  });
  console.log(`sandbox gateway: ${gateway.url}`);
  console.log(`  mchid ${gateway.keys.mchid}, appid ${gateway.keys.appid}, keys in ${resolve(dataDir, 'keys')}`);
  let stopping = false;
  const stop = (signal: string) => {
    if (stopping) return;
    stopping = true;
    console.log(`sandbox gateway: ${signal}, shutting down`);
    void gateway.close().then(() => process.exit(0));
  };
  process.on('SIGINT', () => stop('SIGINT'));
  process.on('SIGTERM', () => stop('SIGTERM'));
}

/** The nearest directory above this file with package.json and node_modules (works from dist/ too). */
function repoRoot(): string {
  for (let dir = __dirname; dir !== dirname(dir); dir = dirname(dir)) {
    if (existsSync(join(dir, 'package.json')) && existsSync(join(dir, 'node_modules'))) return dir;
  }
  return process.cwd();
}

main().catch((err: unknown) => {
  console.error(err);
  process.exit(1);
});
