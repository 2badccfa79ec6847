/**
 * `node -r esbuild-register bench/notify/profile.ts [count] [concurrency]`: where the time of the
 * real payNotify path goes. Seeds PAYING orders, then CPU-profiles the server process (function
 * host + bundle + store, in this process) while the separate load generator posts pre-signed
 * notifications, and prints self time grouped by layer and the top functions. What it printed is
 * written down in docs/references/performance.md. `PROFILE_TARGET=baseline` profiles the
 * hand-written baseline receiver instead (same process, same notifications), for a side-by-side.
 */
import { createPrivateKey } from 'node:crypto';
import { readFileSync, writeFileSync } from 'node:fs';
import { Session } from 'node:inspector/promises';
import { join } from 'node:path';
import BetterSqlite3 from 'better-sqlite3';
import { testOpenid } from '../../sandbox/gateway/login';
import { startStack } from '../../test/helpers/stack';
import { craftNotification, idemKey, login, transactionResource } from '../../test/e2e/pay/harness';
import { formatTable } from '../measure';
import { printCallers, selfTime, type ProfileNode } from '../cpu-profile';
import { startGenerator } from './generator-client';
import { readTemplate, seedOrders } from './seed';
import { NOTIFICATION_ENDPOINTS } from './endpoints';
import { migrate } from '../../cloudfunctions/core/store/sqlite/migrations';
import { SQLITE_PRAGMAS } from '../../cloudfunctions/core/store/sqlite/connection';

/** The layer a frame belongs to, by its script. */
function layerOf(url: string, fn: string): string {
  if (url.includes('sqlite/store.js') || url.includes('better-sqlite3')) return 'store adapter (sqlite side bundle) / better-sqlite3 JS';
  if (url.includes('dist/cloudfunctions')) return 'function bundle (payNotify: endpoint, channel, domain)';
  if (url.includes('sandbox/host')) return 'function host (routing, event building)';
  if (url.includes('sandbox/common')) return 'function host (body reading)';
  if (url.startsWith('node:internal/http') || url.startsWith('node:_http') || url.includes('_http_')) return 'node:http (parsing, writing)';
  if (url.startsWith('node:internal/crypto') || url === 'node:crypto') return 'node:crypto JS';
  if (url.startsWith('node:') || url.startsWith('internal/')) return 'node internals (streams, timers, net, async hooks)';
  if (fn === '(garbage collector)') return 'garbage collector';
  if (fn === '(program)' || fn === '(idle)') return fn === '(idle)' ? 'idle' : 'native (crypto, sqlite, JSON, syscalls)';
  return url ? `other: ${url.replace(/^.*\//, '')}` : `other: ${fn}`;
}

function moduleStarts(_: string): Array<{ line: number; path: string }> {
  const file = join(__dirname, '../../dist/cloudfunctions/payNotify/index.js');
  return readFileSync(file, 'utf8').split('\n').flatMap((text, i) => (/^\/\/ (cloudfunctions|typings|node_modules)\//.test(text) ? [{ line: i + 1, path: text.slice(3) }] : []));
}

async function main(): Promise<void> {
  const count = Number(process.argv[2] ?? 3000);
  // PROFILE_INSTANCES=2: payNotify in worker-thread instances (the profile then covers the host thread only).
  const instances = Number(process.env.PROFILE_INSTANCES ?? 0);
  const concurrency = Number(process.argv[3] ?? 8);
  const stack = await startStack({ env: { PAY_RECONCILE_AFTER_MS: '600000' }, ...(instances ? { instances: { payNotify: instances } } : {}) });
  const generator = await startGenerator();
  try {
    const keys = stack.gateway.keys;
    const payer = await login(stack, 'bench-profile');
    const openid = testOpenid(keys.appid, 'bench-profile');
    const created = await payer.ok('pay.create', { channel: 'jsapi', amount: 100, idempotencyKey: idemKey() });
    const db = new BetterSqlite3(join(stack.dataDir, 'store.sqlite'));
    const template = readTemplate(db, created.order.outTradeNo);
    const signWith = createPrivateKey(keys.platformCert.privateKeyPem);
    let target: { db: typeof db; url: string; close(): Promise<void> } = { db, url: `${stack.hostUrl}/http/payNotify`, close: async () => undefined };
    if (process.env.PROFILE_TARGET === 'baseline') {
      const baseDb = new BetterSqlite3(join(stack.dataDir, 'baseline.sqlite'));
      for (const pragma of SQLITE_PRAGMAS) baseDb.pragma(pragma);
      migrate(baseDb);
      const receiver = await NOTIFICATION_ENDPOINTS[0]!.baseline!(stack, baseDb);
      target = { db: baseDb, url: receiver.url, close: async () => {
        await receiver.close();
        baseDb.close();
      } };
    }
    const batch = (n: number, name: string) => {
      const { orders } = seedOrders(target.db, template, { count: n, state: 'PAYING' });
      const file = join(stack.dataDir, `${name}.json`);
      writeFileSync(file, JSON.stringify(orders.map((o) => craftNotification(keys, transactionResource(keys, o, openid), { signWith }))));
      return file;
    };
    const url = target.url;
    await generator.run({ url, file: batch(300, 'warm'), concurrency });
    const file = batch(count, 'measured');
    const session = new Session();
    session.connect();
    await session.post('Profiler.enable');
    await session.post('Profiler.setSamplingInterval', { interval: 100 });
    await session.post('Profiler.start');
    const cpu0 = process.cpuUsage();
    const g = await generator.run({ url, file, concurrency });
    const cpu = process.cpuUsage(cpu0);
    const { profile } = (await session.post('Profiler.stop')) as unknown as { profile: { nodes: ProfileNode[] } };
    session.disconnect();
    await target.close();
    db.close();
    // PROFILE_OUT=file.cpuprofile keeps the raw profile (Chrome DevTools / speedscope open it).
    if (process.env.PROFILE_OUT) writeFileSync(process.env.PROFILE_OUT, JSON.stringify(profile));

    // Unminified builds (PAY_BUILD_NO_MINIFY=1) mark each module with a `// <path>` comment: bundle frames by module.
    const bundleModules = moduleStarts(join(stack.dataDir, '..'));
    const byModule = new Map<string, number>();
    const { total, byLayer, byFunction } = selfTime(profile.nodes, layerOf, (node) => {
      // Only the bundle itself: side bundles (sqlite/store.js) have lines of their own.
      if (!node.callFrame.url.endsWith('dist/cloudfunctions/payNotify/index.js')) return;
      const module = bundleModules.filter((m) => m.line <= node.callFrame.lineNumber + 1).pop()?.path ?? '?';
      byModule.set(module, (byModule.get(module) ?? 0) + node.hitCount);
    });
    const cpuUs = (cpu.user + cpu.system) / count;
    console.log(`${g.accepted}/${count} accepted, ${((g.accepted * 1000) / g.wallMs).toFixed(0)}/s at ${concurrency} in flight; server CPU ${cpuUs.toFixed(0)} µs per notification; generator ${(g.cpuMs / g.wallMs * 100).toFixed(0)}% of a core\n`);
    const share = (n: number) => `${((n / total) * 100).toFixed(1)}%`;
    const us = (n: number) => `${((n / total) * cpuUs).toFixed(0)}`;
    console.log(formatTable(['layer (self time)', 'share', 'µs/notification'], [...byLayer].sort((a, b) => b[1] - a[1]).map(([k, v]) => [k, share(v), us(v)])));
    console.log();
    if (byModule.size > 1) console.log(formatTable(['payNotify bundle module (self time)', 'share'], [...byModule].sort((a, b) => b[1] - a[1]).slice(0, 20).map(([k, v]) => [k, share(v)])) + '\n');
    console.log(formatTable(['function (self time)', 'share'], [...byFunction].sort((a, b) => b[1] - a[1]).slice(0, 30).map(([k, v]) => [k, share(v)])));
    // Who calls the native hot spots: self time of a native frame, by its caller chain.
    printCallers(profile.nodes, (process.env.PROFILE_CALLERS ?? 'run,get,writeLatin1String').split(','), share);
  } finally {
    generator.close();
    await stack.close();
  }
}

main().catch((error) => {
  console.error(error);
  process.exit(1);
});
