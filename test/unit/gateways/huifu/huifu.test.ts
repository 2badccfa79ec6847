import { createSign, createVerify } from 'node:crypto';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import {
  buildHuifuRequest,
  canonicalJson,
  createHuifuClient,
  fenToYuan,
  HuifuError,
  huifuSigner,
  HuifuVerifier,
  loadHuifuPrivateKey,
  loadHuifuPublicKey,
  parseHuifuNotification,
  rawMember,
  verifyHuifuResponse,
  yuanToFen,
} from '../../../../cloudfunctions/core/gateways/huifu';
import { generateRsaKeyPair } from '../../../helpers/crypto-fixtures';
import { errorCodeOf } from '../../../helpers/error-code';

const merchant = generateRsaKeyPair();
const huifu = generateRsaKeyPair();

/** Huifu's side, written independently with createSign/createVerify. */
const huifuSign = (text: string) => createSign('RSA-SHA256').update(text).sign(huifu.privateKey, 'base64');

const codeOf = (fn: () => unknown) => errorCodeOf(fn, HuifuError);

describe('yuan ⇄ fen', () => {
  it.each([
    ['0.01', 1],
    ['0.1', 10],
    ['1', 100],
    ['1.10', 110],
    ['19.99', 1999],
    ['0.29', 29],
    ['1234567890.12', 123456789012],
  ])('%s yuan is %i fen', (yuan, fen) => {
    expect(yuanToFen(yuan)).toBe(fen);
  });

  it('is exact where floats are not (0.29 * 100 = 28.999…)', () => {
    expect(0.29 * 100).not.toBe(29);
    expect(yuanToFen('0.29')).toBe(29);
    expect(yuanToFen('4.35')).toBe(435);
  });

  it.each([['1.001'], ['-1'], ['01'], ['1.'], ['.5'], ['1e2'], [' 1'], [''], ['abc'], ['NaN']])('refuses %j', (yuan) => {
    expect(codeOf(() => yuanToFen(yuan))).toBe('AMOUNT_INVALID');
  });

  it.each([
    [1, '0.01'],
    [10, '0.10'],
    [100, '1.00'],
    [0, '0.00'],
    [123456789012, '1234567890.12'],
  ])('%i fen is %s yuan', (fen, yuan) => {
    expect(fenToYuan(fen)).toBe(yuan);
    expect(yuanToFen(fenToYuan(fen))).toBe(fen);
  });

  it('refuses non-integer or negative fen', () => {
    expect(codeOf(() => fenToYuan(1.5))).toBe('AMOUNT_INVALID');
    expect(codeOf(() => fenToYuan(-1))).toBe('AMOUNT_INVALID');
  });
});

describe('envelope', () => {
  const privateKey = loadHuifuPrivateKey(merchant.privatePem);
  const data = { req_seq_id: 'R1', req_date: '20261125', huifu_id: '6666000100000000', trade_type: 'T_MINIAPP', trans_amt: '0.01', goods_desc: '测试 <&>', wx_data: JSON.stringify({ sub_appid: 'wx1', openid: 'o1' }), extra: undefined, nested: { z: 1, a: [{ y: 2, b: 3 }] } };

  it('canonical JSON sorts keys at every level, no spaces, drops undefined', () => {
    expect(canonicalJson(data)).toBe(
      '{"goods_desc":"测试 <&>","huifu_id":"6666000100000000","nested":{"a":[{"b":3,"y":2}],"z":1},"req_date":"20261125","req_seq_id":"R1","trade_type":"T_MINIAPP","trans_amt":"0.01","wx_data":"{\\"sub_appid\\":\\"wx1\\",\\"openid\\":\\"o1\\"}"}',
    );
  });

  it('signs the canonical data and embeds exactly the signed text; Huifu verifies it independently', async () => {
    const envelope = await buildHuifuRequest({ sysId: 'S1', productId: 'P1', data, signer: huifuSigner(privateKey) });
    const body = JSON.parse(envelope.body) as { sys_id: string; product_id: string; data: unknown; sign: string };
    expect(body).toMatchObject({ sys_id: 'S1', product_id: 'P1', sign: envelope.sign });
    expect(rawMember(envelope.body, 'data')).toBe(envelope.dataText);
    expect(createVerify('RSA-SHA256').update(envelope.dataText).verify(merchant.publicKey, envelope.sign, 'base64')).toBe(true);
  });

  it('rawMember returns the value text as received, whitespace and order included', () => {
    const text = ' { "sign" : "abc\\"}" , "data" : { "b" : [1, {"x":"}"}], "a":"\\u4e2d" } , "z": true }';
    expect(rawMember(text, 'data')).toBe('{ "b" : [1, {"x":"}"}], "a":"\\u4e2d" }');
    expect(rawMember(text, 'sign')).toBe('"abc\\"}"');
    expect(rawMember(text, 'z')).toBe('true');
    expect(rawMember(text, 'missing')).toBeUndefined();
    expect(codeOf(() => rawMember('[1]', 'data'))).toBe('RESPONSE_MALFORMED');
  });

  it('verifies a response over the raw data text, even when it is not in canonical form', () => {
    const dataText = '{"resp_code":"00000000", "resp_desc":"成功","trans_stat":"P","pay_info":"{\\"appId\\":\\"wx1\\"}"}';
    const body = `{"data":${dataText},"sign":"${huifuSign(dataText)}"}`;
    const verified = verifyHuifuResponse(body, new HuifuVerifier(loadHuifuPublicKey(huifu.publicPem)));
    expect(verified.dataText).toBe(dataText);
    expect(verified.data).toMatchObject({ resp_code: '00000000', trans_stat: 'P' });
  });

  it('rejects a changed byte, a missing sign, and a sign by another key', () => {
    const publicKey = new HuifuVerifier(loadHuifuPublicKey(huifu.publicPem));
    const dataText = '{"resp_code":"00000000","trans_amt":"0.01"}';
    const sign = huifuSign(dataText);
    expect(codeOf(() => verifyHuifuResponse(`{"data":${dataText.replace('0.01', '0.02')},"sign":"${sign}"}`, publicKey))).toBe('SIGNATURE_INVALID');
    expect(codeOf(() => verifyHuifuResponse(`{"data":${dataText}}`, publicKey))).toBe('RESPONSE_UNSIGNED');
    const otherSign = createSign('RSA-SHA256').update(dataText).sign(merchant.privateKey, 'base64');
    expect(codeOf(() => verifyHuifuResponse(`{"data":${dataText},"sign":"${otherSign}"}`, publicKey))).toBe('SIGNATURE_INVALID');
  });

  it('accepts the console\'s bare base64 keys', () => {
    const bare = merchant.privateKey.export({ type: 'pkcs8', format: 'der' }).toString('base64');
    expect(loadHuifuPrivateKey(bare).asymmetricKeyType).toBe('rsa');
    const barePublic = huifu.publicKey.export({ type: 'spki', format: 'der' }).toString('base64');
    expect(loadHuifuPublicKey(barePublic).type).toBe('public');
    expect(() => loadHuifuPublicKey('garbage')).toThrow(HuifuError);
  });
});

describe('notifications', () => {
  const publicKey = new HuifuVerifier(loadHuifuPublicKey(huifu.publicPem));
  const respData = '{"trans_stat":"S","hf_seq_id":"002900TOP1A","req_seq_id":"R1","trans_amt":"0.01","settlement_amt":"0.01","fee_amount":"0.00","notify_type":1}';

  it('verifies resp_data exactly as received from the form body', () => {
    const form = new URLSearchParams({ resp_code: '00000000', resp_desc: '交易成功', resp_data: respData, sign: huifuSign(respData) }).toString();
    const parsed = parseHuifuNotification(form, publicKey);
    expect(parsed).toMatchObject({ respCode: '00000000', respDesc: '交易成功', dataText: respData });
    expect(parsed.data).toMatchObject({ trans_stat: 'S', trans_amt: '0.01' });
  });

  it('tolerates a sign posted with a raw "+" (decoded as a space by form parsing)', () => {
    let data = respData;
    let sign = huifuSign(data);
    for (let i = 0; !sign.includes('+') && i < 50; i++) {
      data = respData.replace('"R1"', `"R1-${i}"`);
      sign = huifuSign(data);
    }
    expect(sign).toContain('+');
    const raw = `resp_code=00000000&resp_data=${encodeURIComponent(data)}&sign=${sign.replace(/=/g, '%3D')}`;
    expect(parseHuifuNotification(raw, publicKey).dataText).toBe(data);
  });

  it('rejects a tampered resp_data and an unsigned notification', () => {
    const tampered = new URLSearchParams({ resp_data: respData.replace('"S"', '"F"'), sign: huifuSign(respData) }).toString();
    expect(codeOf(() => parseHuifuNotification(tampered, publicKey))).toBe('SIGNATURE_INVALID');
    expect(codeOf(() => parseHuifuNotification({ resp_data: respData }, publicKey))).toBe('RESPONSE_UNSIGNED');
    expect(codeOf(() => parseHuifuNotification({ sign: 'x' }, publicKey))).toBe('NOTIFICATION_MALFORMED');
  });
});

describe('client over real HTTP', () => {
  let server: Server;
  let baseUrl: string;
  let respond: (dataText: string) => { status: number; body: string };
  const received: string[] = [];

  beforeAll(async () => {
    server = createServer((req, res) => {
      let body = '';
      req.on('data', (c) => (body += c));
      req.on('end', () => {
        received.push(body);
        const dataText = rawMember(body, 'data')!;
        const sign = JSON.parse(rawMember(body, 'sign')!) as string;
        if (!createVerify('RSA-SHA256').update(dataText).verify(merchant.publicKey, sign, 'base64')) {
          res.writeHead(200, { 'Content-Type': 'application/json' });
          const d = '{"resp_code":"10000000","resp_desc":"验签失败"}';
          return res.end(`{"data":${d},"sign":"${huifuSign(d)}"}`);
        }
        const answer = respond(dataText);
        res.writeHead(answer.status, { 'Content-Type': 'application/json' });
        res.end(answer.body);
      });
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    baseUrl = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  });
  afterAll(() => new Promise<void>((resolve) => server.close(() => resolve())));

  const client = () => createHuifuClient({ sysId: 'S1', productId: 'P1', privateKey: merchant.privatePem, huifuPublicKey: huifu.publicPem, baseUrl });

  it('posts a signed envelope and returns verified data', async () => {
    respond = (dataText) => {
      const req = JSON.parse(dataText) as { req_seq_id: string };
      const d = JSON.stringify({ resp_code: '00000100', resp_desc: '下单成功', req_seq_id: req.req_seq_id, trans_stat: 'P', pay_info: '{"timeStamp":"1"}' });
      return { status: 200, body: `{"data":${d},"sign":"${huifuSign(d)}"}` };
    };
    const result = await client().post('/v2/trade/payment/jspay', { req_seq_id: 'R9', trans_amt: fenToYuan(1) });
    expect(result.data).toMatchObject({ req_seq_id: 'R9', trans_stat: 'P' });
    expect(JSON.parse(received.at(-1)!)).toMatchObject({ sys_id: 'S1', product_id: 'P1', data: { req_seq_id: 'R9', trans_amt: '0.01' } });
  });

  it('refuses an unsigned answer and maps HTTP errors', async () => {
    respond = () => ({ status: 200, body: '{"data":{"resp_code":"00000000"}}' });
    await expect(client().post('/v2/trade/payment/scanpay/query', { req_seq_id: 'R1' })).rejects.toMatchObject({ code: 'RESPONSE_UNSIGNED' });
    respond = () => ({ status: 502, body: 'bad gateway' });
    await expect(client().post('/v2/x', {})).rejects.toMatchObject({ code: 'HTTP_ERROR', retryable: true });
  });
});
