/**
 * npm run deploy [-- --dry-run] [--preview [--qrcode <file>] | --upload --version x.y.z] [--desc <text>] [--robot n]
 *
 * Validates the merchant config (PAY_CONFIG_FILE or PAY_CONFIG, as the functions load it), then
 * uploads every built cloud function with its timer trigger to the cloud environment PAY_CLOUD_ENV
 * and, when asked, previews or uploads the mini-program — through miniprogram-ci, with the upload
 * key read from the file MINIPROGRAM_CI_KEY_FILE names (never from the repository).
 * `--dry-run` prints exactly what would be uploaded and uploads nothing.
 */
import { resolve } from 'node:path';
import { loadMiniprogramCi } from './miniprogram-ci';
import { DeployError, buildDeployPlan, formatPlan, type DeployRequest } from './plan';
import { executePlan } from './run';

export interface DeployArgs {
  dryRun: boolean;
  miniprogram?: DeployRequest['miniprogram'];
  robot?: number;
}

export function parseDeployArgs(argv: string[], root: string): DeployArgs {
  const flags = new Map<string, string | true>();
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i];
    if (!arg.startsWith('--')) throw new DeployError(`unexpected argument "${arg}"`);
    const name = arg.slice(2);
    if (['dry-run', 'preview', 'upload'].includes(name)) flags.set(name, true);
    else if (['version', 'desc', 'qrcode', 'robot'].includes(name)) {
      const value = argv[++i];
      if (value === undefined || value.startsWith('--')) throw new DeployError(`--${name} needs a value`);
      flags.set(name, value);
    } else throw new DeployError(`unknown option --${name}`);
  }
  if (flags.has('preview') && flags.has('upload')) throw new DeployError('choose --preview or --upload, not both');
  const desc = flags.get('desc') as string | undefined;
  let miniprogram: DeployArgs['miniprogram'];
  if (flags.has('upload')) {
    const version = flags.get('version');
    if (typeof version !== 'string') throw new DeployError('--upload needs --version x.y.z');
    miniprogram = { mode: 'upload', version, ...(desc ? { desc } : {}) };
  } else if (flags.has('preview')) {
    miniprogram = { mode: 'preview', qrcodeOutput: resolve(root, (flags.get('qrcode') as string | undefined) ?? 'dist/preview-qrcode.jpg'), ...(desc ? { desc } : {}) };
  } else if (flags.has('version') || flags.has('qrcode')) {
    throw new DeployError('--version goes with --upload, --qrcode with --preview');
  }
  const robot = flags.get('robot');
  return { dryRun: flags.has('dry-run'), ...(miniprogram ? { miniprogram } : {}), ...(typeof robot === 'string' ? { robot: Number(robot) } : {}) };
}

export async function deploy(argv: string[], root: string, env: Record<string, string | undefined>, log: (line: string) => void = console.log): Promise<void> {
  const args = parseDeployArgs(argv, root);
  const plan = buildDeployPlan({ root, env, ...(args.miniprogram ? { miniprogram: args.miniprogram } : {}), ...(args.robot !== undefined ? { robot: args.robot } : {}) });
  log(formatPlan(plan, args.dryRun));
  if (args.dryRun) return;
  await executePlan(plan, loadMiniprogramCi(), log);
  log('deploy done');
}

if ((require as unknown as NodeJS.Require).main === module) {
  deploy(process.argv.slice(2), resolve(__dirname, '..'), process.env).catch((error: unknown) => {
    // A refusal is one line naming what to fix; anything else keeps its stack.
    console.error(error instanceof DeployError ? `deploy: ${error.message}` : error);
    process.exit(1);
  });
}
