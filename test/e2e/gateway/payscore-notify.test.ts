import type { Gateway } from '../../../sandbox/gateway';
import { createPayScoreAdmin } from '../../../sandbox/gateway';
import { RETRY_DELAYS_S } from '../../../sandbox/gateway/notifier';
import { IDLE_EXPIRY_MS, PAYSCORE_MAX_ATTEMPTS, PAYSCORE_NOTIFY_TIMEOUT_MS, PAYSCORE_RETRY_DELAYS_S } from '../../../sandbox/gateway/payscore';
import { waitFor } from '../../helpers/e2e-utils';
import { useKeyedDirs } from '../../helpers/keyed-dirs';
import { cloneKeys, removeDir, startReceiver, startTestGateway, tempDataDir } from './helpers';
import { createBody, openNotification, parties, partyFields, pluginClient, refusal, serviceorder } from './payscore-helpers';

/**
 * PayScore notifications: PayScore's own retry schedule (15/15/30/180/1800/1800/1800/1800/3600 s,
 * time-scaled; 10 attempts), the 5 s reply window, notification faults, the 30-day expiry on an
 * advanced clock, and the dashboard's view of it all.
 */
describe('gateway: PayScore notifications, expiry and dashboard', () => {
  const dirs = useKeyedDirs({ tempDataDir, cloneKeys, removeDir });

  async function gateway(timeScale: number): Promise<Gateway> {
    const dir = dirs.next();
    const gw = await startTestGateway(dir, { timeScale });
    dirs.track(gw);
    return gw;
  }

  async function receiverFor(answer: Parameters<typeof startReceiver>[0]) {
    const r = await startReceiver(answer);
    dirs.track(r);
    return r;
  }

  /** Creates an order notifying `url` and has the user confirm it (→ PAYSCORE.USER_CONFIRM). */
  async function confirmedOrder(gw: Gateway, url: string) {
    const p = await parties(gw);
    const body = createBody(p, url);
    const res = await serviceorder(pluginClient(gw)).post(body);
    await createPayScoreAdmin(gw.url).decide(res.data.package, 'confirm');
    return body.out_order_no as string;
  }

  const log = (gw: Gateway, outOrderNo: string) => createPayScoreAdmin(gw.url).order(outOrderNo).then((x) => x.notifications);

  it('retries on PayScore’s 15/15/30/180 s… schedule (time-scaled), not the payment one, until a 2xx', async () => {
    const scale = 1000;
    const gw = await gateway(scale);
    const receiver = await receiverFor((n) => (n <= 4 ? 500 : 200));
    const no = await confirmedOrder(gw, receiver.url);
    await receiver.waitFor(5);
    const gaps = receiver.received.slice(1).map((r, i) => r.at - receiver.received[i]!.at);
    for (let i = 0; i < 4; i++) expect(gaps[i]).toBeGreaterThanOrEqual((PAYSCORE_RETRY_DELAYS_S[i]! * 1000) / scale - 2);
    // The fourth retry waits 180 s (PayScore), not 600 s (payments).
    expect(PAYSCORE_RETRY_DELAYS_S[3]).toBe(180);
    expect(RETRY_DELAYS_S[4]).toBe(600);
    expect(gaps[3]).toBeLessThan((RETRY_DELAYS_S[4] * 1000) / scale);
    expect(new Set(receiver.received.map((r) => JSON.parse(r.body).id)).size).toBe(1);
    for (const r of receiver.received) expect(openNotification(gw, r).verified).toBe(true);
    const [n] = await waitFor('delivered', async () => {
      const ns = await log(gw, no);
      return ns[0]?.status === 'delivered' ? ns : undefined;
    });
    expect(n!.eventType).toBe('PAYSCORE.USER_CONFIRM');
    expect(n!.attempts.map((a) => a.statusCode)).toEqual([500, 500, 500, 500, 200]);
    expect(n!.retryDelaysS).toEqual([...PAYSCORE_RETRY_DELAYS_S]);
    expect(n!.timeoutMs).toBe(5000);
  });

  it('a receiver that always fails gets exactly 10 attempts over 3 h 4 min (scaled), then it is given up', async () => {
    const scale = 100_000;
    const gw = await gateway(scale);
    const receiver = await receiverFor(() => 503);
    const no = await confirmedOrder(gw, receiver.url);
    await receiver.waitFor(PAYSCORE_MAX_ATTEMPTS);
    const [n] = await waitFor('given up', async () => {
      const ns = await log(gw, no);
      return ns[0]?.status === 'failed' ? ns : undefined;
    });
    expect(PAYSCORE_MAX_ATTEMPTS).toBe(10);
    expect(n!.attempts).toHaveLength(10);
    const span = receiver.received.at(-1)!.at - receiver.received[0]!.at;
    const total = PAYSCORE_RETRY_DELAYS_S.reduce((a, b) => a + b, 0);
    expect(total).toBe(11_040);
    expect(span).toBeGreaterThanOrEqual((total * 1000) / scale - 10);
    await new Promise((r) => setTimeout(r, 200));
    expect(receiver.received).toHaveLength(10);
    // Delivery is not the source of truth: the order is confirmed regardless.
    const p = await parties(gw);
    expect((await serviceorder(pluginClient(gw)).get({ params: { ...partyFields(p), out_order_no: no } })).data.state_description).toBe('USER_CONFIRM');
  });

  it('gives up on an attempt after the 5 s reply window and retries', async () => {
    expect(PAYSCORE_NOTIFY_TIMEOUT_MS).toBe(5000);
    const gw = await gateway(1000);
    const receiver = await receiverFor((n) => (n === 1 ? 'hang' : 204));
    const no = await confirmedOrder(gw, receiver.url);
    const [n] = await waitFor(
      'delivered after a timeout',
      async () => {
        const ns = await log(gw, no);
        return ns[0]?.status === 'delivered' ? ns : undefined;
      },
      20_000,
    );
    expect(n!.attempts[0]).toMatchObject({ round: 1, error: 'timeout after 5000 ms' });
    expect(n!.attempts[1]).toMatchObject({ round: 2, statusCode: 204 });
  }, 30_000);

  it('notification faults apply by event type: a dropped USER_CONFIRM, duplicated USER_PAID copies', async () => {
    const gw = await gateway(1000);
    const receiver = await receiverFor(() => 204);
    await gw.admin.fault({ kind: 'notification', effect: 'drop', eventType: 'PAYSCORE.USER_CONFIRM' });
    await gw.admin.fault({ kind: 'notification', effect: 'duplicate', copies: 3, eventType: 'PAYSCORE.USER_PAID' });
    const no = await confirmedOrder(gw, receiver.url);
    const [dropped] = await log(gw, no);
    expect(dropped).toMatchObject({ eventType: 'PAYSCORE.USER_CONFIRM', status: 'dropped' });
    const p = await parties(gw);
    const so = serviceorder(pluginClient(gw));
    await so.$out_order_no$.complete.post({ ...partyFields(p), post_payments: [{ name: '租借费用', amount: 100 }], total_amount: 100 }, { out_order_no: no });
    await so.$out_order_no$.registerdeductinfo.post({ ...partyFields(p), appid: p.appid, out_trade_no: `D${no}`.slice(0, 32) }, { out_order_no: no });
    await receiver.waitFor(3);
    const opened = receiver.received.map((r) => openNotification(gw, r));
    expect(opened.map((o) => o.envelope.event_type)).toEqual(['PAYSCORE.USER_PAID', 'PAYSCORE.USER_PAID', 'PAYSCORE.USER_PAID']);
    expect(new Set(opened.map((o) => o.envelope.id)).size).toBe(1);
  });

  it('a CREATED order untouched for 30 days (scaled, on the admin clock) is EXPIRED and can no longer be confirmed or cancelled', async () => {
    const scale = 1000;
    const gw = await gateway(scale);
    const receiver = await receiverFor(() => 204);
    const admin = createPayScoreAdmin(gw.url);
    const p = await parties(gw);
    const so = serviceorder(pluginClient(gw));
    const body = createBody(p, receiver.url);
    const created = await so.post(body);
    const query = async () => (await so.get({ params: { ...partyFields(p), out_order_no: body.out_order_no } })).data.state;

    await admin.advanceClock(IDLE_EXPIRY_MS / scale - 60_000);
    expect(await query()).toBe('CREATED');
    await admin.advanceClock(60_000);
    expect(await query()).toBe('EXPIRED');
    await expect(admin.decide(created.data.package, 'confirm')).rejects.toMatchObject({ code: 'INVALID_ORDER_STATE' });
    expect(await refusal(so.$out_order_no$.cancel.post({ ...partyFields(p), reason: '超时' }, { out_order_no: body.out_order_no }))).toMatchObject({ status: 400, data: { code: 'INVALID_ORDER_STATE' } });
    const { order } = await admin.order(body.out_order_no);
    expect(order.history.at(-1)).toMatchObject({ from: 'CREATED', to: 'EXPIRED', by: 'clock' });
  });

  it('the dashboard lists PayScore orders with each notification attempt', async () => {
    const gw = await gateway(1000);
    const receiver = await receiverFor((n) => (n === 1 ? 500 : 204));
    const no = await confirmedOrder(gw, receiver.url);
    await receiver.waitFor(2);
    await waitFor('delivered', async () => (await log(gw, no))[0]?.status === 'delivered');
    const html = await (await fetch(`${gw.url}/sandbox/`)).text();
    expect(html).toContain('PayScore');
    expect(html).toContain(no);
    expect(html).toMatch(/PAYSCORE\.USER_CONFIRM <b>delivered<\/b>: #1 [\d:]+ → 500, #2 [\d:]+ → 204/);
    expect(html).toContain('DOING</b>/USER_CONFIRM');
  });

  it('keeps PayScore orders and pending notifications (with their schedule) across a restart', async () => {
    const dir = dirs.clone();
    const first = await startTestGateway(dir, { timeScale: 1 });
    const receiver = await receiverFor((n) => (n === 1 ? 500 : 204));
    const no = await confirmedOrder(first, receiver.url);
    await receiver.waitFor(1);
    await waitFor('the first attempt logged', async () => (await log(first, no))[0]?.attempts.length === 1);
    await first.close();
    // At time scale 1 the retry is due 15 s later; restart faster so the resumed schedule delivers it.
    const second = await startTestGateway(dir, { timeScale: 1000 });
    dirs.track(second);
    const p = await parties(second);
    const q = await serviceorder(pluginClient(second)).get({ params: { ...partyFields(p), out_order_no: no } });
    expect(q.data).toMatchObject({ state: 'DOING', state_description: 'USER_CONFIRM' });
    const [n] = await log(second, no);
    expect(n).toMatchObject({ status: 'pending', retryDelaysS: [...PAYSCORE_RETRY_DELAYS_S], timeoutMs: 5000 });
  });
});
