/**
 * APIv2 XML: one flat `<xml>` element of text children. Values stay strings (no number parsing:
 * `total_fee` "0100" must not become 100), CDATA is unwrapped, and any DOCTYPE/ENTITY is refused
 * before parsing (XXE, billion laughs).
 */
import { XMLParser, XMLValidator } from 'fast-xml-parser';
import { WechatPayError } from '../errors';

const parser = new XMLParser({
  ignoreAttributes: true,
  parseTagValue: false,
  parseAttributeValue: false,
  trimValues: false,
  processEntities: true,
  htmlEntities: false,
  ignoreDeclaration: true,
  ignorePiTags: true,
});

const FORBIDDEN = /<!\s*(DOCTYPE|ENTITY)/i;

/** `root`: `xml` for every message; `root` for the decrypted `req_info` of a refund notification (chapter=9_16). */
export function parseXml(xml: string, root = 'xml'): Record<string, string> {
  if (FORBIDDEN.test(xml)) throw new WechatPayError('XML_DOCTYPE_FORBIDDEN', 'XML with a DOCTYPE or ENTITY declaration is refused');
  const valid = XMLValidator.validate(xml);
  if (valid !== true) throw new WechatPayError('XML_INVALID', `XML is not well-formed: ${valid.err.msg}`);
  const document = parser.parse(xml) as Record<string, unknown>;
  const element = document[root];
  if (element === '' || element === undefined) {
    if (element === '') return {};
    throw new WechatPayError('XML_INVALID', `root element must be <${root}>`);
  }
  if (typeof element !== 'object' || element === null || Array.isArray(element)) throw new WechatPayError('XML_INVALID', `root element must be <${root}>`);
  const result: Record<string, string> = {};
  for (const [name, value] of Object.entries(element as Record<string, unknown>)) {
    if (typeof value !== 'string') throw new WechatPayError('XML_INVALID', `element <${name}> must hold text only, once`);
    result[name] = value;
  }
  return result;
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
