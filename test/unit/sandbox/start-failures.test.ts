/**
 * `npm start` on a machine where a port is taken or the data folder cannot be written: one line
 * naming what to change, no stack trace (the real entry point, in a child process).
 */
import { execFile } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';

const ROOT = resolve(__dirname, '../../..');
// Each case starts a fresh Node with esbuild-register: seconds of CPU that a loaded machine stretches.
jest.setTimeout(60_000);

function runStart(env: Record<string, string>): Promise<{ code: number | null; stderr: string }> {
  return new Promise((done) => {
    execFile(process.execPath, ['-r', 'esbuild-register', 'sandbox/start.ts'], { cwd: ROOT, env: { PATH: process.env.PATH, ...env } }, (error, _stdout, stderr) =>
      done({ code: error ? (error.code as number) : 0, stderr }),
    );
  });
}

describe('npm start: failures a new user meets', () => {
  let dir: string;
  let busy: Server;
  let busyPort: number;
  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'start-failures-'));
    busy = createServer();
    await new Promise<void>((r) => busy.listen(0, '127.0.0.1', r));
    busyPort = (busy.address() as AddressInfo).port;
  });
  afterAll(async () => {
    await new Promise((r) => busy.close(r));
    rmSync(dir, { recursive: true, force: true });
  });

  it('a busy sandbox port: one line naming the port and SANDBOX_PORT', async () => {
    const { code, stderr } = await runStart({ SANDBOX_PORT: String(busyPort), HOST_PORT: '0', HUIFU_SANDBOX_PORT: '0', PAY_DATA_DIR: join(dir, 'data') });
    expect(code).toBe(1);
    expect(stderr.trim()).toBe(`npm start: port ${busyPort} is already in use by another program: stop it, or choose another port with SANDBOX_PORT=<port> npm start`);
  });

  it('a data folder under a file: one line naming PAY_DATA_DIR', async () => {
    const file = join(dir, 'a-file');
    writeFileSync(file, 'x');
    const { code, stderr } = await runStart({ SANDBOX_PORT: '0', HOST_PORT: '0', HUIFU_SANDBOX_PORT: '0', PAY_DATA_DIR: join(file, 'data') });
    expect(code).toBe(1);
    expect(stderr.trim()).toMatch(/^npm start: cannot write the data folder \(ENOTDIR at .*a-file.*\): choose a writable one with PAY_DATA_DIR=<folder> npm start$/);
    expect(stderr).not.toMatch(/\n\s+at /);
  });
});
