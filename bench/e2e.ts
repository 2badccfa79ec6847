/**
 * End-to-end section, on the local stack (sandbox gateway + function host, loopback HTTP, SQLite):
 * - latency from `pay.create` to PAID being visible to `pay.query` (create, cashier pay,
 *   notification, poll), median and p95;
 * - verified notifications handled per second into SQLite (each one a real PAYING → PAID
 *   transition: signature check, decrypt, CAS, audit);
 * - each built function bundle's size and its cold `require` time in a fresh Node process.
 * Needs a built `dist/cloudfunctions` (`npm run build`).
 */
import { execFileSync } from 'node:child_process';
import { existsSync, readdirSync, statSync } from 'node:fs';
import { join, relative, resolve } from 'node:path';
import { testOpenid } from '../sandbox/gateway/login';
import { startStack } from '../test/helpers/stack';
import { cashier, craftNotification, idemKey, login, postNotification, transactionResource } from '../test/e2e/pay/harness';
import { formatTable } from './measure';
import type { BenchSection } from './section';

const DIST = resolve(__dirname, '../dist/cloudfunctions');

function percentile(sorted: number[], p: number): number {
  if (sorted.length === 0) return NaN;
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))];
}

/**
 * Issue 11's targets for each cloud function: the bundle a cold start parses, and its own
 * `require` (wx-server-sdk already loaded, as the platform has it).
 */
export const BUNDLE_TARGETS = { maxBytes: 120 * 1024, maxRequireMs: 10 } as const;

export interface E2eResults {
  createToPaid: { samples: number; medianMs: number; p95Ms: number };
  notifications: { handled: number; concurrency: number; perSecond: number };
  /** `requireMs`: the bundle itself, after `wx-server-sdk` (which the platform provides) was loaded, taking `sdkMs`. */
  /** `side`: bundles shipped beside index.js, loaded only when needed (gulpfile.ts SIDE_MODULES). */
  bundles: Array<{ fn: string; bytes: number; requireMs: number; sdkMs: number; sizeMet: boolean; requireMet: boolean; side: Array<{ file: string; bytes: number }> }>;
  bundleTargets: typeof BUNDLE_TARGETS;
}

export const e2e: BenchSection = {
  name: 'e2e',
  description: 'local stack: create → PAID latency, notifications/s into SQLite, bundle size and require time',
  async run(budgetMs) {
    if (!existsSync(DIST)) throw new Error(`${DIST} is missing: run \`npm run build\` first`);
    const stack = await startStack({ env: { PAY_RECONCILE_AFTER_MS: '60000' } });
    try {
      const results: E2eResults = {
        createToPaid: await createToPaid(stack, budgetMs * 0.4),
        notifications: await notificationThroughput(stack, budgetMs * 0.4),
        bundles: bundleCosts(),
        bundleTargets: BUNDLE_TARGETS,
      };
      print(results);
      return results;
    } finally {
      await stack.close();
    }
  },
};

type Stack = Awaited<ReturnType<typeof startStack>>;

async function createToPaid(stack: Stack, budgetMs: number): Promise<E2eResults['createToPaid']> {
  const payer = await login(stack, 'bench-payer');
  const samples: number[] = [];
  const deadline = Date.now() + budgetMs;
  // Warm-up: the first call opens the store and parses keys (a cold start, not the steady state).
  await payer.ok('pay.create', { channel: 'jsapi', amount: 1, idempotencyKey: idemKey() });
  while ((samples.length < 20 || Date.now() < deadline) && samples.length < 200) {
    const started = process.hrtime.bigint();
    const created = await payer.ok('pay.create', { channel: 'jsapi', amount: 100 + samples.length, idempotencyKey: idemKey() });
    await cashier(stack, 'pay', created.payment);
    for (let polls = 0; ; polls++) {
      if ((await payer.ok('pay.query', { outTradeNo: created.order.outTradeNo })).order.state === 'PAID') break;
      if (polls > 2000) throw new Error(`${created.order.outTradeNo} never became PAID`);
      await new Promise((r) => setTimeout(r, 2));
    }
    samples.push(Number(process.hrtime.bigint() - started) / 1e6);
  }
  samples.sort((a, b) => a - b);
  return { samples: samples.length, medianMs: percentile(samples, 50), p95Ms: percentile(samples, 95) };
}

async function notificationThroughput(stack: Stack, budgetMs: number): Promise<E2eResults['notifications']> {
  const payer = await login(stack, 'bench-notified');
  const openid = testOpenid(stack.gateway.keys.appid, 'bench-notified');
  const orders: Array<{ outTradeNo: string; amount: number }> = [];
  const setupDeadline = Date.now() + budgetMs / 2;
  while ((orders.length < 100 || Date.now() < setupDeadline) && orders.length < 1000) {
    const batch = await Promise.all(
      Array.from({ length: 10 }, (_, i) => payer.ok('pay.create', { channel: 'jsapi', amount: 200 + orders.length + i, idempotencyKey: idemKey() })),
    );
    orders.push(...batch.map((b) => b.order));
  }
  // Signed and encrypted up front: what is timed is only the merchant side handling them.
  const notifications = orders.map((o) => craftNotification(stack.gateway.keys, transactionResource(stack.gateway.keys, o, openid)));
  const concurrency = 8;
  let next = 0;
  let failures = 0;
  const started = process.hrtime.bigint();
  await Promise.all(
    Array.from({ length: concurrency }, async () => {
      while (next < notifications.length) {
        const reply = await postNotification(stack, notifications[next++]);
        if (reply.status !== 204) failures++;
      }
    }),
  );
  const seconds = Number(process.hrtime.bigint() - started) / 1e9;
  if (failures > 0) throw new Error(`${failures} of ${notifications.length} notifications were not accepted`);
  return { handled: notifications.length, concurrency, perSecond: notifications.length / seconds };
}

/** Every .js below a function's folder but its index.js. */
function sideBundles(dir: string, top = dir): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) return sideBundles(path, top);
    return entry.name.endsWith('.js') && path !== join(top, 'index.js') ? [path] : [];
  });
}

function bundleCosts(): E2eResults['bundles'] {
  return readdirSync(DIST)
    .filter((fn) => existsSync(join(DIST, fn, 'index.js')))
    .map((fn) => {
      const file = join(DIST, fn, 'index.js');
      const runs: Array<[number, number]> = [];
      for (let i = 0; i < 5; i++) {
        // The SDK first (resolved as the bundle resolves it), so the bundle's own cost shows apart.
        const script = [
          `const ms = (t) => Number(process.hrtime.bigint() - t) / 1e6;`,
          `let t = process.hrtime.bigint(); require(require.resolve('wx-server-sdk', { paths: [${JSON.stringify(join(DIST, fn))}] })); const sdk = ms(t);`,
          `t = process.hrtime.bigint(); require(${JSON.stringify(file)}); process.stdout.write(JSON.stringify([ms(t), sdk]));`,
        ].join('\n');
        runs.push(JSON.parse(execFileSync(process.execPath, ['-e', script], { encoding: 'utf8' })) as [number, number]);
      }
      runs.sort((a, b) => a[0] - b[0]);
      const bytes = statSync(file).size;
      const requireMs = runs[2][0];
      const side = sideBundles(join(DIST, fn)).map((path) => ({ file: relative(join(DIST, fn), path), bytes: statSync(path).size }));
      return { fn, bytes, requireMs, sdkMs: runs[2][1], sizeMet: bytes <= BUNDLE_TARGETS.maxBytes, requireMet: requireMs <= BUNDLE_TARGETS.maxRequireMs, side };
    });
}

function print(r: E2eResults): void {
  console.log(
    formatTable(
      ['measure', 'value'],
      [
        ['create → PAID visible to pay.query, median', `${r.createToPaid.medianMs.toFixed(1)} ms`],
        ['create → PAID visible to pay.query, p95', `${r.createToPaid.p95Ms.toFixed(1)} ms (${r.createToPaid.samples} payments)`],
        ['verified notifications into SQLite', `${r.notifications.perSecond.toFixed(0)} /s (${r.notifications.handled}, ${r.notifications.concurrency} in flight)`],
      ],
    ),
  );
  console.log();
  console.log(
    formatTable(
      ['function', `bundle (≤ ${BUNDLE_TARGETS.maxBytes / 1024} KiB)`, `cold require (bundle, ≤ ${BUNDLE_TARGETS.maxRequireMs} ms)`, '+ wx-server-sdk', 'side bundles (loaded on demand)'],
      r.bundles.map((b) => [
        b.fn,
        `${(b.bytes / 1024).toFixed(0)} KiB ${b.sizeMet ? 'met' : 'MISSED'}`,
        `${b.requireMs.toFixed(1)} ms ${b.requireMet ? 'met' : 'MISSED'}`,
        `${b.sdkMs.toFixed(0)} ms`,
        b.side.map((f) => `${f.file} ${(f.bytes / 1024).toFixed(0)} KiB`).join(', ') || '—',
      ]),
    ),
  );
}
