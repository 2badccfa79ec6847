import { createSign, createVerify, generateKeyPairSync } from 'node:crypto';
import { mkdtempSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { isDate8, nextDay, parseTime14, time14 } from '../../../sandbox/huifu/clock';
import { allLevelsSorted, firstLevelSorted, parseRequest, requestSignatureValid, signedAnswer } from '../../../sandbox/huifu/envelope';
import { feeOf, refundFeeOf } from '../../../sandbox/huifu/fees';
import { bareBase64, ensureHuifuKeys, HUIFU_KEY_FILES } from '../../../sandbox/huifu/keys';
import { zipStored } from '../../../sandbox/huifu/zip';
import { unzip } from '../../e2e/huifu-gateway/helpers';

const pair = () => generateKeyPairSync('rsa', { modulusLength: 2048, privateKeyEncoding: { type: 'pkcs8', format: 'pem' }, publicKeyEncoding: { type: 'spki', format: 'pem' } });
const merchant = pair();
const huifu = pair();
/** The merchant side, written from the published rule: sort the first level by hand, JSON-encode each pair. */
function clientText(data: Record<string, unknown>): string {
  return '{' + Object.keys(data).sort((a, b) => (a < b ? -1 : a > b ? 1 : 0)).map((k) => JSON.stringify(k) + ':' + JSON.stringify(data[k])).join(',') + '}';
}
const clientSign = (text: string) => createSign('RSA-SHA256').update(text).sign(merchant.privateKey, 'base64');

describe('huifu sandbox: envelope', () => {
  const data = { trans_amt: '0.01', huifu_id: '6666000100000000', goods_desc: '测试 <&> a/b', req_seq_id: 'R1', wx_data: JSON.stringify({ sub_appid: 'wx1', sub_openid: 'o1' }), notify_type: 1 };

  it('its first-level-sorted text is the client’s', () => {
    expect(firstLevelSorted(data)).toBe(clientText(data));
  });

  it('verifies the client’s signature, not one over another text or by another key', () => {
    const body = JSON.stringify({ sys_id: 'S', product_id: 'P', data, sign: clientSign(clientText(data)) });
    expect(requestSignatureValid(parseRequest(body), merchant.publicKey)).toBe(true);
    expect(requestSignatureValid(parseRequest(body.replace('0.01', '0.02')), merchant.publicKey)).toBe(false);
    expect(requestSignatureValid(parseRequest(body), huifu.publicKey)).toBe(false);
    expect(requestSignatureValid({ ...parseRequest(body), sign: 'not base64 at all!' }, merchant.publicKey)).toBe(false);
  });

  it('also accepts the all-levels-sorted text the Go SDK produces when a nested object is sent as an object', () => {
    const nested = { b: '1', a: { z: 1, y: [{ d: 1, c: 2 }] } };
    expect(allLevelsSorted(nested)).toBe('{"a":{"y":[{"c":2,"d":1}],"z":1},"b":"1"}');
    expect(firstLevelSorted(nested)).toBe('{"a":{"z":1,"y":[{"d":1,"c":2}]},"b":"1"}');
    const sign = clientSign(allLevelsSorted(nested));
    expect(requestSignatureValid({ sysId: 'S', productId: 'P', data: nested, sign }, merchant.publicKey)).toBe(true);
  });

  it('answers {"data":…,"sign":…} signed over the data text, which a PHP-style re-sort re-creates byte for byte', () => {
    const { body, dataText } = signedAnswer({ z: '1', a: '测试/<&>', m: { y: 1, b: 2 } }, huifu.privateKey);
    expect(body.startsWith(`{"data":${dataText},"sign":"`)).toBe(true);
    const { sign } = JSON.parse(body) as { sign: string };
    expect(createVerify('RSA-SHA256').update(dataText).verify(huifu.publicKey, Buffer.from(sign, 'base64'))).toBe(true);
    expect(clientText(JSON.parse(dataText))).toBe(dataText);
  });

  it('refuses what is not an envelope', () => {
    for (const body of ['x', '[]', 'null', '{"data":[]}', '{"data":{}}', '{"data":{},"sign":""}']) expect(() => parseRequest(body)).toThrow();
  });
});

describe('huifu sandbox: keys', () => {
  const dir = mkdtempSync(join(tmpdir(), 'huifu-keys-'));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('generates huifu_id-shaped ids and three distinct RSA-2048 pairs once, private keys 0600, and reuses them', () => {
    const keys = ensureHuifuKeys(dir);
    expect(keys.sysId).toMatch(/^6666\d{12}$/);
    expect(keys.huifuId).toMatch(/^6666\d{12}$/);
    expect(keys.huifuId).not.toBe(keys.sysId);
    const pubs = [keys.merchant, keys.huifu, keys.paySign].map((k) => bareBase64(k.publicKeyPem));
    expect(new Set(pubs).size).toBe(3);
    for (const k of [keys.merchant, keys.huifu, keys.paySign]) {
      const sig = createSign('RSA-SHA256').update('m').sign(k.privateKeyPem);
      expect(createVerify('RSA-SHA256').update('m').verify(k.publicKeyPem, sig)).toBe(true);
    }
    expect(statSync(join(keys.dir, HUIFU_KEY_FILES.merchantPrivate)).mode & 0o777).toBe(0o600);
    expect(keys.dir).toBe(join(dir, 'keys', 'huifu'));
    expect(ensureHuifuKeys(dir)).toEqual(keys);
  });
});

describe('huifu sandbox: time, fees, zip', () => {
  it('reads and writes 14-digit China times, refuses impossible ones', () => {
    const ms = Date.UTC(2026, 0, 31, 16, 30, 5); // 2026-02-01 00:30:05 in China
    expect(time14(ms)).toBe('20260201003005');
    expect(parseTime14('20260201003005')).toBe(ms);
    expect(parseTime14('20260230120000')).toBeUndefined();
    expect(parseTime14('2026020100300')).toBeUndefined();
    expect(isDate8('20240229')).toBe(true);
    expect(isDate8('20230229')).toBe(false);
    expect(nextDay('20261231')).toBe('20270101');
  });

  it('fee: 0.38% rounded up to the fen (the published 0.03 → 0.01 sample); refunds give back a proportional share', () => {
    expect(feeOf(3, 38)).toBe(1);
    expect(feeOf(1234, 38)).toBe(5);
    expect(feeOf(10_000, 38)).toBe(38);
    expect(refundFeeOf(5, 1234, 1000)).toBe(4);
  });

  it('the zip holds the files, read back by an independent reader', () => {
    const zip = zipStored([
      { name: 'a.csv', data: Buffer.from('x,y\r\n1,2\r\n') },
      { name: '中文.txt', data: Buffer.from('内容') },
    ]);
    expect(unzip(zip).map((e) => [e.name, e.data.toString('utf8')])).toEqual([
      ['a.csv', 'x,y\r\n1,2\r\n'],
      ['中文.txt', '内容'],
    ]);
    // The CRC-32 in the central directory is the data's, computed here bit by bit.
    const crc = (buf: Buffer) => {
      let c = 0xffffffff;
      for (const byte of buf) {
        c ^= byte;
        for (let k = 0; k < 8; k++) c = c & 1 ? (c >>> 1) ^ 0xedb88320 : c >>> 1;
      }
      return (c ^ 0xffffffff) >>> 0;
    };
    const central = zip.indexOf(Buffer.from([0x50, 0x4b, 0x01, 0x02]));
    expect(zip.readUInt32LE(central + 16)).toBe(crc(Buffer.from('x,y\r\n1,2\r\n')));
  });
});
