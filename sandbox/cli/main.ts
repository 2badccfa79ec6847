/** `npm run sandbox -- <command>` (commands.ts). */
import { createInterface } from 'node:readline/promises';
import { CliError, stackUrlsFromEnv } from './client';
import { runCli } from './commands';

async function main(): Promise<void> {
  const controller = new AbortController();
  process.on('SIGINT', () => {
    controller.abort();
    process.exit(0);
  });
  await runCli(process.argv.slice(2), stackUrlsFromEnv(), {
    out: (line) => console.log(line),
    signal: controller.signal,
    confirm: async (question) => {
      if (!process.stdin.isTTY) return false;
      const rl = createInterface({ input: process.stdin, output: process.stdout });
      try {
        return /^y(es)?$/i.test((await rl.question(question)).trim());
      } finally {
        rl.close();
      }
    },
  });
}

main().catch((err: unknown) => {
  console.error(err instanceof CliError ? `sandbox: ${err.message}` : `sandbox failed: ${(err as Error).stack ?? String(err)}`);
  process.exit(1);
});
