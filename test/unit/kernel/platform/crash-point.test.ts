/**
 * The crash test's named crash points (kernel/platform/crash-point.ts) are test-only: a bundle
 * built with `crashPoints: true` dies at the point PAY_CRASH_AT names and nowhere else; without
 * the env var, unbundled, or in any other build (npm start, deploy: `gulp build`) they are inert
 * and gone from the bundle, names included.
 */
import { spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { buildCloudFunctions } from '../../../../gulpfile';
import { CRASH_POINTS } from '../../../../cloudfunctions/core/kernel/platform/crash-point';

jest.setTimeout(120_000);

const ROOT = resolve(__dirname, '../../../..');
const MODULE = join(ROOT, 'cloudfunctions/core/kernel/platform/crash-point.ts');
let tmp: string;
let src: string;

beforeAll(() => {
  tmp = mkdtempSync(join(tmpdir(), 'crash-point-'));
  // One function that passes its argument to crashPoint and says it survived.
  src = join(tmp, 'src');
  mkdirSync(join(src, 'probe'), { recursive: true });
  writeFileSync(join(src, 'probe/index.ts'), `import { crashPoint } from ${JSON.stringify(MODULE.replace(/\.ts$/, ''))};\ncrashPoint(process.argv[2] as never);\nprocess.stdout.write('alive');\n`);
});
afterAll(() => rmSync(tmp, { recursive: true, force: true }));

function run(args: string[], env: Record<string, string>) {
  const r = spawnSync(process.execPath, args, { cwd: ROOT, env: { PATH: process.env.PATH ?? '', ...env }, encoding: 'utf8' });
  return { signal: r.signal, status: r.status, stdout: r.stdout };
}

const filesUnder = (dir: string): string[] => readdirSync(dir, { recursive: true, withFileTypes: true }).filter((e) => e.isFile()).map((e) => join(e.parentPath, e.name));

describe('a bundle built with crash points (the crash test only)', () => {
  let bundle: string;
  beforeAll(async () => {
    await buildCloudFunctions({ srcDir: src, outDir: join(tmp, 'armed'), crashPoints: true });
    bundle = join(tmp, 'armed/probe/index.js');
  });

  it('dies (SIGKILL) at the point PAY_CRASH_AT names', () => {
    expect(run([bundle, 'pay.create:after-gateway'], { PAY_CRASH_AT: 'pay.create:after-gateway' })).toMatchObject({ signal: 'SIGKILL', stdout: '' });
  });
  it('passes every other point, and every point without PAY_CRASH_AT', () => {
    expect(run([bundle, 'pay.create:after-store'], { PAY_CRASH_AT: 'pay.create:after-gateway' })).toMatchObject({ status: 0, stdout: 'alive' });
    expect(run([bundle, 'pay.create:after-gateway'], {})).toMatchObject({ status: 0, stdout: 'alive' });
  });
});

describe('inert everywhere else', () => {
  it('unbundled (ts-jest, esbuild-register), even with PAY_CRASH_AT naming the point', () => {
    expect(run(['-r', 'esbuild-register', join(src, 'probe/index.ts'), 'pay.create:after-gateway'], { PAY_CRASH_AT: 'pay.create:after-gateway' })).toMatchObject({ status: 0, stdout: 'alive' });
  });

  it('a default build (gulp build: npm start, npm run deploy) keeps no crash point: PAY_CRASH_AT cannot enable one', async () => {
    await buildCloudFunctions({ srcDir: src, outDir: join(tmp, 'default') });
    const bundle = join(tmp, 'default/probe/index.js');
    expect(run([bundle, 'pay.create:after-gateway'], { PAY_CRASH_AT: 'pay.create:after-gateway' })).toMatchObject({ status: 0, stdout: 'alive' });
    expect(readFileSync(bundle, 'utf8')).not.toMatch(/PAY_CRASH_AT|SIGKILL/);
  });

  it('the real functions, built as gulp build builds them, name no crash point (built with crash points, they do)', async () => {
    await buildCloudFunctions({ outDir: join(tmp, 'functions') });
    const leaks = filesUnder(join(tmp, 'functions'))
      .filter((f) => f.endsWith('.js'))
      .flatMap((f) => {
        const text = readFileSync(f, 'utf8');
        return ['PAY_CRASH_AT', ...CRASH_POINTS].filter((name) => text.includes(name)).map((name) => `${f.slice(tmp.length + 1)}: ${name}`);
      });
    expect(leaks).toEqual([]);
    // The check can fail: the same functions built for the crash test carry the names.
    await buildCloudFunctions({ outDir: join(tmp, 'armed-functions'), only: ['pay'], crashPoints: true });
    expect(readFileSync(join(tmp, 'armed-functions/pay/index.js'), 'utf8')).toContain('pay.create:after-gateway');
  });

  it('only the crash test builds with crash points', () => {
    const users = ['gulpfile.ts', 'sandbox', 'deploy', 'bench', 'test']
      .flatMap((p) => (p.endsWith('.ts') ? [join(ROOT, p)] : filesUnder(join(ROOT, p)).filter((f) => f.endsWith('.ts'))))
      .filter((f) => f !== __filename && /crashPoints:\s*true/.test(readFileSync(f, 'utf8')))
      .map((f) => f.slice(ROOT.length + 1));
    expect(users).toEqual(['test/reliability/crash/crash-build.ts']);
  });
});

describe('every named point is placed in the server code', () => {
  const sources = filesUnder(join(ROOT, 'cloudfunctions'))
    .filter((f) => f.endsWith('.ts') && f !== MODULE)
    .map((f) => readFileSync(f, 'utf8'))
    .join('\n');
  it.each(CRASH_POINTS.map((p) => [p]))('%s', (point) => {
    expect(sources).toContain(`crashPoint('${point}')`);
  });
});
