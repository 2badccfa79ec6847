import { join } from 'node:path';
import { buildCloudFunctions } from '../../../gulpfile';

/**
 * The functions the crash test runs, built with their named crash points armed (the only build
 * that keeps them; test/unit/kernel/platform/crash-point.test.ts checks no other does).
 */
export const CRASH_TEST_FUNCTIONS = ['login', 'pay', 'payee', 'payNotify', 'payscore', 'reconcile'];

export async function buildCrashFunctions(dir: string): Promise<string> {
  const distDir = join(dir, 'dist-crash-points');
  await buildCloudFunctions({ outDir: distDir, only: CRASH_TEST_FUNCTIONS, crashPoints: true });
  return distDir;
}
