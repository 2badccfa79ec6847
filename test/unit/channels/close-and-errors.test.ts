/**
 * What a close answer and a gateway error mean, by the gateway's code (docs/references/close-errors.md):
 * 202 USERPAYING is not a close; a 404 is "no such order" only when the gateway says
 * ORDER_NOT_EXIST / RESOURCE_NOT_EXISTS; an unsigned 401 SIGN_ERROR is our configuration, not an
 * untrusted answer. The channels are driven through their `request` seam.
 */
import { createCombineChannel } from '../../../cloudfunctions/core/channels/wechatpay-combine/channel';
import { isGatewayNotFound, toGatewayAppError } from '../../../cloudfunctions/core/channels/wechatpay-v3/errors';
import { createJsapiChannel } from '../../../cloudfunctions/core/channels/wechatpay-jsapi/channel';
import { closeOutcomeOf, type V3ChannelDeps } from '../../../cloudfunctions/core/channels/wechatpay-v3/mapping';
import { WechatPayError } from '../../../cloudfunctions/core/gateways/wechatpay/errors';
import type { V3Response } from '../../../cloudfunctions/core/gateways/wechatpay/client';
import { freshCombineOrder, freshOrder, orderIn } from '../domain/orders/fixtures';

function response(status: number, data?: unknown): V3Response<unknown> {
  const body = data === undefined ? '' : JSON.stringify(data);
  return { status, headers: {}, body, data, requestId: 'REQ-1' };
}

/** A client whose every call answers with `answer` (a response, or an error to throw). */
function depsAnswering(answer: V3Response<unknown> | WechatPayError): V3ChannelDeps & { calls: string[] } {
  const calls: string[] = [];
  return {
    calls,
    config: { appid: 'wx0000000000000001', mchid: '1900000001', notifyUrl: 'https://m.example/notify', signer: { algorithm: 'SHA256withRSA', keyId: 'unused', sign: async () => 'unused' }, apiV3Key: 'x'.repeat(32), verifier: { has: () => false, verify: () => undefined } },
    client: {
      async request(method: string, path: string) {
        calls.push(`${method} ${path}`);
        if (answer instanceof WechatPayError) throw answer;
        return answer as V3Response<never>;
      },
    },
  };
}

/** What the v3 client throws for a non-2xx answer whose body is not the gateway's JSON. */
const foreign404 = () => new WechatPayError('HTTP_404', '<html>404 Not Found</html>', { status: 404 });

describe('closeOutcomeOf', () => {
  it('204 is closed; 202 is the payer paying (either spelling); any other 2xx confirms nothing', () => {
    expect(closeOutcomeOf(response(204), 'close')).toEqual({ kind: 'closed' });
    expect(closeOutcomeOf(response(202, { code: 'USER_PAYING', message: '用户支付中，需要输入密码' }), 'close')).toEqual({ kind: 'payerPaying', code: 'USER_PAYING', message: '用户支付中，需要输入密码' });
    expect(closeOutcomeOf(response(202, { code: 'USERPAYING', message: 'x' }), 'close')).toMatchObject({ kind: 'payerPaying', code: 'USERPAYING' });
    expect(closeOutcomeOf(response(202), 'close')).toMatchObject({ kind: 'payerPaying', code: 'HTTP_202' });
    expect(() => closeOutcomeOf(response(201, {}), 'close')).toThrow(expect.objectContaining({ code: 'RESPONSE_MALFORMED' }));
    expect(() => closeOutcomeOf(response(200, { code: 'SOMETHING' }), 'close')).toThrow(expect.objectContaining({ code: 'RESPONSE_MALFORMED' }));
  });
});

describe('channels map a close answered 202 to payerPaying, never closed', () => {
  const paying = response(202, { code: 'USER_PAYING', message: '用户支付中，需要输入密码' });

  it('jsapi', async () => {
    const deps = depsAnswering(paying);
    expect(await createJsapiChannel(deps).close(orderIn('PAYING', freshOrder()))).toEqual({ kind: 'payerPaying', code: 'USER_PAYING', message: '用户支付中，需要输入密码' });
    expect(deps.calls).toEqual([expect.stringMatching(/^POST \/v3\/pay\/transactions\/out-trade-no\/.+\/close$/)]);
    expect(await createJsapiChannel(depsAnswering(response(204))).close(orderIn('PAYING', freshOrder()))).toEqual({ kind: 'closed' });
  });

  it('combine', async () => {
    const deps = depsAnswering(response(202, { code: 'USERPAYING', message: '用户支付中' }));
    expect(await createCombineChannel(deps).close(orderIn('PAYING', freshCombineOrder()))).toMatchObject({ kind: 'payerPaying', code: 'USERPAYING' });
    expect(deps.calls).toEqual([expect.stringMatching(/^POST \/v3\/combine-transactions\/out-trade-no\/.+\/close$/)]);
    expect(await createCombineChannel(depsAnswering(response(204))).close(orderIn('PAYING', freshCombineOrder()))).toEqual({ kind: 'closed' });
  });
});

describe('a 404 is NOT_FOUND only in the gateway’s words', () => {
  it('jsapi query: ORDER_NOT_EXIST is NOT_FOUND; a proxy page, an empty 404 or an unknown path is an error', async () => {
    const order = orderIn('PAYING', freshOrder());
    expect(await createJsapiChannel(depsAnswering(new WechatPayError('ORDER_NOT_EXIST', '订单不存在', { status: 404 }))).query(order)).toEqual({ kind: 'NOT_FOUND' });
    for (const error of [foreign404(), new WechatPayError('HTTP_404', 'HTTP 404', { status: 404 }), new WechatPayError('NOT_FOUND', 'no such API', { status: 404 })]) {
      // An error: the gateway unavailable, never "no such order" (the gateway's answer is its cause).
      await expect(createJsapiChannel(depsAnswering(error)).query(order)).rejects.toMatchObject({ kind: 'unavailable', cause: error });
    }
  });

  it('combine query: the same', async () => {
    const order = orderIn('PAYING', freshCombineOrder());
    expect(await createCombineChannel(depsAnswering(new WechatPayError('ORDER_NOT_EXIST', '订单不存在', { status: 404 }))).query(order)).toEqual({ kind: 'NOT_FOUND' });
    await expect(createCombineChannel(depsAnswering(foreign404())).query(order)).rejects.toMatchObject({ kind: 'unavailable', cause: expect.objectContaining({ code: 'HTTP_404' }) });
  });

  it('isGatewayNotFound reads the code', () => {
    expect(isGatewayNotFound(new WechatPayError('ORDER_NOT_EXIST', 'x', { status: 404 }))).toBe(true);
    expect(isGatewayNotFound(new WechatPayError('RESOURCE_NOT_EXISTS', 'x', { status: 404 }))).toBe(true);
    expect(isGatewayNotFound(new WechatPayError('ORDERNOTEXIST', 'x', { status: 404 }))).toBe(true);
    expect(isGatewayNotFound(foreign404())).toBe(false);
    expect(isGatewayNotFound(new WechatPayError('NOT_FOUND', 'x', { status: 404 }))).toBe(false);
  });
});

describe('toGatewayAppError', () => {
  const cases: Array<[string, WechatPayError, string, boolean]> = [
    ['a proxy’s HTML 404', foreign404(), 'GATEWAY_UNAVAILABLE', true],
    ['an empty 404', new WechatPayError('HTTP_404', 'HTTP 404', { status: 404 }), 'GATEWAY_UNAVAILABLE', true],
    ['a 404 for an unknown path', new WechatPayError('NOT_FOUND', 'no such API', { status: 404 }), 'GATEWAY_UNAVAILABLE', true],
    ['a proxy’s HTML 403', new WechatPayError('HTTP_403', '<html>Forbidden</html>', { status: 403 }), 'GATEWAY_UNAVAILABLE', true],
    ['the gateway’s ORDER_NOT_EXIST', new WechatPayError('ORDER_NOT_EXIST', '订单不存在', { status: 404 }), 'GATEWAY_REJECTED', false],
    ['PARAM_ERROR', new WechatPayError('PARAM_ERROR', 'bad', { status: 400 }), 'GATEWAY_REJECTED', false],
    ['403 OUT_TRADE_NO_USED', new WechatPayError('OUT_TRADE_NO_USED', '商户订单号重复', { status: 403 }), 'GATEWAY_REJECTED', false],
    ['400 APPID_MCHID_NOT_MATCH', new WechatPayError('APPID_MCHID_NOT_MATCH', 'AppID和mch_id不匹配', { status: 400 }), 'GATEWAY_REJECTED', false],
    ['an unsigned 401 SIGN_ERROR', new WechatPayError('SIGN_ERROR', '错误的签名，验签失败', { status: 401 }), 'INTERNAL', true],
    ['a 500', new WechatPayError('SYSTEM_ERROR', 'x', { status: 500, retryable: true }), 'GATEWAY_UNAVAILABLE', true],
    ['an unsigned 200', new WechatPayError('RESPONSE_UNSIGNED', 'x', { status: 200 }), 'GATEWAY_UNTRUSTED', false],
  ];
  it.each(cases)('%s', (_name, error, code, retryable) => {
    const mapped = toGatewayAppError(error, 'close order');
    expect(mapped).toMatchObject({ code, retryable });
  });

  it('SIGN_ERROR says what to fix, not that the answer was untrusted', () => {
    expect(toGatewayAppError(new WechatPayError('SIGN_ERROR', '签名错误', { status: 401 }), 'create order').message).toMatch(/request signature.*merchant key/);
  });
});
