/**
 * The local stack in its own Node process, for the page-level e2e test: that test runs in jsdom
 * (miniprogram-simulate), whose globals are a browser's, while the function host and the v3 client
 * need Node's (fetch, AsyncLocalStorage). Prints one JSON line `{ hostUrl, gatewayUrl, dataDir }`
 * when ready and shuts down cleanly when stdin closes or on SIGTERM.
 *
 *   node -r esbuild-register test/e2e/payee/stack-process.ts
 */
import { startStack } from '../../helpers/stack';

async function main(): Promise<void> {
  const stack = await startStack();
  let closing = false;
  const shutdown = async () => {
    if (closing) return;
    closing = true;
    await stack.close();
    process.exit(0);
  };
  process.on('SIGTERM', () => void shutdown());
  process.stdin.on('end', () => void shutdown());
  process.stdin.resume();
  process.stdout.write(`${JSON.stringify({ hostUrl: stack.hostUrl, gatewayUrl: stack.gatewayUrl, dataDir: stack.dataDir })}\n`);
}

main().catch((error: unknown) => {
  process.stderr.write(`stack-process: ${error instanceof Error ? error.stack : String(error)}\n`);
  process.exit(1);
});
