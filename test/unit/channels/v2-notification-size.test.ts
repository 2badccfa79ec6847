/**
 * The APIv2 notification endpoint refuses an oversized body before reading it: no published v2
 * notification comes near the cap (docs/references/reliability.md), and a correctly signed 200 KB
 * one was applied before (found by the reliability fuzzing of payNotifyV2).
 */
import { createV2NotificationEndpoint, MAX_V2_NOTIFICATION_BYTES } from '../../../cloudfunctions/core/channels/wechatpay-v2/notification-endpoint';

const event = { kind: 'ignored' as const, notificationId: 'n', eventType: 'V2.PAY' };

it('an oversized body is refused with FAIL and never reaches the reader; one at the cap is read', async () => {
  const reader = { parseNotification: jest.fn(async () => event) };
  const endpoint = createV2NotificationEndpoint({ reader });
  const big = await endpoint.parse({ headers: {}, body: `<xml><attach>${'A'.repeat(200_000)}</attach></xml>` });
  expect(big).toMatchObject({ kind: 'refused', reason: expect.stringMatching(/^BODY_TOO_LARGE/) });
  expect(big.kind === 'refused' && big.reply.body).toContain('<return_code><![CDATA[FAIL]]></return_code>');
  expect(reader.parseNotification).not.toHaveBeenCalled();
  // Bytes, not characters: 3-byte characters count three times.
  expect(await endpoint.parse({ headers: {}, body: '支'.repeat(Math.floor(MAX_V2_NOTIFICATION_BYTES / 3) + 1) })).toMatchObject({ kind: 'refused' });
  expect(await endpoint.parse({ headers: {}, body: 'x'.repeat(MAX_V2_NOTIFICATION_BYTES) })).toEqual({ kind: 'event', event });
});
