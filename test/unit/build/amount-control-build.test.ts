/**
 * The build's amount-control step: which `@tenpay/wechatpay-miniprogram` a build places at
 * miniprogram_npm (the merchant's real copy, the sandbox's stand-in, or none), and that the
 * stand-in never reaches a cloud build.
 */
import { existsSync, mkdirSync, mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { amountControlModeFrom, buildMiniprogram, payEnvFrom, pointAmountControl } from '../../../gulpfile';

jest.setTimeout(60_000);

const PACKAGE = 'miniprogram_npm/@tenpay/wechatpay-miniprogram';
let tmp: string;
beforeAll(() => {
  tmp = mkdtempSync(join(tmpdir(), 'amount-control-build-'));
});
afterAll(() => rmSync(tmp, { recursive: true, force: true }));

function filesUnder(dir: string): string[] {
  return readdirSync(dir, { recursive: true, withFileTypes: true })
    .filter((e) => e.isFile())
    .map((e) => join(e.parentPath, e.name));
}

function checkoutUsing(out: string): Record<string, string> {
  return (JSON.parse(readFileSync(join(out, 'pages/checkout/index.json'), 'utf8')) as { usingComponents: Record<string, string> }).usingComponents;
}

describe('amountControlModeFrom (PAY_AMOUNT_CONTROL)', () => {
  it('auto: the stand-in in local builds; in cloud builds the real package when installed, else none', () => {
    expect(amountControlModeFrom({}, 'local', false)).toBe('stand-in');
    expect(amountControlModeFrom({}, 'local', true)).toBe('stand-in');
    expect(amountControlModeFrom({}, 'cloud', true)).toBe('official');
    expect(amountControlModeFrom({}, 'cloud', false)).toBe('off');
    expect(amountControlModeFrom({ PAY_AMOUNT_CONTROL: 'auto' }, 'cloud', false)).toBe('off');
  });

  it('takes an explicit choice', () => {
    expect(amountControlModeFrom({ PAY_AMOUNT_CONTROL: 'off' }, 'local', false)).toBe('off');
    expect(amountControlModeFrom({ PAY_AMOUNT_CONTROL: 'official' }, 'local', true)).toBe('official');
    expect(amountControlModeFrom({ PAY_AMOUNT_CONTROL: 'stand-in' }, 'local', false)).toBe('stand-in');
  });

  it('refuses the stand-in in a cloud build, "official" without the package, and unknown values', () => {
    expect(() => amountControlModeFrom({ PAY_AMOUNT_CONTROL: 'stand-in' }, 'cloud', false)).toThrow(/local builds only/);
    expect(() => amountControlModeFrom({ PAY_AMOUNT_CONTROL: 'official' }, 'cloud', false)).toThrow(/@tenpay\/wechatpay-miniprogram/);
    expect(() => amountControlModeFrom({ PAY_AMOUNT_CONTROL: 'plugin' }, 'local', false)).toThrow(/PAY_AMOUNT_CONTROL/);
  });
});

describe('pointAmountControl', () => {
  const json = JSON.stringify({ usingComponents: { 'wechatpay-payment': `/${PACKAGE}/WechatPayment`, 'van-button': '/miniprogram_npm/@vant/weapp/button/index' } });
  it('points the registration at the package’s component, or drops it', () => {
    expect(JSON.parse(pointAmountControl(json, 'WechatPayment/index')).usingComponents['wechatpay-payment']).toBe(`/${PACKAGE}/WechatPayment/index`);
    expect(JSON.parse(pointAmountControl(json, undefined)).usingComponents).toEqual({ 'van-button': '/miniprogram_npm/@vant/weapp/button/index' });
    expect(pointAmountControl('{"component": true}', undefined)).toBe('{"component": true}');
  });
});

describe('buildMiniprogram with each amount control', () => {
  it('local build: the stand-in at the package path, marked as the sandbox’s, registered by checkout', async () => {
    const out = join(tmp, 'local');
    await expect(buildMiniprogram({ outDir: out, env: payEnvFrom({}) })).resolves.toMatchObject({ amountControl: 'stand-in' });
    expect(readdirSync(join(out, PACKAGE)).sort()).toEqual(['WechatPayment.js', 'WechatPayment.json', 'WechatPayment.wxml', 'WechatPayment.wxss', 'index.js']);
    expect(checkoutUsing(out)['wechatpay-payment']).toBe(`/${PACKAGE}/WechatPayment`);
    expect(readFileSync(join(out, PACKAGE, 'index.js'), 'utf8')).toContain('isSandboxStandIn');
    expect(readFileSync(join(out, PACKAGE, 'WechatPayment.wxml'), 'utf8')).toContain('本地沙箱');
    // Bundled on its own: the local cashier it opens is inside, nothing reaches outside the package.
    const code = readFileSync(join(out, PACKAGE, 'WechatPayment.js'), 'utf8');
    expect(code).toContain('/sandbox/cashier/');
    expect(code).not.toMatch(/require\("\.\.?\//);
  });

  it('cloud build without the merchant’s package: no control at all, checkout keeps only the keypad, and a rebuild removes a stand-in left over', async () => {
    const out = join(tmp, 'cloud');
    await buildMiniprogram({ outDir: out, env: payEnvFrom({}) }); // a local build first, in the same folder
    expect(existsSync(join(out, PACKAGE))).toBe(true);
    const result = await buildMiniprogram({ outDir: out, env: payEnvFrom({ PAY_TRANSPORT: 'cloud' }), amountControlPackageDir: join(tmp, 'not-installed') });
    expect(result.amountControl).toBe('off');
    expect(existsSync(join(out, 'miniprogram_npm/@tenpay'))).toBe(false);
    expect(checkoutUsing(out)['wechatpay-payment']).toBeUndefined();
    expect(checkoutUsing(out)['amount-keypad']).toBe('/components/amount-keypad/index');
    const everything = filesUnder(out).map((f) => readFileSync(f, 'utf8')).join('\n');
    expect(everything).not.toContain('isSandboxStandIn');
    expect(everything).not.toContain('本地沙箱 · 金额控件替身');
  });

  it('cloud build with the merchant’s copy of @tenpay/wechatpay-miniprogram: its mini-program folder, checkout registered to its component', async () => {
    // A package shaped as the published pages and DevTools' npm rules say (contents are ours, for the test).
    const pkg = join(tmp, 'tenpay-pkg');
    mkdirSync(join(pkg, 'dist/WechatPayment'), { recursive: true });
    writeFileSync(join(pkg, 'package.json'), JSON.stringify({ name: '@tenpay/wechatpay-miniprogram', miniprogram: 'dist' }));
    writeFileSync(join(pkg, 'dist/index.js'), 'module.exports = { isSupportScanPosPay: () => Promise.resolve(true) };\n');
    for (const ext of ['js', 'json', 'wxml']) writeFileSync(join(pkg, `dist/WechatPayment/index.${ext}`), ext === 'json' ? '{"component":true}' : '');
    writeFileSync(join(pkg, 'README.md'), 'not shipped');

    const out = join(tmp, 'official');
    const result = await buildMiniprogram({ outDir: out, env: payEnvFrom({ PAY_TRANSPORT: 'cloud' }), amountControlPackageDir: pkg });
    expect(result.amountControl).toBe('official');
    expect(filesUnder(join(out, PACKAGE)).map((f) => f.slice(join(out, PACKAGE).length + 1)).sort()).toEqual([
      'WechatPayment/index.js',
      'WechatPayment/index.json',
      'WechatPayment/index.wxml',
      'index.js',
    ]);
    expect(checkoutUsing(out)['wechatpay-payment']).toBe(`/${PACKAGE}/WechatPayment/index`);
  });

  it('refuses a package without the WechatPayment component', async () => {
    const pkg = join(tmp, 'broken-pkg');
    mkdirSync(join(pkg, 'miniprogram_dist'), { recursive: true });
    writeFileSync(join(pkg, 'package.json'), JSON.stringify({ name: '@tenpay/wechatpay-miniprogram' }));
    writeFileSync(join(pkg, 'miniprogram_dist/index.js'), '');
    await expect(
      buildMiniprogram({ outDir: join(tmp, 'broken'), env: payEnvFrom({ PAY_TRANSPORT: 'cloud' }), amountControl: 'official', amountControlPackageDir: pkg }),
    ).rejects.toThrow(/no WechatPayment component/);
  });
});
