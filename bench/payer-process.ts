/**
 * The payer of the create → PAID measurement, run as its own process (`fork`): it stands for the
 * payer's phone, whose work (building requests, parsing answers) is not the server's. In the
 * bench's own process the client's `fetch` took 2.4 ms of every cycle's CPU on the event loop the
 * function host and the sandbox share (bench/e2e-profile.ts, issue 16) — the instrument slowing
 * what it measures. The loop is `sampleCreateToPaid`'s; only its calls and the cashier's pay go
 * over keep-alive connections (node:http), as a phone keeps its connection to WeChat.
 *
 * Protocol (IPC): parent sends `PayerJob`; child answers `{ ok: true, result }` or `{ ok: false, error }`.
 */
import { Agent, request } from 'node:http';
import type { CallName, CallRequest, CallResponse, ClientPaymentParams } from '../typings/api';
import { sampleCreateToPaid } from './create-to-paid';

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

function payerOf(job: PayerJob) {
  return {
    async ok<N extends CallName>(name: N, data: CallRequest<N>): Promise<CallResponse<N>> {
      const [fn, action] = name.split('.');
      const { json } = await postJson(`${job.hostUrl}/call/${fn}`, { data: { action, ...data } }, { authorization: `Bearer ${job.token}` });
      const answer = json as ApiAnswer<CallResponse<N>>;
      if (!answer || !answer.ok) throw new Error(`${name}: ${JSON.stringify(json)}`);
      return answer.data;
    },
  };
}

/** The sandbox cashier's pay, with exactly what wx.requestPayment gets (the parameters without our `kind` tag). */
async function payInCashier(job: PayerJob, payment: ClientPaymentParams | undefined): Promise<void> {
  if (payment?.kind !== 'miniprogram') throw new Error(`the cashier cannot pay ${payment?.kind ?? 'nothing'}`);
  const { kind: _kind, ...params } = payment;
  const prepayId = params.package.replace(/^prepay_id=/, '');
  const paid = await postJson(`${job.gatewayUrl}/sandbox/cashier/${encodeURIComponent(prepayId)}/pay`, params);
  if (paid.status >= 300) throw new Error(`cashier pay: ${paid.status} ${JSON.stringify(paid.json)}`);
}

process.on('message', (job: PayerJob | 'exit') => {
  if (job === 'exit') {
    agent.destroy();
    process.exit(0);
  }
  sampleCreateToPaid(payerOf(job), 'jsapi', (payment) => payInCashier(job, payment), { minSamples: job.samples, maxSamples: job.samples }).then(
    (result) => process.send!({ ok: true, result }),
    (error: unknown) => process.send!({ ok: false, error: String((error as Error)?.stack ?? error) }),
  );
});
process.send!('ready');
