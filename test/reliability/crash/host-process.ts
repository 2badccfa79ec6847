/**
 * The function host alone in its own Node process, so a test can kill it (SIGKILL: no cleanup,
 * as a crashed function instance) and start it again on the same port, store and config.
 * Env: HOST_GATEWAY_URL, HOST_APPID, HOST_APP_SECRET, HOST_PORT, PAY_CONFIG_FILE, HOST_DIST_DIR
 * (optional: bundles built with crash points). Prints `@@host {"url":…}` when ready; stdin lines
 * `{"id":1,"runTimer":"reconcile"}` → `@@host {"id":1,…}`; `{"id":2,"arm":"pay.close:after-gateway"}`
 * sets PAY_CRASH_AT (null clears it): the process dies when it reaches that point.
 *
 *   node -r esbuild-register test/reliability/crash/host-process.ts
 */
import { createInterface } from 'node:readline';
import { startHost } from '../../../sandbox/host';

const PREFIX = '@@host ';

async function main(): Promise<void> {
  const env = (name: string) => {
    const value = process.env[name];
    if (!value) throw new Error(`host-process: ${name} is required`);
    return value;
  };
  const host = await startHost({ gatewayUrl: env('HOST_GATEWAY_URL'), appid: env('HOST_APPID'), appSecret: env('HOST_APP_SECRET'), port: Number(env('HOST_PORT')), ...(process.env.HOST_DIST_DIR ? { distDir: process.env.HOST_DIST_DIR } : {}), timers: false, env: { PAY_CONFIG_FILE: env('PAY_CONFIG_FILE') } });
  const lines = createInterface({ input: process.stdin });
  lines.on('line', (line) => {
    let command: { id?: unknown; runTimer?: unknown; arm?: unknown };
    try {
      command = JSON.parse(line) as typeof command;
    } catch {
      return;
    }
    const reply = (body: Record<string, unknown>) => process.stdout.write(`${PREFIX}${JSON.stringify({ id: command.id, ...body })}\n`);
    if (command.arm !== undefined) {
      if (typeof command.arm === 'string') process.env.PAY_CRASH_AT = command.arm;
      else delete process.env.PAY_CRASH_AT;
      return reply({ result: process.env.PAY_CRASH_AT ?? null });
    }
    if (typeof command.runTimer !== 'string') return reply({ error: 'unknown command' });
    host.runTimer(command.runTimer).then(
      (result) => reply({ result }),
      (error: unknown) => reply({ error: error instanceof Error ? error.message : String(error) }),
    );
  });
  lines.on('close', () => void host.close().then(() => process.exit(0)));
  process.stdout.write(`${PREFIX}${JSON.stringify({ url: host.url })}\n`);
}

main().catch((error: unknown) => {
  process.stderr.write(`host-process: ${error instanceof Error ? error.stack : String(error)}\n`);
  process.exit(1);
});
