import { waitFor } from '../../helpers/e2e-utils';
import { completeBody, createBody, openNotification, partyFields, refusal, serviceorder, usePayScoreGateway } from './payscore-helpers';

/**
 * PayScore (acquiring-bank) end to end against the sandbox, driven by wechatpay-axios-plugin:
 * create → the user confirms → complete 25.00 against a 50.00 risk fund → deduction registered →
 * collected by the clearing stub → DONE/USER_PAID, with both notifications verified and
 * decrypted by the plugin; the user refusing; cancel before confirmation; a failed collection
 * followed by a new registration.
 */
describe('gateway: PayScore service order lifecycle', () => {
  const t = usePayScoreGateway();

  const query = async (out_order_no: string) => (await serviceorder(t.wxpay).get({ params: { ...partyFields(t.p), out_order_no } })).data;
  const notificationsFor = (outOrderNo: string) => t.receiver.received.filter((n) => openNotification(t.gw, n).resource.out_order_no === outOrderNo);
  const create = async (over: Record<string, unknown> = {}) => {
    const body = createBody(t.p, t.receiver.url, over);
    const res = await serviceorder(t.wxpay).post(body);
    return { body, res };
  };

  it('walks create → confirm → complete 25.00 of 50.00 → register → collected → DONE/USER_PAID', async () => {
    const { body, res } = await create();
    expect(res.status).toBe(200);
    expect(res.data).toMatchObject({ out_order_no: body.out_order_no, state: 'CREATED', risk_fund: { amount: 5000 }, service_id: t.p.identity.serviceId, mchid: t.gw.keys.mchid });
    expect(typeof res.data.package).toBe('string');
    expect(res.data.package.length).toBeLessThanOrEqual(128);

    // The user confirms on the PayScore page the mini-program opened with extraData.package.
    const confirmed = await t.admin.decide(res.data.package, 'confirm');
    expect(confirmed).toMatchObject({ out_order_no: body.out_order_no, state: 'DOING', state_description: 'USER_CONFIRM' });
    expect(confirmed.query_id).toMatch(/^\d+$/);

    const [confirmNote] = await waitFor('the USER_CONFIRM notification', () => (notificationsFor(body.out_order_no).length >= 1 ? notificationsFor(body.out_order_no) : undefined));
    const c = openNotification(t.gw, confirmNote!);
    expect(c.verified).toBe(true);
    expect(c.envelope).toMatchObject({ event_type: 'PAYSCORE.USER_CONFIRM', resource_type: 'encrypt-resource', resource: { algorithm: 'AEAD_AES_256_GCM', original_type: 'payscore' } });
    expect(c.resource).toMatchObject({ out_order_no: body.out_order_no, state: 'DOING', state_description: 'USER_CONFIRM', service_id: t.p.identity.serviceId, appid: t.p.appid, sub_mchid: t.p.identity.subMchid, risk_fund: { amount: 5000 } });
    expect(typeof c.resource.openid).toBe('string');

    // Query by the query_id the page handed back gives the same order.
    const byQueryId = await serviceorder(t.wxpay).get({ params: { ...partyFields(t.p), query_id: confirmed.query_id } });
    expect(byQueryId.data).toMatchObject({ out_order_no: body.out_order_no, state: 'DOING', state_description: 'USER_CONFIRM' });

    const completed = await serviceorder(t.wxpay).$out_order_no$.complete.post(completeBody(t.p, 2500), { out_order_no: body.out_order_no });
    expect(completed.status).toBe(204);
    expect(completed.data).toBe('');
    expect(await query(body.out_order_no)).toMatchObject({
      state: 'DOING',
      state_description: 'MCH_COMPLETE',
      total_amount: 2500,
      collection: { state: 'USER_PAYING', total_amount: 2500, paying_amount: 2500, paid_amount: 0 },
    });

    const outTradeNo = `D${body.out_order_no}`.slice(0, 32);
    const registered = await serviceorder(t.wxpay).$out_order_no$.registerdeductinfo.post({ ...partyFields(t.p), appid: t.p.appid, out_trade_no: outTradeNo }, { out_order_no: body.out_order_no });
    expect(registered.status).toBe(200);
    expect(registered.data).toEqual({ description: body.service_introduction });

    const done = await waitFor('the clearing stub to collect', async () => {
      const q = await query(body.out_order_no);
      return q.state === 'DONE' ? q : undefined;
    });
    expect(done).toMatchObject({ state: 'DONE', total_amount: 2500, collection: { state: 'USER_PAID', total_amount: 2500, paying_amount: 0, paid_amount: 2500, details: [{ seq: 1, amount: 2500 }] } });
    expect(done.state_description).toBeUndefined();

    const paidNote = await waitFor('the USER_PAID notification', () => notificationsFor(body.out_order_no).map((n) => openNotification(t.gw, n)).find((n) => n.envelope.event_type === 'PAYSCORE.USER_PAID'));
    expect(paidNote.verified).toBe(true);
    expect(paidNote.resource).toMatchObject({ out_order_no: body.out_order_no, out_trade_no: outTradeNo, state: 'DONE', collection: { state: 'USER_PAID', paid_amount: 2500 } });

    const deduction = await serviceorder(t.wxpay).deduction.get({ params: { ...partyFields(t.p), appid: t.p.appid, out_order_no: body.out_order_no } });
    expect(deduction.data).toEqual({ description: body.service_introduction, out_trade_no: outTradeNo });

    // The audit trail names every step.
    const { order } = await t.admin.order(body.out_order_no);
    expect(order.history.map((h) => h.to)).toEqual(['CREATED', 'DOING/USER_CONFIRM', 'DOING/MCH_COMPLETE (USER_PAYING)', 'DOING/MCH_COMPLETE (USER_PAYING)', 'DONE (USER_PAID)']);
  });

  it('a user who refuses leaves the order CREATED with no notification; the merchant then cancels it', async () => {
    const { body, res } = await create();
    const refused = await t.admin.decide(res.data.package, 'refuse');
    expect(refused).toMatchObject({ out_order_no: body.out_order_no, state: 'CREATED' });
    expect((await query(body.out_order_no)).state).toBe('CREATED');
    const cancelled = await serviceorder(t.wxpay).$out_order_no$.cancel.post({ ...partyFields(t.p), reason: '用户未确认' }, { out_order_no: body.out_order_no });
    expect(cancelled.status).toBe(204);
    expect((await query(body.out_order_no)).state).toBe('REVOKED');
    const { notifications } = await t.admin.order(body.out_order_no);
    expect(notifications).toHaveLength(0);
  });

  it('cancel before confirmation revokes the order; the user can no longer confirm it', async () => {
    const { body, res } = await create();
    await serviceorder(t.wxpay).$out_order_no$.cancel.post({ ...partyFields(t.p), reason: '商户取消' }, { out_order_no: body.out_order_no });
    expect(await query(body.out_order_no)).toMatchObject({ state: 'REVOKED' });
    await expect(t.admin.decide(res.data.package, 'confirm')).rejects.toMatchObject({ status: 400, code: 'INVALID_ORDER_STATE' });
    // A second cancel of a revoked order is refused too.
    const again = await refusal(serviceorder(t.wxpay).$out_order_no$.cancel.post({ ...partyFields(t.p), reason: '再次取消' }, { out_order_no: body.out_order_no }));
    expect(again).toMatchObject({ status: 400, data: { code: 'INVALID_ORDER_STATE' } });
  });

  it('a failed collection spends its registration; a new out_trade_no is collected', async () => {
    const { body, res } = await create();
    await t.admin.decide(res.data.package, 'confirm');
    await serviceorder(t.wxpay).$out_order_no$.complete.post(completeBody(t.p, 2500), { out_order_no: body.out_order_no });
    await t.admin.scriptClearing(['fail', 'succeed']);

    const first = `F${body.out_order_no}`.slice(0, 32);
    await serviceorder(t.wxpay).$out_order_no$.registerdeductinfo.post({ ...partyFields(t.p), appid: t.p.appid, out_trade_no: first }, { out_order_no: body.out_order_no });
    const failed = await waitFor('the first collection to fail', async () => {
      const { order } = await t.admin.order(body.out_order_no);
      return order.registrations[0]?.outcome === 'failed' ? order : undefined;
    });
    expect(failed).toMatchObject({ state: 'DOING', stateDescription: 'MCH_COMPLETE', collectionState: 'USER_PAYING' });
    expect(await query(body.out_order_no)).toMatchObject({ state: 'DOING', collection: { state: 'USER_PAYING', paid_amount: 0 } });

    // One deduction per registration: the spent number cannot be registered again.
    const reuse = await refusal(serviceorder(t.wxpay).$out_order_no$.registerdeductinfo.post({ ...partyFields(t.p), appid: t.p.appid, out_trade_no: first }, { out_order_no: body.out_order_no }));
    expect(reuse).toMatchObject({ status: 400, data: { code: 'INVALID_REQUEST' } });

    const second = `S${body.out_order_no}`.slice(0, 32);
    await serviceorder(t.wxpay).$out_order_no$.registerdeductinfo.post({ ...partyFields(t.p), appid: t.p.appid, out_trade_no: second }, { out_order_no: body.out_order_no });
    const done = await waitFor('the second collection', async () => {
      const q = await query(body.out_order_no);
      return q.state === 'DONE' ? q : undefined;
    });
    expect(done.collection).toMatchObject({ state: 'USER_PAID', paid_amount: 2500 });
    const deduction = await serviceorder(t.wxpay).deduction.get({ params: { ...partyFields(t.p), appid: t.p.appid, out_order_no: body.out_order_no } });
    expect(deduction.data.out_trade_no).toBe(second);
    const paid = await waitFor('USER_PAID for the second number', () => notificationsFor(body.out_order_no).map((n) => openNotification(t.gw, n)).find((n) => n.envelope.event_type === 'PAYSCORE.USER_PAID'));
    expect(paid.resource.out_trade_no).toBe(second);
  });

  it('cancel is refused while a registration is live, and allowed again once it is spent', async () => {
    const { body, res } = await create();
    await t.admin.decide(res.data.package, 'confirm');
    await serviceorder(t.wxpay).$out_order_no$.complete.post(completeBody(t.p, 1000), { out_order_no: body.out_order_no });
    await t.admin.scriptClearing(['hold']);
    const held = `H${body.out_order_no}`.slice(0, 32);
    await serviceorder(t.wxpay).$out_order_no$.registerdeductinfo.post({ ...partyFields(t.p), appid: t.p.appid, out_trade_no: held }, { out_order_no: body.out_order_no });

    const refused = await refusal(serviceorder(t.wxpay).$out_order_no$.cancel.post({ ...partyFields(t.p), reason: '用户投诉' }, { out_order_no: body.out_order_no }));
    expect(refused).toMatchObject({ status: 400, data: { code: 'INVALID_ORDER_STATE' } });
    // A second registration while one is live is refused; the identical repeat answers the same.
    const another = await refusal(serviceorder(t.wxpay).$out_order_no$.registerdeductinfo.post({ ...partyFields(t.p), appid: t.p.appid, out_trade_no: `X${held}`.slice(0, 32) }, { out_order_no: body.out_order_no }));
    expect(another).toMatchObject({ status: 400, data: { code: 'INVALID_ORDER_STATE' } });
    const repeat = await serviceorder(t.wxpay).$out_order_no$.registerdeductinfo.post({ ...partyFields(t.p), appid: t.p.appid, out_trade_no: held }, { out_order_no: body.out_order_no });
    expect(repeat.status).toBe(200);

    await t.admin.collect(body.out_order_no, 'fail');
    const cancelled = await serviceorder(t.wxpay).$out_order_no$.cancel.post({ ...partyFields(t.p), reason: '用户投诉' }, { out_order_no: body.out_order_no });
    expect(cancelled.status).toBe(204);
    expect((await query(body.out_order_no)).state).toBe('REVOKED');
  });

  it('serves the confirmation page for a package (and a clear error page for an unknown one)', async () => {
    const { body, res } = await create();
    const page = await fetch(`${t.gw.url}/sandbox/payscore/confirm?package=${encodeURIComponent(res.data.package)}`);
    expect(page.status).toBe(200);
    const html = await page.text();
    expect(html).toContain(body.service_introduction);
    expect(html).toContain('¥50.00');
    expect(html).toContain(body.out_order_no);
    const unknown = await fetch(`${t.gw.url}/sandbox/payscore/confirm?package=nope`);
    expect(unknown.status).toBe(404);
    expect(await unknown.text()).toContain('ORDER_NOT_EXIST');
    await expect(t.admin.decide(res.data.package, 'maybe' as never)).rejects.toMatchObject({ status: 400, code: 'PARAM_ERROR' });
  });
});
