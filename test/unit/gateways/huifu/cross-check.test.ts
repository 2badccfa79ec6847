/**
 * The Huifu envelope against an independent implementation (node:crypto over JSON sorted here by
 * a separate routine), fen ⇄ yuan over every amount from 1 to 100,000 fen, and the un-escaping
 * Huifu's own Go SDK does before verifying an answer.
 */
import { createSign, createVerify } from 'node:crypto';
import { buildHuifuRequest, fenToYuan, huifuSigner, HuifuVerifier, verifyHuifuResponse, yuanToFen } from '../../../../cloudfunctions/core/gateways/huifu';
import { generateRsaKeyPair } from '../../../helpers/crypto-fixtures';

const merchant = generateRsaKeyPair();
const huifu = generateRsaKeyPair();

/** Written apart from json.ts: string concatenation over keys sorted with localeCompare-free code-unit order, nulls dropped. */
function independentSortedJson(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map(independentSortedJson).join(',')}]`;
  if (value !== null && typeof value === 'object') {
    const entries = Object.entries(value as Record<string, unknown>).filter(([, v]) => v !== undefined && v !== null);
    entries.sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
    return `{${entries.map(([k, v]) => `${JSON.stringify(k)}:${independentSortedJson(v)}`).join(',')}}`;
  }
  return JSON.stringify(value);
}

describe('envelope signature, cross-checked', () => {
  const samples: Array<Record<string, unknown>> = [
    { req_seq_id: '20261201100000ABC', req_date: '20261201', huifu_id: '6666000000000000', trade_type: 'T_MINIAPP', trans_amt: '12.34', goods_desc: '咖啡 & <茶>', wx_data: '{"sub_appid":"wx1","sub_openid":"o1"}', notify_url: 'https://m.example/n' },
    { b: { z: 1, a: [3, { y: 'é', x: null }] }, a: 'x', remark: undefined, c: true, d: 0 },
    { huifu_id: '6666', org_req_date: '20261201', org_req_seq_id: 'R-1_2', memo: 'line\nbreak "quoted" \\ slash /' },
  ];

  it.each(samples.map((s, i) => [i, s] as const))('sample %i: same text and signature as node:crypto over the independently sorted JSON', async (_i, data) => {
    const envelope = await buildHuifuRequest({ sysId: 'S', productId: 'P', data, signer: huifuSigner(merchant.privatePem) });
    const expectedText = independentSortedJson(data);
    expect(envelope.dataText).toBe(expectedText);
    // PKCS#1 v1.5 signatures are deterministic: the same key over the same bytes gives the same signature.
    expect(envelope.sign).toBe(createSign('RSA-SHA256').update(expectedText, 'utf8').sign(merchant.privateKey, 'base64'));
    expect(createVerify('RSA-SHA256').update(expectedText, 'utf8').verify(merchant.publicKey, envelope.sign, 'base64')).toBe(true);
  });

  it('verifies an answer whose data Huifu emitted with \\u003c \\u003e \\u0026 escapes, signed over the unescaped text (as the Go SDK does)', () => {
    const signedText = '{"resp_code":"00000000","resp_desc":"a<b>&c"}';
    const emittedText = signedText.replace('<', '\\u003c').replace('>', '\\u003e').replace('&', '\\u0026');
    const sign = createSign('RSA-SHA256').update(signedText).sign(huifu.privateKey, 'base64');
    const verified = verifyHuifuResponse(`{"data":${emittedText},"sign":"${sign}"}`, new HuifuVerifier(huifu.publicPem));
    expect(verified.data).toEqual({ resp_code: '00000000', resp_desc: 'a<b>&c' });
  });
});

describe('fen ⇄ yuan', () => {
  it('every amount from 1 to 100,000 fen round-trips exactly and reads as its digits', () => {
    const wrong: number[] = [];
    for (let fen = 1; fen <= 100_000; fen++) {
      const yuan = fenToYuan(fen);
      const expected = `${Math.floor(fen / 100)}.${String(fen % 100).padStart(2, '0')}`;
      if (yuan !== expected || yuanToFen(yuan) !== fen) wrong.push(fen);
    }
    expect(wrong).toEqual([]);
  });
});
