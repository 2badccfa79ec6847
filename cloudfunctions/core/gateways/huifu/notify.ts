/**
 * Huifu asynchronous notifications: a form post with `resp_code`, `resp_desc`, `sign` and
 * `resp_data` (a JSON string). The sign covers `resp_data` exactly as received.
 */
import type { Verifier } from '../wechatpay/auth/verifier';
import { HuifuError } from './errors';
import { HUIFU_PUBLIC_KEY_ID } from './envelope';

export interface HuifuNotification<T = Record<string, unknown>> {
  respCode: string;
  respDesc: string;
  data: T;
  dataText: string;
}

/** Accepts the raw form body (`a=1&b=2`) or already-decoded fields. */
export function parseHuifuNotification<T = Record<string, unknown>>(
  form: string | Record<string, string | undefined>,
  verifier: Verifier,
): HuifuNotification<T> {
  const fields = typeof form === 'string' ? Object.fromEntries(new URLSearchParams(form)) : form;
  const dataText = fields.resp_data;
  // Base64 never holds spaces: a space is a '+' that was posted without form-encoding.
  const sign = fields.sign?.replace(/ /g, '+');
  if (!dataText) throw new HuifuError('NOTIFICATION_MALFORMED', 'notification has no resp_data');
  if (!sign) throw new HuifuError('RESPONSE_UNSIGNED', 'notification has no sign');
  try {
    verifier.verify(HUIFU_PUBLIC_KEY_ID, dataText, sign);
  } catch (cause) {
    if (cause instanceof HuifuError && cause.code === 'SIGNATURE_INVALID') throw new HuifuError('SIGNATURE_INVALID', 'notification sign does not match resp_data');
    throw cause;
  }
  let data: unknown;
  try {
    data = JSON.parse(dataText);
  } catch (cause) {
    throw new HuifuError('NOTIFICATION_MALFORMED', 'resp_data is not JSON', { cause });
  }
  if (typeof data !== 'object' || data === null || Array.isArray(data)) throw new HuifuError('NOTIFICATION_MALFORMED', 'resp_data is not an object');
  return { respCode: fields.resp_code ?? '', respDesc: fields.resp_desc ?? '', data: data as T, dataText };
}

/** Huifu treats any 2xx as received; answer with its conventional text. */
export function buildHuifuNotificationReply(reqSeqId?: string): { status: number; body: string } {
  return { status: 200, body: reqSeqId ? `RECV_ORD_ID_${reqSeqId}` : 'success' };
}
