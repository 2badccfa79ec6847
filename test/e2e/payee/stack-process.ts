/**
 * The local stack in its own Node process, for the payee e2e tests: the page test runs in jsdom
 * (miniprogram-simulate), whose globals are a browser's, while the function host and the v3 client
 * need Node's (fetch, AsyncLocalStorage). Prints one line `@@stack {hostUrl, gatewayUrl, dataDir}`
 * when ready; then reads JSON commands from stdin, one per line (`{"id":1,"runTimer":"reconcile"}`
 * → `@@stack {"id":1,"result":…}` or an `error`), and shuts down cleanly when stdin closes or
 * on SIGTERM. Env `STACK_FUNCTION_ENV` (JSON) is passed to the functions (e.g. a short close interval);
 * `STACK_OPTIONS` (JSON, `RemoteStackOptions`) sets the stack itself (signing-page layouts).
 *
 *   node -r esbuild-register test/e2e/payee/stack-process.ts
 */
import { createInterface } from 'node:readline';
import { startStack } from '../../helpers/stack';
import type { RemoteStackOptions } from './remote-stack';

/** Marks our lines on stdout, which the functions' own logs share. */
const PROTOCOL_PREFIX = '@@stack ';

async function main(): Promise<void> {
  const env = process.env.STACK_FUNCTION_ENV ? (JSON.parse(process.env.STACK_FUNCTION_ENV) as Record<string, string>) : {};
  const options = process.env.STACK_OPTIONS ? (JSON.parse(process.env.STACK_OPTIONS) as RemoteStackOptions) : {};
  const stack = await startStack({ ...options, env });
  let closing = false;
  const shutdown = async () => {
    if (closing) return;
    closing = true;
    await stack.close();
    process.exit(0);
  };
  process.on('SIGTERM', () => void shutdown());
  const lines = createInterface({ input: process.stdin });
  lines.on('line', (line) => {
    let command: { id?: unknown; runTimer?: unknown };
    try {
      command = JSON.parse(line) as typeof command;
    } catch {
      return;
    }
    const reply = (body: Record<string, unknown>) => process.stdout.write(`${PROTOCOL_PREFIX}${JSON.stringify({ id: command.id, ...body })}\n`);
    if (typeof command.runTimer !== 'string') return reply({ error: 'unknown command' });
    stack.host.runTimer(command.runTimer).then(
      (result) => reply({ result }),
      (error: unknown) => reply({ error: error instanceof Error ? error.message : String(error) }),
    );
  });
  lines.on('close', () => void shutdown());
  process.stdout.write(`${PROTOCOL_PREFIX}${JSON.stringify({ hostUrl: stack.hostUrl, gatewayUrl: stack.gatewayUrl, dataDir: stack.dataDir })}\n`);
}

main().catch((error: unknown) => {
  process.stderr.write(`stack-process: ${error instanceof Error ? error.stack : String(error)}\n`);
  process.exit(1);
});
