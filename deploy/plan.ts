/**
 * What `npm run deploy` would upload, worked out and checked before anything leaves the machine:
 * the merchant config validated as the functions will load it, every built cloud function with
 * its files and timer trigger, and optionally the mini-program (preview or upload). A dry run
 * prints this plan and stops; a real run executes exactly this plan (run.ts).
 */
import { existsSync, readFileSync, readdirSync, statSync } from 'node:fs';
import { isAbsolute, join, relative, resolve, sep } from 'node:path';
import { ConfigError, disabledGatewayNotes, loadMerchantConfig } from '../cloudfunctions/core/kernel/config';
import { MAIN_PACKAGE, measurePackages, WECHAT_PACKAGE_MAX_BYTES } from './miniprogram-packages';

/** The env var naming the upload key file (代码上传密钥). The key itself never lives in the repository. */
export const KEY_FILE_ENV = 'MINIPROGRAM_CI_KEY_FILE';
/** The cloud environment: the same variable the mini-program build passes to `wx.cloud.init`. */
export const CLOUD_ENV_VAR = 'PAY_CLOUD_ENV';

export class DeployError extends Error {
  override readonly name = 'DeployError';
}

export interface DeployRequest {
  /** Repository root (where project.config.json is). */
  root: string;
  env: Record<string, string | undefined>;
  /** Mini-program step: none, a preview QR code, or an upload as a version. */
  miniprogram?: { mode: 'preview'; desc?: string; qrcodeOutput: string } | { mode: 'upload'; version: string; desc?: string };
  robot?: number;
}

export interface FunctionPlan {
  name: string;
  path: string;
  files: Array<{ path: string; bytes: number }>;
  trigger?: { name: string; type: 'timer'; config: string };
}

export interface DeployPlan {
  appid: string;
  cloudEnv: string;
  configSource: string;
  store: string;
  notes: string[];
  keyFile?: string;
  projectPath: string;
  functions: FunctionPlan[];
  remoteNpmInstall: true;
  /** `packages`: the main package and each subpackage as WeChat packs them (when the build has an app.json). */
  miniprogram?: DeployRequest['miniprogram'] & { path: string; packages?: Array<{ name: string; root: string; bytes: number }> };
  robot?: number;
}

function filesUnder(dir: string, base = dir): Array<{ path: string; bytes: number }> {
  return readdirSync(dir)
    .sort()
    .flatMap((name) => {
      const full = join(dir, name);
      const stat = statSync(full);
      return stat.isDirectory() ? filesUnder(full, base) : [{ path: relative(base, full).split(sep).join('/'), bytes: stat.size }];
    });
}

const inside = (root: string, path: string) => {
  const rel = relative(root, path);
  return rel === '' || (!rel.startsWith('..') && !isAbsolute(rel));
};

/** The built function's timer trigger (config.json), as the console and miniprogram-ci take it. */
function triggerOf(fnDir: string, name: string): FunctionPlan['trigger'] {
  const file = join(fnDir, 'config.json');
  if (!existsSync(file)) return undefined;
  const config = JSON.parse(readFileSync(file, 'utf8')) as { triggers?: Array<{ name?: unknown; type?: unknown; config?: unknown }> };
  const triggers = config.triggers ?? [];
  if (triggers.length === 0) return undefined;
  // miniprogram-ci README (云函数添加定时触发器): one trigger per function.
  if (triggers.length > 1) throw new DeployError(`${name}/config.json has ${triggers.length} triggers; miniprogram-ci creates one timer trigger per function`);
  const [t] = triggers;
  if (t.type !== 'timer' || typeof t.name !== 'string' || typeof t.config !== 'string') throw new DeployError(`${name}/config.json: a trigger needs name, type "timer" and a cron config`);
  return { name: t.name, type: 'timer', config: t.config };
}

export function buildDeployPlan(request: DeployRequest): DeployPlan {
  const { root, env } = request;
  // 1. The merchant config, validated exactly as the functions will load it.
  let config;
  try {
    config = loadMerchantConfig({ env, warn: () => undefined });
  } catch (error) {
    if (error instanceof ConfigError) throw new DeployError(`merchant config: ${error.message}`);
    throw error;
  }
  if (config.store.kind !== 'cloudbase') throw new DeployError(`merchant config: store.kind is "${config.store.kind}"; cloud functions need "cloudbase" (an SQLite file does not survive a cloud function instance)`);
  if (!/^wx[0-9a-f]{16}$/.test(config.appid)) throw new DeployError(`merchant config: appid "${config.appid}" is not a mini-program appid (wx + 16 hex)`);

  const cloudEnv = env[CLOUD_ENV_VAR];
  if (!cloudEnv) throw new DeployError(`${CLOUD_ENV_VAR} is not set: name the cloud environment (云环境 ID) to upload the functions to`);

  // 2. The upload key: named by an env var, read from outside the repository.
  const keyName = env[KEY_FILE_ENV];
  let keyFile: string | undefined;
  if (keyName) {
    keyFile = resolve(keyName);
    if (inside(root, keyFile)) throw new DeployError(`${KEY_FILE_ENV} points inside the repository (${relative(root, keyFile)}); keep the upload key outside it`);
    if (!existsSync(keyFile)) throw new DeployError(`${KEY_FILE_ENV}: no file at ${keyFile}`);
  }

  // 3. Every built function, with its files and trigger.
  const functionsDir = join(root, 'dist/cloudfunctions');
  if (!existsSync(functionsDir)) throw new DeployError('dist/cloudfunctions is missing: run npm run build first');
  const functions = readdirSync(functionsDir)
    .filter((name) => existsSync(join(functionsDir, name, 'index.js')))
    .sort()
    .map((name): FunctionPlan => {
      const path = join(functionsDir, name);
      const trigger = triggerOf(path, name);
      return { name, path, files: filesUnder(path), ...(trigger ? { trigger } : {}) };
    });
  if (functions.length === 0) throw new DeployError('dist/cloudfunctions holds no built function: run npm run build first');

  // 4. The mini-program, only as a cloud build (a local build talks to the sandbox on localhost).
  let miniprogram: DeployPlan['miniprogram'];
  if (request.miniprogram) {
    const path = join(root, 'dist/miniprogram');
    const envJs = join(path, 'services/env.js');
    if (!existsSync(envJs)) throw new DeployError('dist/miniprogram is missing: run PAY_TRANSPORT=cloud npm run build first');
    if (!/"transport":\s*"cloud"/.test(readFileSync(envJs, 'utf8'))) {
      throw new DeployError('dist/miniprogram is a local build (it calls the sandbox): rebuild with PAY_TRANSPORT=cloud PAY_CLOUD_ENV=<env> npm run build');
    }
    if (request.miniprogram.mode === 'upload' && !/^\d+\.\d+\.\d+$/.test(request.miniprogram.version)) {
      throw new DeployError(`--version "${request.miniprogram.version}" must look like 1.2.3`);
    }
    // WeChat refuses a package over 2 M at upload (subpackages.html): say so before uploading.
    const packages = existsSync(join(path, 'app.json')) ? measurePackages(path).map(({ name, root, bytes }) => ({ name, root, bytes })) : undefined;
    for (const p of packages ?? []) {
      if (p.bytes > WECHAT_PACKAGE_MAX_BYTES) throw new DeployError(`mini-program ${p.name === MAIN_PACKAGE ? 'main package' : `subpackage ${p.name}`} is ${(p.bytes / 1024).toFixed(1)} KiB; WeChat takes at most 2048 KiB per package (move pages into subpackages: app.json subpackages)`);
    }
    miniprogram = { ...request.miniprogram, path, ...(packages ? { packages } : {}) };
  }
  if (request.robot !== undefined && (!Number.isInteger(request.robot) || request.robot < 1 || request.robot > 30)) {
    throw new DeployError('--robot must be 1–30 (miniprogram-ci README: 指定使用哪一个 ci 机器人，可选值：1 ~ 30)');
  }

  return {
    appid: config.appid,
    cloudEnv,
    configSource: env.PAY_CONFIG_FILE ? resolve(env.PAY_CONFIG_FILE) : 'PAY_CONFIG',
    store: `cloudbase${config.store.collectionPrefix ? ` (collection prefix ${config.store.collectionPrefix})` : ''}`,
    notes: disabledGatewayNotes(config),
    ...(keyFile ? { keyFile } : {}),
    projectPath: root,
    functions,
    remoteNpmInstall: true,
    ...(miniprogram ? { miniprogram } : {}),
    ...(request.robot !== undefined ? { robot: request.robot } : {}),
  };
}

/** The plan as a person reads it; the dry run prints exactly this. Paths relative to the repository. */
export function formatPlan(plan: DeployPlan, dryRun: boolean): string {
  const rel = (path: string) => relative(plan.projectPath, path).split(sep).join('/') || '.';
  const lines = [
    dryRun ? 'Deploy plan (dry run: nothing is uploaded)' : 'Deploy plan',
    `merchant config: ${plan.configSource} — valid; appid ${plan.appid}; store ${plan.store}`,
    ...plan.notes.map((note) => `  note: ${note}`),
    `cloud environment: ${plan.cloudEnv}`,
    `upload key: ${plan.keyFile ? `${KEY_FILE_ENV} → ${plan.keyFile}` : `${KEY_FILE_ENV} not set (required for a real upload)`}`,
    `cloud functions (${plan.functions.length}), uploaded with remoteNpmInstall (dependencies installed in the cloud):`,
  ];
  for (const fn of plan.functions) {
    const total = fn.files.reduce((sum, f) => sum + f.bytes, 0);
    lines.push(`  ${fn.name}  ${rel(fn.path)}  ${fn.files.length} files, ${total} bytes`);
    for (const file of fn.files) lines.push(`    ${file.path}  ${file.bytes} bytes`);
    lines.push(fn.trigger ? `    timer trigger ${fn.trigger.name}: ${fn.trigger.config}` : '    timer trigger: none');
  }
  const mp = plan.miniprogram;
  if (!mp) lines.push('mini-program: not uploaded (add --preview, or --upload --version x.y.z)');
  else if (mp.mode === 'preview') lines.push(`mini-program: preview of ${rel(mp.path)}${mp.desc ? `, description "${mp.desc}"` : ''}, QR code → ${mp.qrcodeOutput}`);
  else lines.push(`mini-program: upload of ${rel(mp.path)} as version ${mp.version}${mp.desc ? `, description "${mp.desc}"` : ''}`);
  if (mp?.packages) lines.push(`  packages (KiB = 1,024 bytes, ≤ 2048 each): ${mp.packages.map((p) => `${p.name === MAIN_PACKAGE ? 'main' : `${p.name} (${p.root})`} ${(p.bytes / 1024).toFixed(1)} KiB`).join(', ')}`);
  if (plan.robot !== undefined) lines.push(`ci robot: ${plan.robot}`);
  return lines.join('\n');
}
