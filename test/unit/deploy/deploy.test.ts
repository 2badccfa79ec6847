/**
 * npm run deploy: the merchant config validated first, every built function with its files and
 * timer trigger in the plan, the mini-program only as a cloud build, the upload key only from a
 * file outside the repository; `--dry-run` prints the plan and loads nothing; a real run calls
 * miniprogram-ci as its README documents (checked against a recording stand-in: the real upload
 * cannot run here).
 */
import { execFileSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { generateKeyPairSync } from 'node:crypto';
import { deploy, parseDeployArgs } from '../../../deploy';
import type { MiniprogramCi } from '../../../deploy/miniprogram-ci';
import { buildDeployPlan, DeployError, formatPlan } from '../../../deploy/plan';
import { executePlan } from '../../../deploy/run';

const REPO = resolve(__dirname, '../../..');
let outside: string; // configs and the key live outside the (fake) repository
let repo: string;

const APPID = 'wx0123456789abcdef';

function writeRepo(): void {
  const fn = (name: string, extra: Record<string, string> = {}) => {
    const dir = join(repo, 'dist/cloudfunctions', name);
    mkdirSync(join(dir, 'sqlite'), { recursive: true });
    writeFileSync(join(dir, 'index.js'), `exports.main = () => '${name}';\n`);
    writeFileSync(join(dir, 'package.json'), '{"dependencies":{"wx-server-sdk":"4.0.2"}}\n');
    for (const [file, text] of Object.entries(extra)) writeFileSync(join(dir, file), text);
  };
  fn('pay');
  fn('reconcile', { 'config.json': '{"triggers":[{"name":"everyMinute","type":"timer","config":"0 * * * * * *"}]}' });
  mkdirSync(join(repo, 'dist/miniprogram/services'), { recursive: true });
  writeFileSync(join(repo, 'dist/miniprogram/services/env.js'), 'const env = {"transport":"cloud","cloudEnv":"prod-1"};\n');
  writeFileSync(join(repo, 'project.config.json'), '{"miniprogramRoot":"dist/miniprogram/"}');
}

function writeConfig(overrides: Record<string, unknown> = {}): string {
  const key = generateKeyPairSync('rsa', { modulusLength: 2048 });
  writeFileSync(join(outside, 'apiclient_key.pem'), key.privateKey.export({ type: 'pkcs8', format: 'pem' }) as string);
  writeFileSync(join(outside, 'pub.pem'), key.publicKey.export({ type: 'spki', format: 'pem' }) as string);
  const config = {
    appid: APPID,
    admins: ['o-admin'],
    amount: { minFen: 1, maxFen: 5_000_000 },
    defaultDescription: '商品',
    store: { kind: 'cloudbase' },
    wechatpayV3: {
      mchid: '1900000001',
      merchant: { serialNo: '5157F09EFDC096DE15EBE81A47057A7232F1B8E1', privateKeyFile: 'apiclient_key.pem' },
      platform: { publicKeyId: 'PUB_KEY_ID_0000000000000000000000000001', publicKeyFile: 'pub.pem' },
      apiV3Key: 'a'.repeat(32),
      notifyUrl: 'https://example.com/payNotify',
    },
    ...overrides,
  };
  const file = join(outside, 'merchant.json');
  writeFileSync(file, JSON.stringify(config));
  return file;
}

beforeEach(() => {
  outside = mkdtempSync(join(tmpdir(), 'deploy-outside-'));
  repo = mkdtempSync(join(tmpdir(), 'deploy-repo-'));
  writeRepo();
});
afterEach(() => {
  rmSync(outside, { recursive: true, force: true });
  rmSync(repo, { recursive: true, force: true });
});

const envWith = (extra: Record<string, string> = {}) => ({ PAY_CONFIG_FILE: writeConfig(), PAY_CLOUD_ENV: 'prod-1', ...extra });
const refusal = (run: () => unknown): string => {
  try {
    run();
  } catch (error) {
    if (error instanceof DeployError) return error.message;
    throw error;
  }
  throw new Error('expected a DeployError');
};

describe('deploy plan', () => {
  it('lists every built function with its files and trigger, and the mini-program upload', () => {
    const plan = buildDeployPlan({ root: repo, env: envWith(), miniprogram: { mode: 'upload', version: '1.2.3', desc: 'console' } });
    expect(plan).toMatchObject({ appid: APPID, cloudEnv: 'prod-1', remoteNpmInstall: true, miniprogram: { mode: 'upload', version: '1.2.3', desc: 'console' } });
    expect(plan.functions.map((f) => [f.name, f.files.map((x) => x.path), f.trigger])).toEqual([
      ['pay', ['index.js', 'package.json'], undefined],
      ['reconcile', ['config.json', 'index.js', 'package.json'], { name: 'everyMinute', type: 'timer', config: '0 * * * * * *' }],
    ]);
  });

  it('validates the merchant config first: a broken field, a sqlite store, a bad appid, no cloud env', () => {
    expect(refusal(() => buildDeployPlan({ root: repo, env: { PAY_CONFIG_FILE: writeConfig({ admins: 'o-admin' }), PAY_CLOUD_ENV: 'e' } }))).toMatch(/^merchant config: .*admins/);
    expect(refusal(() => buildDeployPlan({ root: repo, env: { PAY_CONFIG_FILE: writeConfig({ store: { kind: 'sqlite', file: 'x.db' } }), PAY_CLOUD_ENV: 'e' } }))).toMatch(/cloudbase/);
    expect(refusal(() => buildDeployPlan({ root: repo, env: { PAY_CONFIG_FILE: writeConfig({ appid: 'touristappid' }), PAY_CLOUD_ENV: 'e' } }))).toMatch(/appid/);
    expect(refusal(() => buildDeployPlan({ root: repo, env: { PAY_CONFIG_FILE: writeConfig() } }))).toMatch(/PAY_CLOUD_ENV is not set/);
    expect(refusal(() => buildDeployPlan({ root: repo, env: { PAY_CLOUD_ENV: 'e' } }))).toMatch(/PAY_CONFIG_FILE/);
  });

  it('takes the upload key only from a file outside the repository', () => {
    writeFileSync(join(repo, 'private.key'), 'secret');
    expect(refusal(() => buildDeployPlan({ root: repo, env: envWith({ MINIPROGRAM_CI_KEY_FILE: join(repo, 'private.key') }) }))).toMatch(/inside the repository/);
    expect(refusal(() => buildDeployPlan({ root: repo, env: envWith({ MINIPROGRAM_CI_KEY_FILE: join(outside, 'missing.key') }) }))).toMatch(/no file/);
    writeFileSync(join(outside, 'private.key'), 'secret');
    expect(buildDeployPlan({ root: repo, env: envWith({ MINIPROGRAM_CI_KEY_FILE: join(outside, 'private.key') }) }).keyFile).toBe(join(outside, 'private.key'));
  });

  it('refuses a local mini-program build, a bad version or robot, two triggers, and a missing build', () => {
    writeFileSync(join(repo, 'dist/miniprogram/services/env.js'), 'const env = {"transport":"local"};');
    expect(refusal(() => buildDeployPlan({ root: repo, env: envWith(), miniprogram: { mode: 'preview', qrcodeOutput: '/tmp/q.jpg' } }))).toMatch(/local build/);
    // Functions alone do not need the mini-program build.
    expect(buildDeployPlan({ root: repo, env: envWith() }).miniprogram).toBeUndefined();
    writeFileSync(join(repo, 'dist/miniprogram/services/env.js'), 'const env = {"transport":"cloud"};');
    expect(refusal(() => buildDeployPlan({ root: repo, env: envWith(), miniprogram: { mode: 'upload', version: 'v1' } }))).toMatch(/1\.2\.3/);
    expect(refusal(() => buildDeployPlan({ root: repo, env: envWith(), robot: 31 }))).toMatch(/robot/);
    writeFileSync(join(repo, 'dist/cloudfunctions/reconcile/config.json'), '{"triggers":[{"name":"a","type":"timer","config":"0 * * * * * *"},{"name":"b","type":"timer","config":"0 * * * * * *"}]}');
    expect(refusal(() => buildDeployPlan({ root: repo, env: envWith() }))).toMatch(/2 triggers/);
    rmSync(join(repo, 'dist/cloudfunctions'), { recursive: true });
    expect(refusal(() => buildDeployPlan({ root: repo, env: envWith() }))).toMatch(/npm run build/);
  });

  it('parses the command line', () => {
    expect(parseDeployArgs(['--dry-run'], repo)).toEqual({ dryRun: true });
    expect(parseDeployArgs(['--upload', '--version', '1.0.0', '--desc', 'first', '--robot', '2'], repo)).toEqual({ dryRun: false, miniprogram: { mode: 'upload', version: '1.0.0', desc: 'first' }, robot: 2 });
    expect(parseDeployArgs(['--preview', '--qrcode', 'q.png'], repo)).toEqual({ dryRun: false, miniprogram: { mode: 'preview', qrcodeOutput: join(repo, 'q.png') } });
    expect(refusal(() => parseDeployArgs(['--upload'], repo))).toMatch(/--version/);
    expect(refusal(() => parseDeployArgs(['--preview', '--upload'], repo))).toMatch(/not both/);
    expect(refusal(() => parseDeployArgs(['--force'], repo))).toMatch(/unknown option/);
  });
});

describe('deploy --dry-run', () => {
  it('prints exactly what would be uploaded, and loads no uploader', async () => {
    const lines: string[] = [];
    await deploy(['--dry-run', '--preview', '--desc', 'try the console'], repo, envWith(), (line) => lines.push(line));
    const text = lines.join('\n');
    expect(text.split('\n')).toEqual([
      'Deploy plan (dry run: nothing is uploaded)',
      `merchant config: ${join(outside, 'merchant.json')} — valid; appid ${APPID}; store cloudbase`,
      // A gateway section the merchant does not have is said, not refused (any subset may be configured).
      '  note: WeChat Pay APIv2 is not configured (no "wechatpayV2" section): channels v2, v2app disabled',
      '  note: Huifu DouGong is not configured (no "huifu" section): channel huifu disabled',
      'cloud environment: prod-1',
      'upload key: MINIPROGRAM_CI_KEY_FILE not set (required for a real upload)',
      'cloud functions (2), uploaded with remoteNpmInstall (dependencies installed in the cloud):',
      expect.stringMatching(/^ {2}pay {2}dist\/cloudfunctions\/pay {2}2 files, \d+ bytes$/),
      expect.stringMatching(/^ {4}index\.js {2}\d+ bytes$/),
      expect.stringMatching(/^ {4}package\.json {2}\d+ bytes$/),
      '    timer trigger: none',
      expect.stringMatching(/^ {2}reconcile {2}dist\/cloudfunctions\/reconcile {2}3 files/),
      expect.stringMatching(/^ {4}config\.json/),
      expect.stringMatching(/^ {4}index\.js/),
      expect.stringMatching(/^ {4}package\.json/),
      '    timer trigger everyMinute: 0 * * * * * *',
      `mini-program: preview of dist/miniprogram, description "try the console", QR code → ${join(repo, 'dist/preview-qrcode.jpg')}`,
    ]);
  });

  it('sizes the mini-program\'s main package and subpackages, and refuses a package WeChat would refuse (> 2 M)', () => {
    const mp = join(repo, 'dist/miniprogram');
    writeFileSync(join(mp, 'app.json'), JSON.stringify({ pages: ['pages/index/index'], subpackages: [{ root: 'pages/admin', name: 'admin', pages: ['index/index'] }] }));
    mkdirSync(join(mp, 'pages/admin/index'), { recursive: true });
    writeFileSync(join(mp, 'pages/admin/index/index.js'), 'x'.repeat(2048));
    const plan = buildDeployPlan({ root: repo, env: envWith(), miniprogram: { mode: 'upload', version: '1.2.3' } });
    expect(plan.miniprogram?.packages?.map((p) => [p.name, p.root, p.bytes])).toEqual([
      ['__APP__', '', expect.any(Number)],
      ['admin', 'pages/admin', 2048],
    ]);
    expect(formatPlan(plan, true)).toMatch(/^ {2}packages \(KiB = 1,024 bytes, ≤ 2048 each\): main \d+\.\d KiB, admin \(pages\/admin\) 2\.0 KiB$/m);
    writeFileSync(join(mp, 'pages/admin/index/index.js'), 'x'.repeat(2 * 1024 * 1024 + 1));
    expect(refusal(() => buildDeployPlan({ root: repo, env: envWith(), miniprogram: { mode: 'upload', version: '1.2.3' } }))).toMatch(/subpackage admin is 2048\.0 KiB; WeChat takes at most 2048 KiB per package/);
  });

  it('npm run deploy -- --dry-run on this repository\'s build lists every function gulp built, from a fresh process', () => {
    const out = execFileSync(process.execPath, ['-r', 'esbuild-register', 'deploy/index.ts', '--dry-run'], {
      cwd: REPO,
      env: { ...process.env, ...envWith(), MINIPROGRAM_CI_KEY_FILE: '' },
      encoding: 'utf8',
    });
    for (const name of ['admin', 'login', 'pay', 'payNotify', 'payee', 'reconcile']) expect(out).toMatch(new RegExp(`^ {2}${name} {2}dist/cloudfunctions/${name} `, 'm'));
    expect(out).toContain('timer trigger everyMinute: 0 * * * * * *');
    expect(out).toContain('mini-program: not uploaded');
  });

  it('a refusal is one line and exit code 1', () => {
    let failure: { status: number; stderr: string } | undefined;
    try {
      const env: Record<string, string | undefined> = { ...process.env, PAY_CLOUD_ENV: 'e' };
      delete env.PAY_CONFIG_FILE;
      delete env.PAY_CONFIG;
      execFileSync(process.execPath, ['-r', 'esbuild-register', 'deploy/index.ts', '--dry-run'], { cwd: REPO, env, encoding: 'utf8', stdio: 'pipe' });
    } catch (error) {
      failure = error as { status: number; stderr: string };
    }
    expect(failure?.status).toBe(1);
    expect(failure?.stderr.trim()).toMatch(/^deploy: merchant config: PAY_CONFIG_FILE \(or PAY_CONFIG\) is not set/);
    expect(failure?.stderr.trim().split('\n')).toHaveLength(1);
  });
});

describe('deploy (real run, through a recording stand-in of miniprogram-ci)', () => {
  function recordingCi(failOn?: string): { ci: MiniprogramCi; calls: Array<[string, Record<string, unknown>]> } {
    const calls: Array<[string, Record<string, unknown>]> = [];
    const record = (name: string) => async (options: Record<string, unknown>) => {
      const { project: _project, ...rest } = options;
      calls.push([name, rest]);
      if (name === failOn) throw new Error('network down');
      return name === 'uploadFunction' ? { filesCount: 2, packSize: 100 } : name === 'createTimeTrigger' ? '创建定时触发器成功' : {};
    };
    class Project {
      constructor(options: Record<string, unknown>) {
        calls.push(['Project', options]);
      }
    }
    return { ci: { Project, upload: record('upload'), preview: record('preview'), cloud: { uploadFunction: record('uploadFunction'), createTimeTrigger: record('createTimeTrigger') } } as unknown as MiniprogramCi, calls };
  }

  it('uploads every function, then its trigger, then the mini-program, with the documented parameters', async () => {
    writeFileSync(join(outside, 'private.key'), 'secret');
    const plan = buildDeployPlan({ root: repo, env: envWith({ MINIPROGRAM_CI_KEY_FILE: join(outside, 'private.key') }), miniprogram: { mode: 'upload', version: '1.2.3', desc: 'console' }, robot: 3 });
    const { ci, calls } = recordingCi();
    const log: string[] = [];
    await executePlan(plan, ci, (line) => log.push(line));
    expect(calls.map(([name]) => name)).toEqual(['Project', 'uploadFunction', 'uploadFunction', 'createTimeTrigger', 'upload']);
    expect(calls[0][1]).toMatchObject({ appid: APPID, type: 'miniProgram', projectPath: repo, privateKeyPath: join(outside, 'private.key') });
    expect(calls[1][1]).toEqual({ env: 'prod-1', name: 'pay', path: join(repo, 'dist/cloudfunctions/pay'), remoteNpmInstall: true });
    expect(calls[3][1]).toEqual({ envId: 'prod-1', functionName: 'reconcile', triggersConfig: [{ name: 'everyMinute', type: 'timer', config: '0 * * * * * *' }] });
    expect(calls[4][1]).toEqual({ version: '1.2.3', desc: 'console', setting: { useProjectConfig: true }, robot: 3 });
    expect(log).toContain('reconcile timer trigger everyMinute: 创建定时触发器成功'.replace('reconcile', 'cloud function reconcile'));
  });

  it('needs the key for a real run, and stops at the first failing step naming it', async () => {
    const plan = buildDeployPlan({ root: repo, env: envWith() });
    await expect(executePlan(plan, recordingCi().ci)).rejects.toThrow(/MINIPROGRAM_CI_KEY_FILE is not set/);
    writeFileSync(join(outside, 'private.key'), 'secret');
    const keyed = buildDeployPlan({ root: repo, env: envWith({ MINIPROGRAM_CI_KEY_FILE: join(outside, 'private.key') }), miniprogram: { mode: 'preview', qrcodeOutput: join(outside, 'qr.jpg') } });
    const { ci, calls } = recordingCi('createTimeTrigger');
    await expect(executePlan(keyed, ci, () => undefined)).rejects.toThrow('cloud function reconcile failed: network down');
    expect(calls.map(([name]) => name)).not.toContain('preview');
  });
});

it('formats a plan without a mini-program step', () => {
  expect(formatPlan(buildDeployPlan({ root: repo, env: envWith() }), false)).toContain('mini-program: not uploaded (add --preview, or --upload --version x.y.z)');
});
