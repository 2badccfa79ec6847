/**
 * A raw APIv2 notification → a verified, channel-neutral event. Two kinds arrive at the v2 notify
 * URL, told apart by their fields:
 * - payment (支付结果通知, https://pay.weixin.qq.com/wiki/doc/api/jsapi.php?chapter=9_7): XML
 *   signed with the configured sign type (a declared other `sign_type` is refused);
 * - refund (退款结果通知, chapter=9_16): unsigned, `req_info` AES-256-ECB encrypted with the MD5 of
 *   the APIv2 key — decrypting it is what proves it came from the gateway.
 * v2 notifications carry no id: the payment's is `v2pay:<transaction_id>`, a refund's
 * `v2refund:<refund_id>:<refund_status>` (what makes a retry the same notification).
 */
import { WechatPayError } from '../../gateways/wechatpay/errors';
import { decryptReqInfo, parseV2Notification, parseXml, refundStatus, type V2SignType } from '../../gateways/wechatpay/v2';
import type { ChannelNotification } from '../port';
import { paidState, v2RefundState } from './mapping';

export interface V2NotificationKeys {
  key: string;
  signType: V2SignType;
}

export function parseV2ChannelNotification(body: string, keys: V2NotificationKeys, now: number): ChannelNotification {
  const outer = parseXml(body);
  if (outer.req_info !== undefined) return refundNotification(outer, keys);
  const fields = parseV2Notification(body, keys.key, keys.signType);
  return readFacts(() => {
    if (!fields.out_trade_no || !fields.appid || !fields.mch_id) throw new WechatPayError('NOTIFICATION_MALFORMED', 'payment notification lacks out_trade_no, appid or mch_id');
    // result_code FAIL says the payment did not go through; the order's state is asked by query.
    if (fields.result_code !== 'SUCCESS') return { kind: 'ignored', notificationId: `v2pay-fail:${fields.out_trade_no}:${fields.nonce_str ?? ''}`, eventType: 'V2.PAY.FAIL' };
    const state = paidState(fields, now);
    return { kind: 'payment', notificationId: `v2pay:${fields.transaction_id}`, outTradeNo: fields.out_trade_no, appid: fields.appid, mchid: fields.mch_id, state };
  });
}

function refundNotification(outer: Record<string, string>, keys: V2NotificationKeys): ChannelNotification {
  if (outer.return_code !== 'SUCCESS') throw new WechatPayError('NOTIFICATION_MALFORMED', `refund notification return_code ${String(outer.return_code)}`);
  const info = decryptReqInfo(outer.req_info!, keys.key);
  return readFacts(() => {
    if (!info.out_refund_no || !info.out_trade_no || !outer.mch_id || !info.refund_fee || !/^\d{1,15}$/.test(info.refund_fee)) {
      throw new WechatPayError('NOTIFICATION_MALFORMED', 'refund notification lacks out_refund_no, out_trade_no, mch_id or refund_fee');
    }
    const status = refundStatus(info.refund_status);
    return {
      kind: 'refund',
      notificationId: `v2refund:${info.refund_id ?? info.out_refund_no}:${status}`,
      outTradeNo: info.out_trade_no,
      mchid: outer.mch_id,
      refund: v2RefundState(info.out_refund_no, status, Number(info.refund_fee), info.refund_id),
    };
  });
}

/** A verified notification whose facts cannot be read is malformed, not forged. */
function readFacts(read: () => ChannelNotification): ChannelNotification {
  try {
    return read();
  } catch (error) {
    if (error instanceof WechatPayError && error.code !== 'NOTIFICATION_MALFORMED') throw new WechatPayError('NOTIFICATION_MALFORMED', error.reason);
    throw error;
  }
}
