import { jsapiBody, useTestGateway, v3call } from './helpers';
import { waitFor } from '../../helpers/e2e-utils';

/** `GET /sandbox/`: the human view of the gateway's state, fed by real orders and notifications. */
describe('gateway dashboard', () => {
  const t = useTestGateway({ timeScale: 1000 });

  const dashboard = async () => {
    const res = await fetch(`${t.gw.url}/sandbox/`);
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toMatch(/text\/html/);
    return res.text();
  };

  it('lists a payable order with its cashier link, then the paid order and its delivered notification', async () => {
    expect(await dashboard()).toContain('none yet');
    const body = jsapiBody(t.gw, t.receiver.url, { description: '<script>alert(1)</script>', amount: { total: 1234, currency: 'CNY' } });
    const created = await v3call(t.gw, 'POST', '/v3/pay/transactions/jsapi', body);
    const prepayId = created.json?.prepay_id as string;

    const before = await dashboard();
    expect(before).toContain(String(body.out_trade_no));
    expect(before).toContain('¥12.34');
    expect(before).toContain(`/sandbox/cashier/${prepayId}`);

    await t.gw.admin.pay(prepayId);
    await waitFor('the notification delivered', async () => (await t.gw.admin.notifications()).some((n) => n.status === 'delivered'));
    const after = await dashboard();
    expect(after).toMatch(/<b>SUCCESS<\/b>/);
    expect(after).not.toContain(`/sandbox/cashier/${prepayId}`);
    expect(after).toContain('TRANSACTION.SUCCESS');
    expect(after).toMatch(/#1 \d\d:\d\d:\d\d → 20[04]/);
    expect(after).not.toContain('<script>alert(1)</script>');
  });
});
