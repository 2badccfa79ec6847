/**
 * `npm run preview`: every page of the built mini-program in each of its states (states.ts),
 * rendered by miniprogram-simulate, screenshotted by headless Chromium at a 375 px wide phone
 * into `artifacts/previews/` (git-ignored) with an index.html to browse them. No WeChat DevTools.
 */
import { existsSync, mkdirSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { chromium } from 'playwright-core';
import { renderPreview, MINIPROGRAM_DIST, type RenderedPreview } from './render';
import { PAGE_STATES } from './states';
import { PHONE_WIDTH_PX } from './wxss';

export interface PreviewShot extends RenderedPreview {
  file: string;
  png: string;
  /** Distinct colours sampled from the screenshot: 1 = a blank page. */
  colours: number;
  pageErrors: string[];
}

export const PREVIEW_DIR = resolve(__dirname, '../../artifacts/previews');

const CHROMIUM_CANDIDATES = ['/usr/bin/chromium', '/usr/bin/chromium-browser'];

/** Renders and screenshots every page state into `outDir`; `scale` 2 gives retina-sharp PNGs. */
export async function buildPreviews(outDir = PREVIEW_DIR, opts: { scale?: number; executablePath?: string } = {}): Promise<PreviewShot[]> {
  const executablePath = opts.executablePath ?? (process.env.CHROMIUM_PATH || CHROMIUM_CANDIDATES.find((p) => existsSync(p)));
  if (!executablePath) throw new Error('no chromium: `apt-get install -y chromium fonts-wqy-microhei`, or set CHROMIUM_PATH');
  mkdirSync(outDir, { recursive: true });
  const rendered = Object.entries(PAGE_STATES).flatMap(([page, states]) => states.map((s) => renderPreview(page, s)));
  const browser = await chromium.launch({ executablePath, headless: true, args: ['--no-sandbox', '--disable-dev-shm-usage', '--disable-gpu'] });
  const shots: PreviewShot[] = [];
  try {
    const context = await browser.newContext({ viewport: { width: PHONE_WIDTH_PX, height: 667 }, deviceScaleFactor: opts.scale ?? 2 });
    const tab = await context.newPage();
    for (const r of rendered) {
      const base = `${r.page.replace(/^pages\//, '').replace(/\/index$/, '').replace(/\//g, '-')}--${r.state}`;
      const file = join(outDir, `${base}.html`);
      const png = join(outDir, `${base}.png`);
      writeFileSync(file, r.html);
      const pageErrors: string[] = [];
      const onError = (err: Error) => pageErrors.push(String(err));
      tab.on('pageerror', onError);
      await tab.setContent(r.html, { waitUntil: 'domcontentloaded' });
      const image = await tab.screenshot({ path: png, fullPage: true, animations: 'disabled' });
      tab.off('pageerror', onError);
      // Sample the rendered pixels in the page itself: how many colours does it show?
      const colours = await tab.evaluate(async (b64) => {
        const img = new Image();
        img.src = `data:image/png;base64,${b64}`;
        await img.decode();
        const canvas = document.createElement('canvas');
        canvas.width = img.width;
        canvas.height = img.height;
        const g = canvas.getContext('2d')!;
        g.drawImage(img, 0, 0);
        const px = g.getImageData(0, 0, img.width, img.height).data;
        const seen = new Set<number>();
        for (let i = 0; i < px.length; i += 4 * 97) seen.add((px[i]! << 16) | (px[i + 1]! << 8) | px[i + 2]!);
        return seen.size;
      }, image.toString('base64'));
      shots.push({ ...r, file, png, colours, pageErrors });
    }
  } finally {
    await browser.close();
  }
  writeFileSync(join(outDir, 'index.html'), indexHtml(shots));
  // What the preview test reads (it runs this script in a process of its own: jsdom becomes the global scope here).
  writeFileSync(join(outDir, 'report.json'), JSON.stringify(shots.map(({ html: _html, ...rest }) => rest), null, 1));
  return shots;
}

function indexHtml(shots: PreviewShot[]): string {
  const esc = (s: string) => s.replace(/[&<>"]/g, (c) => `&#${c.charCodeAt(0)};`);
  const byPage = new Map<string, PreviewShot[]>();
  for (const s of shots) byPage.set(s.page, [...(byPage.get(s.page) ?? []), s]);
  return `<!doctype html><html lang="zh-CN"><head><meta charset="utf-8"><title>Mini-program page previews</title>
<style>body{font-family:system-ui,sans-serif;margin:1rem}figure{display:inline-block;margin:0 1rem 1rem 0;vertical-align:top}img{width:${PHONE_WIDTH_PX}px;border:1px solid #ddd}figcaption{font-size:.85rem;color:#555}</style></head><body>
<h1>Page previews</h1><p>Rendered from ${esc(MINIPROGRAM_DIST)} by miniprogram-simulate, WXSS converted (rpx at ${PHONE_WIDTH_PX} px), screenshotted by Chromium.</p>
${[...byPage].map(([page, list]) => `<h2>${esc(page)}</h2>${list.map((s) => `<figure><a href="${esc(s.file.split('/').pop()!)}"><img src="${esc(s.png.split('/').pop()!)}" alt="${esc(`${page} ${s.state}`)}"></a><figcaption>${esc(s.state)}${s.errors.length ? ' — errors!' : ''}</figcaption></figure>`).join('')}`).join('\n')}
</body></html>`;
}

/** `--out <dir>` (default artifacts/previews), `--scale <n>` (default 2). */
function argOf(name: string): string | undefined {
  const i = process.argv.indexOf(`--${name}`);
  return i > 0 ? process.argv[i + 1] : undefined;
}

if ((require as unknown as NodeJS.Require).main === module) {
  const outDir = resolve(argOf('out') ?? PREVIEW_DIR);
  buildPreviews(outDir, { scale: Number(argOf('scale') ?? 2) }).then(
    (shots) => {
      const bad = shots.filter((s) => s.errors.length || s.pageErrors.length || s.colours <= 1);
      console.log(`${shots.length} previews in ${outDir} (open index.html)`);
      for (const s of bad) console.error(`problem: ${s.page} ${s.state}: ${[...s.errors, ...s.pageErrors].join(' | ') || 'blank'}`);
      process.exit(bad.length ? 1 : 0);
    },
    (err: unknown) => {
      console.error(`preview failed: ${(err as Error).stack ?? String(err)}`);
      process.exit(1);
    },
  );
}
