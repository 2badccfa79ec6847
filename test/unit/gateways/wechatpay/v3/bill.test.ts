/**
 * The trade bill as published (format-trade.html): header, backticked detail rows, summary header
 * and backticked summary; yuan → fen at the edge; the hash over the original (gunzipped) bill.
 * The ALL sample's shape is the one the wechatpay-go / weixin-java-pay tests carry from real
 * downloads (docs/references/trade-bill.md).
 */
import { createHash } from 'node:crypto';
import { gzipSync } from 'node:zlib';
import { applyTradeBill, billTextOf, downloadTradeBill, parseTradeBill, yuanToFen } from '../../../../../cloudfunctions/core/gateways/wechatpay/v3/bill';
import { WechatPayError } from '../../../../../cloudfunctions/core/gateways/wechatpay/errors';
import { billDateOf, statementEntriesOfBill } from '../../../../../cloudfunctions/core/channels/wechatpay-v3/statement';

const HEADER = '交易时间,公众账号ID,商户号,特约商户号,设备号,微信订单号,商户订单号,用户标识,交易类型,交易状态,付款银行,货币种类,应结订单金额,代金券金额,微信退款单号,商户退款单号,退款金额,充值券退款金额,退款类型,退款状态,商品名称,商户数据包,手续费,费率,订单金额,申请退款金额,费率备注';
const PAYMENT = '`2021-01-28 17:07:11,`wx81be3101902f7cb2,`1601959334,`0,`,`4200000925202101284997714292,`S20210128170702357723,`ofyak5qR_1wYsC99CsWA6R9MJazA,`NATIVE,`SUCCESS,`OTHERS,`CNY,`12.34,`0.00,`0,`0,`0.00,`0.00,`,`,`for testing,`cipher code,`0.00000,`1.00%,`12.34,`0.00,`';
const REFUND = '`2021-01-28 18:00:00,`wx81be3101902f7cb2,`1601959334,`0,`,`4200000925202101284997714292,`S20210128170702357723,`ofyak5qR_1wYsC99CsWA6R9MJazA,`NATIVE,`REFUND,`OTHERS,`CNY,`0.00,`0.00,`50300807092021020105990201735,`R20210128,`5.00,`0.00,`ORIGINAL,`PROCESSING,`for testing,`cipher code,`0.00000,`1.00%,`0.00,`5.00,`';
const SUMMARY = '总交易单数,应结订单总金额,退款总金额,充值券退款总金额,手续费总金额,订单总金额,申请退款总金额\n`2,`12.34,`5.00,`0.00,`0.00000,`12.34,`5.00';
const BILL = `${HEADER}\n${PAYMENT}\n${REFUND}\n${SUMMARY}\n`;

describe('yuanToFen', () => {
  it.each([
    ['0.01', 1],
    ['12.34', 1234],
    ['12.3', 1230],
    ['7', 700],
    ['-0.02', -2],
    ['0.00', 0],
    ['90071992547409.91', 9007199254740991],
  ])('%s yuan is %d fen, no floating point', (yuan, fen) => expect(yuanToFen(yuan)).toBe(fen));

  it.each(['', '1.234', '4.00123E+27', '1,00', ' 1.00', '.5', '1.', '0x10', '90071992547409.92'])('refuses %j', (yuan) => {
    expect(() => yuanToFen(yuan)).toThrow(WechatPayError);
  });
});

describe('parseTradeBill', () => {
  it('reads payment and refund rows, backticks stripped, amounts in fen, and the summary', () => {
    const { rows, summary } = parseTradeBill(BILL);
    expect(rows).toEqual([
      expect.objectContaining({ tradeTime: '2021-01-28 17:07:11', mchid: '1601959334', transactionId: '4200000925202101284997714292', outTradeNo: 'S20210128170702357723', tradeState: 'SUCCESS', orderAmount: 1234, settlementAmount: 1234 }),
      expect.objectContaining({ tradeState: 'REFUND', outRefundNo: 'R20210128', refundId: '50300807092021020105990201735', refundAmount: 500, requestedRefundAmount: 500, refundStatus: 'PROCESSING', orderAmount: 0 }),
    ]);
    expect(rows[0]!.outRefundNo).toBeUndefined();
    expect(summary).toEqual({ count: 2, settlementTotal: 1234, refundTotal: 500 });
  });

  it('takes CRLF lines and a UTF-8 BOM', () => {
    expect(parseTradeBill(`\uFEFF${BILL.replace(/\n/g, '\r\n')}`).rows).toHaveLength(2);
  });

  it('reads columns by the header, whatever their order', () => {
    const names = HEADER.split(',');
    const order = names.map((_, i) => i).reverse();
    const flip = (line: string, tick: boolean) => order.map((i) => line.split(',')[i]).join(',') + (tick ? '' : '');
    const text = [flip(HEADER, false), flip(PAYMENT, true), flip(REFUND, true), SUMMARY].join('\n');
    expect(parseTradeBill(text).rows.map((r) => [r.outTradeNo, r.orderAmount])).toEqual([
      ['S20210128170702357723', 1234],
      ['S20210128170702357723', 0],
    ]);
  });

  it('refuses a detail field without its backtick, a short row, a missing column, a summary count that disagrees, no summary', () => {
    const bad = [
      BILL.replace('`S20210128170702357723', 'S20210128170702357723'),
      BILL.replace(',`1.00%,`12.34,`0.00,`', ',`1.00%,`12.34,`0.00'),
      BILL.replace('商户订单号', '订单号'),
      BILL.replace('`2,`12.34', '`3,`12.34'),
      `${HEADER}\n${PAYMENT}\n`,
      BILL.replace('`12.34,`0.00,`0,`0', '`12.345,`0.00,`0,`0'),
      `${BILL}\`extra\n`,
    ];
    for (const text of bad) expect(() => parseTradeBill(text)).toThrow(expect.objectContaining({ code: 'RESPONSE_MALFORMED' }));
  });

  it('reads a day with no rows (summary 0)', () => {
    expect(parseTradeBill(`${HEADER}\n总交易单数,应结订单总金额,退款总金额,充值券退款总金额,手续费总金额,订单总金额,申请退款总金额\n\`0,\`0.00,\`0.00,\`0.00,\`0.00000,\`0.00,\`0.00\n`).rows).toEqual([]);
  });
});

describe('billTextOf: the hash of the original bill', () => {
  const sha1 = (text: string) => createHash('sha1').update(text, 'utf8').digest('hex');

  it('gunzips a GZIP download and checks SHA1 of the original (upper-case hash accepted)', () => {
    expect(billTextOf(gzipSync(Buffer.from(BILL)), { hash_type: 'SHA1', hash_value: sha1(BILL).toUpperCase() }, 'GZIP')).toBe(BILL);
    expect(billTextOf(Buffer.from(BILL), { hash_type: 'SHA1', hash_value: sha1(BILL) }, undefined)).toBe(BILL);
  });

  it('refuses a bill whose hash differs (one byte changed), a hash of the gzip bytes, a non-gzip body, another hash type', () => {
    const tampered = BILL.replace('12.34', '12.35');
    expect(() => billTextOf(Buffer.from(tampered), { hash_type: 'SHA1', hash_value: sha1(BILL) }, undefined)).toThrow(expect.objectContaining({ code: 'BILL_HASH_MISMATCH' }));
    const gz = gzipSync(Buffer.from(BILL));
    expect(() => billTextOf(gz, { hash_type: 'SHA1', hash_value: createHash('sha1').update(gz).digest('hex') }, 'GZIP')).toThrow(expect.objectContaining({ code: 'BILL_HASH_MISMATCH' }));
    expect(() => billTextOf(Buffer.from(BILL), { hash_type: 'SHA1', hash_value: sha1(BILL) }, 'GZIP')).toThrow(expect.objectContaining({ code: 'RESPONSE_MALFORMED' }));
    expect(() => billTextOf(Buffer.from(BILL), { hash_type: 'MD5', hash_value: sha1(BILL) }, undefined)).toThrow(expect.objectContaining({ code: 'RESPONSE_MALFORMED' }));
  });
});

describe('applying and downloading', () => {
  const answer = { hash_type: 'SHA1', hash_value: createHash('sha1').update(BILL).digest('hex'), download_url: 'https://api.mch.weixin.qq.com/v3/billdownload/file?token=t' };

  it('asks GET /v3/bill/tradebill with the query, downloads the URL it names and parses the gunzipped bill', async () => {
    const request = jest.fn(async () => ({ status: 200, headers: {}, body: '', data: answer, requestId: 'r' }));
    const download = jest.fn(async () => ({ status: 200, bytes: gzipSync(Buffer.from(BILL)), requestId: 'd' }));
    const bill = await downloadTradeBill({ request, download } as never, { bill_date: '2021-01-28', bill_type: 'ALL', tar_type: 'GZIP' });
    expect(request).toHaveBeenCalledWith('GET', '/v3/bill/tradebill', undefined, { query: { bill_date: '2021-01-28', sub_mchid: undefined, bill_type: 'ALL', tar_type: 'GZIP' } });
    expect(download).toHaveBeenCalledWith(answer.download_url);
    expect(bill.rows).toHaveLength(2);
  });

  it('refuses an answer without download_url, and a bill_date not yyyy-MM-dd', async () => {
    const request = jest.fn(async () => ({ status: 200, headers: {}, body: '', data: { hash_type: 'SHA1', hash_value: 'x' }, requestId: 'r' }));
    await expect(applyTradeBill({ request } as never, { bill_date: '2021-01-28' })).rejects.toMatchObject({ code: 'RESPONSE_MALFORMED' });
    await expect(applyTradeBill({ request } as never, { bill_date: '20210128' })).rejects.toMatchObject({ code: 'ARGUMENT_INVALID' });
  });
});

describe('the channel mapping', () => {
  it('the file date names the day before as bill_date (month and year turns included)', () => {
    expect(billDateOf('20261202')).toBe('2026-12-01');
    expect(billDateOf('20260301')).toBe('2026-02-28');
    expect(billDateOf('20270101')).toBe('2026-12-31');
  });

  it('SUCCESS rows are payments at 订单金额, REFUND rows refunds at 申请退款金额 with their listed state; another mchid is untrusted', () => {
    const { rows } = parseTradeBill(BILL);
    expect(statementEntriesOfBill(rows, '1601959334')).toEqual([
      { kind: 'payment', outTradeNo: 'S20210128170702357723', transactionId: '4200000925202101284997714292', amount: 1234 },
      { kind: 'refund', outTradeNo: 'S20210128170702357723', outRefundNo: 'R20210128', refundId: '50300807092021020105990201735', amount: 500, state: 'PROCESSING' },
    ]);
    expect(() => statementEntriesOfBill(rows, '1900000001')).toThrow(expect.objectContaining({ kind: 'untrusted' }));
  });
});

describe('tradeBillStatement: when the bill is not there', () => {
  const NOW = Date.parse('2026-12-02T03:00:00Z'); // 11:00 China time
  const failing = (code: string, status = 400) => jest.fn(async () => Promise.reject(new WechatPayError(code, 'x', { status })));

  it('NO_STATEMENT_EXIST is a day without trades (ready, nothing listed); STATEMENT_CREATING is not ready; others are errors', async () => {
    const { tradeBillStatement } = await import('../../../../../cloudfunctions/core/channels/wechatpay-v3/statement');
    const download = jest.fn();
    expect(await tradeBillStatement({ request: failing('NO_STATEMENT_EXIST'), download } as never, 'm', () => NOW)('20261202')).toEqual([]);
    expect(await tradeBillStatement({ request: failing('STATEMENT_CREATING'), download } as never, 'm', () => NOW)('20261202')).toBeUndefined();
    await expect(tradeBillStatement({ request: failing('INVALID_REQUEST'), download } as never, 'm', () => NOW)('20261202')).rejects.toMatchObject({ code: 'INVALID_REQUEST' });
    expect(download).not.toHaveBeenCalled();
  });

  it('a file date whose bill_date is still to come is not asked for', async () => {
    const { tradeBillStatement } = await import('../../../../../cloudfunctions/core/channels/wechatpay-v3/statement');
    const request = jest.fn();
    expect(await tradeBillStatement({ request, download: jest.fn() } as never, 'm', () => NOW)('20261204')).toBeUndefined();
    expect(request).not.toHaveBeenCalled();
  });
});
