/**
 * Import rules of the gateway-neutral layout (issue 11; docs/structure.json "never" arrows):
 * the domain sees channel outcomes, never the gateway layer; the store only stores (it never runs
 * the domain's rules: state machine, ledger loop, refund or combine rules).
 */
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';

const core = join(__dirname, '../../cloudfunctions/core');
const files = (dir: string): string[] => readdirSync(dir).flatMap((name) => (statSync(join(dir, name)).isDirectory() ? files(join(dir, name)) : name.endsWith('.ts') ? [join(dir, name)] : []));
const importsOf = (file: string) => [...readFileSync(file, 'utf8').matchAll(/(?:from |import\()'([^']+)'/g)].map((m) => m[1]);
const named = (root: string, list: string[]) => list.map((file) => [file.slice(root.length + 1), file]);

describe('the domain sees channel outcomes, never the gateway layer', () => {
  const root = join(core, 'domain');
  // The signing-page signature is the IndividualContracts port's (channels/wechatpay-contracts), too.
  it.each(named(root, files(root)))('%s imports nothing from gateways/', (_name, file) => {
    expect(importsOf(file).filter((path) => path.includes('/gateways/'))).toEqual([]);
  });
});

describe('the store only stores', () => {
  const root = join(core, 'store');
  const rules = /domain\/(ledger|orders\/(state-machine|refund-rules|combine-rules))$/;

  it.each(named(root, files(root)))('%s runs none of the domain\'s rules', (_name, file) => {
    expect(importsOf(file).filter((path) => rules.test(path))).toEqual([]);
  });
});
