/**
 * Channel-neutral errors (issue 11): the v3 channels translate WeChat Pay answers into
 * `ChannelError` kinds, and the domain maps kinds to the app's stable codes (the import rules
 * are in test/unit/layout.test.ts).
 */
import { ChannelError, toChannelAppError } from '../../../cloudfunctions/core/channels/port';
import { v3ChannelError, withV3Errors } from '../../../cloudfunctions/core/channels/wechatpay-v3/errors';
import { WechatPayError } from '../../../cloudfunctions/core/gateways/wechatpay/errors';
import type { PaymentChannel } from '../../../cloudfunctions/core/channels/port';

const kindOf = (error: WechatPayError, operation: Parameters<typeof v3ChannelError>[1] = 'query') => (v3ChannelError(error, operation) as ChannelError).kind;

describe('v3 answers → channel error kinds', () => {
  it('not found only in the gateway’s words; closed; final refusals; unavailable; untrusted; our own signature refused', () => {
    expect(kindOf(new WechatPayError('ORDER_NOT_EXIST', 'x', { status: 404 }))).toBe('notFound');
    expect(kindOf(new WechatPayError('ORDERNOTEXIST', 'x', { status: 404 }))).toBe('notFound');
    expect(kindOf(new WechatPayError('HTTP_404', '<html/>', { status: 404 }))).toBe('unavailable');
    expect(kindOf(new WechatPayError('NOT_FOUND', 'no such API', { status: 404 }))).toBe('unavailable');
    expect(kindOf(new WechatPayError('ORDER_CLOSED', '订单已关闭', { status: 400 }), 'close')).toBe('closed');
    expect(kindOf(new WechatPayError('ORDERPAID', '订单已支付', { status: 403 }), 'close')).toBe('rejected');
    expect(kindOf(new WechatPayError('SYSTEM_ERROR', 'down', { status: 500, retryable: true }))).toBe('unavailable');
    expect(kindOf(new WechatPayError('TIMEOUT', 'no answer', { retryable: true }))).toBe('unavailable');
    expect(kindOf(new WechatPayError('FREQUENCY_LIMITED', 'slow down', { status: 429 }))).toBe('unavailable');
    expect(kindOf(new WechatPayError('SIGNATURE_INVALID', 'x'))).toBe('untrusted');
    expect(kindOf(new WechatPayError('RESPONSE_MALFORMED', 'x'))).toBe('untrusted');
    expect(kindOf(new WechatPayError('SIGN_ERROR', '签名错误', { status: 401 }))).toBe('misconfigured');
  });

  it('refunds: NOT_ENOUGH waits, a published final refusal is "not taken"; a refund query knows only RESOURCE_NOT_EXISTS as not found', () => {
    expect(kindOf(new WechatPayError('NOT_ENOUGH', '余额不足', { status: 403 }), 'refund')).toBe('balanceInsufficient');
    expect(kindOf(new WechatPayError('INVALID_REQUEST', '订单已全额退款', { status: 400 }), 'refund')).toBe('refundNotTaken');
    expect(kindOf(new WechatPayError('RESOURCE_NOT_EXISTS', '订单不存在', { status: 404 }), 'refund')).toBe('refundNotTaken');
    // The same codes elsewhere mean what they usually mean.
    expect(kindOf(new WechatPayError('INVALID_REQUEST', 'x', { status: 400 }), 'create')).toBe('rejected');
    expect(kindOf(new WechatPayError('RESOURCE_NOT_EXISTS', '退款单不存在', { status: 404 }), 'queryRefund')).toBe('notFound');
    expect(kindOf(new WechatPayError('ORDER_NOT_EXIST', 'x', { status: 404 }), 'queryRefund')).toBe('rejected');
  });

  it('keeps the gateway’s answer as the cause and passes other errors through', () => {
    const failure = new WechatPayError('ORDERPAID', '订单已支付', { status: 403 });
    expect(v3ChannelError(failure, 'close')).toMatchObject({ cause: failure, reason: 'ORDERPAID 订单已支付' });
    const bug = new TypeError('not a gateway answer');
    expect(v3ChannelError(bug, 'query')).toBe(bug);
  });

  it('withV3Errors translates every operation but leaves notifications to their endpoint', async () => {
    const refusal = new WechatPayError('NOT_ENOUGH', '余额不足', { status: 403 });
    const untrusted = new WechatPayError('SIGNATURE_INVALID', 'bad');
    const fail = async () => {
      throw refusal;
    };
    const raw: PaymentChannel = { name: 'jsapi', create: fail, resign: fail, query: fail, close: fail, refund: fail, queryRefund: fail, parseNotification: async () => Promise.reject(untrusted) };
    const channel = withV3Errors(raw);
    await expect(channel.refund({} as never, {} as never)).rejects.toMatchObject({ kind: 'balanceInsufficient' });
    await expect(channel.create({} as never)).rejects.toMatchObject({ kind: 'rejected' });
    await expect(channel.parseNotification({ headers: {}, body: '' })).rejects.toBe(untrusted);
  });
});

describe('channel error kinds → app error codes (messages as before)', () => {
  it.each([
    ['untrusted', 'GATEWAY_UNTRUSTED', false],
    ['unavailable', 'GATEWAY_UNAVAILABLE', true],
    ['misconfigured', 'INTERNAL', true],
    ['rejected', 'GATEWAY_REJECTED', false],
    ['notFound', 'GATEWAY_REJECTED', false],
    ['refundNotTaken', 'GATEWAY_REJECTED', false],
  ] as const)('%s → %s', (kind, code, retryable) => {
    const appError = toChannelAppError(new ChannelError(kind, 'what the gateway said'), 'close order');
    expect(appError).toMatchObject({ code, message: 'close order: what the gateway said' });
    expect(Boolean(appError.retryable)).toBe(retryable);
  });
});
