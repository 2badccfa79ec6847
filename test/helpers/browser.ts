/**
 * Headless Chromium for the browser tests: Debian's `chromium` package driven by playwright-core
 * (no browser download; `.ci/run` installs the package and a CJK font when missing). One browser
 * per test file; screenshots go to the git-ignored `artifacts/` folder.
 */
import { existsSync, mkdirSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { chromium, type Browser, type Page } from 'playwright-core';

const CANDIDATES = ['/usr/bin/chromium', '/usr/bin/chromium-browser', '/usr/lib/chromium/chromium'];

/** CHROMIUM_PATH, else the Debian binary; a clear error naming the fix when there is none. */
export function chromiumPath(): string {
  const path = process.env.CHROMIUM_PATH || CANDIDATES.find((p) => existsSync(p));
  if (!path) throw new Error('no chromium found: `apt-get install -y chromium fonts-wqy-microhei` (as .ci/run does), or set CHROMIUM_PATH');
  return path;
}

export function launchChromium(): Promise<Browser> {
  // --no-sandbox: CI containers run as root, where Chromium's own sandbox cannot start.
  return chromium.launch({ executablePath: chromiumPath(), headless: true, args: ['--no-sandbox', '--disable-dev-shm-usage', '--disable-gpu'] });
}

export const ARTIFACTS_DIR = resolve(__dirname, '../../artifacts');

/** `artifacts/<folder>/<name>.png`, the folder made on first use. */
export function artifactPath(folder: string, name: string): string {
  const dir = join(ARTIFACTS_DIR, folder);
  mkdirSync(dir, { recursive: true });
  return join(dir, `${name}.png`);
}

/**
 * The sandbox console (`/sandbox/console`) open in a new page, once its live feed is connected;
 * every page error and console error is pushed to `errors` (the tests assert it stays empty).
 */
export async function openSandboxConsole(browser: Browser, gatewayUrl: string, errors: string[]): Promise<Page> {
  const page = await browser.newPage({ viewport: { width: 1400, height: 900 } });
  page.on('pageerror', (err) => errors.push(String(err)));
  page.on('console', (msg) => {
    if (msg.type() === 'error') errors.push(msg.text());
  });
  await page.goto(`${gatewayUrl}/sandbox/console`);
  await page.locator('#live', { hasText: 'live' }).waitFor();
  return page;
}
