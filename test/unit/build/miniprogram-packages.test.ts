/**
 * The mini-program's packages (deploy/miniprogram-packages.ts) on a fresh build: the merchant
 * console and PayScore are subpackages, the main package holds only what a payer needs at launch,
 * and WeChat's subpackage rules hold — checked on the build, and shown to catch each regression on
 * a copy of it changed the way a regression would change it.
 */
import { cpSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { buildMiniprogram, payEnvFrom } from '../../../gulpfile';
import { allPages, MAIN_PACKAGE, measurePackages, packageLayout, packageProblems, readAppJson } from '../../../deploy/miniprogram-packages';

jest.setTimeout(60_000);

/** Pages a payer never needs at launch, by the subpackage that must hold them. */
const SUBPACKAGE_ROOTS: Record<string, string> = { admin: 'pages/admin', payscore: 'pages/payscore' };

let tmp: string;
let built: string;
beforeAll(async () => {
  tmp = mkdtempSync(join(tmpdir(), 'mp-packages-'));
  built = join(tmp, 'built');
  await buildMiniprogram({ outDir: built, env: payEnvFrom({}) });
});
afterAll(() => rmSync(tmp, { recursive: true, force: true }));

/** A copy of the build to break. */
function copyOfBuild(name: string): string {
  const dir = join(tmp, name);
  cpSync(built, dir, { recursive: true });
  return dir;
}
const editJson = (file: string, edit: (json: Record<string, unknown>) => void) => {
  const json = JSON.parse(readFileSync(file, 'utf8')) as Record<string, unknown>;
  edit(json);
  writeFileSync(file, JSON.stringify(json));
};

describe('the built mini-program', () => {
  it('keeps WeChat\'s subpackage rules and wastes nothing in the main package', () => {
    expect(packageProblems(built)).toEqual([]);
  });

  it('puts the merchant console and PayScore in their subpackages, never in the main package', () => {
    const layout = packageLayout(readAppJson(built));
    const main = layout.find((p) => p.name === MAIN_PACKAGE)!;
    for (const [name, root] of Object.entries(SUBPACKAGE_ROOTS)) {
      expect(main.pages.filter((page) => page.startsWith(root + '/'))).toEqual([]);
      expect(layout.find((p) => p.name === name)?.root).toBe(root);
    }
    // Page paths did not change: navigation, previews and tests keep their URLs.
    expect(allPages(readAppJson(built))).toEqual(expect.arrayContaining(['pages/admin/index/index', 'pages/admin/orders/index', 'pages/admin/order/index', 'pages/admin/alerts/index', 'pages/payscore/index']));
    expect(main.pages[0]).toBe('pages/index/index');
  });

  it('sizes each package as every file located in it (sizes add up to the whole build)', () => {
    const packages = measurePackages(built);
    expect(packages.map((p) => p.name)).toEqual([MAIN_PACKAGE, 'admin', 'payscore']);
    const everyFile = readdirSync(built, { recursive: true, withFileTypes: true }).filter((e) => e.isFile());
    expect(packages.reduce((sum, p) => sum + p.bytes, 0)).toBe(everyFile.reduce((sum, e) => sum + statSync(join(e.parentPath, e.name)).size, 0));
    for (const p of packages) expect(Object.values(p.byArea).reduce((a, b) => a + b, 0)).toBe(p.bytes);
    expect(packages[0].byArea['npm @vant/weapp']).toBeGreaterThan(0);
    expect(packages[1].byArea).toEqual({ pages: packages[1].bytes });
  });
});

describe('packageProblems catches', () => {
  it('a console page listed in the main package', () => {
    const dir = copyOfBuild('page-in-main');
    editJson(join(dir, 'app.json'), (app) => {
      (app.pages as string[]).push('pages/admin/orders/index');
      const admin = (app.subpackages as Array<{ pages: string[] }>)[0];
      admin.pages = admin.pages.filter((p) => p !== 'orders/index');
    });
    expect(packageProblems(dir)).toContain("main-package page pages/admin/orders/index lies in subpackage admin's root pages/admin: list it in that subpackage's pages");
  });

  it('a main-package module only a subpackage requires (admin-view back in utils/)', () => {
    const dir = copyOfBuild('module-in-main');
    cpSync(join(dir, 'pages/admin/admin-view.js'), join(dir, 'utils/admin-view.js'));
    writeFileSync(join(dir, 'utils/admin-view.js'), readFileSync(join(dir, 'utils/admin-view.js'), 'utf8').replace('../../utils/order-view', './order-view'));
    const page = join(dir, 'pages/admin/orders/index.js');
    writeFileSync(page, readFileSync(page, 'utf8').replace('"../admin-view"', '"../../../utils/admin-view"'));
    expect(packageProblems(dir)).toContain('utils/admin-view.js is in the main package but only subpackage admin uses it: move it into that subpackage');
  });

  it('a main-package component only a subpackage uses', () => {
    const dir = copyOfBuild('component-in-main');
    for (const page of ['pages/orders/index.json', 'pages/payee/index.json']) editJson(join(dir, page), (json) => delete (json.usingComponents as Record<string, string>)['order-card']);
    expect(packageProblems(dir)).toContain('components/order-card/index.js is in the main package but only subpackage admin uses it: move it into that subpackage');
  });

  it('the main package or another subpackage using a subpackage\'s file', () => {
    const dir = copyOfBuild('cross-package');
    const orders = join(dir, 'pages/orders/index.js');
    writeFileSync(orders, readFileSync(orders, 'utf8') + '\nrequire("../admin/admin-view");\n');
    const payscore = join(dir, 'pages/payscore/index.js');
    writeFileSync(payscore, readFileSync(payscore, 'utf8') + '\nrequire("../admin/admin-view");\n');
    expect(packageProblems(dir)).toContain('pages/admin/admin-view.js is in subpackage admin but __APP__, payscore use it: a package may use only its own and the main package\'s files');
  });

  it('a preload rule naming no subpackage, a page without files and a component that is not there', () => {
    const dir = copyOfBuild('broken-config');
    editJson(join(dir, 'app.json'), (app) => {
      app.preloadRule = { 'pages/index/index': { packages: ['console'] } };
      (app.pages as string[]).push('pages/gone/index');
    });
    editJson(join(dir, 'pages/orders/index.json'), (json) => ((json.usingComponents as Record<string, string>)['van-gone'] = '/miniprogram_npm/@vant/weapp/gone/index'));
    expect(packageProblems(dir)).toEqual(
      expect.arrayContaining([
        'preloadRule of pages/index/index preloads "console", which is no subpackage\'s name or root',
        'page pages/gone/index has no pages/gone/index.js',
        'pages/orders/index.json refers to "/miniprogram_npm/@vant/weapp/gone/index", which resolves to no file',
      ]),
    );
  });
});
