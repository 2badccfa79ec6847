import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { convertWxss, PHONE_WIDTH_PX, readWxss } from './wxss';
import type { PreviewState } from './states';

/**
 * Renders built pages (`dist/miniprogram`) with miniprogram-simulate in a jsdom window made here
 * (no jest), and turns each rendered tree into a stand-alone HTML page: the DOM the simulator
 * built, with the page's, app.wxss's and every used component's WXSS converted for the browser.
 */

export const MINIPROGRAM_DIST = join(__dirname, '../../dist/miniprogram');

export interface RenderedPreview {
  page: string;
  state: string;
  html: string;
  /** console.error / exceptions while rendering. */
  errors: string[];
  /** The text the page shows (blank pages have none). */
  text: string;
}

let installed = false;

/** jsdom's window as the global scope, as jest-environment-jsdom gives the component tests. */
function installJsdom(): void {
  if (installed) return;
  installed = true;
  // Pages format times in the phone's zone: preview them as a phone in China shows them.
  process.env.TZ = process.env.PREVIEW_TZ || 'Asia/Shanghai';
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  const { JSDOM } = require('jsdom') as typeof import('jsdom');
  const dom = new JSDOM('<!doctype html><html><body></body></html>', { pretendToBeVisual: true, url: 'http://localhost/' });
  const g = globalThis as unknown as Record<string, unknown>;
  for (const key of Object.getOwnPropertyNames(dom.window)) {
    if (key in g) continue;
    try {
      g[key] = (dom.window as unknown as Record<string, unknown>)[key];
    } catch {
      /* read-only */
    }
  }
  g.window = dom.window;
  g.document = dom.window.document;
}

/** tag → built component path, for a component's `usingComponents`, recursively. */
function componentsOf(jsonFile: string, found = new Map<string, string>()): Map<string, string> {
  const json = JSON.parse(readFileSync(jsonFile, 'utf8')) as { usingComponents?: Record<string, string> };
  for (const [tag, ref] of Object.entries(json.usingComponents ?? {})) {
    const path = ref.startsWith('/') ? join(MINIPROGRAM_DIST, ref) : join(jsonFile, '..', ref);
    const key = `${tag}|${path}`;
    if (found.has(key) || !existsSync(`${path}.json`)) continue;
    found.set(key, path);
    componentsOf(`${path}.json`, found);
  }
  return found;
}

/** The browser CSS of a page: app.wxss and the page's own sheet (prefix `main`), each component's under its tag. */
export function pageCss(page: string): string {
  const file = join(MINIPROGRAM_DIST, page);
  const sheets = [convertWxss(readWxss(join(MINIPROGRAM_DIST, 'app.wxss')), 'main'), convertWxss(readWxss(`${file}.wxss`), 'main')];
  for (const [key, path] of componentsOf(`${file}.json`)) {
    const tag = key.split('|')[0]!;
    if (existsSync(`${path}.wxss`)) sheets.push(convertWxss(readWxss(`${path}.wxss`), tag));
  }
  // Offline: Vant's icon font is on a CDN, so an icon shows as its placeholder glyph; nothing is fetched.
  return sheets.join('\n').replace(/@font-face\{[^}]*url\((?:https?:)?\/\/[^}]*\}/g, '');
}

export function renderPreview(page: string, state: PreviewState): RenderedPreview {
  installJsdom();
  const errors: string[] = [];
  const originalError = console.error;
  console.error = (...args: unknown[]) => errors.push(args.map(String).join(' '));
  try {
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    const simulate = require('miniprogram-simulate') as typeof import('miniprogram-simulate');
    const id = simulate.load(join(MINIPROGRAM_DIST, page), { rootPath: MINIPROGRAM_DIST });
    const comp = simulate.render(id) as unknown as { dom: HTMLElement; setData(d: Record<string, unknown>): void; attach(p: Node): void; detach(): void };
    comp.attach(document.createElement('parent-wrapper'));
    comp.setData(state.data);
    const body = comp.dom.outerHTML;
    const text = (comp.dom.textContent ?? '').replace(/\s+/g, ' ').trim();
    comp.detach();
    const html = `<!doctype html><html lang="zh-CN"><head><meta charset="utf-8"><meta name="viewport" content="width=${PHONE_WIDTH_PX}">
<title>${page} · ${state.name}</title><style>
html,body{margin:0;width:${PHONE_WIDTH_PX}px;font-family:-apple-system,"PingFang SC","WenQuanYi Micro Hei",sans-serif;font-size:14px;background:#f7f8fa}
wx-view,wx-text,wx-button,wx-image,wx-icon{display:block}wx-text{display:inline}wx-button{border:0;background:none}
${pageCss(page)}</style></head><body>${body}</body></html>`;
    return { page, state: state.name, html, errors, text };
  } catch (err) {
    errors.push((err as Error).stack ?? String(err));
    return { page, state: state.name, html: '', errors, text: '' };
  } finally {
    console.error = originalError;
  }
}
