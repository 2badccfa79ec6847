/**
 * A function bundle and its side bundles (gulpfile SIDE_MODULES, e.g. payscore/runtime.js) each
 * carry their own copy of WechatPayError: the client that throws it lives in one, the channel that
 * translates it (`v3ChannelError`) in the other. The class is recognised across copies by its
 * registry-symbol mark, so a gateway refusal is translated, not thrown on as INTERNAL (found by
 * the reliability fuzzing of payscore.registerDeduction).
 */
import { WechatPayError } from '../../../../cloudfunctions/core/gateways/wechatpay/errors';
import { v3ChannelError } from '../../../../cloudfunctions/core/channels/wechatpay-v3/errors';
import { isChannelError } from '../../../../cloudfunctions/core/channels/port';

function anotherCopy(): typeof WechatPayError {
  let copy: typeof WechatPayError | undefined;
  jest.isolateModules(() => {
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    copy = (require('../../../../cloudfunctions/core/gateways/wechatpay/errors') as typeof import('../../../../cloudfunctions/core/gateways/wechatpay/errors')).WechatPayError;
  });
  if (!copy || copy === WechatPayError) throw new Error('no second copy of the module');
  return copy;
}

it('an error thrown by another copy of the class is a WechatPayError here', () => {
  const Other = anotherCopy();
  const error = new Other('INVALID_ORDER_STATE', '扣款单登记生效中，不能再登记', { status: 400 });
  expect(error instanceof WechatPayError).toBe(true);
  expect(new WechatPayError('X', 'y') instanceof Other).toBe(true);
  expect(new Error('plain') instanceof WechatPayError).toBe(false);
  expect({ code: 'X' } instanceof WechatPayError).toBe(false);
});

it('v3ChannelError translates a gateway refusal thrown by another copy (rejected / unavailable), never passes it on raw', () => {
  const Other = anotherCopy();
  expect(isChannelError(v3ChannelError(new Other('INVALID_ORDER_STATE', 'live registration', { status: 400 }), 'create'), 'rejected')).toBe(true);
  expect(isChannelError(v3ChannelError(new Other('NETWORK_ERROR', 'fetch failed'), 'create'), 'unavailable')).toBe(true);
});
