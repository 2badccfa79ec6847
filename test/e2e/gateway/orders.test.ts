import { cloneKeys, decryptResource, jsapiBody, jsapiCalls, platformSignatureValid, removeDir, startTestGateway, useTestGateway, v3call } from './helpers';
import { waitFor } from '../../helpers/e2e-utils';

describe('gateway: orders, cashier actions, refunds, certificates', () => {
  const t = useTestGateway({ timeScale: 1000 });

  const { create, query } = jsapiCalls(t);

  describe('validation answers PARAM_ERROR naming the field, and writes nothing', () => {
    const cases: Array<[string, Record<string, unknown>]> = [
      ['out_trade_no', { out_trade_no: 'abc' }],
      ['out_trade_no', { out_trade_no: 'has space 123' }],
      ['out_trade_no', { out_trade_no: 'x'.repeat(33) }],
      ['amount.total', { amount: { total: 0 } }],
      ['amount.total', { amount: { total: 1.5 } }],
      ['amount.total', { amount: { total: '1' } }],
      ['amount.currency', { amount: { total: 1, currency: 'USD' } }],
      ['notify_url', { notify_url: 'http://example.com/notify' }],
      ['notify_url', { notify_url: 'https://example.com/notify?order=1' }],
      ['description', { description: '' }],
      ['description', { description: '好'.repeat(43) }],
      ['payer.openid', { payer: {} }],
      ['time_expire', { time_expire: '2020-01-01 00:00:00' }],
    ];
    it.each(cases)('%s: %j', async (field, over) => {
      const { body, res } = await create(over);
      expect(res.status).toBe(400);
      expect(res.json).toMatchObject({ code: 'PARAM_ERROR', detail: { field } });
      expect(platformSignatureValid(t.gw.keys, res.headers, res.text)).toBe(true);
      if (typeof body.out_trade_no === 'string') await expect(t.gw.admin.order(body.out_trade_no)).rejects.toMatchObject({ status: 404 });
    });

    it('a body mchid other than the signer is INVALID_REQUEST', async () => {
      const { res } = await create({ mchid: '1900009191' });
      expect(res.status).toBe(400);
      expect(res.json.code).toBe('INVALID_REQUEST');
    });

    it('accepts a 127-byte description and https notify_url', async () => {
      const { res } = await create({ description: '好'.repeat(42) + 'a', notify_url: 'https://merchant.example.com/pay/notify' });
      expect(res.status).toBe(200);
    });
  });

  it('repeats with the same parameters return the same prepay_id; other parameters are OUT_TRADE_NO_USED', async () => {
    const first = await create();
    const again = await v3call(t.gw, 'POST', '/v3/pay/transactions/jsapi', first.body);
    expect(again.json.prepay_id).toBe(first.prepayId);
    const other = await v3call(t.gw, 'POST', '/v3/pay/transactions/jsapi', { ...first.body, amount: { total: 2, currency: 'CNY' } });
    expect(other.status).toBe(403);
    expect(other.json.code).toBe('OUT_TRADE_NO_USED');
  });

  it('unknown orders are 404 ORDER_NOT_EXIST; the query mchid must be the signer', async () => {
    const res = await query('NOPE0000000');
    expect(res.status).toBe(404);
    expect(res.json.code).toBe('ORDER_NOT_EXIST');
    const { body } = await create();
    const noMchid = await v3call(t.gw, 'GET', `/v3/pay/transactions/out-trade-no/${body.out_trade_no}`);
    expect(noMchid.json).toMatchObject({ code: 'PARAM_ERROR', detail: { field: 'mchid' } });
  });

  it('pay: SUCCESS with transaction_id and success_time, a verified TRANSACTION.SUCCESS notification, ORDERPAID afterwards', async () => {
    const { body, prepayId } = await create({ amount: { total: 888, currency: 'CNY' }, attach: 'a1' });
    const before = t.receiver.received.length;
    const paid = await t.gw.admin.pay(prepayId);
    expect(paid).toEqual({ trade_state: 'SUCCESS', out_trade_no: body.out_trade_no });

    const q = await query(body.out_trade_no);
    expect(q.json).toMatchObject({
      trade_state: 'SUCCESS',
      trade_type: 'JSAPI',
      attach: 'a1',
      payer: { openid: body.payer.openid },
      amount: { total: 888, payer_total: 888, currency: 'CNY', payer_currency: 'CNY' },
    });
    expect(q.json.transaction_id).toMatch(/^4200\d{24}$/);
    expect(q.json.success_time).toMatch(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\+08:00$/);
    const byId = await v3call(t.gw, 'GET', `/v3/pay/transactions/id/${q.json.transaction_id}?mchid=${t.gw.keys.mchid}`);
    expect(byId.json.out_trade_no).toBe(body.out_trade_no);

    await t.receiver.waitFor(before + 1);
    const n = t.receiver.received[before]!;
    expect(platformSignatureValid(t.gw.keys, n.headers, n.body)).toBe(true);
    const envelope = JSON.parse(n.body);
    expect(envelope).toMatchObject({ event_type: 'TRANSACTION.SUCCESS', resource_type: 'encrypt-resource', resource: { algorithm: 'AEAD_AES_256_GCM', original_type: 'transaction' } });
    expect(JSON.parse(decryptResource(t.gw.keys.apiV3Key, envelope.resource))).toEqual(q.json);

    const close = await v3call(t.gw, 'POST', `/v3/pay/transactions/out-trade-no/${body.out_trade_no}/close`, { mchid: t.gw.keys.mchid });
    expect(close.status).toBe(403);
    expect(close.json.code).toBe('ORDERPAID');
    expect((await v3call(t.gw, 'POST', '/v3/pay/transactions/jsapi', body)).json.code).toBe('ORDERPAID');
    await expect(t.gw.admin.pay(prepayId)).rejects.toMatchObject({ status: 403, code: 'ORDERPAID' });
  });

  it('cancel changes nothing and the payer may pay afterwards; fail is PAYERROR without a notification', async () => {
    const a = await create();
    expect(await t.gw.admin.cancel(a.prepayId)).toEqual({ trade_state: 'NOTPAY', out_trade_no: a.body.out_trade_no });
    expect((await query(a.body.out_trade_no)).json.trade_state).toBe('NOTPAY');
    expect((await t.gw.admin.pay(a.prepayId)).trade_state).toBe('SUCCESS');

    const b = await create();
    const notifiedBefore = (await t.gw.admin.notifications()).filter((n) => n.subject === b.body.out_trade_no).length;
    expect(await t.gw.admin.fail(b.prepayId, '余额不足')).toEqual({ trade_state: 'PAYERROR', out_trade_no: b.body.out_trade_no });
    expect((await query(b.body.out_trade_no)).json).toMatchObject({ trade_state: 'PAYERROR', trade_state_desc: '余额不足' });
    expect((await t.gw.admin.notifications()).filter((n) => n.subject === b.body.out_trade_no)).toHaveLength(notifiedBefore);
  });

  it('the cashier is plain JSON over HTTP and serves an HTML page', async () => {
    const { prepayId, body } = await create();
    const page = await fetch(`${t.gw.url}/sandbox/cashier/${prepayId}`);
    expect(page.headers.get('content-type')).toMatch(/text\/html/);
    expect(await page.text()).toContain(body.out_trade_no);
    const res = await fetch(`${t.gw.url}/sandbox/cashier/${prepayId}/pay`, { method: 'POST' });
    expect(await res.json()).toEqual({ trade_state: 'SUCCESS', out_trade_no: body.out_trade_no });
    const unknown = await fetch(`${t.gw.url}/sandbox/cashier/wx_nope/pay`, { method: 'POST' });
    expect(unknown.status).toBe(404);
  });

  it('verifies the wx.requestPayment pay sign when the client hands it over', async () => {
    const { createSign } = await import('node:crypto');
    const { prepayId, body } = await create();
    const timeStamp = String(Math.floor(Date.now() / 1000));
    const nonceStr = 'n' + Date.now();
    const pkg = `prepay_id=${prepayId}`;
    const paySign = createSign('RSA-SHA256').update(`${t.gw.keys.appid}\n${timeStamp}\n${nonceStr}\n${pkg}\n`).sign(t.gw.keys.merchant.privateKeyPem, 'base64');
    const post = async (params: Record<string, string>) => {
      const res = await fetch(`${t.gw.url}/sandbox/cashier/${prepayId}/pay`, { method: 'POST', headers: { 'Content-Type': 'application/json' }, body: JSON.stringify(params) });
      return { status: res.status, json: await res.json() };
    };
    const params = { timeStamp, nonceStr, package: pkg, signType: 'RSA', paySign };
    expect(await post({ ...params, nonceStr: nonceStr + 'x' })).toMatchObject({ status: 401, json: { code: 'SIGN_ERROR' } });
    expect(await post({ ...params, package: 'prepay_id=wx_other' })).toMatchObject({ status: 400 });
    expect((await query(body.out_trade_no)).json.trade_state).toBe('NOTPAY');
    expect(await post(params)).toEqual({ status: 200, json: { trade_state: 'SUCCESS', out_trade_no: body.out_trade_no } });
  });

  it('closed and expired orders cannot be paid', async () => {
    const closed = await create();
    expect((await v3call(t.gw, 'POST', `/v3/pay/transactions/out-trade-no/${closed.body.out_trade_no}/close`, { mchid: t.gw.keys.mchid })).status).toBe(204);
    await expect(t.gw.admin.pay(closed.prepayId)).rejects.toMatchObject({ status: 400, code: 'ORDER_CLOSED' });
    expect((await v3call(t.gw, 'POST', '/v3/pay/transactions/jsapi', closed.body)).json.code).toBe('ORDER_CLOSED');

    const soon = new Date(Date.now() + 1500 + 8 * 3600_000).toISOString().slice(0, 19) + '+08:00';
    const expiring = await create({ time_expire: soon });
    expect(expiring.res.status).toBe(200);
    await waitFor('time_expire to pass', () => Date.parse(soon) < Date.now() - 50, 4000);
    await expect(t.gw.admin.pay(expiring.prepayId)).rejects.toMatchObject({ code: 'ORDER_CLOSED' });
    expect((await query(expiring.body.out_trade_no)).json.trade_state).toBe('CLOSED');
  });

  it('refuses to close sooner than the minimum close interval (seed 004: 5 minutes)', async () => {
    const dir = cloneKeys(t.dataDir);
    const strict = await startTestGateway(dir, { minCloseIntervalMs: 5 * 60_000 });
    try {
      const body = jsapiBody(strict, t.receiver.url);
      await v3call(strict, 'POST', '/v3/pay/transactions/jsapi', body);
      const res = await v3call(strict, 'POST', `/v3/pay/transactions/out-trade-no/${body.out_trade_no}/close`, { mchid: strict.keys.mchid });
      expect(res.status).toBe(400);
      expect(res.json.code).toBe('INVALID_REQUEST');
      expect(((await strict.admin.order(body.out_trade_no)) as any).order.tradeState).toBe('NOTPAY');
    } finally {
      await strict.close();
      removeDir(dir);
    }
  });

  it('native orders answer a weixin:// code_url and record the cashier payer', async () => {
    const body = jsapiBody(t.gw, t.receiver.url);
    delete (body as Record<string, unknown>).payer;
    const res = await v3call(t.gw, 'POST', '/v3/pay/transactions/native', body);
    expect(res.json.code_url).toMatch(/^weixin:\/\/wxpay\/bizpayurl\?pr=/);
    const order = ((await t.gw.admin.order(body.out_trade_no)) as any).order;
    await t.gw.admin.pay(order.prepayId, { openid: 'oNATIVEPAYER0000000000000000' });
    expect((await query(body.out_trade_no)).json).toMatchObject({ trade_type: 'NATIVE', trade_state: 'SUCCESS', payer: { openid: 'oNATIVEPAYER0000000000000000' } });
  });

  describe('refunds', () => {
    it('PROCESSING, then SUCCESS with a REFUND.SUCCESS notification; never more than paid', async () => {
      const { body, prepayId } = await create({ amount: { total: 500, currency: 'CNY' } });
      const unpaid = await v3call(t.gw, 'POST', '/v3/refund/domestic/refunds', { out_trade_no: body.out_trade_no, out_refund_no: 'R' + body.out_trade_no, amount: { refund: 1, total: 500, currency: 'CNY' } });
      // Published: RESOURCE_NOT_EXISTS "请检查你的订单号是否正确且是否已支付，未支付的订单不能发起退款".
      expect(unpaid).toMatchObject({ status: 404, json: { code: 'RESOURCE_NOT_EXISTS' } });
      await t.gw.admin.pay(prepayId);
      const before = t.receiver.received.length;

      const first = await v3call(t.gw, 'POST', '/v3/refund/domestic/refunds', {
        out_trade_no: body.out_trade_no,
        out_refund_no: 'R1' + body.out_trade_no,
        reason: 'test',
        notify_url: t.receiver.url,
        amount: { refund: 300, total: 500, currency: 'CNY' },
      });
      expect(first.status).toBe(200);
      expect(first.json).toMatchObject({ status: 'PROCESSING', out_trade_no: body.out_trade_no, amount: { refund: 300, total: 500 } });
      expect((await query(body.out_trade_no)).json.trade_state).toBe('REFUND');

      const tooMuch = await v3call(t.gw, 'POST', '/v3/refund/domestic/refunds', { out_trade_no: body.out_trade_no, out_refund_no: 'R2' + body.out_trade_no, amount: { refund: 201, total: 500, currency: 'CNY' } });
      expect(tooMuch.json).toMatchObject({ code: 'PARAM_ERROR', detail: { field: 'amount.refund' } });
      const rest = await v3call(t.gw, 'POST', '/v3/refund/domestic/refunds', { out_trade_no: body.out_trade_no, out_refund_no: 'R3' + body.out_trade_no, amount: { refund: 200, total: 500, currency: 'CNY' } });
      expect(rest.status).toBe(200);

      const done = await waitFor('the refund to succeed', async () => {
        const r = await v3call(t.gw, 'GET', `/v3/refund/domestic/refunds/R1${body.out_trade_no}`);
        return r.json.status === 'SUCCESS' ? r.json : undefined;
      });
      expect(done.success_time).toBeDefined();
      await t.receiver.waitFor(before + 1);
      const refundNote = t.receiver.received.slice(before).map((n) => JSON.parse(n.body)).find((e) => e.event_type === 'REFUND.SUCCESS');
      expect(refundNote).toBeDefined();
      expect(JSON.parse(decryptResource(t.gw.keys.apiV3Key, refundNote.resource))).toMatchObject({ out_refund_no: 'R1' + body.out_trade_no, refund_status: 'SUCCESS', amount: { refund: 300, total: 500 } });
      expect((await v3call(t.gw, 'GET', '/v3/refund/domestic/refunds/NOPE')).status).toBe(404);
    });
  });

  it('GET /v3/certificates returns the platform certificate encrypted with the APIv3 key', async () => {
    const res = await v3call(t.gw, 'GET', '/v3/certificates');
    expect(res.status).toBe(200);
    const [entry] = res.json.data;
    expect(entry.serial_no).toBe(t.gw.keys.platformCert.serialNo);
    expect(entry.encrypt_certificate.associated_data).toBe('certificate');
    expect(decryptResource(t.gw.keys.apiV3Key, entry.encrypt_certificate)).toBe(t.gw.keys.platformCert.certificatePem);
    expect(Date.parse(entry.expire_time)).toBeGreaterThan(Date.now() + 4 * 365 * 86400_000);
  });

  it('keeps orders across a restart', async () => {
    const { body } = await create();
    await t.gw.close();
    t.gw = await startTestGateway(t.dataDir);
    expect((await query(body.out_trade_no)).json).toMatchObject({ out_trade_no: body.out_trade_no, trade_state: 'NOTPAY' });
  });
});
