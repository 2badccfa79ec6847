import { resolve } from 'node:path';
import { defaultDataDir, runMain, stopOnSignals } from '../common/main';
import { startGateway } from './index';

/**
 * Runs the gateway on its own: `node -r esbuild-register sandbox/gateway/main.ts`.
 * SANDBOX_PORT (default 0 = free port), SANDBOX_DATA_DIR (default `.data` at the repo root),
 * SANDBOX_TIME_SCALE (default 1).
 */
async function main(): Promise<void> {
  const dataDir = defaultDataDir();
  const gateway = await startGateway({
    dataDir,
    port: Number(process.env.SANDBOX_PORT ?? 0),
    log: (line) => console.log(line),
  });
  console.log(`sandbox gateway: ${gateway.url}`);
  console.log(`  mchid ${gateway.keys.mchid}, appid ${gateway.keys.appid}, keys in ${resolve(dataDir, 'keys')}`);
  stopOnSignals(() => gateway.close(), (signal) => console.log(`sandbox gateway: ${signal}, shutting down`));
}

runMain(main);
