/**
 * The notification load generator (issue 16's bench) against a server that resets connections:
 * a keep-alive socket the server dropped while the generator was descheduled must not end a
 * 100,000-notification run. No timing here.
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { runJob } from '../../../bench/notify/load-generator';

let server: Server;
let url: string;
let dir: string;
/** Requests to reset (socket destroyed before any answer), by arrival number. */
let resets = new Set<number>();
let arrivals = 0;

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'load-generator-'));
  server = createServer((req, res) => {
    const n = ++arrivals;
    req.resume();
    req.on('end', () => {
      if (resets.has(n)) return req.socket.destroy();
      res.writeHead(204);
      res.end();
    });
  });
  await new Promise<void>((ok) => server.listen(0, '127.0.0.1', ok));
  url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/notify`;
});
afterAll(async () => {
  await new Promise<void>((ok) => server.close(() => ok()));
  rmSync(dir, { recursive: true, force: true });
});

function notifications(n: number): string {
  const file = join(dir, `n${n}.json`);
  writeFileSync(file, JSON.stringify(Array.from({ length: n }, (_, i) => ({ headers: { 'content-type': 'application/json' }, body: `{"n":${i}}` }))));
  return file;
}

it('sends a notification again when its socket is reset, more than once in a row', async () => {
  arrivals = 0;
  resets = new Set([2, 3, 4]);
  const result = await runJob({ url, file: notifications(5), concurrency: 1 });
  expect(result).toMatchObject({ sent: 5, accepted: 5, retried: 3, refused: {} });
});

it('gives up on a notification whose every send is reset, naming the error', async () => {
  arrivals = 0;
  resets = new Set([1, 2, 3, 4, 5, 6, 7, 8]);
  await expect(runJob({ url, file: notifications(1), concurrency: 1 })).rejects.toMatchObject({ code: 'ECONNRESET' });
});
