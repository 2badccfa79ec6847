/**
 * Executes a checked plan through miniprogram-ci, in order: every function (code, then its timer
 * trigger), then the mini-program. Stops at the first failure, saying which step it was; what was
 * uploaded before stays uploaded (uploading the same code again is harmless).
 */
import type { MiniprogramCi } from './miniprogram-ci';
import type { DeployPlan } from './plan';
import { DeployError, KEY_FILE_ENV } from './plan';

/** Files a mini-program upload never needs (the build output is dist/miniprogram, per project.config.json). */
export const PROJECT_IGNORES = ['node_modules/**/*', '.data/**/*', 'cloudfunctions/**/*', 'sandbox/**/*', 'test/**/*'];

export async function executePlan(plan: DeployPlan, ci: MiniprogramCi, log: (line: string) => void = console.log): Promise<void> {
  if (!plan.keyFile) throw new DeployError(`${KEY_FILE_ENV} is not set: name the upload key file (代码上传密钥, downloaded from 微信公众平台 → 开发管理 → 开发设置)`);
  const project = new ci.Project({ appid: plan.appid, type: 'miniProgram', projectPath: plan.projectPath, privateKeyPath: plan.keyFile, ignores: PROJECT_IGNORES });
  const robot = plan.robot !== undefined ? { robot: plan.robot } : {};

  for (const fn of plan.functions) {
    const step = `cloud function ${fn.name}`;
    try {
      const result = await ci.cloud.uploadFunction({ project, env: plan.cloudEnv, name: fn.name, path: fn.path, remoteNpmInstall: plan.remoteNpmInstall });
      log(`uploaded ${step}: ${result.filesCount} files, ${result.packSize} bytes packed`);
      if (fn.trigger) {
        const answer = await ci.cloud.createTimeTrigger({ project, envId: plan.cloudEnv, functionName: fn.name, triggersConfig: [fn.trigger] });
        log(`${step} timer trigger ${fn.trigger.name}: ${answer}`);
      }
    } catch (error) {
      throw new DeployError(`${step} failed: ${(error as Error).message}`);
    }
  }

  const mp = plan.miniprogram;
  if (!mp) return;
  try {
    if (mp.mode === 'preview') {
      await ci.preview({ project, ...(mp.desc ? { desc: mp.desc } : {}), setting: { useProjectConfig: true }, qrcodeFormat: 'image', qrcodeOutputDest: mp.qrcodeOutput, ...robot });
      log(`mini-program preview: QR code written to ${mp.qrcodeOutput}`);
    } else {
      await ci.upload({ project, version: mp.version, ...(mp.desc ? { desc: mp.desc } : {}), setting: { useProjectConfig: true }, ...robot });
      log(`mini-program uploaded as version ${mp.version}: set it as the trial or submit it for review in 微信公众平台`);
    }
  } catch (error) {
    throw new DeployError(`mini-program ${mp.mode} failed: ${(error as Error).message}`);
  }
}
