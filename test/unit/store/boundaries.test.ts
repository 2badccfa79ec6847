/**
 * What the store may reach: it only stores. Its module graph holds the store's own files and the
 * shapes of the records it persists (domain model types and their structural checks) — never the
 * domain's state machine, its ledger loop or a service, which decide what a change means. And
 * nothing in cloudfunctions/ reaches test code (test doubles live under test/).
 */
import { buildSync } from 'esbuild';
import { readFileSync, readdirSync, statSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';
import { CLOUDBASE_COLLECTIONS, CLOUDBASE_COLLECTIONS_BY_REPOSITORY } from '../../../cloudfunctions/core/store/cloudbase/store';

const ROOT = resolve(__dirname, '../../..');

function storeModuleGraph(): string[] {
  const result = buildSync({
    entryPoints: [join(ROOT, 'cloudfunctions/core/store/index.ts')],
    bundle: true,
    platform: 'node',
    format: 'cjs',
    write: false,
    metafile: true,
    external: ['better-sqlite3'],
    logLevel: 'silent',
  });
  return Object.keys(result.metafile.inputs).map((input) => relative(ROOT, resolve(ROOT, input)).split('\\').join('/'));
}

function sourceFiles(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const path = join(dir, name);
    if (statSync(path).isDirectory()) return name === 'node_modules' ? [] : sourceFiles(path);
    return path.endsWith('.ts') ? [path] : [];
  });
}

describe('store boundaries', () => {
  it('reaches no business logic: no state machine, ledger, service, channel or gateway in its module graph', () => {
    const graph = storeModuleGraph();
    expect(graph).toContain('cloudfunctions/core/store/index.ts');
    // The contract (typings/: the channel names a stored order may carry) is data, not business logic.
    const outside = graph.filter((file) => !file.startsWith('cloudfunctions/core/store/') && !file.startsWith('typings/'));
    const business = outside.filter(
      (file) => !file.startsWith('cloudfunctions/core/domain/') || /\/(ledger|state-machine|service|refund-flow)[^/]*\.ts$/.test(file),
    );
    expect(business).toEqual([]);
  });

  it('keeps production code free of test code: nothing in cloudfunctions/ imports from test/', () => {
    const offenders: string[] = [];
    for (const file of sourceFiles(join(ROOT, 'cloudfunctions'))) {
      const text = readFileSync(file, 'utf8');
      for (const [, specifier] of text.matchAll(/(?:from\s+|require\(\s*|import\(\s*)['"]([^'"]+)['"]/g)) {
        if (!specifier.startsWith('.')) continue;
        const target = relative(ROOT, resolve(dirname(file), specifier)).split('\\').join('/');
        if (!target.startsWith('cloudfunctions/') && !target.startsWith('typings/')) offenders.push(`${relative(ROOT, file)} → ${specifier}`);
      }
    }
    expect(offenders).toEqual([]);
  });

  it('lists every CloudBase collection per repository in the README deploy section, as the adapter uses them', () => {
    const readme = readFileSync(join(ROOT, 'README.md'), 'utf8');
    const deploy = readme.slice(readme.indexOf('## Cloud mode and deploying the functions'));
    const section = deploy.slice(0, deploy.indexOf('\n## ', 1));
    for (const [repository, collections] of Object.entries(CLOUDBASE_COLLECTIONS_BY_REPOSITORY)) {
      const line = section.split('\n').find((text) => text.includes(`\`${repository}\``));
      expect(line).toBeDefined();
      const named = [...(line ?? '').matchAll(/`([a-z_]+)`/g)].map((m) => m[1]);
      expect({ repository, named }).toEqual({ repository, named: [...collections] });
    }
    expect([...CLOUDBASE_COLLECTIONS].sort()).toEqual(['alerts', 'audit', 'notifications', 'orders', 'payees', 'payscore_orders', 'refunds', 'uniques']);
  });
});
