/**
 * The WeChat Pay APIv2 notification endpoint (served by `payNotifyV2`): XML in, and the reply the
 * published pages ask for — `<xml><return_code><![CDATA[SUCCESS]]></return_code><return_msg>
 * <![CDATA[OK]]></return_msg></xml>` once the event was taken, `return_code` FAIL with the reason
 * otherwise (支付结果通知 "商户处理后同步返回给微信参数", https://pay.weixin.qq.com/wiki/doc/api/jsapi.php?chapter=9_7;
 * PROTOCOL.md §4). The gateway retries anything but SUCCESS on its 24h4m schedule, and
 * `reconcile` queries in the meantime.
 */
import { buildXml } from '../../gateways/wechatpay/v2/xml';
import type { NotificationEndpoint, NotificationReply } from '../notification-endpoint';
import { isChannelError, type PaymentChannel } from '../port';

/**
 * The largest body read. No published notification comes near it — every field of 支付结果通知
 * (chapter=9_7) and 退款结果通知 (chapter=9_16) is a short string (attach, the longest free text, is
 * String(128)) — so anything bigger is refused before the XML is parsed or the sign computed. Our
 * own bound (no published maximum): docs/references/reliability.md.
 */
export const MAX_V2_NOTIFICATION_BYTES = 64 * 1024;

export function createV2NotificationEndpoint(deps: { reader: Pick<PaymentChannel, 'parseNotification'> }): NotificationEndpoint {
  return {
    async parse(request) {
      const bytes = Buffer.byteLength(request.body, 'utf8');
      if (bytes > MAX_V2_NOTIFICATION_BYTES) {
        const reason = `BODY_TOO_LARGE: ${bytes} bytes, at most ${MAX_V2_NOTIFICATION_BYTES}`;
        return { kind: 'refused', reason, reply: v2Reply(false, 'BODY_TOO_LARGE') };
      }
      try {
        return { kind: 'event', event: await deps.reader.parseNotification(request) };
      } catch (error) {
        // The v2 channel (a side bundle) reports an unverifiable notification as `untrusted`,
        // recognised by its registry mark (`withV2Errors`).
        if (!isChannelError(error, 'untrusted')) throw error;
        return { kind: 'refused', reason: error.reason, reply: v2Reply(false, error.reason) };
      }
    },
    reply(outcome) {
      return outcome.status === 204 ? v2Reply(true) : v2Reply(false, outcome.code);
    },
  };
}

/** HTTP 200 either way: the gateway reads `return_code`. */
export function v2Reply(ok: boolean, reason = 'FAIL'): NotificationReply {
  const body = buildXml({ return_code: ok ? 'SUCCESS' : 'FAIL', return_msg: ok ? 'OK' : reason });
  return { status: 200, headers: { 'content-type': 'text/xml; charset=utf-8' }, body };
}
