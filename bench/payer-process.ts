/**
 * The payer of the create → PAID measurement, run as its own process (`fork`): it stands for the
 * payer's phone, whose work (building requests, parsing answers) is not the server's. In the
 * bench's own process the client's `fetch` took 2.4 ms of every cycle's CPU on the event loop the
 * function host and the sandbox share (bench/e2e-profile.ts, issue 16) — the instrument slowing
 * what it measures. Same loop as `sampleCreateToPaid`: `pay.create`, the sandbox cashier's pay,
 * `pay.query` every 2 ms until PAID; over keep-alive connections (node:http), as a phone keeps
 * its connection to WeChat.
 *
 * Protocol (IPC): parent sends `PayerJob`; child answers `{ ok: true, samples }` (ms each) or `{ ok: false, error }`.
 */
import { Agent, request } from 'node:http';

export interface PayerJob {
  hostUrl: string;
  gatewayUrl: string;
  /** The payer's session token (the parent logs in). */
  token: string;
  samples: number;
}

const agent = new Agent({ keepAlive: true, maxSockets: 4 });

function postJson(url: string, body: unknown, headers: Record<string, string> = {}): Promise<{ status: number; json: unknown }> {
  const payload = Buffer.from(JSON.stringify(body));
  return new Promise((ok, fail) => {
    const req = request(url, { method: 'POST', agent, headers: { 'content-type': 'application/json', 'content-length': String(payload.length), ...headers } }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('end', () => {
        const text = Buffer.concat(chunks).toString('utf8');
        try {
          ok({ status: res.statusCode ?? 0, json: text ? JSON.parse(text) : null });
        } catch {
          ok({ status: res.statusCode ?? 0, json: text });
        }
      });
      res.on('error', fail);
    });
    req.on('error', fail);
    req.end(payload);
  });
}

type ApiAnswer<T> = { ok: true; data: T } | { ok: false; code: string; message: string };

async function call<T>(job: PayerJob, action: string, data: Record<string, unknown>): Promise<T> {
  const { json } = await postJson(`${job.hostUrl}/call/pay`, { data: { action, ...data } }, { authorization: `Bearer ${job.token}` });
  const answer = json as ApiAnswer<T>;
  if (!answer || !answer.ok) throw new Error(`pay.${action}: ${JSON.stringify(json)}`);
  return answer.data;
}

type Created = { order: { outTradeNo: string }; payment: { kind: string; package: string } & Record<string, unknown> };

async function cycle(job: PayerJob, n: number): Promise<number> {
  const started = process.hrtime.bigint();
  const created = await call<Created>(job, 'create', { channel: 'jsapi', amount: 100 + n, idempotencyKey: `bench-${process.pid}-${Date.now()}-${n}` });
  // The cashier gets exactly what wx.requestPayment gets: the parameters without our `kind` tag.
  const { kind: _kind, ...params } = created.payment;
  const prepayId = String(params.package).replace(/^prepay_id=/, '');
  const paid = await postJson(`${job.gatewayUrl}/sandbox/cashier/${encodeURIComponent(prepayId)}/pay`, params);
  if (paid.status >= 300) throw new Error(`cashier pay: ${paid.status} ${JSON.stringify(paid.json)}`);
  for (let polls = 0; ; polls++) {
    const { order } = await call<{ order: { state: string } }>(job, 'query', { outTradeNo: created.order.outTradeNo });
    if (order.state === 'PAID') break;
    if (polls > 2000) throw new Error(`${created.order.outTradeNo} never became PAID`);
    await new Promise((r) => setTimeout(r, 2));
  }
  return Number(process.hrtime.bigint() - started) / 1e6;
}

process.on('message', (job: PayerJob | 'exit') => {
  if (job === 'exit') {
    agent.destroy();
    process.exit(0);
  }
  (async () => {
    await cycle(job, 0); // warm-up: the first call opens the store and parses keys
    const samples: number[] = [];
    for (let n = 1; n <= job.samples; n++) samples.push(await cycle(job, n));
    return samples;
  })().then(
    (samples) => process.send!({ ok: true, samples }),
    (error: unknown) => process.send!({ ok: false, error: String((error as Error)?.stack ?? error) }),
  );
});
process.send!('ready');
