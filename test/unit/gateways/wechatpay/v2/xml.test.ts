/**
 * The product's APIv2 XML reader against the shapes the v2 pages use, the refusals that keep it
 * safe, and the sandbox's independently written reader (sandbox/gateway/v2/xml.ts) as an oracle
 * over generated documents.
 */
import { WechatPayError } from '../../../../../cloudfunctions/core/gateways/wechatpay/errors';
import { buildXml, parseXml } from '../../../../../cloudfunctions/core/gateways/wechatpay/v2/xml';
import * as sandboxXml from '../../../../../sandbox/gateway/v2/xml';
import { errorCodeOf } from '../../../../helpers/error-code';

const codeOf = (fn: () => unknown) => errorCodeOf(fn, WechatPayError);

describe('parseXml: what the v2 wire carries', () => {
  it('reads a declaration, whitespace between elements, entities and character references', () => {
    const xml = '<?xml version="1.0" encoding="UTF-8"?>\n<xml>\n  <a>x &lt; y &amp;&amp; z &gt; 1</a>\n  <b>&#20013;&#x6587;&quot;&apos;</b>\n</xml>\n';
    expect(parseXml(xml)).toEqual({ a: 'x < y && z > 1', b: '中文"\'' });
  });

  it('joins CDATA and text in one element, and keeps "</a>" inside CDATA', () => {
    expect(parseXml('<xml><a>pre<![CDATA[</a><b>]]>post</a></xml>')).toEqual({ a: 'pre</a><b>post' });
  });

  it('reads an empty root and empty elements', () => {
    expect(parseXml('<xml></xml>')).toEqual({});
    expect(parseXml('<xml/>')).toEqual({});
    expect(parseXml('<xml><a></a><b><![CDATA[]]></b></xml>')).toEqual({ a: '', b: '' });
  });

  it("reads the refund notification's decrypted <root>", () => {
    expect(parseXml('<root><out_refund_no><![CDATA[R1]]></out_refund_no><refund_fee><![CDATA[100]]></refund_fee></root>', 'root')).toEqual({
      out_refund_no: 'R1',
      refund_fee: '100',
    });
    expect(codeOf(() => parseXml('<root><a>1</a></root>'))).toBe('XML_INVALID');
  });
});

describe('parseXml: refusals', () => {
  it.each([
    ['an attribute', '<xml><a id="1">x</a></xml>'],
    ['a comment', '<xml><!-- c --><a>x</a></xml>'],
    ['text beside the elements', '<xml>loose<a>x</a></xml>'],
    ['an unknown entity', '<xml><a>&nbsp;</a></xml>'],
    ['a bare ampersand', '<xml><a>a & b</a></xml>'],
    ['a NUL character reference', '<xml><a>&#0;</a></xml>'],
    ['a surrogate character reference', '<xml><a>&#xD800;</a></xml>'],
    ['an unterminated CDATA', '<xml><a><![CDATA[x</a></xml>'],
    ['anything after the root', '<xml><a>x</a></xml><xml></xml>'],
    ['an unclosed root', '<xml><a>x</a>'],
  ])('%s', (_name, xml) => {
    expect(codeOf(() => parseXml(xml))).toBe('XML_INVALID');
  });

  it('refuses a DOCTYPE or ENTITY anywhere, before reading', () => {
    expect(codeOf(() => parseXml('<xml><a><![CDATA[<!DOCTYPE x>]]></a></xml>'))).toBe('XML_DOCTYPE_FORBIDDEN');
  });
});

describe('parseXml agrees with the sandbox reader', () => {
  // A deterministic generator (no Math.random: a failure must reproduce).
  let seed = 12345;
  const next = () => (seed = (seed * 1103515245 + 12345) % 2 ** 31);
  const ALPHABET = ['a', 'Z', '0', ' ', '<', '>', '&', '"', "'", ']', ']]>', '中', '😀', '\n', '</a>', '<![CDATA['];
  const value = () => Array.from({ length: next() % 12 }, () => ALPHABET[next() % ALPHABET.length]).join('');

  it('on 2,000 generated flat documents, both builders read back by both readers', () => {
    for (let i = 0; i < 2_000; i++) {
      const fields: Record<string, string> = {};
      const count = 1 + (next() % 6);
      for (let k = 0; k < count; k++) fields[`f_${k}`] = value() || 'x';
      for (const xml of [buildXml(fields), sandboxXml.buildXml(fields)]) {
        expect(parseXml(xml)).toEqual(fields);
        expect(sandboxXml.parseXml(xml)).toEqual(fields);
      }
    }
  });
});
