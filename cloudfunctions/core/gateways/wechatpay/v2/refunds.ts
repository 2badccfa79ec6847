/**
 * APIv2 refunds, wire only: 申请退款 `POST /secapi/pay/refund` ("请求需要双向证书": the client
 * must present the merchant API certificate, kernel/http-exchange.ts tlsFetch), 查询退款
 * `POST /pay/refundquery`, and the refund notification's `req_info`.
 * https://pay.weixin.qq.com/wiki/doc/api/jsapi.php?chapter=9_4 · chapter=9_5 · chapter=9_16
 */
import { createDecipheriv, createHash } from 'node:crypto';
import { WechatPayError } from '../errors';
import type { V2Client } from './client';
import { resultOrThrow } from './result';
import { parseXml } from './xml';

export interface RefundRequest {
  out_trade_no: string;
  out_refund_no: string;
  /** fen: the order's total. */
  total_fee: number;
  /** fen */
  refund_fee: number;
  refund_desc?: string;
  notify_url?: string;
}

export type V2RefundStatus = 'SUCCESS' | 'REFUNDCLOSE' | 'PROCESSING' | 'CHANGE';

export interface V2RefundFacts {
  outRefundNo: string;
  refundId?: string;
  refundFee: number;
  /** 申请退款 answers no status (the refund was taken: PROCESSING until a query or notification says more). */
  status: V2RefundStatus;
}

/** 申请退款 through a client that presents the merchant certificate. */
export async function refund(secureClient: V2Client, request: RefundRequest): Promise<V2RefundFacts> {
  const answer = resultOrThrow(await secureClient.post('/secapi/pay/refund', { ...request }), 'refund');
  return { outRefundNo: answer.out_refund_no ?? request.out_refund_no, ...(answer.refund_id ? { refundId: answer.refund_id } : {}), refundFee: fen(answer.refund_fee, 'refund_fee'), status: 'PROCESSING' };
}

/** 查询退款 by out_refund_no: the one refund's `_0` fields (chapter=9_5 numbers them per refund). */
export async function refundQuery(client: V2Client, outRefundNo: string): Promise<V2RefundFacts> {
  const answer = resultOrThrow(await client.post('/pay/refundquery', { out_refund_no: outRefundNo }), 'refundquery');
  const count = Number(answer.refund_count ?? '0');
  for (let n = 0; n < count; n++) {
    if (answer[`out_refund_no_${n}`] !== outRefundNo) continue;
    return { outRefundNo, refundId: answer[`refund_id_${n}`], refundFee: fen(answer[`refund_fee_${n}`], `refund_fee_${n}`), status: refundStatus(answer[`refund_status_${n}`]) };
  }
  throw new WechatPayError('RESPONSE_MALFORMED', `refundquery answer does not list ${outRefundNo}`);
}

export function refundStatus(value: string | undefined): V2RefundStatus {
  if (value === 'SUCCESS' || value === 'REFUNDCLOSE' || value === 'PROCESSING' || value === 'CHANGE') return value;
  throw new WechatPayError('RESPONSE_MALFORMED', `unknown refund_status ${String(value)}`);
}

/**
 * `req_info` of a refund notification: base64-decode, then AES-256-ECB (PKCS#7) with the key
 * = lower-case hex MD5 of the APIv2 key (chapter=9_16 解密方式: "对商户key做md5，得到32位小写key*";
 * "用key*对加密串B做AES-256-ECB解密（PKCS7Padding）"). The plaintext is a `<root>` element.
 */
export function decryptReqInfo(reqInfo: string, apiKey: string): Record<string, string> {
  let plaintext: string;
  try {
    const key = Buffer.from(createHash('md5').update(apiKey, 'utf8').digest('hex'), 'ascii');
    const decipher = createDecipheriv('aes-256-ecb', key, null);
    plaintext = Buffer.concat([decipher.update(Buffer.from(reqInfo, 'base64')), decipher.final()]).toString('utf8');
  } catch (cause) {
    throw new WechatPayError('CIPHERTEXT_INVALID', 'req_info does not decrypt with the APIv2 key', { cause });
  }
  return parseXml(plaintext, 'root');
}

function fen(value: string | undefined, field: string): number {
  if (value === undefined || !/^\d{1,15}$/.test(value)) throw new WechatPayError('RESPONSE_MALFORMED', `${field} is not an amount in fen: ${String(value)}`);
  return Number(value);
}
