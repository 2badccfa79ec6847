/**
 * The crash tests' handle on a function host in its own process (host-process.ts): start it,
 * run a timer, arm a named crash point, kill it (SIGKILL), know when it died.
 */
import { spawn, type ChildProcessWithoutNullStreams } from 'node:child_process';
import { appendFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { join, resolve } from 'node:path';

const ROOT = resolve(__dirname, '../../..');
const PREFIX = '@@host ';

export interface HostProcess {
  url: string;
  child: ChildProcessWithoutNullStreams;
  /** Resolves when the process has exited (killed from here, or by a crash point). */
  exited: Promise<void>;
  runTimer(fn: string): Promise<unknown>;
  /** From now on this process dies at `point` (PAY_CRASH_AT); undefined disarms. Bundles built with crash points only. */
  arm(point: string | undefined): Promise<unknown>;
}

export interface HostProcessOptions {
  gatewayUrl: string;
  appid: string;
  appSecret: string;
  port: number;
  configFile: string;
  /** Built functions; default dist/cloudfunctions. */
  distDir?: string;
}

export async function freePort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const p = (server.address() as { port: number }).port;
  await new Promise((r) => server.close(r));
  return p;
}

export async function startHostProcess(opts: HostProcessOptions): Promise<HostProcess> {
  const child = spawn(process.execPath, ['-r', 'esbuild-register', join(__dirname, 'host-process.ts')], {
    cwd: ROOT,
    env: {
      ...process.env,
      HOST_GATEWAY_URL: opts.gatewayUrl,
      HOST_APPID: opts.appid,
      HOST_APP_SECRET: opts.appSecret,
      HOST_PORT: String(opts.port),
      PAY_CONFIG_FILE: opts.configFile,
      ...(opts.distDir ? { HOST_DIST_DIR: opts.distDir } : {}),
    },
  });
  const exited = new Promise<void>((r) => child.once('exit', () => r()));
  const waiting = new Map<number, (v: unknown) => void>();
  let ready: (url: string) => void;
  let failed: (e: Error) => void;
  const url = new Promise<string>((r, j) => ((ready = r), (failed = j)));
  void exited.then(() => {
    failed(new Error('host process exited before it was ready'));
    for (const w of waiting.values()) w(new Error('host process exited'));
  });
  let buffer = '';
  child.stdout.on('data', (chunk: Buffer) => {
    buffer += chunk.toString('utf8');
    let nl: number;
    while ((nl = buffer.indexOf('\n')) >= 0) {
      const line = buffer.slice(0, nl);
      buffer = buffer.slice(nl + 1);
      if (!line.startsWith(PREFIX)) continue;
      const msg = JSON.parse(line.slice(PREFIX.length)) as { url?: string; id?: number; result?: unknown; error?: string };
      if (msg.url) ready(msg.url);
      else if (msg.id !== undefined) waiting.get(msg.id)?.(msg.error ? new Error(msg.error) : msg.result);
    }
  });
  // CRASH_HOST_LOG=<file>: the hosts' own output, for a failing case.
  const logFile = process.env.CRASH_HOST_LOG;
  child.stderr.on('data', (chunk: Buffer) => logFile && appendFileSync(logFile, chunk));
  let ids = 0;
  const command = (body: Record<string, unknown>) =>
    new Promise<unknown>((resolveCommand, reject) => {
      const id = ++ids;
      waiting.set(id, (v) => (v instanceof Error ? reject(v) : resolveCommand(v)));
      child.stdin.write(`${JSON.stringify({ id, ...body })}\n`, () => undefined);
    });
  return { url: await url, child, exited, runTimer: (fn) => command({ runTimer: fn }), arm: (point) => command({ arm: point ?? null }) };
}

export async function kill(h: HostProcess): Promise<void> {
  if (h.child.exitCode === null && h.child.signalCode === null) h.child.kill('SIGKILL');
  await h.exited;
}
