/**
 * Build orchestration (loaded by gulp through esbuild-register).
 *
 *   gulp build   dist/miniprogram (TS → CommonJS per file, assets copied, used Vant components)
 *                dist/cloudfunctions/<fn> (one esbuild bundle + package.json + config.json each)
 *   gulp dev     build, then rebuild on change (point DevTools at the repo root)
 *
 * Type errors are not this file's business: `npm run typecheck` runs tsc on every project.
 */
import * as esbuild from 'esbuild';
import type { PayEnv } from './typings/pay-env';
import { copyFileSync, existsSync, mkdirSync, readFileSync, readdirSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { dirname, extname, join, relative, resolve, sep } from 'node:path';

/** The part of gulp 5 used here (gulp ships no types and @types/gulp is not a dependency). */
type GulpTask = (() => Promise<void> | void) | ((done: () => void) => void);
interface GulpApi {
  series(...tasks: GulpTask[]): GulpTask;
  parallel(...tasks: GulpTask[]): GulpTask;
  watch(globs: string[], task: GulpTask): unknown;
}
// eslint-disable-next-line @typescript-eslint/no-require-imports -- untyped CommonJS module
const { parallel, series, watch } = require('gulp') as GulpApi;

const ROOT = __dirname;
export const PATHS = {
  miniprogramSrc: join(ROOT, 'miniprogram'),
  miniprogramOut: join(ROOT, 'dist/miniprogram'),
  functionsSrc: join(ROOT, 'cloudfunctions'),
  functionsOut: join(ROOT, 'dist/cloudfunctions'),
  vantLib: join(ROOT, 'node_modules/@vant/weapp/lib'),
  amountControlStandIn: join(ROOT, 'sandbox/wechatpay-miniprogram'),
  amountControlPackage: join(ROOT, 'node_modules/@tenpay/wechatpay-miniprogram'),
};

// ---------------------------------------------------------------------------------------------
// Build-time config of the mini-program. Only these whitelisted display/transport settings are
// injected; merchant config (keys, secrets, mchid) never reaches the mini-program.

export type { PayEnv };

export const PAY_ENV_DEFAULTS: PayEnv = {
  transport: 'local',
  hostUrl: 'http://127.0.0.1:9401',
  sandboxUrl: 'http://127.0.0.1:9400',
  cloudEnv: '',
  merchantName: '示例商户',
  defaultDescription: '小程序支付示例商品',
  maxAmountFen: 100000,
  channel: 'jsapi',
  huifuSandboxUrl: 'http://127.0.0.1:9402',
};

export function payEnvFrom(vars: Record<string, string | undefined>): PayEnv {
  const transport = vars.PAY_TRANSPORT ?? PAY_ENV_DEFAULTS.transport;
  if (transport !== 'local' && transport !== 'cloud') throw new Error(`PAY_TRANSPORT must be "local" or "cloud", got "${transport}"`);
  const maxAmountFen = vars.PAY_MAX_AMOUNT_FEN === undefined ? PAY_ENV_DEFAULTS.maxAmountFen : Number(vars.PAY_MAX_AMOUNT_FEN);
  if (!Number.isSafeInteger(maxAmountFen) || maxAmountFen < 1) throw new Error(`PAY_MAX_AMOUNT_FEN must be a positive integer (fen), got "${vars.PAY_MAX_AMOUNT_FEN}"`);
  const url = (name: string, fallback: string): string => {
    const value = (vars[name] ?? fallback).replace(/\/+$/, '');
    if (!/^https?:\/\/[^\s/]+/.test(value)) throw new Error(`${name} must be an http(s) URL, got "${value}"`);
    return value;
  };
  return {
    transport,
    hostUrl: url('PAY_HOST_URL', PAY_ENV_DEFAULTS.hostUrl),
    sandboxUrl: url('PAY_SANDBOX_URL', PAY_ENV_DEFAULTS.sandboxUrl),
    cloudEnv: vars.PAY_CLOUD_ENV ?? PAY_ENV_DEFAULTS.cloudEnv,
    merchantName: vars.PAY_MERCHANT_NAME ?? PAY_ENV_DEFAULTS.merchantName,
    defaultDescription: vars.PAY_DEFAULT_DESCRIPTION ?? PAY_ENV_DEFAULTS.defaultDescription,
    maxAmountFen,
    channel: checkoutChannelFrom(vars.PAY_CHANNEL),
    huifuSandboxUrl: url('PAY_HUIFU_SANDBOX_URL', PAY_ENV_DEFAULTS.huifuSandboxUrl),
  };
}

/** PAY_CHANNEL: the checkout's channel (the server must have its gateway section configured). */
function checkoutChannelFrom(raw: string | undefined): PayEnv['channel'] {
  if (raw === undefined || raw === '') return PAY_ENV_DEFAULTS.channel;
  if (raw === 'jsapi' || raw === 'v2' || raw === 'huifu') return raw;
  throw new Error(`PAY_CHANNEL must be "jsapi", "v2" or "huifu", got "${raw}"`);
}

// ---------------------------------------------------------------------------------------------
// Mini-program

const COPIED_EXTENSIONS = new Set(['.wxml', '.wxss', '.json', '.wxs', '.png', '.jpg', '.jpeg', '.gif', '.svg']);
const SKIPPED_FILES = new Set(['tsconfig.json']);

export interface MiniprogramBuildOptions {
  srcDir?: string;
  outDir?: string;
  env?: PayEnv;
  /** Which `@tenpay/wechatpay-miniprogram` the build places (default: from PAY_AMOUNT_CONTROL). */
  amountControl?: AmountControlMode;
  /** Where the merchant's copy of the real package is (default: node_modules). */
  amountControlPackageDir?: string;
}

export async function buildMiniprogram(
  opts: MiniprogramBuildOptions = {},
): Promise<{ files: number; vant: string[]; amountControl: AmountControlMode }> {
  const srcDir = opts.srcDir ?? PATHS.miniprogramSrc;
  const outDir = opts.outDir ?? PATHS.miniprogramOut;
  const env = opts.env ?? payEnvFrom(process.env);
  const define = { __PAY_ENV__: JSON.stringify(env) };
  const packageDir = opts.amountControlPackageDir ?? PATHS.amountControlPackage;
  const amountControl = opts.amountControl ?? amountControlModeFrom(process.env, env.transport, existsSync(packageDir));
  const controlComponent = await placeAmountControl(outDir, amountControl, { define, packageDir });
  let files = 0;
  const produced = new Set<string>();
  for (const file of walk(srcDir)) {
    const rel = relative(srcDir, file);
    const out = join(outDir, rel);
    if (file.endsWith('.d.ts') || file.endsWith('.test.ts') || SKIPPED_FILES.has(rel)) continue;
    if (file.endsWith('.ts')) {
      const result = await esbuild.transform(readFileSync(file, 'utf8'), {
        loader: 'ts',
        format: 'cjs',
        // The mini-program runtime (and DevTools' ES6→ES5 pass) handles ES2017 everywhere.
        target: 'es2017',
        charset: 'utf8',
        define,
        sourcefile: rel,
      });
      writeIfChanged(out.replace(/\.ts$/, '.js'), result.code);
      produced.add(out.replace(/\.ts$/, '.js'));
      files++;
    } else if (extname(file) === '.json') {
      writeIfChanged(out, pointAmountControl(readFileSync(file, 'utf8'), controlComponent));
      produced.add(out);
      files++;
    } else if (COPIED_EXTENSIONS.has(extname(file))) {
      writeIfChanged(out, readFileSync(file));
      produced.add(out);
      files++;
    }
  }
  // A source deleted or renamed during `npm run dev` must not live on in dist.
  const vantOut = join(outDir, 'miniprogram_npm');
  for (const file of walk(outDir)) if (!file.startsWith(vantOut) && !produced.has(file)) rmSync(file);
  const vant = copyUsedVant(outDir);
  return { files, vant, amountControl };
}

// ---------------------------------------------------------------------------------------------
// The official amount control `<wechatpay-payment>` (npm `@tenpay/wechatpay-miniprogram`, 小程序金额控件开发指引:
// https://pay.weixin.qq.com/docs/partner/products/partner-scannedpos-payment/development/guide-for-scannedpos-miniprogram-sdk-development.html).
// The package is not on the public npm registry: a merchant gets it from WeChat Pay. Pages name it
// at `/miniprogram_npm/@tenpay/wechatpay-miniprogram/…`, which this step fills with
//   official  the merchant's installed copy (its mini-program build folder, as DevTools' npm build copies it);
//   stand-in  the sandbox's stand-in (sandbox/wechatpay-miniprogram), LOCAL builds only;
//   off       nothing, and the pages' registrations of the tag are dropped (they keep the keypad).

export type AmountControlMode = 'official' | 'stand-in' | 'off';
export const AMOUNT_CONTROL_PACKAGE = '@tenpay/wechatpay-miniprogram';
const AMOUNT_CONTROL_PATH = `/miniprogram_npm/${AMOUNT_CONTROL_PACKAGE}/`;

/**
 * PAY_AMOUNT_CONTROL = auto (default) | official | stand-in | off. auto: the stand-in in local
 * builds, the real package in cloud builds when installed, else off. The stand-in is refused in a
 * cloud build: it must never reach a merchant's users as if it were the real control.
 */
export function amountControlModeFrom(vars: Record<string, string | undefined>, transport: PayEnv['transport'], installed: boolean): AmountControlMode {
  const asked = vars.PAY_AMOUNT_CONTROL ?? 'auto';
  if (asked !== 'auto' && asked !== 'official' && asked !== 'stand-in' && asked !== 'off') {
    throw new Error(`PAY_AMOUNT_CONTROL must be "auto", "official", "stand-in" or "off", got "${asked}"`);
  }
  if (asked === 'stand-in' && transport === 'cloud') {
    throw new Error('PAY_AMOUNT_CONTROL=stand-in is for local builds only: a cloud build gets the real @tenpay/wechatpay-miniprogram or none');
  }
  if (asked === 'official' && !installed) {
    throw new Error(`PAY_AMOUNT_CONTROL=official needs ${AMOUNT_CONTROL_PACKAGE} in node_modules (from WeChat Pay; it is not on the public npm registry)`);
  }
  if (asked !== 'auto') return asked;
  if (transport === 'local') return 'stand-in';
  return installed ? 'official' : 'off';
}

/**
 * Fill `<out>/miniprogram_npm/@tenpay/wechatpay-miniprogram` for `mode`; returns the component's
 * path inside the package (`WechatPayment`), or undefined when there is none.
 */
export async function placeAmountControl(
  outDir: string,
  mode: AmountControlMode,
  opts: { define: Record<string, string>; packageDir?: string; standInDir?: string },
): Promise<string | undefined> {
  const target = join(outDir, `miniprogram_npm/${AMOUNT_CONTROL_PACKAGE}`);
  const produced = new Set<string>();
  let component: string | undefined;
  if (mode === 'stand-in') {
    const standInDir = opts.standInDir ?? PATHS.amountControlStandIn;
    // Bundled: the stand-in opens the local cashier of miniprogram/services/payment.ts.
    const result = await esbuild.build({
      entryPoints: [join(standInDir, 'index.ts'), join(standInDir, 'WechatPayment.ts')],
      outdir: target,
      bundle: true,
      write: false,
      format: 'cjs',
      platform: 'neutral',
      target: 'es2017',
      charset: 'utf8',
      define: opts.define,
      logLevel: 'silent',
    });
    for (const file of result.outputFiles) {
      writeIfChanged(file.path, Buffer.from(file.contents));
      produced.add(file.path);
    }
    for (const name of readdirSync(standInDir).filter((n) => /\.(wxml|wxss|json)$/.test(n))) {
      writeIfChanged(join(target, name), readFileSync(join(standInDir, name)));
      produced.add(join(target, name));
    }
    component = 'WechatPayment';
  } else if (mode === 'official') {
    const packageDir = opts.packageDir ?? PATHS.amountControlPackage;
    const pkg = JSON.parse(readFileSync(join(packageDir, 'package.json'), 'utf8')) as { miniprogram?: string };
    // DevTools' npm build copies a mini-program package's `miniprogram` folder (default miniprogram_dist).
    const from = join(packageDir, pkg.miniprogram ?? 'miniprogram_dist');
    if (!existsSync(from)) throw new Error(`${AMOUNT_CONTROL_PACKAGE}: no mini-program build folder at ${from}`);
    for (const file of walk(from)) {
      const out = join(target, relative(from, file));
      writeIfChanged(out, readFileSync(file));
      produced.add(out);
    }
    if (!existsSync(join(target, 'index.js'))) throw new Error(`${AMOUNT_CONTROL_PACKAGE}: no index.js (the WechatPayMiniProgram module)`);
    // The published registration names `<package>/WechatPayment`: a component file or folder.
    if (existsSync(join(target, 'WechatPayment.json'))) component = 'WechatPayment';
    else if (existsSync(join(target, 'WechatPayment/index.json'))) component = 'WechatPayment/index';
    else throw new Error(`${AMOUNT_CONTROL_PACKAGE}: no WechatPayment component`);
  }
  for (const file of walk(target)) if (!produced.has(file)) rmSync(file);
  if (!component) {
    rmSync(target, { recursive: true, force: true });
    const scope = dirname(target);
    if (existsSync(scope) && readdirSync(scope).length === 0) rmSync(scope, { recursive: true });
  }
  return component;
}

/** A page json with its `<wechatpay-payment>` registration pointed at `component`, or dropped when there is none. */
export function pointAmountControl(json: string, component: string | undefined): string {
  if (!json.includes(AMOUNT_CONTROL_PATH)) return json;
  const parsed = JSON.parse(json) as { usingComponents?: Record<string, string> };
  const using = parsed.usingComponents ?? {};
  for (const [tag, path] of Object.entries(using)) {
    if (!path.startsWith(AMOUNT_CONTROL_PATH)) continue;
    if (component) using[tag] = AMOUNT_CONTROL_PATH + component;
    else delete using[tag];
  }
  return JSON.stringify(parsed, null, 2) + '\n';
}

/** Vant references: JSON `usingComponents` values and JS requires of `miniprogram_npm/@vant/weapp/<dir>/…`. */
const VANT_REF = /(?:miniprogram_npm\/)?@vant\/weapp\/([a-z0-9-]+)\//g;

/**
 * Copy into `<out>/miniprogram_npm/@vant/weapp` only the Vant folders the built pages use, plus
 * everything those folders reach through relative references (`../loading/index`,
 * `../common/component`, `../wxs/utils.wxs`, …) — the CommonJS `lib` build, which is what
 * DevTools' npm build would produce and what miniprogram-simulate can load.
 */
export function copyUsedVant(outDir: string, vantLib = PATHS.vantLib): string[] {
  const vantOut = join(outDir, 'miniprogram_npm/@vant/weapp');
  const wanted = new Set<string>();
  for (const file of walk(outDir)) {
    if (file.startsWith(vantOut) || !/\.(json|js|wxml)$/.test(file)) continue;
    for (const m of readFileSync(file, 'utf8').matchAll(VANT_REF)) wanted.add(m[1]);
  }
  const done = new Set<string>();
  const queue = [...wanted];
  while (queue.length) {
    const dir = queue.shift()!;
    if (done.has(dir)) continue;
    const from = join(vantLib, dir);
    if (!existsSync(from)) throw new Error(`Vant has no "${dir}" (referenced as @vant/weapp/${dir}/…)`);
    done.add(dir);
    for (const file of walk(from)) {
      if (file.endsWith('.d.ts')) continue; // typings: not shipped to the device
      const text = readFileSync(file);
      writeIfChanged(join(vantOut, dir, relative(from, file)), text);
      if (!/\.(json|js|wxml|wxs|wxss)$/.test(file)) continue;
      for (const m of text.toString('utf8').matchAll(/\.\.\/([a-z0-9-]+)\//g)) if (!done.has(m[1])) queue.push(m[1]);
    }
  }
  // Drop folders no longer used (dev rebuilds).
  if (existsSync(vantOut)) for (const dir of readdirSync(vantOut)) if (!done.has(dir)) rmSync(join(vantOut, dir), { recursive: true, force: true });
  return [...done].sort();
}

// ---------------------------------------------------------------------------------------------
// Cloud functions

/** Loaded by the platform (wx-server-sdk) or native (better-sqlite3): never bundled. */
export const FUNCTION_EXTERNALS = ['wx-server-sdk', 'better-sqlite3'];

/**
 * Modules a function requires lazily (a `require()` inside the code path that needs them) that stay
 * out of its `index.js`: built as their own bundle beside it, at `out`, so the `require` in the
 * bundle finds them at run time. A cold start then parses only what this merchant uses:
 * - the SQLite adapter is only opened by the local host (cloud functions use CloudBase);
 * - a gateway family's channels are loaded only when the merchant config has its section
 *   (PayScore: `runtime-payscore.ts`, with `wechatpayV3.payscore`).
 * A side bundle carries its own copies of shared modules: errors that cross back are recognised by
 * registry-symbol marks (AppError, ChannelError, StoreError), never by class identity.
 */
export const SIDE_MODULES: ReadonlyArray<{ source: string; out: string }> = [
  { source: 'cloudfunctions/core/store/sqlite/store.ts', out: 'sqlite/store.js' },
  { source: 'cloudfunctions/core/store/cloudbase/payscore.ts', out: 'cloudbase/payscore.js' },
  { source: 'cloudfunctions/core/channels/wechatpay-v2/wiring.ts', out: 'wechatpay-v2/wiring.js' },
  { source: 'cloudfunctions/core/channels/huifu/wiring.ts', out: 'huifu/channel.js' },
  { source: 'cloudfunctions/core/domain/orders/statement.ts', out: 'orders/statement.js' },
  { source: 'cloudfunctions/core/channels/wechatpay-v3/statement.ts', out: 'wechatpay-v3/statement.js' },
  { source: 'cloudfunctions/core/runtime-payscore.ts', out: 'payscore/runtime.js' },
];

const withoutExtension = (path: string) => path.replace(/\.(ts|js)$/, '');

function sideModulesExternal(): esbuild.Plugin {
  return {
    name: 'side-modules',
    setup(build) {
      build.onResolve({ filter: /^\./ }, (args) => {
        if (args.kind === 'entry-point') return undefined;
        const target = relative(ROOT, resolve(args.resolveDir, args.path)).split(sep).join('/');
        const side = SIDE_MODULES.find((m) => withoutExtension(m.source) === withoutExtension(target));
        return side ? { path: `./${withoutExtension(side.out)}`, external: true } : undefined;
      });
    },
  };
}

export interface FunctionsBuildOptions {
  srcDir?: string;
  outDir?: string;
  /** Build only these functions. */
  only?: string[];
  /**
   * Told the source files each bundle was built from (esbuild's metafile, repo-relative paths):
   * the minified bundle no longer names them in comments.
   */
  onInputs?: (name: string, inputs: string[]) => void;
  /** Keep the named crash points (kernel/platform/crash-point.ts): the reliability crash test's builds only. */
  crashPoints?: boolean;
}

export function listFunctions(srcDir = PATHS.functionsSrc): string[] {
  return readdirSync(srcDir)
    .filter((name) => name !== 'core' && existsSync(join(srcDir, name, 'index.ts')))
    .sort();
}

/** How a function (and each side module) is bundled. */
const FUNCTION_BUNDLE_OPTIONS = {
  bundle: true,
  platform: 'node',
  target: 'node18',
  format: 'cjs',
  external: FUNCTION_EXTERNALS,
  legalComments: 'none',
  // Minified: a smaller bundle parses faster at every cold start (bench e2e: size and require
  // time). Names are minified too: keeping them (esbuild keepNames) cost ~8 % of every bundle,
  // which the issue-11 budget (≤ 120 KiB) no longer has room for with five channels. Error
  // messages and codes are ours and unaffected; for a trace with real names, deploy a build made
  // with PAY_BUILD_NO_MINIFY=1.
  minify: process.env.PAY_BUILD_NO_MINIFY !== '1',
  logLevel: 'silent',
  // Crash points (kernel/platform/crash-point.ts) dropped, calls and names included, unless a
  // test build asks for them (crashPointOptions).
  define: { __PAY_CRASH_POINTS__: 'false' },
} as const satisfies esbuild.BuildOptions;

const crashPointOptions = (on: boolean | undefined): Pick<esbuild.BuildOptions, 'define'> => (on ? { define: { __PAY_CRASH_POINTS__: 'true' } } : {});

export async function buildCloudFunctions(opts: FunctionsBuildOptions = {}): Promise<string[]> {
  const srcDir = opts.srcDir ?? PATHS.functionsSrc;
  const outDir = opts.outDir ?? PATHS.functionsOut;
  const names = listFunctions(srcDir).filter((n) => !opts.only || opts.only.includes(n));
  const rootPkg = JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8')) as { version: string; dependencies: Record<string, string> };
  await Promise.all(
    names.map(async (name) => {
      const fnOut = join(outDir, name);
      mkdirSync(fnOut, { recursive: true });
      const result = await esbuild.build({
        ...FUNCTION_BUNDLE_OPTIONS,
        entryPoints: [join(srcDir, name, 'index.ts')],
        outfile: join(fnOut, 'index.js'),
        ...crashPointOptions(opts.crashPoints),
        plugins: [sideModulesExternal()],
        metafile: opts.onInputs !== undefined,
        logLevel: 'silent',
      });
      const bundled = readFileSync(join(fnOut, 'index.js'), 'utf8');
      for (const side of SIDE_MODULES) {
        const sideOut = join(fnOut, side.out);
        if (!bundled.includes(`"./${withoutExtension(side.out)}"`)) {
          rmSync(sideOut, { force: true });
          continue;
        }
        await esbuild.build({ ...FUNCTION_BUNDLE_OPTIONS, ...crashPointOptions(opts.crashPoints), entryPoints: [join(ROOT, side.source)], outfile: sideOut });
      }
      if (opts.onInputs && result.metafile) opts.onInputs(name, Object.keys(result.metafile.inputs));
      const pkg = {
        name,
        version: rootPkg.version,
        private: true,
        main: 'index.js',
        dependencies: { 'wx-server-sdk': rootPkg.dependencies['wx-server-sdk'] },
      };
      writeIfChanged(join(fnOut, 'package.json'), JSON.stringify(pkg, null, 2) + '\n');
      const config = join(srcDir, name, 'config.json');
      if (existsSync(config)) copyFileSync(config, join(fnOut, 'config.json'));
      else rmSync(join(fnOut, 'config.json'), { force: true });
    }),
  );
  return names;
}

// ---------------------------------------------------------------------------------------------
// Helpers

function* walk(dir: string): Generator<string> {
  if (!existsSync(dir)) return;
  for (const name of readdirSync(dir).sort()) {
    const full = join(dir, name);
    if (statSync(full).isDirectory()) yield* walk(full);
    else yield full;
  }
}

/** Leave unchanged files alone so DevTools' watcher only reloads what changed. */
function writeIfChanged(file: string, content: string | Buffer): void {
  const next = typeof content === 'string' ? Buffer.from(content) : content;
  if (existsSync(file) && readFileSync(file).equals(next)) return;
  mkdirSync(dirname(file), { recursive: true });
  writeFileSync(file, next);
}

// ---------------------------------------------------------------------------------------------
// Tasks

async function cleanTask(): Promise<void> {
  rmSync(PATHS.miniprogramOut, { recursive: true, force: true });
  rmSync(PATHS.functionsOut, { recursive: true, force: true });
}
async function miniprogramTask(): Promise<void> {
  const { files, vant, amountControl } = await buildMiniprogram();
  console.log(`dist/miniprogram: ${files} files, Vant: ${vant.join(', ') || 'none'}, amount control: ${amountControl}`);
}
async function functionsTask(): Promise<void> {
  const names = await buildCloudFunctions();
  console.log(`dist/cloudfunctions: ${names.join(', ') || 'none'}`);
}

export const build = series(cleanTask, parallel(miniprogramTask, functionsTask));

export const dev = series(build, function watchSources(): void {
  watch(['miniprogram/**/*', 'sandbox/wechatpay-miniprogram/**/*'], miniprogramTask);
  watch(['cloudfunctions/**/*.ts', 'cloudfunctions/*/config.json', 'typings/**/*.d.ts'], functionsTask);
  console.log('watching miniprogram/ and cloudfunctions/ — DevTools reloads from dist/');
});

export { cleanTask as clean };
export default build;
