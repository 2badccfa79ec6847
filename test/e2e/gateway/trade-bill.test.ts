/**
 * The sandbox's trade bill (申请交易账单 + 下载账单) against the published behaviour: the day's
 * own orders and refunds as an ALL / SUCCESS / REFUND bill in the published layout (backticked
 * fields, summary rows, yuan), gzip when asked, the SHA1 of the original bill, the download signed
 * by the merchant and answered WITHOUT platform signature headers, the published error answers,
 * and the planted mismatches tests use. The client here is the test's own (helpers.ts), not ours.
 */
import { createHash, createSign, randomBytes } from 'node:crypto';
import { gunzipSync } from 'node:zlib';
import type { SandboxKeys } from '../../../sandbox/keys';
import { platformSignatureValid, useTestGateway, v3call } from './helpers';

const chinaDay = (ms: number) => new Date(ms + 8 * 3600_000).toISOString().slice(0, 10);

/** GET of a download_url signed as the merchant, body kept as bytes. */
async function download(gw: { keys: SandboxKeys }, url: string, sign = true) {
  const u = new URL(url);
  const timestamp = String(Math.floor(Date.now() / 1000));
  const nonce = randomBytes(16).toString('hex');
  const signature = createSign('RSA-SHA256').update(`GET\n${u.pathname}${u.search}\n${timestamp}\n${nonce}\n\n`).sign(gw.keys.merchant.privateKeyPem, 'base64');
  const authorization = `WECHATPAY2-SHA256-RSA2048 mchid="${gw.keys.mchid}",nonce_str="${nonce}",timestamp="${timestamp}",serial_no="${gw.keys.merchant.serialNo}",signature="${signature}"`;
  const res = await fetch(url, { headers: sign ? { Authorization: authorization } : {} });
  const headers: Record<string, string> = {};
  res.headers.forEach((value, key) => (headers[key] = value));
  return { status: res.status, headers, bytes: Buffer.from(await res.arrayBuffer()) };
}

describe('gateway: trade bill', () => {
  const t = useTestGateway({ timeScale: 1000 });
  const today = chinaDay(Date.now());

  async function paid(total: number) {
    const outTradeNo = `TB${Date.now()}${randomBytes(3).toString('hex')}`;
    const res = await v3call(t.gw, 'POST', '/v3/pay/transactions/jsapi', {
      appid: t.gw.keys.appid,
      mchid: t.gw.keys.mchid,
      description: '账单,测试',
      out_trade_no: outTradeNo,
      notify_url: t.receiver.url,
      amount: { total, currency: 'CNY' },
      payer: { openid: 'o-bill-payer' },
    });
    await t.gw.admin.pay(res.json.prepay_id);
    return outTradeNo;
  }
  const apply = (query: string) => v3call(t.gw, 'GET', `/v3/bill/tradebill?${query}`);

  it("lists the day's payments and refunds in the published ALL layout, gzip on request, SHA1 of the original", async () => {
    const a = await paid(1234);
    const b = await paid(5);
    const refund = await v3call(t.gw, 'POST', '/v3/refund/domestic/refunds', { out_trade_no: a, out_refund_no: `${a}R`, notify_url: t.receiver.url, amount: { refund: 234, total: 1234, currency: 'CNY' } });
    expect(refund.status).toBe(200);
    // Today's bill is made after 10:00 tomorrow: being made until then.
    expect(await apply(`bill_date=${today}`)).toMatchObject({ status: 400, json: { code: 'STATEMENT_CREATING' } });
    await t.gw.admin.publishBill(today);

    const answer = await apply(`bill_date=${today}&bill_type=ALL&tar_type=GZIP`);
    expect(answer.status).toBe(200);
    expect(platformSignatureValid(t.gw.keys, answer.headers, answer.text)).toBe(true);
    expect(answer.json).toEqual({ hash_type: 'SHA1', hash_value: expect.stringMatching(/^[0-9a-f]{40}$/), download_url: expect.stringContaining('/v3/billdownload/file?token=') });

    const file = await download(t.gw, answer.json.download_url);
    expect(file.status).toBe(200);
    // Not signed by the platform: integrity is the hash.
    expect(Object.keys(file.headers).filter((h) => h.startsWith('wechatpay-'))).toEqual([]);
    const original = gunzipSync(file.bytes);
    expect(createHash('sha1').update(original).digest('hex')).toBe(answer.json.hash_value);

    const lines = original.toString('utf8').trim().split(/\r\n/);
    expect(lines[0]).toBe('交易时间,公众账号ID,商户号,特约商户号,设备号,微信订单号,商户订单号,用户标识,交易类型,交易状态,付款银行,货币种类,应结订单金额,代金券金额,微信退款单号,商户退款单号,退款金额,充值券退款金额,退款类型,退款状态,商品名称,商户数据包,手续费,费率,订单金额,申请退款金额,费率备注');
    const rows = lines.slice(1, -2).map((l) => l.split(','));
    expect(rows.every((r) => r.length === 27 && r.every((c) => c.startsWith('`')))).toBe(true);
    const field = (r: string[], name: string) => r[lines[0]!.split(',').indexOf(name)]!.slice(1);
    const payA = rows.find((r) => field(r, '商户订单号') === a && field(r, '交易状态') === 'SUCCESS')!;
    expect([field(payA, '订单金额'), field(payA, '应结订单金额'), field(payA, '商户号'), field(payA, '商品名称')]).toEqual(['12.34', '12.34', t.gw.keys.mchid, '账单 测试']);
    expect(field(rows.find((r) => field(r, '商户订单号') === b)!, '订单金额')).toBe('0.05');
    const refundRow = rows.find((r) => field(r, '交易状态') === 'REFUND')!;
    expect([field(refundRow, '商户订单号'), field(refundRow, '商户退款单号'), field(refundRow, '申请退款金额'), field(refundRow, '退款金额')]).toEqual([a, `${a}R`, '2.34', '2.34']);
    expect(lines.at(-2)).toBe('总交易单数,应结订单总金额,退款总金额,充值券退款总金额,手续费总金额,订单总金额,申请退款总金额');
    const summary = lines.at(-1)!.split(',');
    expect(summary.every((c) => c.startsWith('`'))).toBe(true);
    expect(Number(summary[0]!.slice(1))).toBe(rows.length);

    // Without tar_type: the bill as is, same hash.
    const plain = await apply(`bill_date=${today}`);
    const plainFile = await download(t.gw, plain.json.download_url);
    expect(createHash('sha1').update(plainFile.bytes).digest('hex')).toBe(plain.json.hash_value);
    // SUCCESS lists payments only, with its own columns.
    const success = await apply(`bill_date=${today}&bill_type=SUCCESS`);
    const successText = (await download(t.gw, success.json.download_url)).bytes.toString('utf8');
    expect(successText.split('\r\n')[0]!.split(',')).toHaveLength(20);
    expect(successText).not.toContain('`REFUND');
  });

  it('answers the published errors: bad or future or too old bill_date, bad bill_type / tar_type, sub_mchid, an unsigned or unknown download', async () => {
    const future = chinaDay(Date.now() + 2 * 86_400_000);
    const old = chinaDay(Date.now() - 120 * 86_400_000);
    for (const date of ['2026-13-01', '20261201', future, old]) expect(await apply(`bill_date=${date}`)).toMatchObject({ status: 400, json: { code: 'INVALID_REQUEST' } });
    expect(await apply(`bill_date=${today}&bill_type=FUND`)).toMatchObject({ status: 400, json: { code: 'PARAM_ERROR' } });
    expect(await apply(`bill_date=${today}&tar_type=ZIP`)).toMatchObject({ status: 400, json: { code: 'PARAM_ERROR' } });
    expect(await apply(`bill_date=${today}&sub_mchid=1900000109`)).toMatchObject({ status: 403, json: { code: 'NO_AUTH' } });
    // A day without trades or refunds (ready: yesterday's bill before the cut-off is published here).
    const quiet = chinaDay(Date.now() - 30 * 86_400_000);
    await t.gw.admin.publishBill(quiet);
    expect(await apply(`bill_date=${quiet}`)).toMatchObject({ status: 400, json: { code: 'NO_STATEMENT_EXIST' } });
    const unknown = await download(t.gw, `${t.gw.url}/v3/billdownload/file?token=nosuch`);
    expect(unknown.status).toBe(400);
    expect(JSON.parse(unknown.bytes.toString())).toMatchObject({ code: 'INVALID_REQUEST' });
    await paid(100);
    await t.gw.admin.publishBill(today);
    const answer = await apply(`bill_date=${today}`);
    expect((await download(t.gw, answer.json.download_url, false)).status).toBe(401);
  });

  it('plants mismatches in a day: amount, missing, extra payment, refund amount, extra refund', async () => {
    const a = await paid(700);
    const b = await paid(800);
    await v3call(t.gw, 'POST', '/v3/refund/domestic/refunds', { out_trade_no: a, out_refund_no: `${a}R`, notify_url: t.receiver.url, amount: { refund: 100, total: 700, currency: 'CNY' } });
    await t.gw.admin.plantBill({ kind: 'amount', out_trade_no: a, delta_fen: 1 });
    await t.gw.admin.plantBill({ kind: 'missing', out_trade_no: b });
    const extra = await t.gw.admin.plantBill({ kind: 'extra', total_fen: 4200 });
    await t.gw.admin.plantBill({ kind: 'refund-amount', out_refund_no: `${a}R`, delta_fen: -1 });
    const extraRefund = await t.gw.admin.plantBill({ kind: 'extra-refund', out_trade_no: a, refund_fen: 50 });
    expect((await t.gw.admin.plantBill({ kind: 'nonsense' }).catch((e: { code?: string }) => e)) as { code?: string }).toMatchObject({ code: 'PARAM_ERROR' });
    await t.gw.admin.publishBill(today);
    const answer = await apply(`bill_date=${today}`);
    const text = (await download(t.gw, answer.json.download_url)).bytes.toString('utf8');
    const lines = text.trim().split('\r\n');
    const header = lines[0]!.split(',');
    const rows = lines.slice(1, -2).map((l) => l.split(',').map((c) => c.slice(1)));
    const col = (name: string) => header.indexOf(name);
    const paymentOf = (no: string) => rows.find((r) => r[col('商户订单号')] === no && r[col('交易状态')] === 'SUCCESS');
    expect(paymentOf(a)![col('订单金额')]).toBe('7.01');
    expect(paymentOf(b)).toBeUndefined();
    expect(paymentOf((extra.plant as { outTradeNo: string }).outTradeNo)![col('订单金额')]).toBe('42.00');
    expect(rows.find((r) => r[col('商户退款单号')] === `${a}R`)![col('申请退款金额')]).toBe('0.99');
    expect(rows.find((r) => r[col('商户退款单号')] === (extraRefund.plant as { outRefundNo: string }).outRefundNo)![col('申请退款金额')]).toBe('0.50');
  });
});
