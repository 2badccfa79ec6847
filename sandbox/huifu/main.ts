import { defaultDataDir, runMain, stopOnSignals } from '../common/main';
import { DEFAULT_HUIFU_PORT, startHuifuGateway } from './index';

/**
 * Runs the Huifu sandbox on its own: `node -r esbuild-register sandbox/huifu/main.ts`.
 * HUIFU_SANDBOX_PORT (default 9402; 0 = free port), SANDBOX_DATA_DIR (default `.data` at the repo
 * root), HUIFU_SANDBOX_TIME_SCALE.
 */
async function main(): Promise<void> {
  const dataDir = defaultDataDir();
  const raw = process.env.HUIFU_SANDBOX_PORT;
  const gw = await startHuifuGateway({ dataDir, port: raw === undefined || raw === '' ? DEFAULT_HUIFU_PORT : Number(raw), log: (line) => console.log(line) });
  console.log(`huifu sandbox: ${gw.url} (dashboard ${gw.url}/sandbox/)`);
  console.log(`  sys_id ${gw.keys.sysId}, product_id ${gw.keys.productId}, huifu_id ${gw.keys.huifuId}, keys in ${gw.keys.dir}`);
  stopOnSignals(() => gw.close());
}

runMain(main);
