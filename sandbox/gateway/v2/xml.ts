/**
 * APIv2 XML, as the gateway reads and writes it: one `<xml>` root (the refund notification's
 * encrypted payload uses `<root>`) holding flat text elements. Written here by hand — independent
 * of the product's XML module — and strict: a DOCTYPE or ENTITY declaration, a nested element, a
 * repeated element, an unknown entity or anything after the root is refused (XXE, billion
 * laughs). Values are strings, never numbers (`total_fee` "0100" stays "0100").
 *
 * Shapes: https://pay.weixin.qq.com/wiki/doc/api/jsapi.php?chapter=9_1 ("参数值用XML转义即可，
 * CDATA标签用于说明数据不被XML解析器解析"), and the samples on the same pages.
 */

export class XmlError extends Error {}

const NAME = /^[A-Za-z_][A-Za-z0-9_.-]*/;
const ENTITIES: Record<string, string> = { lt: '<', gt: '>', amp: '&', quot: '"', apos: "'" };

/** Parses a flat document; `root` names the expected root element. */
export function parseXml(text: string, root = 'xml'): Record<string, string> {
  if (/<!\s*(DOCTYPE|ENTITY)/i.test(text)) throw new XmlError('DOCTYPE/ENTITY declarations are refused');
  let i = 0;
  const skipSpace = () => {
    while (i < text.length && /\s/.test(text[i]!)) i++;
  };
  const skipMisc = () => {
    for (;;) {
      skipSpace();
      if (text.startsWith('<?', i)) {
        const end = text.indexOf('?>', i + 2);
        if (end < 0) throw new XmlError('unterminated processing instruction');
        i = end + 2;
      } else if (text.startsWith('<!--', i)) {
        const end = text.indexOf('-->', i + 4);
        if (end < 0) throw new XmlError('unterminated comment');
        i = end + 3;
      } else return;
    }
  };
  /** `<name>` or the empty-element tag `<name/>` (then `empty`). */
  const openTag = (): { name: string; empty: boolean } => {
    if (text[i] !== '<') throw new XmlError(`expected an element at ${i}`);
    const m = NAME.exec(text.slice(i + 1));
    if (!m) throw new XmlError(`bad element name at ${i}`);
    i += 1 + m[0].length;
    skipSpace();
    const empty = text.startsWith('/>', i);
    if (!empty && text[i] !== '>') throw new XmlError(`attributes are not accepted (<${m[0]}>)`);
    i += empty ? 2 : 1;
    return { name: m[0], empty };
  };
  const closeTag = (name: string) => {
    const tag = `</${name}`;
    if (!text.startsWith(tag, i)) throw new XmlError(`expected </${name}> at ${i}`);
    i += tag.length;
    skipSpace();
    if (text[i] !== '>') throw new XmlError(`bad closing tag </${name}>`);
    i++;
  };

  skipMisc();
  const rootTag = openTag();
  if (rootTag.name !== root) throw new XmlError(`root element must be <${root}>, got <${rootTag.name}>`);
  const out: Record<string, string> = {};
  for (;;) {
    if (rootTag.empty) break;
    skipSpace();
    if (text.startsWith('<!--', i)) {
      skipMisc();
      continue;
    }
    if (text.startsWith('</', i)) break;
    const { name, empty } = openTag();
    if (Object.prototype.hasOwnProperty.call(out, name)) throw new XmlError(`element <${name}> repeated`);
    out[name] = empty ? '' : readText(name);
    if (!empty) closeTag(name);
  }
  if (!rootTag.empty) closeTag(root);
  skipMisc();
  if (i !== text.length) throw new XmlError('content after the root element');
  return out;

  function readText(name: string): string {
    let value = '';
    for (;;) {
      if (i >= text.length) throw new XmlError(`unterminated <${name}>`);
      if (text.startsWith('<![CDATA[', i)) {
        const end = text.indexOf(']]>', i + 9);
        if (end < 0) throw new XmlError('unterminated CDATA section');
        value += text.slice(i + 9, end);
        i = end + 3;
      } else if (text.startsWith('</', i)) {
        return value;
      } else if (text[i] === '<') {
        throw new XmlError(`<${name}> must hold text only`);
      } else if (text[i] === '&') {
        const end = text.indexOf(';', i);
        if (end < 0) throw new XmlError('unterminated entity reference');
        value += entity(text.slice(i + 1, end));
        i = end + 1;
      } else {
        value += text[i];
        i++;
      }
    }
  }
}

function entity(ref: string): string {
  if (ENTITIES[ref] !== undefined) return ENTITIES[ref]!;
  const m = /^#(x[0-9a-fA-F]{1,6}|[0-9]{1,7})$/.exec(ref);
  if (!m) throw new XmlError(`unknown entity &${ref};`);
  const code = m[1]!.startsWith('x') ? parseInt(m[1]!.slice(1), 16) : parseInt(m[1]!, 10);
  if (code > 0x10ffff || (code >= 0xd800 && code <= 0xdfff)) throw new XmlError(`invalid character reference &${ref};`);
  return String.fromCodePoint(code);
}

/**
 * `<xml><k><![CDATA[v]]></k>…</xml>` in the given order; numbers bare, as in the published
 * samples (`<total_fee>1</total_fee>`); undefined values dropped. A `]]>` inside a value is split
 * across two CDATA sections.
 */
export function buildXml(fields: Array<[string, string | number | undefined]> | Record<string, string | number | undefined>, root = 'xml'): string {
  const entries = Array.isArray(fields) ? fields : Object.entries(fields);
  let xml = `<${root}>`;
  for (const [name, value] of entries) {
    if (value === undefined) continue;
    if (!NAME.test(name) || NAME.exec(name)![0] !== name) throw new XmlError(`invalid element name ${name}`);
    const text = typeof value === 'number' ? String(value) : `<![CDATA[${value.replace(/]]>/g, ']]]]><![CDATA[>')}]]>`;
    xml += `<${name}>${text}</${name}>`;
  }
  return `${xml}</${root}>`;
}
