/**
 * The whole local stack for an e2e test: sandbox gateway + function host over real HTTP on random
 * loopback ports, with a fresh temp data folder (keys, merchant config, sqlite store).
 *
 *   const stack = await startStack();   … stack.hostUrl, stack.gateway.admin …   await stack.close();
 *
 * Needs a built `dist/cloudfunctions` (npm test builds first).
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { nodeGlobals } from '../../sandbox/host/loader';
import { startLocalStack, type LocalStack, type LocalStackOptions } from '../../sandbox/start';

export interface StackOptions extends Partial<Omit<LocalStackOptions, 'dataDir'>> {
  /** Keep the temp data folder after close (debugging). */
  keepData?: boolean;
  /** Use this folder instead of a fresh temp one. */
  dataDir?: string;
}

export type Stack = LocalStack;

export async function startStack(opts: StackOptions = {}): Promise<Stack> {
  provideNodeGlobals();
  const dataDir = opts.dataDir ?? mkdtempSync(join(tmpdir(), 'pay-stack-'));
  const stack = await startLocalStack({ timers: false, ...opts, dataDir, gatewayPort: opts.gatewayPort ?? 0, hostPort: opts.hostPort ?? 0 });
  return {
    ...stack,
    close: async () => {
      await stack.close();
      if (!opts.keepData && !opts.dataDir) rmSync(dataDir, { recursive: true, force: true });
    },
  };
}

/**
 * Component tests run in jsdom, which has no `fetch` or `setImmediate`; the gateway and the
 * tests use them. Borrow Node's own.
 */
function provideNodeGlobals(): void {
  const g = globalThis as unknown as Record<string, unknown>;
  const node = nodeGlobals() as unknown as Record<string, unknown>;
  for (const name of ['fetch', 'Headers', 'Request', 'Response', 'setImmediate', 'clearImmediate']) {
    if (typeof g[name] !== 'function') g[name] = node[name];
  }
}
