/**
 * What the pay e2e suites share: log a test user into the function host and call `pay.*` over
 * real HTTP as the mini-program would; read the stack's SQLite store directly to prove what was
 * (and was not) written; wait for asynchronous facts (notifications) with a bounded poll.
 */
import { join } from 'node:path';
import type { ApiResult, CallName, CallRequest, CallResponse } from '../../../typings/api';
import type { Stack } from '../../helpers/stack';

let codeCounter = 0;

export interface User {
  name: string;
  token: string;
  /** `pay.create` → POST /call/pay { data: { action: 'create', … } }. */
  call<N extends CallName>(name: N, request: CallRequest<N> | Record<string, unknown>): Promise<ApiResult<CallResponse<N>>>;
  /** Any event, for malformed-input tests. */
  raw(fn: string, data: unknown): Promise<ApiResult<unknown>>;
  ok<N extends CallName>(name: N, request: CallRequest<N>): Promise<CallResponse<N>>;
}

export async function login(stack: Stack, name: string): Promise<User> {
  const res = await fetch(`${stack.hostUrl}/session`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ code: `user:${name}:${++codeCounter}:${process.pid}` }),
  });
  if (!res.ok) throw new Error(`login ${name}: ${res.status} ${await res.text()}`);
  const { token } = (await res.json()) as { token: string };
  const raw = async (fn: string, data: unknown) => {
    const r = await fetch(`${stack.hostUrl}/call/${fn}`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', authorization: `Bearer ${token}` },
      body: JSON.stringify({ data }),
    });
    return (await r.json()) as ApiResult<unknown>;
  };
  const call = async <N extends CallName>(callName: N, request: CallRequest<N> | Record<string, unknown>) => {
    const [fn, action] = callName.split('.');
    return (await raw(fn, { action, ...request })) as ApiResult<CallResponse<N>>;
  };
  return {
    name,
    token,
    raw,
    call,
    ok: async (callName, request) => {
      const result = await call(callName, request);
      if (!result.ok) throw new Error(`${callName} failed: ${result.code} ${result.message}`);
      return result.data;
    },
  };
}

/** Every row the pay functions may write, for "nothing was written" assertions. */
export function storeSnapshot(stack: Stack): Record<string, unknown[]> {
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  const Database = require('better-sqlite3') as typeof import('better-sqlite3');
  const db = new Database(join(stack.dataDir, 'store.sqlite'), { timeout: 5000 });
  try {
    const tables = ['orders', 'refunds', 'notifications', 'audit'];
    const existing = new Set((db.prepare("SELECT name FROM sqlite_master WHERE type = 'table'").all() as Array<{ name: string }>).map((r) => r.name));
    return Object.fromEntries(tables.map((t) => [t, existing.has(t) ? db.prepare(`SELECT * FROM ${t} ORDER BY rowid`).all() : []]));
  } finally {
    db.close();
  }
}

export async function waitFor<T>(what: string, probe: () => Promise<T | undefined | false>, timeoutMs = 10_000, everyMs = 50): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await probe();
    if (value) return value;
    if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
    await new Promise((r) => setTimeout(r, everyMs));
  }
}

export function prepayIdOf(pkg: string | undefined): string {
  const m = /^prepay_id=(.+)$/.exec(pkg ?? '');
  if (!m) throw new Error(`not a prepay package: ${pkg}`);
  return m[1];
}

let keyCounter = 0;
export function idemKey(): string {
  return `e2e_${process.pid}_${Date.now()}_${++keyCounter}`;
}
