/**
 * `npm run verify [-- --long]`: typecheck, build, then the reliability suite alone, at its CI
 * size or (--long) its larger one. Prints the report table; exits non-zero on any unexpected
 * result or loss. `--seed=<n>` replays the fuzzing from another seed.
 */
import { spawnSync } from 'node:child_process';

const args = process.argv.slice(2);
const env: NodeJS.ProcessEnv = { ...process.env };
if (args.includes('--long')) env.RELIABILITY_LONG = '1';
const seed = args.find((a) => a.startsWith('--seed='));
if (seed) env.RELIABILITY_SEED = seed.slice('--seed='.length);

const run = (cmd: string, cmdArgs: string[]) => {
  const r = spawnSync(cmd, cmdArgs, { stdio: 'inherit', env, shell: false });
  if (r.status !== 0) process.exit(r.status ?? 1);
};
run('npm', ['run', 'typecheck']);
run('npx', ['gulp', 'build']);
// Other arguments (jest's own, a path) go before --selectProjects, which takes every name after it.
run('npx', ['jest', ...args.filter((a) => a !== '--long' && !a.startsWith('--seed=')), '--selectProjects', 'reliability']);
