/**
 * The gulp build's pieces, run into temp folders: mini-program output, Vant selection, build-time
 * config, and a cloud-function bundle that loads on its own with the real wx-server-sdk.
 */
import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, readdirSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { buildCloudFunctions, buildMiniprogram, copyUsedVant, payEnvFrom, PAY_ENV_DEFAULTS } from '../../../gulpfile';
import { generateKeyPairSync } from 'node:crypto';
import { allPages, readAppJson } from '../../../deploy/miniprogram-packages';

jest.setTimeout(60_000);

const ROOT = resolve(__dirname, '../../..');
let tmp: string;
beforeAll(() => {
  tmp = mkdtempSync(join(tmpdir(), 'build-test-'));
});
afterAll(() => rmSync(tmp, { recursive: true, force: true }));

function filesUnder(dir: string): string[] {
  return readdirSync(dir, { recursive: true, withFileTypes: true })
    .filter((e) => e.isFile())
    .map((e) => join(e.parentPath, e.name));
}

describe('payEnvFrom (build-time config of the mini-program)', () => {
  it('takes defaults and the PAY_* variables', () => {
    expect(payEnvFrom({})).toEqual(PAY_ENV_DEFAULTS);
    expect(payEnvFrom({ PAY_TRANSPORT: 'cloud', PAY_CLOUD_ENV: 'prod-1a2b', PAY_HOST_URL: 'http://10.0.0.2:9401/', PAY_MAX_AMOUNT_FEN: '500' })).toMatchObject({
      transport: 'cloud',
      cloudEnv: 'prod-1a2b',
      hostUrl: 'http://10.0.0.2:9401',
      maxAmountFen: 500,
    });
  });
  it('rejects bad values with the variable named', () => {
    expect(() => payEnvFrom({ PAY_TRANSPORT: 'http' })).toThrow(/PAY_TRANSPORT/);
    expect(() => payEnvFrom({ PAY_MAX_AMOUNT_FEN: '12.5' })).toThrow(/PAY_MAX_AMOUNT_FEN/);
    expect(() => payEnvFrom({ PAY_HOST_URL: 'localhost:9401' })).toThrow(/PAY_HOST_URL/);
  });
});

describe('buildMiniprogram', () => {
  let out: string;
  beforeAll(async () => {
    out = join(tmp, 'miniprogram');
    // Merchant secrets in the build's environment must not reach the output.
    const env = payEnvFrom({ PAY_HOST_URL: 'http://10.9.8.7:1234', PAY_MERCHANT_NAME: '测试商户' });
    // A real key made now (none is committed), as a merchant's env would hold it.
    const privatePem = generateKeyPairSync('rsa', { modulusLength: 2048 }).privateKey.export({ type: 'pkcs8', format: 'pem' }).toString();
    const secrets = { WECHATPAY_API_V3_KEY: 'SECRETv3KEY-must-not-leak-0123456', WECHATPAY_MCH_PRIVATE_KEY: privatePem };
    const saved = { ...process.env };
    Object.assign(process.env, secrets);
    try {
      await buildMiniprogram({ outDir: out, env });
    } finally {
      for (const k of Object.keys(secrets)) if (!(k in saved)) delete process.env[k];
    }
  });

  it('compiles TS to CommonJS per file and copies WXML/WXSS/JSON, but not tsconfig or typings', () => {
    expect(existsSync(join(out, 'app.js'))).toBe(true);
    expect(existsSync(join(out, 'app.json'))).toBe(true);
    for (const f of ['pages/index/index.js', 'pages/index/index.wxml', 'pages/index/index.wxss', 'pages/index/index.json', 'services/api.js']) {
      expect(existsSync(join(out, f))).toBe(true);
    }
    expect(existsSync(join(out, 'tsconfig.json'))).toBe(false);
    expect(filesUnder(out).filter((f) => f.endsWith('.ts'))).toEqual([]);
    expect(readFileSync(join(out, 'services/api.js'), 'utf8')).toMatch(/require\("\.\/transport"\)/);
  });

  it('has every page app.json lists (subpackages included)', () => {
    const pages = allPages(readAppJson(out));
    expect(pages[0]).toBe('pages/index/index');
    for (const page of pages) for (const ext of ['.js', '.json', '.wxml']) expect(`${page}${ext} ${existsSync(join(out, page + ext))}`).toBe(`${page}${ext} true`);
  });

  it('injects the build-time config and nothing else', () => {
    const envJs = readFileSync(join(out, 'services/env.js'), 'utf8');
    expect(envJs).not.toContain('__PAY_ENV__');
    expect(envJs).toContain('http://10.9.8.7:1234');
    expect(envJs).toContain('测试商户');
    const everything = filesUnder(out).map((f) => readFileSync(f, 'utf8')).join('\n');
    expect(everything).not.toContain('SECRETv3KEY');
    expect(everything).not.toContain('PRIVATE KEY');
  });

  it('copies only the Vant components in use, with what they need', () => {
    const vant = readdirSync(join(out, 'miniprogram_npm/@vant/weapp'));
    // Used by pages/index (and pulled in by them): button → loading/icon, dialog → popup → overlay …
    for (const dir of ['button', 'cell', 'cell-group', 'loading', 'toast', 'dialog', 'popup', 'overlay', 'transition', 'icon', 'common', 'mixins', 'wxs']) {
      expect(vant).toContain(dir);
    }
    // Never referenced by any page.
    for (const dir of ['calendar', 'uploader', 'tree-select', 'area']) expect(vant).not.toContain(dir);
    // Every relative reference inside the copied Vant resolves.
    for (const file of filesUnder(join(out, 'miniprogram_npm')).filter((f) => /\.(json|js)$/.test(f))) {
      for (const m of readFileSync(file, 'utf8').matchAll(/\.\.\/([a-z0-9-]+)\//g)) expect(vant).toContain(m[1]);
    }
  });

  it('resolves every usingComponents path of the output', () => {
    for (const file of filesUnder(out).filter((f) => f.endsWith('.json') && !f.includes('miniprogram_npm'))) {
      const using = (JSON.parse(readFileSync(file, 'utf8')) as { usingComponents?: Record<string, string> }).usingComponents ?? {};
      for (const path of Object.values(using)) {
        const target = path.startsWith('/') ? join(out, path) : resolve(file, '..', path);
        expect(`${file}: ${path} ${existsSync(target + '.json')}`).toBe(`${file}: ${path} true`);
      }
    }
  });

  it('removes output whose source is gone on a rebuild (dev renames)', async () => {
    const stale = join(out, 'pages/renamed/index.js');
    mkdirSync(join(out, 'pages/renamed'), { recursive: true });
    writeFileSync(stale, '// from a page that no longer exists');
    await buildMiniprogram({ outDir: out, env: payEnvFrom({}) });
    expect(existsSync(stale)).toBe(false);
    expect(existsSync(join(out, 'pages/index/index.js'))).toBe(true);
  });

  it('drops Vant folders that are no longer used on a rebuild', () => {
    const fake = join(out, 'miniprogram_npm/@vant/weapp/calendar');
    mkdirSync(fake, { recursive: true });
    copyUsedVant(out);
    expect(existsSync(fake)).toBe(false);
  });
});

describe('buildCloudFunctions', () => {
  let out: string;
  const inputs: Record<string, string[]> = {};
  beforeAll(async () => {
    out = join(tmp, 'cloudfunctions');
    await buildCloudFunctions({ outDir: out, only: ['login'], onInputs: (name, files) => (inputs[name] = files) });
  });

  it('writes one bundle, a package.json depending on wx-server-sdk, and no config.json for login', () => {
    expect(readdirSync(join(out, 'login')).sort()).toEqual(['index.js', 'package.json']);
    const pkg = JSON.parse(readFileSync(join(out, 'login/package.json'), 'utf8'));
    const rootPkg = JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8'));
    expect(pkg).toMatchObject({ name: 'login', main: 'index.js', dependencies: { 'wx-server-sdk': rootPkg.dependencies['wx-server-sdk'] } });
  });

  it('bundles no test or sandbox code, and leaves wx-server-sdk external', () => {
    const code = readFileSync(join(out, 'login/index.js'), 'utf8');
    // The bundle is minified: its sources come from esbuild's metafile.
    const sources = inputs.login ?? [];
    expect(sources).toContain('cloudfunctions/login/index.ts');
    expect(sources.filter((s) => /^(sandbox|test|miniprogram)\//.test(s))).toEqual([]);
    expect(code).not.toMatch(/wx-server-sdk-local|miniprogram-simulate|jest/);
    expect(code).toMatch(/require\("wx-server-sdk"\)/);
  });

  it('loads with require in a folder of its own, resolving wx-server-sdk from its own node_modules', () => {
    // A deployed function: its folder, its package.json, its node_modules — nothing of this repo
    // on the resolution path. (The SDK is linked in, as `npm install` in that folder would put it.)
    const deployed = mkdtempSync(join(tmpdir(), 'deployed-login-'));
    try {
      for (const f of ['index.js', 'package.json']) writeFileSync(join(deployed, f), readFileSync(join(out, 'login', f)));
      mkdirSync(join(deployed, 'node_modules'));
      symlinkSync(join(ROOT, 'node_modules/wx-server-sdk'), join(deployed, 'node_modules/wx-server-sdk'), 'dir');
      const script = `
        const { main } = require('./index.js');
        main({ openid: 'oMallory' }).then((r) => console.log(JSON.stringify(r)));`;
      // The real SDK reads the caller from the WX_* env vars named in WX_CONTEXT_KEYS, as the cloud runtime sets them.
      const stdout = execFileSync(process.execPath, ['-e', script], {
        cwd: deployed,
        env: { PATH: process.env.PATH, WX_CONTEXT_KEYS: 'WX_OPENID,WX_APPID', WX_OPENID: 'oDeployedCaller', WX_APPID: 'wxdeployed' },
        encoding: 'utf8',
      });
      expect(JSON.parse(stdout.trim().split('\n').pop()!)).toEqual({ ok: true, data: { openid: 'oDeployedCaller', appid: 'wxdeployed' } });
    } finally {
      rmSync(deployed, { recursive: true, force: true });
    }
  });
});

describe('buildCloudFunctions: the sqlite adapter beside the bundle', () => {
  let out: string;
  const inputs: Record<string, string[]> = {};
  beforeAll(async () => {
    out = join(tmp, 'cloudfunctions-side');
    await buildCloudFunctions({ outDir: out, only: ['pay'], onInputs: (name, files) => (inputs[name] = files) });
  });

  it('keeps the sqlite adapter out of index.js and ships it as sqlite/store.js', () => {
    // Side bundles beside it: the sqlite adapter, CloudBase's PayScore repository, the APIv2, Huifu and PayScore families, the daily reconciliation file check and the trade bill reader.
    expect(readdirSync(join(out, 'pay')).sort()).toEqual(['cloudbase', 'huifu', 'index.js', 'orders', 'package.json', 'payscore', 'sqlite', 'wechatpay-v2', 'wechatpay-v3']);
    expect((inputs.pay ?? []).filter((s) => s.startsWith('cloudfunctions/core/store/sqlite/'))).toEqual([]);
    expect(readFileSync(join(out, 'pay/index.js'), 'utf8')).toMatch(/require\("\.\/sqlite\/store"\)/);
    expect(existsSync(join(out, 'pay/sqlite/store.js'))).toBe(true);
    expect((inputs.pay ?? []).filter((s) => s.startsWith('cloudfunctions/core/channels/huifu/') && !s.endsWith('notification-endpoint.ts'))).toEqual([]);
    expect(existsSync(join(out, 'pay/huifu/channel.js'))).toBe(true);
  });

  it('keeps the APIv2 channels out of index.js and ships them as wechatpay-v2/wiring.js (loaded only with a wechatpayV2 section)', () => {
    expect((inputs.pay ?? []).filter((s) => s.startsWith('cloudfunctions/core/channels/wechatpay-v2/') && !s.endsWith('notification-endpoint.ts'))).toEqual([]);
    expect((inputs.pay ?? []).filter((s) => /gateways\/wechatpay\/v2\/(orders|refunds|client)\.ts$/.test(s))).toEqual([]);
    expect(readFileSync(join(out, 'pay/index.js'), 'utf8')).toMatch(/require\("\.\/wechatpay-v2\/wiring"\)/);
    expect(existsSync(join(out, 'pay/wechatpay-v2/wiring.js'))).toBe(true);
  });

  it('keeps the trade bill reader out of index.js and ships it as wechatpay-v3/statement.js (loaded by the first daily statement)', () => {
    expect((inputs.pay ?? []).filter((s) => /(gateways\/wechatpay\/v3\/bill|channels\/wechatpay-v3\/statement)\.ts$/.test(s))).toEqual([]);
    expect(readFileSync(join(out, 'pay/index.js'), 'utf8')).toMatch(/require\("\.\/wechatpay-v3\/statement"\)/);
    expect(existsSync(join(out, 'pay/wechatpay-v3/statement.js'))).toBe(true);
  });

  it('keeps the CloudBase PayScore repository out of index.js and ships it as cloudbase/payscore.js (loaded at its first call)', () => {
    expect((inputs.pay ?? []).filter((s) => /store\/(cloudbase\/payscore|payscore-checks)\.ts$/.test(s))).toEqual([]);
    expect(readFileSync(join(out, 'pay/index.js'), 'utf8')).toMatch(/require\("\.\/cloudbase\/payscore"\)/);
    expect(existsSync(join(out, 'pay/cloudbase/payscore.js'))).toBe(true);
  });

  it('opens a sqlite store through the side bundle, whose errors carry the store-error brand index.js checks', () => {
    // The side bundle has its own copy of StoreError: recognising it must not depend on class identity.
    const script = `
      const { openSqliteStore } = require('./sqlite/store.js');
      const store = openSqliteStore(':memory:');
      (async () => {
        const first = await store.recordNotification('n1', { eventType: 'X', receivedAt: 1 });
        let code;
        let branded;
        try { await store.listAlerts({ limit: 1, cursor: 'not-a-cursor' }); } catch (e) { code = e.code; branded = e[Symbol.for('wxpay-miniprogram-stack.StoreError')]; }
        console.log(JSON.stringify({ first, code, branded }));
      })();`;
    const stdout = execFileSync(process.execPath, ['-e', script], { cwd: join(out, 'pay'), encoding: 'utf8', env: { PATH: process.env.PATH, NODE_PATH: join(ROOT, 'node_modules') } });
    expect(JSON.parse(stdout.trim().split('\n').pop()!)).toEqual({ first: true, code: 'INVALID_CURSOR', branded: true });
  });
});
