/**
 * Huifu's daily reconciliation file (交易结算对账单, `check/filequery` → `download_url`): a zip of
 * csv files ("年月日_商户号_order_批次号.csv", reconciliation.md in
 * https://github.com/huifurepo/dg-payment-skills). Read here as rows keyed by the header line: the
 * published pages reachable here do not give the column layout, so nothing depends on column
 * order, only on the API field names the sandbox's bill uses (req_seq_id, hf_seq_id,
 * org_req_seq_id, trans_type, trans_stat, trans_amt, …; docs/references/huifu.md).
 */
import { inflateRawSync } from 'node:zlib';
import { HuifuError } from './errors';

export type BillRow = Record<string, string>;

/** Downloads a file by its `download_url` (a plain GET; the URL is what filequery's signed answer gave). */
export async function downloadHuifuFile(url: string, fetchImpl: typeof fetch = globalThis.fetch, timeoutMs = 30_000): Promise<Buffer> {
  let res: Response;
  try {
    res = await fetchImpl(url, { signal: AbortSignal.timeout(timeoutMs) });
  } catch (cause) {
    throw new HuifuError('NETWORK_ERROR', 'reconciliation file download failed', { cause, retryable: true });
  }
  if (res.status !== 200) throw new HuifuError('HTTP_ERROR', `reconciliation file download answered HTTP ${res.status}`, { status: res.status, retryable: res.status >= 500 });
  return Buffer.from(await res.arrayBuffer());
}

/** The files of a zip archive (stored or deflated entries), from its central directory. */
export function unzipEntries(zip: Buffer): Array<{ name: string; data: Buffer }> {
  const eocd = zip.lastIndexOf(Buffer.from([0x50, 0x4b, 0x05, 0x06]));
  if (eocd < 0) throw new HuifuError('RESPONSE_MALFORMED', 'reconciliation file is not a zip');
  const count = zip.readUInt16LE(eocd + 10);
  let at = zip.readUInt32LE(eocd + 16);
  const entries: Array<{ name: string; data: Buffer }> = [];
  for (let i = 0; i < count; i++) {
    if (zip.readUInt32LE(at) !== 0x02014b50) throw new HuifuError('RESPONSE_MALFORMED', 'zip central directory is broken');
    const method = zip.readUInt16LE(at + 10);
    const compressedSize = zip.readUInt32LE(at + 20);
    const nameLength = zip.readUInt16LE(at + 28);
    const extraLength = zip.readUInt16LE(at + 30);
    const commentLength = zip.readUInt16LE(at + 32);
    const localOffset = zip.readUInt32LE(at + 42);
    const name = zip.subarray(at + 46, at + 46 + nameLength).toString('utf8');
    const dataStart = localOffset + 30 + zip.readUInt16LE(localOffset + 26) + zip.readUInt16LE(localOffset + 28);
    const raw = zip.subarray(dataStart, dataStart + compressedSize);
    if (method !== 0 && method !== 8) throw new HuifuError('RESPONSE_MALFORMED', `zip entry ${name} uses compression method ${method}`);
    entries.push({ name, data: method === 0 ? Buffer.from(raw) : inflateRawSync(raw) });
    at += 46 + nameLength + extraLength + commentLength;
  }
  return entries;
}

/** CSV (RFC 4180 quoting, CRLF or LF) → rows keyed by the header line; a UTF-8 BOM is dropped. */
export function parseBillCsv(text: string): BillRow[] {
  const records: string[][] = [];
  let field = '';
  let record: string[] = [];
  let quoted = false;
  const body = text.replace(/^\uFEFF/, '');
  for (let i = 0; i < body.length; i++) {
    const c = body[i]!;
    if (quoted) {
      if (c === '"' && body[i + 1] === '"') (field += '"'), i++;
      else if (c === '"') quoted = false;
      else field += c;
    } else if (c === '"') quoted = true;
    else if (c === ',') record.push(field), (field = '');
    else if (c === '\n' || c === '\r') {
      if (c === '\r' && body[i + 1] === '\n') i++;
      record.push(field);
      records.push(record);
      record = [];
      field = '';
    } else field += c;
  }
  if (field !== '' || record.length) record.push(field), records.push(record);
  const [header, ...rows] = records.filter((r) => r.some((cell) => cell.trim() !== ''));
  if (!header) return [];
  const names = header.map((h) => h.trim());
  return rows.map((cells) => Object.fromEntries(names.map((name, i) => [name, (cells[i] ?? '').trim()])));
}

/** Every csv row of a downloaded bill zip. */
export function billRowsOf(zip: Buffer): BillRow[] {
  return unzipEntries(zip)
    .filter((entry) => entry.name.toLowerCase().endsWith('.csv'))
    .flatMap((entry) => parseBillCsv(entry.data.toString('utf8')));
}
