/**
 * A side bundle (gulpfile.ts SIDE_MODULES) carries its own copy of the error classes: errors are
 * recognised by a registry-symbol mark, not by class identity. Two module instances stand in for
 * the function bundle and a side bundle.
 */
import * as errors from '../../../cloudfunctions/core/kernel/errors';
import * as port from '../../../cloudfunctions/core/channels/port';
import * as wechatpayErrors from '../../../cloudfunctions/core/gateways/wechatpay/errors';
import { v3ChannelError } from '../../../cloudfunctions/core/channels/wechatpay-v3/errors';

function otherCopies(): { errors: typeof errors; port: typeof port } {
  let loaded: { errors: typeof errors; port: typeof port } | undefined;
  jest.isolateModules(() => {
    loaded = { errors: jest.requireActual('../../../cloudfunctions/core/kernel/errors'), port: jest.requireActual('../../../cloudfunctions/core/channels/port') };
  });
  return loaded!;
}

describe('errors thrown by another copy of the module', () => {
  const other = otherCopies();

  it('are other classes (what a side bundle has)', () => {
    expect(other.errors.AppError).not.toBe(errors.AppError);
    expect(other.port.ChannelError).not.toBe(port.ChannelError);
  });

  it('are still AppErrors and ChannelErrors, kinds included', () => {
    expect(errors.isAppError(new other.errors.AppError('NOT_FOUND', 'x'))).toBe(true);
    expect(port.isChannelError(new other.port.ChannelError('closed', 'x'), 'closed')).toBe(true);
    expect(port.isChannelError(new other.port.ChannelError('closed', 'x'), 'notFound')).toBe(false);
    expect(port.toChannelAppError(new other.port.ChannelError('unavailable', 'down'), 'query').code).toBe('GATEWAY_UNAVAILABLE');
  });

  it('a WechatPayError from another copy (the PayScore side bundle is handed the main bundle\'s client) is one, and is translated', () => {
    let otherWechatPay: typeof wechatpayErrors | undefined;
    jest.isolateModules(() => {
      otherWechatPay = jest.requireActual<typeof wechatpayErrors>('../../../cloudfunctions/core/gateways/wechatpay/errors');
    });
    expect(otherWechatPay!.WechatPayError).not.toBe(wechatpayErrors.WechatPayError);
    const refused = new otherWechatPay!.WechatPayError('INVALID_REQUEST', '商户服务订单号重复', { status: 400 });
    expect(refused instanceof wechatpayErrors.WechatPayError).toBe(true);
    expect(v3ChannelError(refused, 'create')).toMatchObject({ kind: 'rejected' });
    expect(v3ChannelError(new otherWechatPay!.WechatPayError('SYSTEM_ERROR', 'busy', { status: 500 }), 'create')).toMatchObject({ kind: 'unavailable' });
    expect(Object.assign(new Error('x'), { name: 'WechatPayError', code: 'X' }) instanceof wechatpayErrors.WechatPayError).toBe(false);
  });

  it('while look-alikes are not', () => {
    expect(errors.isAppError(Object.assign(new Error('x'), { name: 'AppError', code: 'NOT_FOUND' }))).toBe(false);
    expect(port.isChannelError({ kind: 'closed', reason: 'x', name: 'ChannelError' })).toBe(false);
    expect(errors.isAppError(null)).toBe(false);
  });
});
