/**
 * The local stack in a child Node process (`stack-process.ts`), seen from a test: its URLs, the
 * gateway's admin API over HTTP, the sandbox keys it generated (read from its data folder, as any
 * other process on the machine could), users logged in through the host's real session
 * endpoint, and read-only access to its SQLite store.
 *
 * Used by the payee e2e suites so they run the same in jsdom (page tests) and node.
 */
import { spawn, type ChildProcessWithoutNullStreams } from 'node:child_process';
import { join, resolve } from 'node:path';
import type { ApiResult, CallName, CallRequest, CallResponse } from '../../../typings/api';
import { createGatewayAdmin, type GatewayAdmin } from '../../../sandbox/gateway/admin';
import { ensureSandboxKeys, type SandboxKeys } from '../../../sandbox/keys';

const ROOT = resolve(__dirname, '../../..');

export interface RemoteStack {
  hostUrl: string;
  gatewayUrl: string;
  dataDir: string;
  admin: GatewayAdmin;
  keys: SandboxKeys;
  close(): Promise<void>;
}

export async function startRemoteStack(): Promise<RemoteStack> {
  const child: ChildProcessWithoutNullStreams = spawn(process.execPath, ['-r', 'esbuild-register', join(__dirname, 'stack-process.ts')], { cwd: ROOT, stdio: 'pipe' });
  let stderr = '';
  child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
  const info = await new Promise<{ hostUrl: string; gatewayUrl: string; dataDir: string }>((resolveInfo, reject) => {
    let out = '';
    child.stdout.on('data', (chunk: Buffer) => {
      out += chunk.toString();
      if (out.includes('\n')) resolveInfo(JSON.parse(out.split('\n')[0]));
    });
    child.on('exit', (code) => reject(new Error(`stack process exited ${code}: ${stderr}`)));
  });
  return {
    ...info,
    admin: createGatewayAdmin(info.gatewayUrl),
    keys: ensureSandboxKeys(info.dataDir),
    close: async () => {
      if (child.exitCode !== null) return;
      const exited = new Promise((r) => child.once('exit', r));
      child.stdin.end();
      await exited;
    },
  };
}

export interface User {
  name: string;
  call<N extends CallName>(name: N, request: CallRequest<N> | Record<string, unknown>): Promise<ApiResult<CallResponse<N>>>;
  ok<N extends CallName>(name: N, request: CallRequest<N>): Promise<CallResponse<N>>;
}

let codeCounter = 0;

/** wx.login code → the host's `/session` (which asks the gateway's jscode2session) → bearer token. */
export async function login(stack: Pick<RemoteStack, 'hostUrl'>, name: string): Promise<User> {
  const res = await fetch(`${stack.hostUrl}/session`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ code: `user:${name}:${++codeCounter}` }),
  });
  if (!res.ok) throw new Error(`login ${name}: ${res.status} ${await res.text()}`);
  const { token } = (await res.json()) as { token: string };
  const call = async <N extends CallName>(callName: N, request: CallRequest<N> | Record<string, unknown>) => {
    const [fn, action] = callName.split('.');
    const r = await fetch(`${stack.hostUrl}/call/${fn}`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', authorization: `Bearer ${token}` },
      body: JSON.stringify({ data: { action, ...request } }),
    });
    return (await r.json()) as ApiResult<CallResponse<N>>;
  };
  return {
    name,
    call,
    ok: async (callName, request) => {
      const result = await call(callName, request);
      if (!result.ok) throw new Error(`${callName} failed: ${result.code} ${result.message}`);
      return result.data;
    },
  };
}

export interface OrderRow {
  out_trade_no: string;
  state: string;
  payee_openid: string | null;
  combine_out_trade_no: string | null;
  data: string;
}

/** Every row of a store table (read-only connection; WAL lets us read while the host writes). */
export function storeTable<T = Record<string, unknown>>(stack: Pick<RemoteStack, 'dataDir'>, table: 'orders' | 'payees' | 'audit' | 'notifications'): T[] {
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  const Database = require('better-sqlite3') as typeof import('better-sqlite3');
  const db = new Database(join(stack.dataDir, 'store.sqlite'), { readonly: true, timeout: 5000 });
  try {
    return db.prepare(`SELECT * FROM ${table} ORDER BY rowid`).all() as T[];
  } finally {
    db.close();
  }
}

export async function waitFor<T>(what: string, probe: () => Promise<T | undefined | false> | T | undefined | false, timeoutMs = 15_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await probe();
    if (value) return value;
    if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

export function prepayIdOf(pkg: string | undefined): string {
  const m = /^prepay_id=(.+)$/.exec(pkg ?? '');
  if (!m) throw new Error(`not a prepay package: ${pkg}`);
  return m[1];
}

let keyCounter = 0;
export function idemKey(): string {
  return `payee_e2e_${process.pid}_${Date.now()}_${++keyCounter}`;
}
