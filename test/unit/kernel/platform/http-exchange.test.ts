/**
 * The default transport of the gateway clients (kernel/http-exchange.ts httpFetch over node:http):
 * what the exchange promised over `fetch` still holds — the whole raw answer, lower-case headers,
 * the deadline over the whole exchange (a slow body too), a cut answer is an error, never a
 * short text.
 */
import { createServer, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { gzipSync } from 'node:zlib';
import { exchange, httpFetch } from '../../../../cloudfunctions/core/kernel/http-exchange';

let server: Server;
let url: string;
let handler: (res: ServerResponse, body: string) => void;

beforeAll(async () => {
  server = createServer((req, res) => {
    let body = '';
    req.setEncoding('utf8');
    req.on('data', (chunk) => (body += chunk));
    req.on('end', () => handler(res, body));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});

afterAll(async () => {
  server.closeAllConnections();
  await new Promise((resolve) => server.close(resolve));
});

const fail = (kind: string, cause: unknown) => Object.assign(new Error(kind), { kind, cause });
const call = (timeoutMs = 2000, body?: string) => exchange(httpFetch(), `${url}/x`, { method: body === undefined ? 'GET' : 'POST', headers: {}, ...(body === undefined ? {} : { body }) }, timeoutMs, fail);

it('returns the status, lower-case headers and the body exactly as sent (multi-byte, split in chunks)', async () => {
  handler = (res, body) => {
    res.writeHead(201, { 'Request-ID': 'R1', 'Set-Cookie': ['a=1', 'b=2'] });
    const bytes = Buffer.from(`{"echo":${JSON.stringify(body)}}`);
    res.write(bytes.subarray(0, 9)); // inside a multi-byte character
    setTimeout(() => res.end(bytes.subarray(9)), 5);
  };
  const answer = await call(2000, '支付 ok');
  expect(answer.status).toBe(201);
  expect(answer.headers['request-id']).toBe('R1');
  expect(answer.headers['set-cookie']).toBe('a=1, b=2');
  expect(answer.text).toBe('{"echo":"支付 ok"}');
});

it('the deadline covers the body: an answer whose body stalls is a TIMEOUT', async () => {
  handler = (res) => {
    res.writeHead(200, { 'content-length': '100' });
    res.write('{"partial":');
  };
  await expect(call(150)).rejects.toMatchObject({ kind: 'TIMEOUT' });
});

it('an answer cut before its end is a NETWORK_ERROR, not a short text', async () => {
  handler = (res) => {
    res.writeHead(200, { 'content-length': '100' });
    res.write('{"partial":', () => res.destroy());
  };
  await expect(call()).rejects.toMatchObject({ kind: 'NETWORK_ERROR' });
});

it('a refused connection is a NETWORK_ERROR', async () => {
  await expect(exchange(httpFetch(), 'http://127.0.0.1:1/x', { method: 'GET', headers: {} }, 2000, fail)).rejects.toMatchObject({ kind: 'NETWORK_ERROR' });
});

it('gives a binary body (a gzip bill download) byte for byte through arrayBuffer', async () => {
  const bytes = gzipSync('交易时间,商户订单号\n`2026-12-01 10:00:00,`A1\n');
  handler = (res) => {
    res.writeHead(200, { 'Content-Type': 'application/octet-stream' });
    res.end(bytes);
  };
  const response = await httpFetch()(`${url}/bill`, { method: 'GET', headers: {} });
  expect(response.arrayBuffer).toBeDefined();
  expect(Buffer.from(await response.arrayBuffer!()).equals(bytes)).toBe(true);
});
