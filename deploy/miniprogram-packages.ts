/**
 * The built mini-program (`dist/miniprogram`) as WeChat packs it: the main package and the
 * subpackages app.json declares, each file's size, and which package uses which file.
 *
 * WeChat's rules (使用分包, https://developers.weixin.qq.com/miniprogram/dev/framework/subpackages/basic.html):
 * - every file under a subpackage's `root` is packed into that subpackage, every other file into
 *   the main package; the main package also holds the pages of app.json's top-level `pages`;
 * - a subpackage may use its own files and the main package's (JS, templates, WXSS, components,
 *   images), never another subpackage's; the main package cannot use a subpackage's files;
 * - each package ≤ 2 M, all of them together ≤ 20 M (https://developers.weixin.qq.com/miniprogram/dev/framework/subpackages.html).
 * WeChat's tooling counts sizes in binary units: miniprogram-ci's code-quality check
 * (dist/ci/checkCodeQuality.js, 2.1.42) compares `bytes / 1024` with `1024 × limit in M`, so a KB
 * is 1,024 bytes and an M 1,024 KB. Its analyser (dist/common/code-analyse) sizes a package as
 * every file located in it, as `measurePackages` does.
 *
 * `packageProblems` is the check WeChat's code-quality scan makes (主包内不应存在主包未使用的JS文件 /
 * 组件: "the main package has JS / components only sub-packages depend on"), extended to every
 * kind of file, plus the referencing rules above: a file of the main package that only one subpackage
 * reaches belongs in that subpackage (one that several share can only live in the main package);
 * a subpackage's file reached from elsewhere breaks the rules.
 */
import { existsSync, readFileSync, readdirSync, statSync } from 'node:fs';
import { join, posix, relative, sep } from 'node:path';

/** WeChat's own name for the main package in its tools (miniprogram-ci: `__APP__`). */
export const MAIN_PACKAGE = '__APP__';
/** 单个分包/主包大小不能超过 2M (subpackages.html), in WeChat's binary units. */
export const WECHAT_PACKAGE_MAX_BYTES = 2 * 1024 * 1024;

interface AppJson {
  pages: string[];
  subpackages?: Array<{ root: string; name?: string; pages: string[]; independent?: boolean }>;
  subPackages?: AppJson['subpackages'];
  preloadRule?: Record<string, { network?: string; packages: string[] }>;
  usingComponents?: Record<string, string>;
  sitemapLocation?: string;
}

export interface PackageLayout {
  /** `__APP__` for the main package, else the subpackage's `name` (its `root` when unnamed). */
  name: string;
  /** '' for the main package; a subpackage's root folder, no trailing slash. */
  root: string;
  /** Full page paths (`pages/admin/orders/index`). */
  pages: string[];
}

export function readAppJson(dir: string): AppJson {
  return JSON.parse(readFileSync(join(dir, 'app.json'), 'utf8')) as AppJson;
}

/** The main package and each subpackage of an app.json (`subpackages`, also spelt `subPackages`). */
export function packageLayout(app: AppJson): PackageLayout[] {
  const subs = app.subpackages ?? app.subPackages ?? [];
  return [
    { name: MAIN_PACKAGE, root: '', pages: [...app.pages] },
    ...subs.map((s) => {
      const root = s.root.replace(/^\/+|\/+$/g, '');
      return { name: s.name ?? root, root, pages: s.pages.map((p) => posix.join(root, p)) };
    }),
  ];
}

/** Every page of the mini-program, main package first, in app.json's order. */
export function allPages(app: AppJson): string[] {
  return packageLayout(app).flatMap((p) => p.pages);
}

/** The package a file (path relative to the mini-program root, `/`-separated) is packed into. */
export function packageOfFile(file: string, layout: PackageLayout[]): PackageLayout {
  return layout.find((p) => p.root !== '' && (file === p.root || file.startsWith(p.root + '/'))) ?? layout[0];
}

function filesUnder(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
    const path = join(dir, entry.name);
    return entry.isDirectory() ? filesUnder(path) : [path];
  });
}

const toPosix = (path: string) => path.split(sep).join('/');

/** Where a file's bytes go, for the size breakdown. */
function areaOf(file: string, root: string): string {
  const rest = root ? file.slice(root.length + 1) : file;
  const npm = /^miniprogram_npm\/((?:@[^/]+\/)?[^/]+)/.exec(rest);
  if (npm) return `npm ${npm[1]}`;
  if (!root && /^app\.|^sitemap\.json$/.test(rest)) return 'app';
  return root ? 'pages' : rest.split('/')[0];
}

export interface PackageSize extends PackageLayout {
  bytes: number;
  files: number;
  /** Bytes by area (pages, components, services, utils, `npm @vant/weapp`, …) and by extension. */
  byArea: Record<string, number>;
  byExtension: Record<string, number>;
}

/** Each package's size as WeChat counts it: every file located in it. */
export function measurePackages(dir: string): PackageSize[] {
  const layout = packageLayout(readAppJson(dir));
  const sizes = new Map<string, PackageSize>(layout.map((p) => [p.name, { ...p, bytes: 0, files: 0, byArea: {}, byExtension: {} }]));
  for (const path of filesUnder(dir)) {
    const file = toPosix(relative(dir, path));
    const pkg = sizes.get(packageOfFile(file, layout).name)!;
    const bytes = statSync(path).size;
    pkg.bytes += bytes;
    pkg.files++;
    const area = areaOf(file, pkg.root);
    pkg.byArea[area] = (pkg.byArea[area] ?? 0) + bytes;
    const ext = posix.extname(file) || '(none)';
    pkg.byExtension[ext] = (pkg.byExtension[ext] ?? 0) + bytes;
  }
  return [...sizes.values()];
}

// ---------------------------------------------------------------------------------------------
// References between files, as the runtime resolves them.

const UNIT_EXTENSIONS = ['.js', '.json', '.wxml', '.wxss'];

/** The files of a page or component (`pages/orders/index` → its .js/.json/.wxml/.wxss). */
function unitFiles(dir: string, base: string): string[] {
  return UNIT_EXTENSIONS.map((ext) => base + ext).filter((file) => existsSync(join(dir, file)));
}

/**
 * A path as written in `from` (absolute from the mini-program root, or relative) → a file that
 * exists, trying `extensions` and `/index` + extension; a bare name is looked up in the
 * `miniprogram_npm` folders from `from`'s folder up to the root, as the runtime does (npm 支持,
 * https://developers.weixin.qq.com/miniprogram/dev/devtools/npm.html).
 */
function resolveRef(dir: string, from: string, request: string, extensions: string[]): string | undefined {
  const candidates = (base: string) => [base, ...extensions.map((e) => base + e), ...extensions.map((e) => `${base}/index${e}`)];
  const exists = (file: string) => existsSync(join(dir, file)) && statSync(join(dir, file)).isFile();
  if (request.startsWith('/') || request.startsWith('.')) {
    const base = request.startsWith('/') ? posix.normalize(request.slice(1)) : posix.join(posix.dirname(from), request);
    return candidates(base).find(exists);
  }
  for (let folder = posix.dirname(from); ; folder = posix.dirname(folder)) {
    const base = posix.join(folder === '.' ? '' : folder, 'miniprogram_npm', request);
    const found = candidates(base).find(exists);
    if (found) return found;
    if (folder === '.' || folder === '') return undefined;
  }
}

export interface Reference {
  from: string;
  request: string;
  /** Undefined when nothing answers the request. */
  to?: string;
  /** A JS `require` may be optional (in a try: the amount control without its package). */
  optional: boolean;
}

/** What one built file refers to. */
function referencesOf(dir: string, file: string): Reference[] {
  const text = readFileSync(join(dir, file), 'utf8');
  const refs: Reference[] = [];
  const add = (request: string, extensions: string[], optional = false) => refs.push({ from: file, request, to: resolveRef(dir, file, request, extensions), optional });
  const addComponent = (request: string) => {
    if (request.startsWith('plugin://')) return;
    const json = resolveRef(dir, file, request, ['.json']);
    if (!json) refs.push({ from: file, request, optional: false });
    else for (const unit of unitFiles(dir, json.replace(/\.json$/, ''))) refs.push({ from: file, request, to: unit, optional: false });
  };
  switch (posix.extname(file)) {
    case '.js':
    case '.wxs':
      for (const m of text.matchAll(/\brequire\(\s*["']([^"']+)["']\s*\)/g)) add(m[1], posix.extname(file) === '.wxs' ? ['.wxs'] : ['.js'], true);
      break;
    case '.json': {
      if (file === 'app.json') break; // its pages are the packages' entries (packageReach)
      const json = JSON.parse(text) as { usingComponents?: Record<string, string> };
      for (const request of Object.values(json.usingComponents ?? {})) addComponent(request);
      break;
    }
    case '.wxml':
      for (const m of text.matchAll(/<(?:import|include|wxs)\b[^>]*?\bsrc\s*=\s*["']([^"'{}]+)["']/g)) add(m[1], ['.wxml', '.wxs']);
      for (const m of text.matchAll(/\bsrc\s*=\s*["']([^"'{}]+\.(?:png|jpe?g|gif|svg))["']/g)) add(m[1], []);
      break;
    case '.wxss':
      for (const m of text.matchAll(/@import\s+["']([^"']+)["']/g)) add(m[1], ['.wxss']);
      for (const m of text.matchAll(/url\(\s*["']?(\/?[^"')]+\.(?:png|jpe?g|gif|svg))["']?\s*\)/g)) if (!/^(?:https?:|data:)/.test(m[1])) add(m[1], []);
      break;
  }
  // A page or component's own files go together.
  const base = file.replace(/\.(js|json|wxml|wxss)$/, '');
  if (base !== file) for (const unit of unitFiles(dir, base)) if (unit !== file) refs.push({ from: file, request: '(same component)', to: unit, optional: false });
  return refs;
}

/** Every file each package reaches from its entries (main: app.js/json/wxss, sitemap, its pages; a subpackage: its pages). */
export function packageReach(dir: string): { layout: PackageLayout[]; reachedBy: Map<string, Set<string>>; unresolved: Reference[] } {
  const app = readAppJson(dir);
  const layout = packageLayout(app);
  const reachedBy = new Map<string, Set<string>>();
  const unresolved: Reference[] = [];
  const refsCache = new Map<string, Reference[]>();
  for (const pkg of layout) {
    const entries = pkg.pages.flatMap((page) => unitFiles(dir, page));
    if (pkg.name === MAIN_PACKAGE) {
      entries.push(...['app.js', 'app.json', 'app.wxss', app.sitemapLocation ?? 'sitemap.json'].filter((f) => existsSync(join(dir, f))));
      for (const request of Object.values(app.usingComponents ?? {})) {
        const json = resolveRef(dir, 'app.json', request, ['.json']);
        if (json) entries.push(...unitFiles(dir, json.replace(/\.json$/, '')));
      }
    }
    const queue = [...entries];
    const seen = new Set<string>();
    while (queue.length) {
      const file = queue.pop()!;
      if (seen.has(file)) continue;
      seen.add(file);
      if (!reachedBy.has(file)) reachedBy.set(file, new Set());
      reachedBy.get(file)!.add(pkg.name);
      if (!refsCache.has(file)) refsCache.set(file, referencesOf(dir, file));
      for (const ref of refsCache.get(file)!) {
        if (ref.to) queue.push(ref.to);
        else if (!ref.optional && !unresolved.some((u) => u.from === ref.from && u.request === ref.request)) unresolved.push(ref);
      }
    }
  }
  return { layout, reachedBy, unresolved };
}

/**
 * What breaks WeChat's subpackage rules or wastes the main package, as sentences; [] when none:
 * a page of the main package inside a subpackage's root, a page without its files, a preload rule
 * naming no package, a reference that resolves to nothing, a subpackage's file used from outside
 * it, and a main-package file only subpackages use (it belongs in that subpackage).
 */
export function packageProblems(dir: string): string[] {
  const app = readAppJson(dir);
  const { layout, reachedBy, unresolved } = packageReach(dir);
  const problems: string[] = [];
  const subs = layout.slice(1);
  for (const page of layout[0].pages) {
    const inside = subs.find((s) => page.startsWith(s.root + '/'));
    if (inside) problems.push(`main-package page ${page} lies in subpackage ${inside.name}'s root ${inside.root}: list it in that subpackage's pages`);
  }
  for (const [i, a] of subs.entries()) {
    for (const b of subs.slice(i + 1)) {
      if (a.root.startsWith(b.root + '/') || b.root.startsWith(a.root + '/') || a.root === b.root) problems.push(`subpackage roots ${a.root} and ${b.root} nest: a root cannot lie inside another`);
    }
  }
  for (const page of allPages(app)) {
    for (const ext of ['.js', '.json', '.wxml']) if (!existsSync(join(dir, page + ext))) problems.push(`page ${page} has no ${page}${ext}`);
  }
  const names = new Set(subs.flatMap((s) => [s.name, s.root]).concat(MAIN_PACKAGE));
  for (const [page, rule] of Object.entries(app.preloadRule ?? {})) {
    if (!allPages(app).includes(page)) problems.push(`preloadRule names ${page}, which is no page of app.json`);
    for (const name of rule.packages) if (!names.has(name)) problems.push(`preloadRule of ${page} preloads "${name}", which is no subpackage's name or root`);
  }
  for (const ref of unresolved) problems.push(`${ref.from} refers to "${ref.request}", which resolves to no file`);
  for (const [file, users] of [...reachedBy].sort(([a], [b]) => a.localeCompare(b))) {
    const home = packageOfFile(file, layout);
    const others = [...users].filter((u) => u !== home.name).sort();
    if (home.name !== MAIN_PACKAGE && others.length) problems.push(`${file} is in subpackage ${home.name} but ${others.join(', ')} use${others.length > 1 ? '' : 's'} it: a package may use only its own and the main package's files`);
    // Shared by two subpackages, the main package is its only legal place (they cannot share otherwise).
    if (home.name === MAIN_PACKAGE && !users.has(MAIN_PACKAGE) && users.size === 1) problems.push(`${file} is in the main package but only subpackage ${[...users][0]} uses it: move it into that subpackage`);
  }
  return problems;
}
