/**
 * The slice of `miniprogram-ci` (2.1.42, pinned in package.json) that `npm run deploy` calls —
 * declared structurally, as the package's own README documents it, so the deploy code type-checks
 * and its tests run without loading the package (the real upload cannot run in CI).
 *
 * Sources: the package README (npm miniprogram-ci@2.1.42, "脚本调用" → 项目对象, 上传, 预览,
 * 上传云开发云函数, 云函数添加定时触发器) and its typings `dist/@types/ci/cloud/uploadFunction.d.ts`,
 * `createTimeTrigger.d.ts`; the same text is published at
 * https://developers.weixin.qq.com/miniprogram/dev/devtools/ci.html
 */

/** `new ci.Project({ appid, type, projectPath, privateKeyPath, ignores })`: projectPath is where project.config.json is. */
export interface ProjectOptions {
  appid: string;
  type: 'miniProgram';
  projectPath: string;
  /** The 代码上传密钥 downloaded from 微信公众平台 (开发管理 → 开发设置 → 小程序代码上传). */
  privateKeyPath: string;
  ignores?: string[];
}

export interface UploadFunctionOptions {
  project: unknown;
  /** 云环境 ID */
  env: string;
  /** 云函数名称 */
  name: string;
  /** 云函数代码目录 */
  path: string;
  /** true: dependencies installed in the cloud, local node_modules not uploaded (README). */
  remoteNpmInstall: boolean;
}

export interface CreateTimeTriggerOptions {
  project: unknown;
  envId: string;
  functionName: string;
  /** "目前仅支持一个触发器，即数组只能填写一个" (README): exactly one entry. */
  triggersConfig: Array<{ name: string; type: 'timer'; config: string }>;
}

export interface UploadOptions {
  project: unknown;
  version: string;
  desc?: string;
  setting?: { useProjectConfig?: boolean };
  robot?: number;
  onProgressUpdate?: (info: unknown) => void;
}

export interface PreviewOptions {
  project: unknown;
  desc?: string;
  setting?: { useProjectConfig?: boolean };
  robot?: number;
  qrcodeFormat: 'image' | 'base64' | 'terminal';
  qrcodeOutputDest: string;
  pagePath?: string;
  onProgressUpdate?: (info: unknown) => void;
}

export interface MiniprogramCi {
  Project: new (options: ProjectOptions) => unknown;
  upload(options: UploadOptions): Promise<unknown>;
  preview(options: PreviewOptions): Promise<unknown>;
  cloud: {
    uploadFunction(options: UploadFunctionOptions): Promise<{ filesCount: number; packSize: number }>;
    createTimeTrigger(options: CreateTimeTriggerOptions): Promise<string>;
  };
}

/** Loads the real package, only for a real upload (a dry run never needs it). */
export function loadMiniprogramCi(): MiniprogramCi {
  try {
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    return require('miniprogram-ci') as MiniprogramCi;
  } catch (cause) {
    throw new Error(`miniprogram-ci is not installed (npm ci installs it: it is a pinned devDependency): ${(cause as Error).message}`);
  }
}
