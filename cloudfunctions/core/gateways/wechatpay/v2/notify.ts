/** APIv2 notification and response checks, and the XML reply a notification expects. */
import { WechatPayError } from '../errors';
import { isV2SignType, verifyV2, type V2SignType } from './sign';
import { buildXml, parseXml } from './xml';

/**
 * Parses and verifies signed XML (a notification, or a response whose `return_code` is SUCCESS)
 * with the configured `signType`. A `sign_type` field that declares another type is refused, not
 * followed: an attacker choosing the algorithm is a downgrade (issue 13; the gateway signs answers
 * and notifications in the type of our request and does not echo it, docs/references/sandbox-v2.md
 * decision 3). A `return_code` FAIL carries no signature and is returned as is: the caller must
 * treat it as a failure.
 */
export function parseSignedXml(xml: string, key: string, signType: V2SignType = 'MD5'): Record<string, string> {
  const params = parseXml(xml);
  if (params.return_code !== undefined && params.return_code !== 'SUCCESS') return params;
  const declared = params.sign_type;
  if (declared !== undefined && !isV2SignType(declared)) throw new WechatPayError('V2_SIGN_INVALID', `unknown sign_type ${declared}`);
  if (declared !== undefined && declared !== signType) throw new WechatPayError('V2_SIGN_INVALID', `sign_type ${declared} is not the configured ${signType} (no downgrade)`);
  if (!verifyV2(params, key, signType)) throw new WechatPayError('V2_SIGN_INVALID', 'APIv2 sign does not match');
  return params;
}

/** A notification must be signed and SUCCESS; anything else is rejected. */
export function parseV2Notification(xml: string, key: string, signType: V2SignType = 'MD5'): Record<string, string> {
  const params = parseSignedXml(xml, key, signType);
  if (params.return_code !== 'SUCCESS') {
    throw new WechatPayError('V2_SIGN_INVALID', `notification return_code ${params.return_code ?? '(none)'} carries no signature`);
  }
  return params;
}

export function buildV2NotificationReply(ok: boolean, message = ok ? 'OK' : 'FAIL'): string {
  return buildXml({ return_code: ok ? 'SUCCESS' : 'FAIL', return_msg: message });
}
