/**
 * The notification load generator, run as its own process (`fork`) so that it never shares an
 * event loop or a CPU account with the server it measures. It loads pre-signed notifications
 * (signing is done before the clock starts), posts them over a keep-alive agent with `concurrency`
 * requests in flight, and reports how many were answered 204, the wall time, and its own CPU time
 * (so the bench can say how much of the machine the generator itself took).
 *
 * Protocol (IPC): parent sends `{ url, file, concurrency }`; child answers `GeneratorResult`.
 */
import { Agent, request } from 'node:http';
import { readFileSync } from 'node:fs';

export interface GeneratorJob {
  url: string;
  /** JSON file: Array<{ headers, body }>. */
  file: string;
  concurrency: number;
}

export interface GeneratorResult {
  sent: number;
  accepted: number;
  /** Requests sent again after ECONNRESET on a reused keep-alive socket. */
  retried: number;
  /** Status → count, for everything that was not 204. */
  refused: Record<string, number>;
  wallMs: number;
  /** This process's user + system CPU during the run. */
  cpuMs: number;
  /** Per-request latency, ms (median / p95 / p99). */
  latency: { p50: number; p95: number; p99: number };
}

type Prepared = { headers: Record<string, string>; body: Buffer };

/** Socket failures of a reused keep-alive connection (the server closed it while this process was descheduled). */
const SOCKET_RESETS = new Set(['ECONNRESET', 'EPIPE', 'ECONNABORTED']);
const MAX_SENDS = 5;

function post(agent: Agent, url: URL, n: Prepared): Promise<number> {
  return new Promise((resolve, reject) => {
    const req = request(
      { agent, host: url.hostname, port: url.port, path: url.pathname, method: 'POST', headers: { ...n.headers, 'content-length': String(n.body.length) } },
      (res) => {
        res.resume();
        res.on('end', () => resolve(res.statusCode ?? 0));
        res.on('error', reject);
      },
    );
    req.on('error', reject);
    req.end(n.body);
  });
}

export async function runJob(job: GeneratorJob): Promise<GeneratorResult> {
  const raw = JSON.parse(readFileSync(job.file, 'utf8')) as Array<{ headers: Record<string, string>; body: string }>;
  const prepared: Prepared[] = raw.map((n) => ({ headers: n.headers, body: Buffer.from(n.body, 'utf8') }));
  const url = new URL(job.url);
  const agent = new Agent({ keepAlive: true, maxSockets: job.concurrency });
  const refused: Record<string, number> = {};
  const latencies = new Float64Array(prepared.length);
  let next = 0;
  let accepted = 0;
  let retried = 0;
  const cpu0 = process.cpuUsage();
  const t0 = process.hrtime.bigint();
  await Promise.all(
    Array.from({ length: job.concurrency }, async () => {
      for (let i = next++; i < prepared.length; i = next++) {
        const started = process.hrtime.bigint();
        // A keep-alive socket the server closed while this process was descheduled fails with
        // ECONNRESET/EPIPE: sent again, a few times (notifications are idempotent; the bench
        // checks exactly-once). On a starved machine one resend was not always enough.
        let status = 0;
        for (let send = 1; ; send++) {
          try {
            status = await post(agent, url, prepared[i]!);
            break;
          } catch (error) {
            if (!SOCKET_RESETS.has((error as NodeJS.ErrnoException).code ?? '') || send >= MAX_SENDS) throw error;
            retried++;
          }
        }
        latencies[i] = Number(process.hrtime.bigint() - started) / 1e6;
        if (status === 204) accepted++;
        else refused[status] = (refused[status] ?? 0) + 1;
      }
    }),
  );
  const wallMs = Number(process.hrtime.bigint() - t0) / 1e6;
  const cpu = process.cpuUsage(cpu0);
  agent.destroy();
  const sorted = Array.from(latencies).sort((a, b) => a - b);
  const at = (p: number) => sorted[Math.min(sorted.length - 1, Math.floor(p * sorted.length))] ?? NaN;
  return { sent: prepared.length, accepted, retried, refused, wallMs, cpuMs: (cpu.user + cpu.system) / 1000, latency: { p50: at(0.5), p95: at(0.95), p99: at(0.99) } };
}

if (process.send && process.argv[1]?.endsWith("load-generator.ts")) {
  process.on('message', (job: GeneratorJob | 'exit') => {
    if (job === 'exit') process.exit(0);
    runJob(job).then(
      (result) => process.send!({ ok: true, result }),
      (error: Error) => process.send!({ ok: false, error: error.stack ?? String(error) }),
    );
  });
  process.send({ ready: true });
}
