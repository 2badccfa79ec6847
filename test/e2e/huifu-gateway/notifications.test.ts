import type { HuifuGateway } from '../../../sandbox/huifu';
import { MAX_ATTEMPTS, NOTIFY_TIMEOUT_MS } from '../../../sandbox/huifu';
import { waitFor } from '../../helpers/e2e-utils';
import { useKeyedDirs } from '../../helpers/keyed-dirs';
import { cloneKeys, order, removeDir, rsaVerify, startReceiver, startTestHuifu, tempDataDir, type ReceivedForm } from './helpers';

/**
 * Form-POST notifications: the trade (notify_type 1) then accounting (2) pair, signed over
 * resp_data exactly; delivered only on 2xx + `RECV_ORD_ID_<req_seq_id>`; 5 s timeout, 3 retries.
 */
describe('huifu sandbox: notifications', () => {
  const dirs = useKeyedDirs({ tempDataDir, cloneKeys, removeDir });

  async function setup(answer: Parameters<typeof startReceiver>[0] = () => 'ok', timeScale = 50) {
    const dir = dirs.next();
    const gw: HuifuGateway = await startTestHuifu(dir, { timeScale });
    const receiver = await startReceiver(answer);
    dirs.track(gw, receiver);
    return { gw, receiver };
  }

  const dataOf = (f: ReceivedForm) => JSON.parse(f.fields.resp_data!) as Record<string, any>;
  const notificationsFor = async (gw: HuifuGateway, reqSeq: string) => (await gw.admin.notifications()).filter((n) => n.reqSeqId === reqSeq);

  it('a payment posts notify_type 1 then 2 (acct_stat S), form-encoded, each signed over resp_data as sent', async () => {
    const { gw, receiver } = await setup();
    const { req, hf } = await order(gw, { notify_url: receiver.url, trans_amt: '12.34' });
    await gw.admin.pay(hf);
    await waitFor('both notifications', () => receiver.received.length >= 2 && receiver.received);
    const [trade, acct] = receiver.received as [ReceivedForm, ReceivedForm];
    expect(trade.contentType).toMatch(/^application\/x-www-form-urlencoded/);
    for (const f of [trade, acct]) {
      expect(Object.keys(f.fields).sort()).toEqual(['resp_code', 'resp_data', 'resp_desc', 'sign']);
      expect(f.fields).toMatchObject({ resp_code: '10000', resp_desc: '成功调用' });
      expect(rsaVerify(f.fields.resp_data!, f.fields.sign!, gw.keys.huifu.publicKeyPem)).toBe(true);
    }
    expect(dataOf(trade)).toMatchObject({
      notify_type: 1,
      trans_stat: 'S',
      resp_code: '00000000',
      req_seq_id: req.req_seq_id,
      req_date: req.req_date,
      hf_seq_id: hf,
      huifu_id: gw.keys.huifuId,
      trans_type: 'T_MINIAPP',
      trans_amt: '12.34',
      settlement_amt: '12.34',
      fee_amount: '0.05',
      wx_user_id: 'oSUB_OPENID_TEST_0001',
    });
    expect(dataOf(trade).acct_stat).toBeUndefined();
    expect(dataOf(trade).wx_response).toMatchObject({ sub_openid: 'oSUB_OPENID_TEST_0001', sub_appid: gw.appids[0] });
    expect(dataOf(acct)).toMatchObject({ notify_type: 2, trans_stat: 'S', acct_stat: 'S', req_seq_id: req.req_seq_id, settlement_amt: '12.34', fee_amount: '0.05' });
    // The accounting notification comes after the trade one has been answered.
    expect(acct.at).toBeGreaterThanOrEqual(trade.at);
    const log = await waitFor('both delivered', async () => {
      const ns = await notificationsFor(gw, String(req.req_seq_id));
      return ns.length === 2 && ns.every((n) => n.status === 'delivered') && ns;
    });
    expect(log.map((n) => n.kind)).toEqual(['trade', 'acct']);
  });

  it('a booking failure armed by the admin gives acct_stat F in the accounting notification and the query', async () => {
    const { gw, receiver } = await setup();
    await gw.admin.failBookings(1);
    const { hf } = await order(gw, { notify_url: receiver.url });
    await gw.admin.pay(hf);
    await waitFor('two notifications', () => receiver.received.length >= 2);
    expect(dataOf(receiver.received[1]!)).toMatchObject({ notify_type: 2, trans_stat: 'S', acct_stat: 'F' });
    expect((await gw.admin.trade(hf)).trade.acctStat).toBe('F');
  });

  it('a failed payment posts notify_type 1 with trans_stat F and no accounting notification', async () => {
    const { gw, receiver } = await setup();
    const { req, hf } = await order(gw, { notify_url: receiver.url });
    await gw.admin.fail(hf, '余额不足');
    await waitFor('the trade notification', () => receiver.received.length >= 1);
    expect(dataOf(receiver.received[0]!)).toMatchObject({ notify_type: 1, trans_stat: 'F', bank_message: '余额不足' });
    await waitFor('delivered', async () => (await notificationsFor(gw, String(req.req_seq_id)))[0]?.status === 'delivered');
    expect(receiver.received).toHaveLength(1);
  });

  it('anything but 2xx, or a 2xx without RECV_ORD_ID_<req_seq_id>, is retried; 4 attempts in all (3 retries), then given up', async () => {
    const replies = [
      { status: 500, body: 'error' },
      { status: 302, body: '' },
      { status: 200, body: 'success' },
    ];
    let tradeAttempts = 0;
    // Only the trade notification is scripted; the accounting one is answered properly.
    const { gw, receiver } = await setup((_n, f) => (dataOf(f).notify_type === 1 ? (replies[tradeAttempts++] ?? { status: 200, body: 'RECV_ORD_ID_wrong' }) : 'ok'), 1000);
    const { req, hf } = await order(gw, { notify_url: receiver.url });
    await gw.admin.pay(hf);
    const trade = await waitFor('the trade notification given up', async () => {
      const n = (await notificationsFor(gw, String(req.req_seq_id))).find((x) => x.kind === 'trade');
      return n?.status === 'failed' && n;
    });
    expect(MAX_ATTEMPTS).toBe(4);
    expect(trade.attempts.map((a) => a.statusCode)).toEqual([500, 302, 200, 200]);
    expect(trade.attempts.every((a) => !a.ok)).toBe(true);
    // Every attempt posts the same resp_data.
    const tradeForms = receiver.received.filter((f) => dataOf(f).notify_type === 1);
    expect(tradeForms).toHaveLength(4);
    expect(new Set(tradeForms.map((f) => f.fields.resp_data)).size).toBe(1);
  });

  it('the proper reply on a retry delivers it', async () => {
    const { gw, receiver } = await setup((n) => (n === 1 ? { status: 503, body: '' } : 'ok'), 1000);
    // (the first request is the trade notification's first attempt)
    const { req, hf } = await order(gw, { notify_url: receiver.url });
    await gw.admin.pay(hf);
    const trade = await waitFor('the trade notification delivered', async () => {
      const n = (await notificationsFor(gw, String(req.req_seq_id))).find((x) => x.kind === 'trade');
      return n?.status === 'delivered' && n;
    });
    expect(trade.attempts.map((a) => [a.statusCode, a.ok])).toEqual([
      [503, false],
      [200, true],
    ]);
  });

  it(`a merchant that does not answer within ${NOTIFY_TIMEOUT_MS} ms is timed out and retried`, async () => {
    const { gw, receiver } = await setup((n) => (n === 1 ? 'hang' : 'ok'), 1000);
    const { req, hf } = await order(gw, { notify_url: receiver.url });
    await gw.admin.pay(hf);
    const trade = await waitFor(
      'the trade notification delivered after a timeout',
      async () => {
        const n = (await notificationsFor(gw, String(req.req_seq_id))).find((x) => x.kind === 'trade');
        return n?.status === 'delivered' && n;
      },
      NOTIFY_TIMEOUT_MS + 10_000,
    );
    expect(trade.attempts[0]!.error).toMatch(/timeout after 5000 ms/);
    expect(trade.attempts[1]!.ok).toBe(true);
  }, 30_000);

  it('faults: drop loses the trade notification (accounting still comes), duplicate posts twice, corrupt breaks the first signature only', async () => {
    const { gw, receiver } = await setup();
    await gw.admin.fault({ kind: 'notification', effect: 'drop', eventType: 'trade' });
    const a = await order(gw, { notify_url: receiver.url });
    await gw.admin.pay(a.hf);
    await waitFor('the accounting notification', () => receiver.received.some((f) => dataOf(f).req_seq_id === a.req.req_seq_id));
    expect(receiver.received.filter((f) => dataOf(f).req_seq_id === a.req.req_seq_id).map((f) => dataOf(f).notify_type)).toEqual([2]);
    expect((await notificationsFor(gw, String(a.req.req_seq_id))).find((n) => n.kind === 'trade')?.status).toBe('dropped');

    await gw.admin.fault({ kind: 'notification', effect: 'duplicate', eventType: 'trade', copies: 2 });
    const b = await order(gw, { notify_url: receiver.url });
    await gw.admin.pay(b.hf);
    await waitFor('two copies and the accounting one', () => receiver.received.filter((f) => dataOf(f).req_seq_id === b.req.req_seq_id).length >= 3);
    expect(receiver.received.filter((f) => dataOf(f).req_seq_id === b.req.req_seq_id && dataOf(f).notify_type === 1)).toHaveLength(2);

    await gw.admin.fault({ kind: 'notification', effect: 'corrupt', corruption: 'signature', eventType: 'trade' });
    const c = await order(gw, { notify_url: receiver.url });
    await gw.admin.pay(c.hf);
    await waitFor('the corrupt one', () => receiver.received.some((f) => dataOf(f).req_seq_id === c.req.req_seq_id));
    const first = receiver.received.find((f) => dataOf(f).req_seq_id === c.req.req_seq_id)!;
    expect(rsaVerify(first.fields.resp_data!, first.fields.sign!, gw.keys.huifu.publicKeyPem)).toBe(false);
  });

  it('faults Huifu has no equivalent for are refused by the admin API', async () => {
    const { gw } = await setup();
    await expect(gw.admin.fault({ kind: 'notification', effect: 'corrupt', corruption: 'serial' })).rejects.toMatchObject({ status: 400 });
    await expect(gw.admin.fault({ kind: 'endpoint', path: '/v2/**', effect: 'FREQUENCY_LIMITED' })).rejects.toMatchObject({ status: 400 });
    await expect(gw.admin.fault({ kind: 'notification', effect: 'drop', eventType: 'TRANSACTION.SUCCESS' })).rejects.toMatchObject({ status: 400 });
  });
});
