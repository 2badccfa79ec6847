import { createSign } from 'node:crypto';
import type { Gateway } from '../../../sandbox/gateway';
import { testOpenid } from '../../../sandbox/gateway/login';
import { decryptResource, outTradeNo, platformSignatureValid, removeDir, startReceiver, startTestGateway, tempDataDir, v3call } from './helpers';

/** Seed 000: individual-payee contracts, the signing page, and combine orders to payees. */
describe('gateway: individual contracts and combine orders', () => {
  let dataDir: string;
  let gw: Gateway;
  let receiver: Awaited<ReturnType<typeof startReceiver>>;
  let payee: string;
  let payer: string;

  beforeAll(async () => {
    dataDir = tempDataDir();
    gw = await startTestGateway(dataDir);
    receiver = await startReceiver();
    payee = testOpenid(gw.keys.appid, 'payee');
    payer = testOpenid(gw.keys.appid, 'payer');
  });
  afterAll(async () => {
    await gw.close();
    await receiver.close();
    removeDir(dataDir);
  });

  const contract = (openid: string, q = `appid=${gw.keys.appid}&permission_type=INDIVIDUAL_PAYEE`) =>
    v3call(gw, 'GET', `/v3/ecommerce/individual-contracts/${openid}?${q}`);

  function signParams(openid: string, over: Record<string, string> = {}) {
    const timeStamp = String(Math.floor(Date.now() / 1000));
    const nonceStr = 'N' + Date.now();
    const pkg = `openid=${openid}&permissionType=INDIVIDUAL_PAYEE`;
    // The default (published) layout; both layouts: test/e2e/payee/signing-page.test.ts.
    const signature = createSign('RSA-SHA256').update(`${gw.keys.appid}\n${timeStamp}\n${nonceStr}\n${pkg}\n`).sign(gw.keys.merchant.privateKeyPem, 'base64');
    return { mchid: gw.keys.mchid, appid: gw.keys.appid, timeStamp, nonceStr, package: pkg, signType: 'RSA', certSerialNo: gw.keys.merchant.serialNo, signature, ...over };
  }
  const postSign = async (body: unknown) => {
    const res = await fetch(`${gw.url}/sandbox/sign`, { method: 'POST', headers: { 'Content-Type': 'application/json' }, body: JSON.stringify(body) });
    return { status: res.status, json: await res.json() };
  };

  describe('contracts', () => {
    it('start UNAUTHORIZED; PARAM_ERROR unless permission_type is INDIVIDUAL_PAYEE or with a foreign appid', async () => {
      const res = await contract(testOpenid(gw.keys.appid, 'fresh'));
      expect(res.status).toBe(200);
      expect(res.json).toEqual({ auth_state: 'UNAUTHORIZED' });
      expect(platformSignatureValid(gw.keys, res.headers, res.text)).toBe(true);
      expect((await contract(payee, `appid=${gw.keys.appid}&permission_type=OTHER`)).json).toMatchObject({ code: 'PARAM_ERROR', detail: { field: 'permission_type' } });
      expect((await contract(payee, `appid=wx0000000000000000&permission_type=INDIVIDUAL_PAYEE`)).json).toMatchObject({ code: 'PARAM_ERROR', detail: { field: 'appid' } });
    });

    it('the signing page verifies the merchant signature and authorizes on confirm', async () => {
      const params = signParams(payee);
      const page = await fetch(`${gw.url}/sandbox/sign?${new URLSearchParams(params)}`);
      expect(page.status).toBe(200);
      expect(await page.text()).toContain(payee);
      // Any field changed after signing breaks the signature.
      const forged = await fetch(`${gw.url}/sandbox/sign?${new URLSearchParams({ ...params, nonceStr: params.nonceStr + 'x' })}`);
      expect(forged.status).toBe(401);

      expect((await postSign({ ...signParams(payee), decision: 'cancel' })).json.code).toBe('USER_CANCEL');
      expect((await contract(payee)).json.auth_state).toBe('UNAUTHORIZED');
      // The signature binds the openid: someone else's openid under this signature is refused.
      expect((await postSign({ ...params, package: `openid=${payer}&permissionType=INDIVIDUAL_PAYEE` })).status).toBe(401);

      const signed = await postSign(params);
      expect(signed.status).toBe(200);
      expect(signed.json).toMatchObject({ openid: payee, auth_state: 'AUTHORIZED', individual_auth_id: expect.stringMatching(/^\d{12}$/) });
      const q = await contract(payee);
      expect(q.json).toEqual({ individual_auth_id: signed.json.individual_auth_id, operation_time: expect.stringMatching(/\+08:00$/), auth_state: 'AUTHORIZED' });
    });

    it('admin authorize/revoke; the individual_auth_id survives re-authorization', async () => {
      const who = testOpenid(gw.keys.appid, 'flip');
      const a = await gw.admin.authorizeContract(who);
      expect((await contract(who)).json.auth_state).toBe('AUTHORIZED');
      await gw.admin.revokeContract(who);
      expect((await contract(who)).json).toMatchObject({ auth_state: 'UNAUTHORIZED' });
      const b = await gw.admin.authorizeContract(who);
      expect(b.individual_auth_id).toBe(a.individual_auth_id);
    });
  });

  describe('combine orders', () => {
    let authId: string;
    beforeAll(async () => {
      authId = (await gw.admin.authorizeContract(payee)).individual_auth_id!;
    });

    function combineBody(subs: Array<Record<string, unknown>> = [{}], over: Record<string, unknown> = {}) {
      return {
        combine_appid: gw.keys.appid,
        combine_mchid: gw.keys.mchid,
        combine_out_trade_no: outTradeNo('C'),
        combine_payer_info: { openid: payer },
        scene_info: { payer_client_ip: '127.0.0.1' },
        notify_url: receiver.url,
        trade_scenario: 'RECOMMERCE',
        sub_orders: subs.map((s) => ({
          mchid: gw.keys.mchid,
          individual_auth_id: authId,
          out_trade_no: outTradeNo('S'),
          amount: { total_amount: 100, currency: 'CNY' },
          attach: 'att',
          description: 'tip',
          ...s,
        })),
        ...over,
      };
    }
    const create = (body: unknown) => v3call(gw, 'POST', '/v3/combine-transactions/miniprogram', body);
    const query = (no: string) => v3call(gw, 'GET', `/v3/combine-transactions/out-trade-no/${no}`);
    const queryById = (id: string) => v3call(gw, 'GET', `/v3/combine-transactions/id/${id}`);

    it('create → query NOTPAY → pay → SUCCESS per sub-order with a combine notification', async () => {
      const body = combineBody([{ amount: { total_amount: 150, currency: 'CNY' } }, {}]);
      const created = await create(body);
      expect(created.status).toBe(200);
      const before = receiver.received.length;
      const q0 = await query(body.combine_out_trade_no);
      expect(q0.json).toMatchObject({ combine_appid: gw.keys.appid, combine_mchid: gw.keys.mchid, combine_out_trade_no: body.combine_out_trade_no, combine_payer_info: { openid: payer } });
      expect(q0.json.sub_orders.map((s: any) => s.trade_state)).toEqual(['NOTPAY', 'NOTPAY']);

      expect(await gw.admin.pay(created.json.prepay_id)).toEqual({ trade_state: 'SUCCESS', out_trade_no: body.combine_out_trade_no });
      const q1 = await query(body.combine_out_trade_no);
      expect(q1.json.sub_orders[0]).toMatchObject({
        mchid: gw.keys.mchid,
        trade_state: 'SUCCESS',
        out_trade_no: body.sub_orders[0]!.out_trade_no,
        attach: 'att',
        individual_auth_id: authId,
        amount: { total_amount: 150, currency: 'CNY', payer_amount: 150, payer_currency: 'CNY' },
      });
      expect(q1.json.sub_orders[1].transaction_id).toMatch(/^4200\d{24}$/);

      await receiver.waitFor(before + 1);
      const envelope = JSON.parse(receiver.received[before]!.body);
      expect(JSON.parse(decryptResource(gw.keys.apiV3Key, envelope.resource))).toEqual(q1.json);

      const closePaid = await v3call(gw, 'POST', `/v3/combine-transactions/out-trade-no/${body.combine_out_trade_no}/close`, {
        combine_appid: gw.keys.appid,
        sub_orders: body.sub_orders.map((s) => ({ mchid: s.mchid, out_trade_no: s.out_trade_no })),
      });
      expect(closePaid.json.code).toBe('ORDERPAID');
    });

    it('close → 204, sub-orders CLOSED, cannot be paid', async () => {
      const body = combineBody();
      const created = await create(body);
      const close = await v3call(gw, 'POST', `/v3/combine-transactions/out-trade-no/${body.combine_out_trade_no}/close`, {
        combine_appid: gw.keys.appid,
        sub_orders: body.sub_orders.map((s) => ({ mchid: s.mchid, out_trade_no: s.out_trade_no, individual_auth_id: authId, description: 'tip' })),
      });
      expect(close.status).toBe(204);
      expect(close.text).toBe('');
      expect(platformSignatureValid(gw.keys, close.headers, '')).toBe(true);
      expect((await query(body.combine_out_trade_no)).json.sub_orders[0].trade_state).toBe('CLOSED');
      await expect(gw.admin.pay(created.json.prepay_id)).rejects.toMatchObject({ code: 'ORDER_CLOSED' });
      const foreign = await v3call(gw, 'POST', `/v3/combine-transactions/out-trade-no/${body.combine_out_trade_no}/close`, {
        combine_appid: gw.keys.appid,
        sub_orders: [{ mchid: gw.keys.mchid, out_trade_no: 'NOT_MINE_123' }],
      });
      expect(foreign).toMatchObject({ status: 400, json: { code: 'INVALID_REQUEST' } });
    });

    it('refuses a revoked payee with 403 NOAUTH and an unknown individual_auth_id with PARAM_ERROR naming it', async () => {
      const revoked = testOpenid(gw.keys.appid, 'revoked');
      const id = (await gw.admin.authorizeContract(revoked)).individual_auth_id!;
      await gw.admin.revokeContract(revoked);
      const noauth = await create(combineBody([{ individual_auth_id: id }]));
      expect(noauth.status).toBe(403);
      expect(noauth.json.code).toBe('NOAUTH');
      const unknown = await create(combineBody([{}, { individual_auth_id: '999999999999' }]));
      expect(unknown.json).toMatchObject({ code: 'PARAM_ERROR', detail: { field: 'sub_orders[1].individual_auth_id' } });
    });

    const invalid: Array<[string, () => unknown]> = [
      ['combine_payer_info.openid', () => combineBody([{}], { combine_payer_info: { openid: payee } })],
      ['sub_orders', () => combineBody([])],
      ['sub_orders', () => combineBody(Array.from({ length: 11 }, () => ({})))],
      ['sub_orders[1].out_trade_no', () => {
        const b = combineBody([{}, {}]);
        b.sub_orders[1]!.out_trade_no = b.sub_orders[0]!.out_trade_no;
        return b;
      }],
      ['sub_orders[0].amount.total_amount', () => combineBody([{ amount: { total_amount: 0 } }])],
      ['sub_orders[0].attach', () => combineBody([{ attach: undefined }])],
      ['sub_orders[0].description', () => combineBody([{ description: '' }])],
      ['sub_orders[0].mchid', () => combineBody([{ mchid: '1900009191' }])],
      ['scene_info.payer_client_ip', () => combineBody([{}], { scene_info: {} })],
      ['combine_out_trade_no', () => combineBody([{}], { combine_out_trade_no: 'bad no!' })],
      ['notify_url', () => combineBody([{}], { notify_url: 'https://x.example/n?a=1' })],
      ['trade_scenario', () => combineBody([{}], { trade_scenario: 'GIFT' })],
      // Seed 000 only: the published 个人收款交易下单-小程序 page lists trade_scenario RECOMMERCE alone
      // and none of these fields (https://pay.weixin.qq.com/doc/v3/partner/4012602225).
      ['trade_scenario', () => combineBody([{}], { trade_scenario: 'TIP' })],
      ['time_start', () => combineBody([{}], { time_start: '2030-06-08T10:34:56+08:00' })],
      ['sub_orders[0].settle_info', () => combineBody([{ settle_info: { profit_sharing: false, subsidy_amount: 0 } }])],
      ['sub_orders[0].transfer_scene', () => combineBody([{ transfer_scene: 'SECOND_HAND_ECOMMERCE' }])],
      ['sub_orders[0].goods_tag', () => combineBody([{ goods_tag: 'WXG' }])],
      ['sub_orders[0].detail', () => combineBody([{ detail: '买单费用' }])],
      ['sub_orders[0].amount.currency', () => combineBody([{ amount: { total_amount: 100 } }])],
      ['scene_info.device_ip', () => combineBody([{}], { scene_info: { payer_client_ip: '127.0.0.1', device_ip: '1.2.3.4' } })],
    ];
    it.each(invalid)('PARAM_ERROR naming %s', async (field, make) => {
      const res = await create(make());
      expect(res.status).toBe(400);
      expect(res.json).toMatchObject({ code: 'PARAM_ERROR', detail: { field } });
    });

    it('the seed Java sample body is refused at its first unpublished field; the published fields alone are accepted', async () => {
      const seedSample = combineBody([{ detail: '买单费用', transfer_scene: 'SECOND_HAND_ECOMMERCE', settle_info: { profit_sharing: false, subsidy_amount: 0 }, goods_tag: 'WXG' }], {
        time_start: '2030-06-08T10:34:56+08:00',
      });
      const refused = await create(seedSample);
      expect(refused.status).toBe(400);
      expect(refused.json.code).toBe('PARAM_ERROR');
      expect(refused.json.message).toMatch(/time_start|settle_info|transfer_scene|goods_tag|detail/);
      const published = combineBody([{ individual_name: '哈哈哈小店' }], { scene_info: { device_id: 'POS1:1', payer_client_ip: '127.0.0.1' }, time_expire: '2099-06-08T10:34:56+08:00' });
      expect((await create(published)).status).toBe(200);
      // scene_info and trade_scenario are optional on the published page.
      const { scene_info: _scene, trade_scenario: _scenario, ...minimal } = combineBody();
      expect((await create(minimal)).status).toBe(200);
    });

    it('answers the published query by combine_transaction_id with the same view as by number, the id and trade_scenario included', async () => {
      const body = combineBody([{ individual_name: '小店' }]);
      const created = await create(body);
      const byNumber = await query(body.combine_out_trade_no);
      expect(byNumber.json.combine_transaction_id).toMatch(/^\d{28}$/);
      expect(byNumber.json).toMatchObject({ trade_scenario: 'RECOMMERCE', sub_orders: [{ individual_name: '小店', trade_state: 'NOTPAY' }] });
      const byId = await queryById(byNumber.json.combine_transaction_id);
      expect(byId.status).toBe(200);
      expect(platformSignatureValid(gw.keys, byId.headers, byId.text)).toBe(true);
      expect(byId.json).toEqual(byNumber.json);

      const before = receiver.received.length;
      await gw.admin.pay(created.json.prepay_id);
      const paid = await queryById(byNumber.json.combine_transaction_id);
      expect(paid.json).toMatchObject({ combine_transaction_id: byNumber.json.combine_transaction_id, sub_orders: [{ trade_state: 'SUCCESS' }] });
      await receiver.waitFor(before + 1);
      const resource = JSON.parse(decryptResource(gw.keys.apiV3Key, JSON.parse(receiver.received[before]!.body).resource));
      expect(resource.combine_transaction_id).toBe(byNumber.json.combine_transaction_id);

      const unknown = await queryById('1200000000000000000000000000');
      expect(unknown.status).toBe(404);
      expect(unknown.json.code).toBe('ORDER_NOT_EXIST');
    });

    it('ten sub-orders are fine; repeats give the same prepay; other parameters are OUT_TRADE_NO_USED', async () => {
      const body = combineBody(Array.from({ length: 10 }, () => ({})));
      const a = await create(body);
      expect(a.status).toBe(200);
      expect((await create(body)).json.prepay_id).toBe(a.json.prepay_id);
      const changed = await create({ ...body, sub_orders: body.sub_orders.map((s) => ({ ...s, amount: { total_amount: 101, currency: 'CNY' } })) });
      expect(changed.json.code).toBe('OUT_TRADE_NO_USED');
      expect((await query('NO_SUCH_COMBINE')).status).toBe(404);
    });
  });
});
