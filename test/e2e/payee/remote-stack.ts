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
import { idemKey as freshKey, prepayIdOf, waitFor } from '../../helpers/e2e-utils';

export { prepayIdOf, waitFor };
export const idemKey = (): string => freshKey('payee_e2e');

const ROOT = resolve(__dirname, '../../..');
/** Same marker as stack-process.ts (not imported: importing it would start a stack). */
const PROTOCOL_PREFIX = '@@stack ';

export interface RemoteStack {
  hostUrl: string;
  gatewayUrl: string;
  dataDir: string;
  admin: GatewayAdmin;
  keys: SandboxKeys;
  /** Fire a function's timer trigger in the stack process (e.g. `reconcile`); resolves to its result. */
  runTimer(fn: string): Promise<unknown>;
  close(): Promise<void>;
}

/** Settings of the stack itself (JSON-safe: they cross to the child process). */
export interface RemoteStackOptions {
  /** The merchant config's `payee.signLayout` (default: the gateway's layout). */
  payeeSignLayout?: 'published' | 'seed';
  /** The layout the sandbox signing page verifies (default `published`). */
  gateway?: { signLayout?: 'published' | 'seed' };
}

/** `functionEnv`: extra env for the functions (e.g. `PAY_MIN_CLOSE_INTERVAL_MS`). */
export async function startRemoteStack(functionEnv: Record<string, string> = {}, options: RemoteStackOptions = {}): Promise<RemoteStack> {
  const child: ChildProcessWithoutNullStreams = spawn(process.execPath, ['-r', 'esbuild-register', join(__dirname, 'stack-process.ts')], {
    cwd: ROOT,
    stdio: 'pipe',
    env: { ...process.env, STACK_FUNCTION_ENV: JSON.stringify(functionEnv), STACK_OPTIONS: JSON.stringify(options) },
  });
  let stderr = '';
  child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
  // Our stdout lines: first the stack's URLs, then answers to commands by id.
  const pending = new Map<number, { resolve: (v: unknown) => void; reject: (e: Error) => void }>();
  let buffered = '';
  let onInfo: ((info: { hostUrl: string; gatewayUrl: string; dataDir: string }) => void) | undefined;
  child.stdout.on('data', (chunk: Buffer) => {
    buffered += chunk.toString();
    let newline: number;
    while ((newline = buffered.indexOf('\n')) >= 0) {
      const line = buffered.slice(0, newline);
      buffered = buffered.slice(newline + 1);
      if (!line.startsWith(PROTOCOL_PREFIX)) continue; // the functions' own console output
      const message = JSON.parse(line.slice(PROTOCOL_PREFIX.length)) as { id?: number; result?: unknown; error?: string; hostUrl?: string };
      if (message.hostUrl && onInfo) onInfo(message as never);
      const waiter = message.id !== undefined ? pending.get(message.id) : undefined;
      if (waiter) {
        pending.delete(message.id!);
        if (message.error) waiter.reject(new Error(message.error));
        else waiter.resolve(message.result);
      }
    }
  });
  const info = await new Promise<{ hostUrl: string; gatewayUrl: string; dataDir: string }>((resolveInfo, reject) => {
    onInfo = resolveInfo;
    child.on('exit', (code) => reject(new Error(`stack process exited ${code}: ${stderr}`)));
  });
  let nextId = 0;
  return {
    ...info,
    runTimer: (fn) =>
      new Promise((resolveRun, reject) => {
        const id = ++nextId;
        pending.set(id, { resolve: resolveRun, reject });
        child.stdin.write(`${JSON.stringify({ id, runTimer: fn })}\n`);
      }),
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

