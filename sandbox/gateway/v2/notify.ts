import { createDecipheriv, createHash, randomUUID } from 'node:crypto';
import type { Corruption, } from '../faults';
import type { NotificationFormat } from '../notifier';
import type { NotificationRecord } from '../state';
import { rfc3339China } from '../time';
import type { V2Context } from './api';
import { encryptReqInfo, nonceStr, signV2, type V2SignType } from './sign';
import { buildXml, parseXml, XmlError } from './xml';

/**
 * APIv2 notifications on the gateway's notifier (same 15s/15s/30s/3m/10m/20m/30m/30m/30m/60m/3h/
 * 3h/3h/6h/6h schedule, same fault switches): the body is XML and a notification counts as
 * delivered only when the merchant answers HTTP 2xx with
 * `<xml><return_code><![CDATA[SUCCESS]]></return_code>…</xml>` (支付结果通知, chapter=9_7:
 * "商户处理后同步返回给微信参数"; "如果微信收到商户的应答不符合规范或超时，微信会判定本次通知失败").
 *
 * - Payment (chapter=9_7): the order's fields, signed with the sign type of its unifiedorder call.
 *   No `sign_type` field is sent: on the wire the notification is signed like the order and does
 *   not say so (developers.weixin.qq.com community answers; the page lists sign_type as optional).
 * - Refund (chapter=9_16): `return_code, appid, mch_id, nonce_str, req_info`, unsigned; `req_info`
 *   is the AES-256-ECB encrypted `<root>` of the refund (see sign.ts).
 *
 * Notification faults of kind `corrupt` spoil the first round only; for APIv2 they mean:
 * `signature`/`stale-timestamp` — a sign that does not verify; `serial` — signed (or, for a
 * refund, encrypted) with another key; `signtest` — signed with the other sign type and declared
 * in `sign_type` (a downgrade attempt). Fault `eventType` filters: `V2.PAY`, `V2.REFUND`.
 */

export const V2_FORMAT = 'v2';
export const V2_PAY_EVENT = 'V2.PAY';
export const V2_REFUND_EVENT = 'V2.REFUND';
/** A key that is not the merchant's: what a forger would sign with. */
const FORGED_KEY = 'ForgedKeyForgedKeyForgedKey00000';

export function v2NotificationFormat(ctx: V2Context): NotificationFormat {
  return {
    request(record, corruption) {
      const body = corruption ? corrupt(ctx, record, corruption) : record.body;
      return { body, headers: { 'Content-Type': 'text/xml', 'Content-Length': Buffer.byteLength(body), 'User-Agent': 'Mozilla/4.0' } };
    },
    delivered(statusCode, body) {
      if (statusCode < 200 || statusCode > 299) return false;
      try {
        return parseXml(body.trim()).return_code === 'SUCCESS';
      } catch (err) {
        if (err instanceof XmlError) return false;
        throw err;
      }
    },
  };
}

/** Queues a signed payment notification (chapter=9_7). */
export function sendPayNotification(ctx: V2Context, url: string, subject: string, fields: Record<string, string | number | undefined>, signType: V2SignType): void {
  const all = { ...fields, nonce_str: nonceStr(32) };
  const sign = signV2(all, ctx.keys.apiV2Key, signType);
  enqueue(ctx, V2_PAY_EVENT, url, subject, sortedXml({ ...all, sign }));
}

/** Queues a refund notification with its encrypted `req_info` (chapter=9_16). */
export function sendRefundNotification(ctx: V2Context, url: string, subject: string, appid: string, info: Array<[string, string | number | undefined]>): void {
  const reqInfo = encryptReqInfo(buildXml(info, 'root'), ctx.keys.apiV2Key);
  const body = buildXml([
    ['return_code', 'SUCCESS'],
    ['appid', appid],
    ['mch_id', ctx.gw.keys.mchid],
    ['nonce_str', nonceStr(32)],
    ['req_info', reqInfo],
  ]);
  enqueue(ctx, V2_REFUND_EVENT, url, subject, body);
}

function enqueue(ctx: V2Context, eventType: string, url: string, subject: string, body: string): void {
  const record: NotificationRecord = {
    id: randomUUID(),
    eventType,
    url,
    subject,
    createdAt: rfc3339China(),
    body,
    status: 'pending',
    rounds: 0,
    attempts: [],
    format: V2_FORMAT,
  };
  ctx.gw.notifier.enqueue(record);
}

/** The notification XML in ASCII key order, as WeChat Pay posts it (the chapter=9_7 sample). */
function sortedXml(fields: Record<string, string | number | undefined>): string {
  return buildXml(Object.keys(fields).sort().map((k) => [k, fields[k]] as [string, string | number | undefined]));
}

function corrupt(ctx: V2Context, record: NotificationRecord, corruption: Corruption): string {
  const fields: Record<string, string> = parseXml(record.body);
  if (fields.req_info !== undefined) {
    // Refund: no sign to spoil; the payload is encrypted with a key that is not the merchant's.
    return buildXml([...Object.entries(fields).map(([k, v]) => [k, k === 'req_info' ? encryptReqInfo(decryptReqInfo(v, ctx.keys.apiV2Key), FORGED_KEY) : v] as [string, string])]);
  }
  const { sign: _sign, ...unsigned } = fields;
  const typeOfRecord: V2SignType = _sign!.length === 64 ? 'HMAC-SHA256' : 'MD5';
  let signed: Record<string, string>;
  if (corruption === 'serial') signed = { ...unsigned, sign: signV2(unsigned, FORGED_KEY, typeOfRecord) };
  else if (corruption === 'signtest') {
    const other: V2SignType = typeOfRecord === 'MD5' ? 'HMAC-SHA256' : 'MD5';
    const declared = { ...unsigned, sign_type: other };
    signed = { ...declared, sign: signV2(declared, ctx.keys.apiV2Key, other) };
  } else signed = { ...unsigned, sign: signV2({ ...unsigned, total_fee: String(Number(unsigned.total_fee ?? 0) + 1) }, ctx.keys.apiV2Key, typeOfRecord) };
  return sortedXml(signed);
}

/** The inverse of encryptReqInfo (only to re-encrypt a corrupted copy). */
function decryptReqInfo(base64: string, apiV2Key: string): string {
  const key = Buffer.from(createHash('md5').update(apiV2Key, 'utf8').digest('hex'), 'ascii');
  const decipher = createDecipheriv('aes-256-ecb', key, null);
  return Buffer.concat([decipher.update(Buffer.from(base64, 'base64')), decipher.final()]).toString('utf8');
}
