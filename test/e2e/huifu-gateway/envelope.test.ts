import { generateKeyPairSync } from 'node:crypto';
import { call, firstLevelSortedText, jspayData, rawDataText, rsaSign, rsaVerify, useTestHuifu } from './helpers';

/** The envelope both ways, and the checks every call goes through (data permission, signature). */
describe('huifu sandbox: envelope', () => {
  const t = useTestHuifu();

  it('accepts a request signed over the first-level-sorted compact data and answers a signed, sorted, compact data', async () => {
    const ans = await call(t.gw, '/v2/trade/payment/jspay', jspayData(t.gw));
    expect(ans.status).toBe(200);
    expect(ans.signed).toBe(true);
    expect(ans.data.resp_code).toBe('00000100');
    const text = rawDataText(ans.text);
    // Emitted sorted and compact, `<>&/` and Chinese unescaped: a PHP-style re-encode of the decoded data yields the same bytes.
    expect(firstLevelSortedText(JSON.parse(text))).toBe(text);
    expect(text).not.toMatch(/\\u00|\\\//);
  });

  it('the answer signature covers the data text: one changed byte no longer verifies', async () => {
    const ans = await call(t.gw, '/v2/trade/payment/jspay', jspayData(t.gw));
    const { sign } = JSON.parse(ans.text) as { sign: string };
    const text = rawDataText(ans.text);
    expect(rsaVerify(text, sign, t.gw.keys.huifu.publicKeyPem)).toBe(true);
    expect(rsaVerify(text.replace('"trans_amt":"12.34"', '"trans_amt":"12.35"'), sign, t.gw.keys.huifu.publicKeyPem)).toBe(false);
  });

  it('a signature over anything else than the sorted data is refused (10000000), and so is a key that is not the merchant’s', async () => {
    const req = jspayData(t.gw);
    const tampered = await call(t.gw, '/v2/trade/payment/jspay', req, { tamper: true });
    expect(tampered.data).toMatchObject({ resp_code: '10000000', resp_desc: '签名验证失败', req_seq_id: req.req_seq_id });
    expect(tampered.signed).toBe(true);
    const stranger = generateKeyPairSync('rsa', { modulusLength: 2048 }).privateKey.export({ type: 'pkcs8', format: 'pem' }) as string;
    expect((await call(t.gw, '/v2/trade/payment/jspay', jspayData(t.gw), { signWith: stranger })).data.resp_code).toBe('10000000');
    // Signed over the unsorted (as-sent) order: refused too.
    const data = jspayData(t.gw);
    const unsorted = JSON.stringify(data);
    expect(unsorted).not.toBe(firstLevelSortedText(data));
    const res = await fetch(t.gw.url + '/v2/trade/payment/jspay', {
      method: 'POST',
      headers: { 'Content-Type': 'application/json' },
      body: JSON.stringify({ sys_id: t.gw.keys.sysId, product_id: t.gw.keys.productId, data, sign: rsaSign(unsorted, t.gw.keys.merchant.privateKeyPem) }),
    });
    expect(JSON.parse(await res.text()).data.resp_code).toBe('10000000');
  });

  it.each([
    ['sys_id', { sysId: '6666000199999999' }, {}],
    ['product_id', { productId: 'OTHER' }, {}],
    ['huifu_id', {}, { huifu_id: '6666000188888888' }],
  ])('a foreign %s is "数据权限认证失败"', async (_field, opts, over) => {
    const ans = await call(t.gw, '/v2/trade/payment/jspay', jspayData(t.gw, over), opts);
    expect(ans.data.resp_desc).toBe('数据权限认证失败');
    expect(ans.data.resp_code).toBe('90000000');
    expect(ans.signed).toBe(true);
  });

  it('a body that is not the envelope is refused with 10000000, still signed', async () => {
    for (const rawBody of ['not json', '[]', '{"sys_id":"x"}', JSON.stringify({ sys_id: t.gw.keys.sysId, product_id: t.gw.keys.productId, data: {} })]) {
      const ans = await call(t.gw, '/v2/trade/payment/jspay', {}, { rawBody });
      expect(ans.data.resp_code).toBe('10000000');
      expect(ans.signed).toBe(true);
    }
  });

  it('a missing huifu_id is "huifu_id不能为空"', async () => {
    const ans = await call(t.gw, '/v2/trade/payment/jspay', jspayData(t.gw, { huifu_id: undefined }));
    expect(ans.data).toMatchObject({ resp_code: '10000000', resp_desc: 'huifu_id不能为空' });
  });

  it('only POST reaches an API (405 otherwise); unknown paths are 404', async () => {
    expect((await fetch(t.gw.url + '/v2/trade/payment/jspay')).status).toBe(405);
    expect((await fetch(t.gw.url + '/v2/trade/payment/nope', { method: 'POST', body: '{}' })).status).toBe(404);
  });
});
