/**
 * `npm run sandbox -- trigger payscore.confirm|payscore.collect` and `refund.success` on a
 * PROCESSING refund, against a gateway alone (no function host: the console rows show the
 * gateway's side only).
 */
import { runCli } from '../../../sandbox/cli/commands';
import { waitFor } from '../../helpers/e2e-utils';
import { completeBody, createBody, partyFields, serviceorder, usePayScoreGateway } from '../gateway/payscore-helpers';
import { jsapiCalls, startTestGateway, tempDataDir, removeDir, v3call } from '../gateway/helpers';

jest.setTimeout(60_000);

const t = usePayScoreGateway();

async function cli(argv: string[], gatewayUrl = t.gw.url): Promise<string[]> {
  const lines: string[] = [];
  await runCli(argv, { gatewayUrl, hostUrl: 'http://127.0.0.1:1' }, { out: (l) => lines.push(l), confirm: async () => false });
  return lines;
}

it('payscore.confirm: the user confirms (CREATED → DOING/USER_CONFIRM); payscore.collect settles a held collection now', async () => {
  const body = createBody(t.p, t.receiver.url);
  await serviceorder(t.wxpay).post(body);
  expect(await cli(['trigger', 'payscore.confirm', body.out_order_no])).toEqual([`confirm ${body.out_order_no}: CREATED → DOING/USER_CONFIRM`]);

  await t.admin.scriptClearing(['hold']);
  await serviceorder(t.wxpay).$out_order_no$.complete.post(completeBody(t.p, 2500), { out_order_no: body.out_order_no });
  await serviceorder(t.wxpay).$out_order_no$.registerdeductinfo.post({ ...partyFields(t.p), appid: t.p.appid, out_trade_no: `D${body.out_order_no}`.slice(0, 32) }, { out_order_no: body.out_order_no });
  expect(await cli(['trigger', 'payscore.collect', body.out_order_no])).toEqual([`collect ${body.out_order_no}: DOING/MCH_COMPLETE → DONE (paid)`]);
  await expect(cli(['trigger', 'payscore.collect', body.out_order_no])).rejects.toThrow(`payscore order ${body.out_order_no} is DONE: cannot collect (actions now: none)`);
});

it('refund.success: a PROCESSING refund succeeds now instead of after its delay', async () => {
  // A gateway at real speed: the refund stays PROCESSING for 3 s unless triggered.
  const dataDir = tempDataDir();
  const gw = await startTestGateway(dataDir, { timeScale: 1 });
  try {
    const calls = jsapiCalls({ ...t, gw });
    const { body, prepayId } = await calls.create();
    await gw.admin.pay(prepayId);
    const outRefundNo = `R${Date.now()}`;
    const created = await v3call(gw, 'POST', '/v3/refund/domestic/refunds', { out_trade_no: body.out_trade_no, out_refund_no: outRefundNo, amount: { refund: 1, total: (body.amount as { total: number }).total, currency: 'CNY' } });
    expect(created.json).toMatchObject({ status: 'PROCESSING' });
    expect(await cli(['trigger', 'refund.success', outRefundNo], gw.url)).toEqual([`refund ${outRefundNo}: PROCESSING → SUCCESS`]);
    await waitFor('the refund visible as SUCCESS', async () => (await gw.admin.orders()).refunds.find((r) => r.outRefundNo === outRefundNo)?.status === 'SUCCESS');
  } finally {
    await gw.close();
    removeDir(dataDir);
  }
});
