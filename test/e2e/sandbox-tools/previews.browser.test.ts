/**
 * `npm run preview`: every page of the built mini-program in each state of sandbox/preview/states.ts,
 * rendered by miniprogram-simulate and screenshotted by headless Chromium. Each renders without
 * errors and shows something (text, and more than one colour on screen); no page of app.json is
 * left out.
 */
import { execFile } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { promisify } from 'node:util';
import type { PreviewShot } from '../../../sandbox/preview/main';
import { PAGE_STATES } from '../../../sandbox/preview/states';
import { allPages, readAppJson } from '../../../deploy/miniprogram-packages';

const ROOT = resolve(__dirname, '../../..');
const MINIPROGRAM_DIST = join(ROOT, 'dist/miniprogram');

jest.setTimeout(180_000);

let shots: PreviewShot[];
const out = mkdtempSync(join(tmpdir(), 'previews-'));

beforeAll(async () => {
  // The script as `npm run preview` runs it (its own process: jsdom is its global scope).
  const run = await promisify(execFile)(process.execPath, ['-r', 'esbuild-register', 'sandbox/preview/main.ts', '--out', out, '--scale', '1'], { cwd: ROOT }).catch((e: { stdout: string; stderr: string }) => e);
  shots = JSON.parse(readFileSync(join(out, 'report.json'), 'utf8')) as PreviewShot[];
  expect(run.stdout).toContain(`${shots.length} previews in ${out}`);
});
afterAll(() => rmSync(out, { recursive: true, force: true }));

it('covers every page of app.json (subpackages included), each in at least three states', () => {
  const pages = allPages(readAppJson(MINIPROGRAM_DIST)); // the main package's and every subpackage's
  expect(Object.keys(PAGE_STATES).sort()).toEqual([...pages].sort());
  for (const page of pages) expect(shots.filter((s) => s.page === page).length).toBeGreaterThanOrEqual(3);
});

it('renders each page state without errors, and none is blank', () => {
  const problems = shots.filter((s) => s.errors.length > 0 || s.pageErrors.length > 0 || s.colours <= 2 || s.text === '').map((s) => `${s.page} ${s.state}: ${[...s.errors, ...s.pageErrors].join(' | ') || `blank (${s.colours} colours, text "${s.text}")`}`);
  expect(problems).toEqual([]);
});

it('shows what each state is about', () => {
  const text = (page: string, state: string) => shots.find((s) => s.page === page && s.state === state)!.text;
  expect(text('pages/result/index', 'paid')).toContain('支付成功');
  expect(text('pages/result/index', 'paid')).toContain('¥12.88');
  expect(text('pages/orders/index', 'empty')).toContain('还没有订单');
  expect(text('pages/payee/index', 'authorized')).toContain('已开通个人收款');
  expect(readFileSync(join(out, 'index.html'), 'utf8')).toContain('result--paid.png');
});
