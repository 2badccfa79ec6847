import { join, resolve } from 'node:path';
import { buildCloudFunctions } from '../../../gulpfile';

/**
 * The functions the crash test runs, built with their named crash points armed (the only build
 * that keeps them; test/unit/kernel/platform/crash-point.test.ts checks no other does). Built
 * under the repository's dist/ (git-ignored) so the bundles find node_modules (better-sqlite3).
 */
export const CRASH_TEST_FUNCTIONS = ['login', 'pay', 'payee', 'payNotify', 'payscore', 'reconcile'];

export async function buildCrashFunctions(): Promise<string> {
  const distDir = resolve(__dirname, '../../../dist/crash-points', String(process.pid));
  await buildCloudFunctions({ outDir: distDir, only: CRASH_TEST_FUNCTIONS, crashPoints: true });
  return distDir;
}

