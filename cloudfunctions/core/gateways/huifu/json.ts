/**
 * JSON helpers for the envelope: the canonical text that is signed (keys sorted at every level,
 * no spaces), and the raw text of a top-level member exactly as received, for verification.
 */
import { HuifuError } from './errors';

export function canonicalJson(value: unknown): string {
  return JSON.stringify(sortKeys(value));
}

function sortKeys(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(sortKeys);
  if (value === null || typeof value !== 'object') return value;
  const sorted: Record<string, unknown> = {};
  for (const key of Object.keys(value).sort()) {
    const member = (value as Record<string, unknown>)[key];
    // Like the official SDKs, absent (undefined/null) members are not sent or signed.
    if (member !== undefined && member !== null) sorted[key] = sortKeys(member);
  }
  return sorted;
}

/**
 * Returns the exact source text of `name`'s value in a JSON object text, or undefined when the
 * member is absent. The text must be a JSON object; the scan is linear and allocation-free.
 */
export function rawMember(json: string, name: string): string | undefined {
  let i = skipSpace(json, 0);
  if (json[i] !== '{') throw new HuifuError('RESPONSE_MALFORMED', 'body is not a JSON object');
  i = skipSpace(json, i + 1);
  if (json[i] === '}') return undefined;
  for (;;) {
    if (json[i] !== '"') throw new HuifuError('RESPONSE_MALFORMED', `expected a member name at ${i}`);
    const keyEnd = skipString(json, i);
    const key = JSON.parse(json.slice(i, keyEnd)) as string;
    i = skipSpace(json, keyEnd);
    if (json[i] !== ':') throw new HuifuError('RESPONSE_MALFORMED', `expected ":" at ${i}`);
    const start = skipSpace(json, i + 1);
    const end = skipValue(json, start);
    if (key === name) return json.slice(start, end);
    i = skipSpace(json, end);
    if (json[i] === ',') i = skipSpace(json, i + 1);
    else if (json[i] === '}') return undefined;
    else throw new HuifuError('RESPONSE_MALFORMED', `expected "," or "}" at ${i}`);
  }
}

function skipSpace(s: string, i: number): number {
  while (i < s.length && (s[i] === ' ' || s[i] === '\n' || s[i] === '\r' || s[i] === '\t')) i++;
  return i;
}

function skipString(s: string, i: number): number {
  for (let j = i + 1; j < s.length; j++) {
    if (s[j] === '\\') j++;
    else if (s[j] === '"') return j + 1;
  }
  throw new HuifuError('RESPONSE_MALFORMED', 'unterminated string');
}

function skipValue(s: string, i: number): number {
  const c = s[i];
  if (c === '"') return skipString(s, i);
  if (c === '{' || c === '[') {
    let depth = 0;
    for (let j = i; j < s.length; j++) {
      const d = s[j];
      if (d === '"') j = skipString(s, j) - 1;
      else if (d === '{' || d === '[') depth++;
      else if (d === '}' || d === ']') {
        depth--;
        if (depth === 0) return j + 1;
      }
    }
    throw new HuifuError('RESPONSE_MALFORMED', 'unterminated object or array');
  }
  let j = i;
  while (j < s.length && !',}] \n\r\t'.includes(s[j]!)) j++;
  if (j === i) throw new HuifuError('RESPONSE_MALFORMED', `expected a value at ${i}`);
  return j;
}
