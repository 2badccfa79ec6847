/**
 * APIv2 XML: one flat root element (`<xml>`; the refund notification's decrypted `req_info` is a
 * `<root>`) of text children. Values stay strings (no number parsing: `total_fee` "0100" must not
 * become 100), CDATA is unwrapped, the five predefined entities and character references are
 * decoded, and any DOCTYPE/ENTITY is refused (XXE, billion laughs).
 *
 * A reader of exactly this shape rather than a general XML library: the v2 wire never nests,
 * never uses attributes or namespaces (https://pay.weixin.qq.com/wiki/doc/api/jsapi.php?chapter=9_1,
 * its samples), so strictness costs nothing and the function bundles stay small (a general parser
 * was ~64 KB of each; bench e2e). Anything else — a nested or repeated element, an attribute, a
 * comment, text beside the elements, an unknown entity — is XML_INVALID.
 */
import { WechatPayError } from '../errors';

const FORBIDDEN = /<!\s*(DOCTYPE|ENTITY)/i;
const NAME = /[A-Za-z_][\w.-]*/y;
const PREDEFINED: Record<string, string> = { lt: '<', gt: '>', amp: '&', quot: '"', apos: "'" };

const invalid = (why: string) => new WechatPayError('XML_INVALID', `XML is not well-formed: ${why}`);

/** Character data outside CDATA: no markup, entities decoded. */
function decodeText(text: string): string {
  if (text.includes('<')) throw invalid('markup inside an element');
  return text.replace(/&([^;&\s]*);?/g, (whole, ref: string) => {
    if (!whole.endsWith(';')) throw invalid(`unterminated reference "${whole}"`);
    if (PREDEFINED[ref] !== undefined) return PREDEFINED[ref];
    const code = /^#x[0-9A-Fa-f]{1,6}$/.test(ref) ? parseInt(ref.slice(2), 16) : /^#\d{1,7}$/.test(ref) ? Number(ref.slice(1)) : NaN;
    if (!Number.isInteger(code) || code > 0x10ffff || (code >= 0xd800 && code <= 0xdfff) || code === 0) throw invalid(`unknown entity "${whole}"`);
    return String.fromCodePoint(code);
  });
}

/** The text of an element body: CDATA sections and character data, in any order. */
function readContent(body: string): string {
  let value = '';
  let at = 0;
  while (at < body.length) {
    const cdata = body.indexOf('<![CDATA[', at);
    if (cdata < 0) {
      value += decodeText(body.slice(at));
      break;
    }
    value += decodeText(body.slice(at, cdata));
    const end = body.indexOf(']]>', cdata + 9);
    if (end < 0) throw invalid('unterminated CDATA');
    value += body.slice(cdata + 9, end);
    at = end + 3;
  }
  return value;
}

export function parseXml(xml: string, root = 'xml'): Record<string, string> {
  if (FORBIDDEN.test(xml)) throw new WechatPayError('XML_DOCTYPE_FORBIDDEN', 'XML with a DOCTYPE or ENTITY declaration is refused');
  // An optional declaration, then the root and nothing after it but whitespace.
  const document = xml.replace(/^\uFEFF?\s*(<\?xml[^?]*\?>)?\s*/, '').replace(/\s+$/, '');
  const open = `<${root}>`;
  const close = `</${root}>`;
  if (document === `<${root}/>`) return {};
  if (!document.startsWith(open) || !document.endsWith(close)) throw new WechatPayError('XML_INVALID', `root element must be <${root}>`);
  const inner = document.slice(open.length, document.length - close.length);
  const result: Record<string, string> = {};
  let at = 0;
  for (;;) {
    while (at < inner.length && /\s/.test(inner[at])) at++;
    if (at >= inner.length) return result;
    if (inner[at] !== '<') throw invalid('text beside the elements');
    NAME.lastIndex = at + 1;
    const name = NAME.exec(inner)?.[0];
    if (!name || inner[at + 1 + name.length] !== '>') throw invalid(`unexpected markup at "${inner.slice(at, at + 20)}"`);
    const bodyStart = at + name.length + 2;
    const end = findClose(inner, name, bodyStart);
    if (Object.prototype.hasOwnProperty.call(result, name)) throw invalid(`element <${name}> must hold text only, once`);
    result[name] = readContent(inner.slice(bodyStart, end));
    at = end + name.length + 3;
  }
}

/** Where `</name>` closes the element whose body starts at `from` (CDATA may hold "</name>"). */
function findClose(text: string, name: string, from: number): number {
  let at = from;
  for (;;) {
    const cdata = text.indexOf('<![CDATA[', at);
    const close = text.indexOf(`</${name}>`, at);
    if (close < 0) throw invalid(`<${name}> is not closed`);
    if (cdata < 0 || close < cdata) return close;
    const end = text.indexOf(']]>', cdata + 9);
    if (end < 0) throw invalid('unterminated CDATA');
    at = end + 3;
  }
}

/** `<xml><k><![CDATA[v]]></k>…</xml>`; numbers bare, empty values dropped. */
export function buildXml(params: Record<string, string | number | undefined | null>): string {
  let xml = '<xml>';
  for (const [name, value] of Object.entries(params)) {
    if (value === undefined || value === null || value === '') continue;
    if (!/^[A-Za-z_][\w.-]*$/.test(name)) throw new WechatPayError('ARGUMENT_INVALID', `invalid XML element name: ${name}`);
    const text = typeof value === 'number' ? String(value) : `<![CDATA[${String(value).replace(/]]>/g, ']]]]><![CDATA[>')}]]>`;
    xml += `<${name}>${text}</${name}>`;
  }
  return xml + '</xml>';
}
