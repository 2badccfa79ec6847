import { existsSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { DEFAULT_HUIFU_PORT, startHuifuGateway } from './index';

/**
 * Runs the Huifu sandbox on its own: `node -r esbuild-register sandbox/huifu/main.ts`.
 * HUIFU_SANDBOX_PORT (default 9402; 0 = free port), SANDBOX_DATA_DIR (default `.data` at the repo
 * root), HUIFU_SANDBOX_TIME_SCALE.
 */
async function main(): Promise<void> {
  const dataDir = process.env.SANDBOX_DATA_DIR ?? join(repoRoot(), '.data');
  const raw = process.env.HUIFU_SANDBOX_PORT;
  const gw = await startHuifuGateway({ dataDir, port: raw === undefined || raw === '' ? DEFAULT_HUIFU_PORT : Number(raw), log: (line) => console.log(line) });
  console.log(`huifu sandbox: ${gw.url} (dashboard ${gw.url}/sandbox/)`);
  console.log(`  sys_id ${gw.keys.sysId}, product_id ${gw.keys.productId}, huifu_id ${gw.keys.huifuId}, keys in ${gw.keys.dir}`);
  const stop = () => void gw.close().then(() => process.exit(0));
  process.on('SIGINT', stop);
  process.on('SIGTERM', stop);
}

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
