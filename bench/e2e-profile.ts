/**
 * `node -r esbuild-register bench/e2e-profile.ts [cycles]`: where the time of one create → PAID
 * cycle goes (the e2e section's loop: pay.create, cashier pay, notification, pay.query polls).
 * Everything runs in this process (test client, sandbox gateway, function host), so one CPU
 * profile covers it all; it prints the wall time of each phase, CPU per cycle, and self time by
 * layer and by function. What it printed is written down in docs/references/performance.md.
 */
import { Session } from 'node:inspector/promises';
import { startStack } from '../test/helpers/stack';
import { cashier, idemKey, login } from '../test/e2e/pay/harness';
import { formatTable } from './measure';
import { percentile } from './create-to-paid';
import { WARM_UP_PAYMENTS } from './e2e';
import { printCallers, selfTime, type ProfileNode } from './cpu-profile';

function layerOf(url: string, fn: string): string {
  if (url.includes('dist/cloudfunctions')) return 'function bundle (pay, payNotify)';
  if (url.includes('better-sqlite3')) return 'better-sqlite3 JS';
  if (url.includes('sandbox/host')) return 'function host';
  if (url.includes('sandbox/gateway') || url.includes('sandbox/common')) return 'sandbox gateway JS';
  if (url.includes('test/')) return 'test client';
  if (url.includes('undici') || url.startsWith('node:internal/deps/undici')) return 'undici (fetch)';
  if (url.includes('webstreams')) return 'web streams (fetch bodies)';
  if (url.startsWith('node:internal/http') || url.startsWith('node:_http') || url.includes('_http_')) return 'node:http';
  if (url.startsWith('node:internal/crypto') || url === 'node:crypto') return 'node:crypto JS';
  if (url.startsWith('node:') || url.startsWith('internal/')) return 'node internals (streams, timers, net, async hooks)';
  if (fn === '(garbage collector)') return 'garbage collector';
  if (fn === '(program)') return 'native (program)';
  return url ? `other: ${url.replace(/^.*\//, '')}` : `native: ${fn}`;
}

async function main(): Promise<void> {
  const cycles = Number(process.argv[2] ?? 200);
  const stack = await startStack({ env: { PAY_RECONCILE_AFTER_MS: '60000' } });
  try {
    const payer = await login(stack, 'bench-e2e-profile');
    const phases = { create: [] as number[], cashier: [] as number[], query: [] as number[], polls: [] as number[], total: [] as number[] };
    const cycle = async (i: number) => {
      const t0 = performance.now();
      const created = await payer.ok('pay.create', { channel: 'jsapi', amount: 100 + i, idempotencyKey: idemKey() });
      const t1 = performance.now();
      await cashier(stack, 'pay', created.payment);
      const t2 = performance.now();
      let polls = 0;
      while ((await payer.ok('pay.query', { outTradeNo: created.order.outTradeNo })).order.state !== 'PAID') {
        polls++;
        await new Promise((r) => setTimeout(r, 2));
      }
      const t3 = performance.now();
      phases.create.push(t1 - t0);
      phases.cashier.push(t2 - t1);
      phases.query.push(t3 - t2);
      phases.polls.push(polls);
      phases.total.push(t3 - t0);
    };
    // Warmed as the e2e section warms its steady-state sample (bench/e2e.ts WARM_UP_PAYMENTS); PROFILE_WARMUP=20 sees the cold start.
    for (let i = 0; i < Number(process.env.PROFILE_WARMUP ?? WARM_UP_PAYMENTS); i++) await cycle(i);
    for (const list of Object.values(phases)) list.length = 0;
    const session = new Session();
    session.connect();
    await session.post('Profiler.enable');
    await session.post('Profiler.setSamplingInterval', { interval: 100 });
    await session.post('Profiler.start');
    const cpu0 = process.cpuUsage();
    const wall0 = performance.now();
    for (let i = 0; i < cycles; i++) await cycle(i);
    const wall = performance.now() - wall0;
    const cpu = process.cpuUsage(cpu0);
    const { profile } = (await session.post('Profiler.stop')) as unknown as { profile: { nodes: ProfileNode[] } };
    session.disconnect();

    const median = (xs: number[]) => percentile([...xs].sort((a, b) => a - b), 50);
    const p95 = (xs: number[]) => percentile([...xs].sort((a, b) => a - b), 95);
    const cpuMs = (cpu.user + cpu.system) / 1000 / cycles;
    console.log(`${cycles} cycles in ${wall.toFixed(0)} ms; CPU ${cpuMs.toFixed(2)} ms per cycle (${((cpuMs * cycles) / wall * 100).toFixed(0)}% of a core); load ${(await import('node:os')).loadavg()[0].toFixed(2)}`);
    console.log(formatTable(['phase', 'median ms', 'p95 ms'], Object.entries(phases).map(([k, v]) => [k, median(v).toFixed(2), p95(v).toFixed(2)])));
    console.log();

    const { total, byLayer, byFunction } = selfTime(profile.nodes, layerOf);
    const share = (n: number) => `${((n / total) * 100).toFixed(1)}%`;
    const ms = (n: number) => ((n / total) * cpuMs).toFixed(2);
    console.log(formatTable(['layer (self time)', 'share', 'ms/cycle'], [...byLayer].sort((a, b) => b[1] - a[1]).map(([k, v]) => [k, share(v), ms(v)])));
    console.log();
    console.log(formatTable(['function (self time)', 'share'], [...byFunction].sort((a, b) => b[1] - a[1]).slice(0, Number(process.env.PROFILE_TOP ?? 35)).map(([k, v]) => [k, share(v)])));
    printCallers(profile.nodes, (process.env.PROFILE_CALLERS ?? 'sign,verify,run,writeFileSync,writeSync').split(','), share, Number(process.env.PROFILE_DEPTH ?? 4));
  } finally {
    await stack.close();
  }
}

main().catch((error) => {
  console.error(error);
  process.exit(1);
});
