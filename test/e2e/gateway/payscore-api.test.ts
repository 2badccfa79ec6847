import { waitFor } from '../../helpers/e2e-utils';
import { v3call } from './helpers';
import { completeBody, createBody, outOrderNo, partyFields, refusal, serviceorder, usePayScoreGateway } from './payscore-helpers';

/**
 * Every PayScore call's validation and refusals, through wechatpay-axios-plugin (which verifies
 * the platform signature on each refusal before handing it back).
 */
describe('gateway: PayScore calls and refusals', () => {
  const t = usePayScoreGateway();

  const so = () => serviceorder(t.wxpay);
  const create = async (over: Record<string, unknown> = {}) => {
    const body = createBody(t.p, t.receiver.url, over);
    const res = await so().post(body);
    return { body, res };
  };
  /** An order the user confirmed (DOING/USER_CONFIRM). */
  const confirmed = async () => {
    const { body, res } = await create();
    await t.admin.decide(res.data.package, 'confirm');
    return body.out_order_no as string;
  };
  /** An order completed for `total` (DOING/MCH_COMPLETE). */
  const completed = async (total = 2500) => {
    const no = await confirmed();
    await so().$out_order_no$.complete.post(completeBody(t.p, total), { out_order_no: no });
    return no;
  };
  const expectRefused = async (call: Promise<unknown>, status: number, code: string, field?: string) => {
    const r = await refusal(call);
    expect(r.status).toBe(status);
    expect(r.data.code).toBe(code);
    if (field) expect(r.data.detail?.field).toBe(field);
    return r.data;
  };

  describe('create', () => {
    it('answers 200 with the order, order_id and package; an identical repeat answers the same order', async () => {
      const { body, res } = await create();
      expect(res.data).toMatchObject({
        out_order_no: body.out_order_no,
        appid: t.p.appid,
        sub_mchid: t.p.identity.subMchid,
        channel_id: t.p.identity.channelId,
        service_introduction: body.service_introduction,
        state: 'CREATED',
        post_payments: body.post_payments,
        post_discounts: body.post_discounts,
        risk_fund: body.risk_fund,
        time_range: body.time_range,
        location: body.location,
        attach: body.attach,
        notify_url: t.receiver.url,
      });
      expect(res.data.order_id).toMatch(/^\d{32}$/);
      const again = await so().post(body);
      expect(again.data).toEqual(res.data);
    });

    it('refuses the same out_order_no with other parameters (INVALID_REQUEST)', async () => {
      const { body } = await create();
      await expectRefused(so().post({ ...body, service_introduction: '另一个服务' }), 400, 'INVALID_REQUEST');
    });

    it('counts service_introduction in characters: 20 pass, 21 are refused', async () => {
      const twenty = '充'.repeat(20);
      const { res } = await create({ service_introduction: twenty });
      expect(res.data.service_introduction).toBe(twenty);
      await expectRefused(so().post(createBody(t.p, t.receiver.url, { service_introduction: '充'.repeat(21) })), 400, 'PARAM_ERROR', 'service_introduction');
    });

    it('holds out_order_no to 32 characters of 0-9 A-Z a-z _ - | *', async () => {
      const { res } = await create({ out_order_no: 'Ab0_-|*' + 'x'.repeat(25) });
      expect(res.data.out_order_no).toHaveLength(32);
      await expectRefused(so().post(createBody(t.p, t.receiver.url, { out_order_no: 'x'.repeat(33) })), 400, 'PARAM_ERROR', 'out_order_no');
      await expectRefused(so().post(createBody(t.p, t.receiver.url, { out_order_no: 'bad#no' })), 400, 'PARAM_ERROR', 'out_order_no');
      await expectRefused(so().post(createBody(t.p, t.receiver.url, { out_order_no: 'with space' })), 400, 'PARAM_ERROR', 'out_order_no');
    });

    it('refuses missing or malformed required fields, each named', async () => {
      const without = (field: string) => {
        const b: Record<string, unknown> = createBody(t.p, t.receiver.url);
        delete b[field];
        return b;
      };
      for (const field of ['service_id', 'appid', 'sub_mchid', 'channel_id', 'out_order_no', 'service_introduction', 'risk_fund', 'time_range', 'notify_url']) {
        await expectRefused(so().post(without(field)), 400, 'PARAM_ERROR', field);
      }
      await expectRefused(so().post(createBody(t.p, t.receiver.url, { risk_fund: { name: 'ESTIMATE_ORDER_COST', amount: 50.5 } })), 400, 'PARAM_ERROR', 'risk_fund.amount');
      await expectRefused(so().post(createBody(t.p, t.receiver.url, { risk_fund: { name: 'ESTIMATE_ORDER_COST', amount: 0 } })), 400, 'PARAM_ERROR', 'risk_fund.amount');
      await expectRefused(so().post(createBody(t.p, t.receiver.url, { time_range: { start_time: '2025-01-01 09:10:10' } })), 400, 'PARAM_ERROR', 'time_range.start_time');
      await expectRefused(so().post(createBody(t.p, t.receiver.url, { post_payments: [{ amount: 100 }] })), 400, 'PARAM_ERROR', 'post_payments[0].name');
      await expectRefused(so().post(createBody(t.p, t.receiver.url, { post_payments: Array.from({ length: 101 }, () => ({ name: 'x' })) })), 400, 'PARAM_ERROR', 'post_payments');
      await expectRefused(so().post(createBody(t.p, t.receiver.url, { post_discounts: Array.from({ length: 31 }, () => ({ name: 'x', description: 'y' })) })), 400, 'PARAM_ERROR', 'post_discounts');
      // The create table lists no discount amount (the complete table does).
      await expectRefused(so().post(createBody(t.p, t.receiver.url, { post_discounts: [{ name: 'x', description: 'y', amount: 1 }] })), 400, 'PARAM_ERROR', 'post_discounts[0].amount');
      await expectRefused(so().post(createBody(t.p, t.receiver.url, { notify_url: 'http://example.com/notify' })), 400, 'PARAM_ERROR', 'notify_url');
      await expectRefused(so().post(createBody(t.p, t.receiver.url, { total_amount: 1 })), 400, 'PARAM_ERROR', 'total_amount');
    });

    it('refuses another service_id / sub_mchid / channel_id (NO_AUTH), a foreign appid and confirm-free mode', async () => {
      await expectRefused(so().post(createBody(t.p, t.receiver.url, { service_id: '2002000000000558128851361561536' })), 403, 'NO_AUTH');
      await expectRefused(so().post(createBody(t.p, t.receiver.url, { sub_mchid: '1900000109' })), 403, 'NO_AUTH');
      await expectRefused(so().post(createBody(t.p, t.receiver.url, { channel_id: '1230000109' })), 403, 'NO_AUTH');
      await expectRefused(so().post(createBody(t.p, t.receiver.url, { appid: 'wxd678efh567hg6787' })), 400, 'PARAM_ERROR', 'appid');
      await expectRefused(so().post(createBody(t.p, t.receiver.url, { need_user_confirm: false })), 403, 'NO_AUTH');
    });
  });

  describe('query', () => {
    it('refuses both out_order_no and query_id, and neither', async () => {
      const { body } = await create();
      const { order } = await t.admin.order(body.out_order_no);
      await expectRefused(so().get({ params: { ...partyFields(t.p), out_order_no: body.out_order_no, query_id: order.queryId } }), 400, 'PARAM_ERROR', 'query_id');
      await expectRefused(so().get({ params: { ...partyFields(t.p) } }), 400, 'PARAM_ERROR', 'out_order_no');
      const byId = await so().get({ params: { ...partyFields(t.p), query_id: order.queryId } });
      expect(byId.data.out_order_no).toBe(body.out_order_no);
    });

    it('answers ORDER_NOT_EXIST (404) for an unknown order and refuses an unlisted parameter', async () => {
      await expectRefused(so().get({ params: { ...partyFields(t.p), out_order_no: outOrderNo('NONE') } }), 404, 'ORDER_NOT_EXIST');
      await expectRefused(so().get({ params: { ...partyFields(t.p), out_order_no: outOrderNo(), mchid: t.gw.keys.mchid } }), 400, 'PARAM_ERROR', 'mchid');
    });
  });

  describe('complete', () => {
    it('answers 204 with no body and is refused in any state but DOING/USER_CONFIRM', async () => {
      const { body } = await create();
      await expectRefused(so().$out_order_no$.complete.post(completeBody(t.p, 2500), { out_order_no: body.out_order_no }), 400, 'INVALID_ORDER_STATE');
      const no = await completed();
      await expectRefused(so().$out_order_no$.complete.post(completeBody(t.p, 2500), { out_order_no: no }), 400, 'INVALID_ORDER_STATE');
    });

    it('refuses total_amount ≠ Σ post_payments − Σ post_discounts (the seed sample: 4000 − 4000 vs 3900)', async () => {
      const no = await confirmed();
      const seedSample = {
        ...partyFields(t.p),
        post_payments: [{ name: '就餐费用服务费', amount: 4000, description: '就餐人均100元服务费:100/小时', count: 1 }],
        post_discounts: [{ name: '满20减1元', description: '不与其他优惠叠加', amount: 4000 }],
        total_amount: 3900,
      };
      await expectRefused(so().$out_order_no$.complete.post(seedSample, { out_order_no: no }), 400, 'INVALID_REQUEST');
      // 4000 − 100 = 3900 is accepted.
      const ok = await so().$out_order_no$.complete.post({ ...seedSample, post_discounts: [{ name: '满20减1元', description: '不与其他优惠叠加', amount: 100 }] }, { out_order_no: no });
      expect(ok.status).toBe(204);
    });

    it('refuses total_amount above risk_fund.amount', async () => {
      const no = await confirmed();
      await expectRefused(so().$out_order_no$.complete.post(completeBody(t.p, 5001), { out_order_no: no }), 400, 'INVALID_REQUEST');
      expect((await so().$out_order_no$.complete.post(completeBody(t.p, 5000), { out_order_no: no })).status).toBe(204);
    });

    it('refuses an appid (the create-time appid is bound by out_order_no; cancel and complete list none)', async () => {
      const no = await confirmed();
      await expectRefused(so().$out_order_no$.complete.post(completeBody(t.p, 2500, { appid: 'wxd678efh567hg6787' }), { out_order_no: no }), 400, 'PARAM_ERROR', 'appid');
      await expectRefused(so().$out_order_no$.cancel.post({ ...partyFields(t.p), appid: 'wxd678efh567hg6787', reason: 'x' }, { out_order_no: no }), 400, 'PARAM_ERROR', 'appid');
    });

    it('requires post_payments and integer fen, and names a bad field', async () => {
      const no = await confirmed();
      await expectRefused(so().$out_order_no$.complete.post({ ...completeBody(t.p, 2500), post_payments: [] }, { out_order_no: no }), 400, 'PARAM_ERROR', 'post_payments');
      await expectRefused(so().$out_order_no$.complete.post({ ...completeBody(t.p, 2500), total_amount: 25.0001 }, { out_order_no: no }), 400, 'PARAM_ERROR', 'total_amount');
      await expectRefused(so().$out_order_no$.complete.post({ ...completeBody(t.p, 2500), post_discounts: [{ name: 'x', description: 'y' }] }, { out_order_no: no }), 400, 'PARAM_ERROR', 'post_discounts[0].amount');
      await expectRefused(so().$out_order_no$.complete.post({ ...completeBody(t.p, 2500), complete_time: '2025-01-01 10:00:00' }, { out_order_no: no }), 400, 'PARAM_ERROR', 'complete_time');
      await expectRefused(so().$out_order_no$.complete.post(completeBody(t.p, 2500), { out_order_no: outOrderNo('NONE') }), 404, 'ORDER_NOT_EXIST');
    });
  });

  describe('cancel', () => {
    it('needs a reason of at most 50 characters and refuses a DONE order', async () => {
      const { body } = await create();
      await expectRefused(so().$out_order_no$.cancel.post({ ...partyFields(t.p) }, { out_order_no: body.out_order_no }), 400, 'PARAM_ERROR', 'reason');
      await expectRefused(so().$out_order_no$.cancel.post({ ...partyFields(t.p), reason: '因'.repeat(51) }, { out_order_no: body.out_order_no }), 400, 'PARAM_ERROR', 'reason');
      const no = await completed();
      await so().$out_order_no$.registerdeductinfo.post({ ...partyFields(t.p), appid: t.p.appid, out_trade_no: `D${no}`.slice(0, 32) }, { out_order_no: no });
      await waitFor('the clearing stub to collect', async () => (await so().get({ params: { ...partyFields(t.p), out_order_no: no } })).data.state === 'DONE');
      await expectRefused(so().$out_order_no$.cancel.post({ ...partyFields(t.p), reason: '用户投诉' }, { out_order_no: no }), 400, 'INVALID_ORDER_STATE');
    });

    it('cancels a completed order still collecting (DOING/MCH_COMPLETE, no live registration)', async () => {
      const no = await completed();
      expect((await so().$out_order_no$.cancel.post({ ...partyFields(t.p), reason: '用户投诉' }, { out_order_no: no })).status).toBe(204);
    });
  });

  describe('register deduct info and query deduction', () => {
    it('register answers 200 {description} only in DOING/MCH_COMPLETE', async () => {
      const no = await confirmed();
      await expectRefused(so().$out_order_no$.registerdeductinfo.post({ ...partyFields(t.p), appid: t.p.appid, out_trade_no: `D${no}`.slice(0, 32) }, { out_order_no: no }), 400, 'INVALID_ORDER_STATE');
    });

    it('refuses another appid in register and in the deduction query', async () => {
      const no = await completed();
      await expectRefused(so().$out_order_no$.registerdeductinfo.post({ ...partyFields(t.p), appid: 'wxd678efh567hg6787', out_trade_no: `D${no}`.slice(0, 32) }, { out_order_no: no }), 400, 'INVALID_REQUEST');
      await t.admin.scriptClearing(['hold']);
      await so().$out_order_no$.registerdeductinfo.post({ ...partyFields(t.p), appid: t.p.appid, out_trade_no: `D${no}`.slice(0, 32) }, { out_order_no: no });
      await expectRefused(so().deduction.get({ params: { ...partyFields(t.p), appid: 'wxd678efh567hg6787', out_order_no: no } }), 400, 'INVALID_REQUEST');
      const ok = await so().deduction.get({ params: { ...partyFields(t.p), appid: t.p.appid, out_order_no: no } });
      expect(ok.data).toEqual({ description: '充电宝租借', out_trade_no: `D${no}`.slice(0, 32) });
      await t.admin.collect(no, 'succeed');
    });

    it('the deduction query is refused before completion and before any registration', async () => {
      const no = await confirmed();
      await expectRefused(so().deduction.get({ params: { ...partyFields(t.p), appid: t.p.appid, out_order_no: no } }), 400, 'INVALID_ORDER_STATE');
      await so().$out_order_no$.complete.post(completeBody(t.p, 2500), { out_order_no: no });
      await expectRefused(so().deduction.get({ params: { ...partyFields(t.p), appid: t.p.appid, out_order_no: no } }), 400, 'INVALID_ORDER_STATE');
      await expectRefused(so().deduction.get({ params: { ...partyFields(t.p), out_order_no: no } }), 400, 'PARAM_ERROR', 'appid');
    });

    it('refuses a malformed out_trade_no', async () => {
      const no = await completed();
      await expectRefused(so().$out_order_no$.registerdeductinfo.post({ ...partyFields(t.p), appid: t.p.appid, out_trade_no: 'bad#no' }, { out_order_no: no }), 400, 'PARAM_ERROR', 'out_trade_no');
      await expectRefused(so().$out_order_no$.registerdeductinfo.post({ ...partyFields(t.p), appid: t.p.appid }, { out_order_no: no }), 400, 'PARAM_ERROR', 'out_trade_no');
    });
  });

  describe('gateway plumbing', () => {
    it('refuses an unsigned or badly signed request (401 SIGN_ERROR)', async () => {
      const body = createBody(t.p, t.receiver.url);
      const res = await v3call(t.gw, 'POST', '/v3/payscore/acquiringbank/serviceorder', body, { tamperSignature: true });
      expect(res.status).toBe(401);
      expect(res.json.code).toBe('SIGN_ERROR');
      const unsigned = await fetch(`${t.gw.url}/v3/payscore/acquiringbank/serviceorder`, { method: 'POST', body: JSON.stringify(body), headers: { 'Content-Type': 'application/json' } });
      expect(unsigned.status).toBe(401);
    });

    it('applies endpoint faults to PayScore paths by pattern, leaving the order untouched', async () => {
      await t.gw.admin.fault({ kind: 'endpoint', method: 'POST', path: '/v3/payscore/acquiringbank/serviceorder/*/complete', effect: 'SYSTEM_ERROR' });
      const no = await confirmed();
      await expectRefused(so().$out_order_no$.complete.post(completeBody(t.p, 2500), { out_order_no: no }), 500, 'SYSTEM_ERROR');
      expect((await so().get({ params: { ...partyFields(t.p), out_order_no: no } })).data.state_description).toBe('USER_CONFIRM');
      // Used up: the retry with the same body succeeds.
      expect((await so().$out_order_no$.complete.post(completeBody(t.p, 2500), { out_order_no: no })).status).toBe(204);
      await t.gw.admin.fault({ kind: 'endpoint', path: '/v3/payscore/**', effect: 'FREQUENCY_LIMITED' });
      await expectRefused(so().post(createBody(t.p, t.receiver.url)), 429, 'FREQUENCY_LIMITED');
    });
  });
});
