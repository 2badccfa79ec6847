import type { Gateway } from '../../../sandbox/gateway';
import { MAX_ATTEMPTS, RETRY_DELAYS_S } from '../../../sandbox/gateway/notifier';
import { cloneKeys, decryptResource, jsapiBody, platformSignatureValid, removeDir, startReceiver, startTestGateway, tempDataDir, v3call } from './helpers';
import { waitFor } from '../../helpers/e2e-utils';
import { useKeyedDirs } from '../../helpers/keyed-dirs';

/** Delivery and retries of payment notifications, on time scales that make 24 h take < 1 s. */
describe('gateway: notification delivery', () => {
  const dirs = useKeyedDirs({ tempDataDir, cloneKeys, removeDir });

  async function setup(timeScale: number, answer: Parameters<typeof startReceiver>[0]) {
    const dir = dirs.next();
    const gw: Gateway = await startTestGateway(dir, { timeScale });
    const receiver = await startReceiver(answer);
    dirs.track(gw, receiver);
    const body = jsapiBody(gw, receiver.url);
    const { json } = await v3call(gw, 'POST', '/v3/pay/transactions/jsapi', body);
    return { gw, receiver, body, pay: () => gw.admin.pay(json.prepay_id) };
  }

  it('retries on the 15s/15s/30s… schedule (time-scaled) until a 204, logging every attempt', async () => {
    const scale = 1000;
    const { gw, receiver, body, pay } = await setup(scale, (n) => (n === 1 ? 500 : n === 2 ? 404 : 204));
    await pay();
    await receiver.waitFor(3);
    const gaps = receiver.received.slice(1).map((r, i) => r.at - receiver.received[i]!.at);
    expect(gaps[0]).toBeGreaterThanOrEqual((RETRY_DELAYS_S[0] * 1000) / scale - 2);
    expect(gaps[1]).toBeGreaterThanOrEqual((RETRY_DELAYS_S[1] * 1000) / scale - 2);
    // The same notification each time (same id and body), freshly signed.
    const ids = receiver.received.map((r) => JSON.parse(r.body).id);
    expect(new Set(ids).size).toBe(1);
    for (const r of receiver.received) expect(platformSignatureValid(gw.keys, r.headers, r.body)).toBe(true);
    const log = await waitFor('the notification delivered', async () => {
      const n = (await gw.admin.notifications()).find((x) => x.subject === body.out_trade_no);
      return n?.status === 'delivered' ? n : undefined;
    });
    expect(log.attempts.map((a) => a.statusCode)).toEqual([500, 404, 204]);
    expect(log.rounds).toBe(3);
  });

  it('a receiver that always fails sees exactly 16 attempts, then the notification is given up', async () => {
    const scale = 100_000; // 24 h 4 min of schedule in ≈ 0.9 s
    const { gw, receiver, body, pay } = await setup(scale, () => 500);
    await pay();
    await receiver.waitFor(MAX_ATTEMPTS, 10_000);
    const log = await waitFor('the notification given up', async () => {
      const n = (await gw.admin.notifications()).find((x) => x.subject === body.out_trade_no);
      return n?.status === 'failed' ? n : undefined;
    });
    expect(MAX_ATTEMPTS).toBe(16);
    expect(log.attempts).toHaveLength(16);
    expect(log.attempts.every((a) => a.statusCode === 500)).toBe(true);
    // Total schedule 24h4m = 86 640 s, divided by the scale.
    const span = receiver.received.at(-1)!.at - receiver.received[0]!.at;
    expect(span).toBeGreaterThanOrEqual(86_640_000 / scale - 20);
    await new Promise((r) => setTimeout(r, 300));
    expect(receiver.received).toHaveLength(16);
    // The order is paid regardless: delivery is not the source of truth.
    expect((await v3call(gw, 'GET', `/v3/pay/transactions/out-trade-no/${body.out_trade_no}?mchid=${gw.keys.mchid}`)).json.trade_state).toBe('SUCCESS');
  });

  it('the notification decrypts with the APIv3 key and verifies with the platform key', async () => {
    const { gw, receiver, body, pay } = await setup(1000, () => 200);
    await pay();
    await receiver.waitFor(1);
    const [n] = receiver.received;
    expect(n!.headers['content-type']).toBe('application/json');
    expect(platformSignatureValid(gw.keys, n!.headers, n!.body)).toBe(true);
    expect(platformSignatureValid(gw.keys, n!.headers, n!.body.replace('encrypt-resource', 'encrypt-resourcE'))).toBe(false);
    const envelope = JSON.parse(n!.body);
    expect(envelope.create_time).toMatch(/\+08:00$/);
    expect(envelope.summary).toBe('支付成功');
    const resource = JSON.parse(decryptResource(gw.keys.apiV3Key, envelope.resource));
    expect(resource).toMatchObject({ out_trade_no: body.out_trade_no, trade_state: 'SUCCESS', mchid: gw.keys.mchid, appid: gw.keys.appid });
    expect(() => decryptResource('x'.repeat(32), envelope.resource)).toThrow();
  });

  it('a receiver that never answers is timed out after 5 s and retried', async () => {
    const { gw, receiver, body, pay } = await setup(1000, (n) => (n === 1 ? 'hang' : 204));
    await pay();
    const log = await waitFor('the notification delivered', async () => {
      const n = (await gw.admin.notifications()).find((x) => x.subject === body.out_trade_no);
      return n?.status === 'delivered' ? n : undefined;
    }, 8000, 50);
    expect(log.attempts[0]).toMatchObject({ error: expect.stringMatching(/timeout/) });
    expect(log.attempts[0]!.durationMs).toBeGreaterThanOrEqual(4900);
    expect(log.attempts[1]).toMatchObject({ statusCode: 204 });
    expect(receiver.received).toHaveLength(2);
  }, 15_000);

  it('a notification still being retried resumes after a gateway restart', async () => {
    const dir = dirs.clone();
    const receiver = await startReceiver((n) => (n === 1 ? 503 : 204));
    dirs.track(receiver);
    let gw = await startTestGateway(dir, { timeScale: 30 }); // next attempt 15 s / 30 = 500 ms later
    const body = jsapiBody(gw, receiver.url);
    const { json } = await v3call(gw, 'POST', '/v3/pay/transactions/jsapi', body);
    await gw.admin.pay(json.prepay_id);
    await receiver.waitFor(1);
    await waitFor('the first attempt', async () => (await gw.admin.notifications())[0]?.attempts.length === 1);
    await gw.close();
    gw = await startTestGateway(dir, { timeScale: 30 });
    dirs.track(gw);
    await receiver.waitFor(2, 5000);
    const [n] = await gw.admin.notifications();
    await waitFor('the notification delivered', async () => (await gw.admin.notifications())[0]?.status === 'delivered');
    expect(n!.attempts[0]!.statusCode).toBe(503);
    expect(receiver.received[1]!.at - receiver.received[0]!.at).toBeGreaterThanOrEqual(480);
  });

  it('a connection error is an attempt too', async () => {
    const { gw, receiver, body, pay } = await setup(100_000, () => 204);
    await receiver.close();
    await pay();
    const log = await waitFor('the notification given up', async () => {
      const n = (await gw.admin.notifications()).find((x) => x.subject === body.out_trade_no);
      return n?.status === 'failed' ? n : undefined;
    }, 5000);
    expect(log.attempts).toHaveLength(16);
    expect(log.attempts[0]!.error).toBe('ECONNREFUSED');
  });
});
