/**
 * Which channel checkout pays through (PAY_CHANNEL; a local build's `pay:channel` storage
 * override) and which sandbox cashier a local build posts v2 parameters to.
 */
import { payEnvFrom } from '../../../gulpfile';

type EnvModule = typeof import('../../../miniprogram/services/env');
type PaymentModule = typeof import('../../../miniprogram/services/payment');

function load<M extends object>(path: string, transport: 'local' | 'cloud', storage: Record<string, unknown>, channel: 'jsapi' | 'v2' = 'jsapi'): M {
  jest.resetModules();
  const g = globalThis as Record<string, unknown>;
  g.__PAY_ENV__ = { ...payEnvFrom({ PAY_TRANSPORT: transport }), channel };
  g.wx = { getStorageSync: (key: string) => storage[key] ?? '' };
  return jest.requireActual<M>(path);
}

afterEach(() => {
  const g = globalThis as Record<string, unknown>;
  delete g.__PAY_ENV__;
  delete g.wx;
});

it('PAY_CHANNEL: jsapi by default, v2 or huifu when asked, anything else refused at build time', () => {
  expect(payEnvFrom({}).channel).toBe('jsapi');
  expect(payEnvFrom({ PAY_CHANNEL: 'v2' }).channel).toBe('v2');
  expect(payEnvFrom({ PAY_CHANNEL: 'huifu' }).channel).toBe('huifu');
  expect(() => payEnvFrom({ PAY_CHANNEL: 'v2app' })).toThrow('PAY_CHANNEL must be "jsapi", "v2" or "huifu", got "v2app"');
});

it('a local build follows the pay:channel storage override; a cloud build only its PAY_CHANNEL', () => {
  expect(load<EnvModule>('../../../miniprogram/services/env', 'local', {}).checkoutChannel()).toBe('jsapi');
  expect(load<EnvModule>('../../../miniprogram/services/env', 'local', { 'pay:channel': 'v2' }).checkoutChannel()).toBe('v2');
  expect(load<EnvModule>('../../../miniprogram/services/env', 'local', { 'pay:channel': 'huifu' }).checkoutChannel()).toBe('huifu');
  expect(load<EnvModule>('../../../miniprogram/services/env', 'local', { 'pay:channel': 'alipay' }).checkoutChannel()).toBe('jsapi');
  expect(load<EnvModule>('../../../miniprogram/services/env', 'cloud', { 'pay:channel': 'v2' }).checkoutChannel()).toBe('jsapi');
  expect(load<EnvModule>('../../../miniprogram/services/env', 'cloud', {}, 'v2').checkoutChannel()).toBe('v2');
});

it('the local cashier of the API version that signed: RSA → APIv3 cashier, MD5 / HMAC-SHA256 → APIv2 cashier', () => {
  const { cashierPathOf } = load<PaymentModule>('../../../miniprogram/services/payment', 'local', {});
  const params = { timeStamp: '1', nonceStr: 'n', package: 'prepay_id=p' , paySign: 's' };
  expect(cashierPathOf({ ...params, signType: 'RSA' })).toBe('/sandbox/cashier/');
  expect(cashierPathOf({ ...params, signType: 'MD5' })).toBe('/sandbox/v2/cashier/');
  expect(cashierPathOf({ ...params, signType: 'HMAC-SHA256' })).toBe('/sandbox/v2/cashier/');
});
