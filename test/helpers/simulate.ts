/**
 * Loading built pages/components from `dist/miniprogram` into miniprogram-simulate (jsdom), with
 * `rootPath` set so absolute `usingComponents` (`/miniprogram_npm/@vant/weapp/...`) resolve, and
 * waiting utilities for pages that talk to real servers.
 */
import { existsSync } from 'node:fs';
import { join, resolve } from 'node:path';
import * as simulate from 'miniprogram-simulate';

export const MINIPROGRAM_DIST = resolve(__dirname, '../../dist/miniprogram');

/* eslint-disable @typescript-eslint/no-explicit-any -- a page's data, methods and events are loose by design */
/** A node of a rendered tree (j-component), typed as tests use it. */
export interface SimNode {
  readonly dom: HTMLElement;
  readonly data: Record<string, any>;
  readonly instance: any;
  dispatchEvent(eventName: string, options?: { detail?: unknown; [key: string]: unknown }): void;
  addEventListener(eventName: string, handler: (event: any) => void, capture?: boolean): void;
  removeEventListener(eventName: string, handler: (event: any) => void, capture?: boolean): void;
  querySelector(selector: string): SimNode | undefined;
  querySelectorAll(selector: string): SimNode[];
  setData(data: Record<string, unknown>, callback?: () => void): void;
  triggerLifeTime(lifetime: string): void;
  triggerPageLifeTime(lifetime: string, ...args: unknown[]): void;
}
/* eslint-enable @typescript-eslint/no-explicit-any */

/** The root of a rendered tree. */
export interface SimComponent extends SimNode {
  attach(parent: Node): void;
  detach(): void;
}

/** Load and attach a built component or page (`'pages/index/index'`), without lifecycle calls. */
export function render(path: string, properties?: Record<string, unknown>): SimComponent {
  const file = join(MINIPROGRAM_DIST, path);
  if (!existsSync(file + '.json')) throw new Error(`${file}.json missing — run \`npm run build\` first`);
  // miniprogram-simulate re-runs a component's JS on every load (it deletes require.cache, which
  // jest's registry ignores): load in an isolated registry so each render runs fresh code.
  let id = '';
  jest.isolateModules(() => {
    id = simulate.load(file, { rootPath: MINIPROGRAM_DIST });
  });
  const comp = simulate.render(id, properties) as unknown as SimComponent;
  comp.attach(document.createElement('parent-wrapper'));
  return comp;
}

/** Open a page the way the runtime does: render it, then `onLoad(query)` and `onShow()`. */
export function openPage(path: string, query: Record<string, string> = {}): SimComponent {
  const page = render(path);
  page.instance.onLoad?.(query);
  page.instance.onShow?.();
  return page;
}

export interface WaitOptions {
  timeoutMs?: number;
  intervalMs?: number;
  /** Said in the timeout error. */
  what?: string;
}

/** Poll until `check` returns a truthy value (which is returned) or the time runs out. */
export async function waitFor<T>(check: () => T | undefined | null | false, opts: WaitOptions = {}): Promise<T> {
  const deadline = Date.now() + (opts.timeoutMs ?? 5000);
  let lastError: unknown;
  for (;;) {
    try {
      const value = check();
      if (value) return value;
    } catch (err) {
      lastError = err;
    }
    if (Date.now() > deadline) {
      throw new Error(`timed out waiting for ${opts.what ?? 'condition'}${lastError ? `: ${(lastError as Error).message}` : ''}`);
    }
    await new Promise((r) => setTimeout(r, opts.intervalMs ?? 20));
  }
}

/** Text content of the first element matching `selector` (by `#id` for Vant components), or undefined. */
export function textOf(comp: SimNode, selector: string): string | undefined {
  const found = comp.querySelector(selector);
  return found?.dom?.textContent?.trim();
}

/** Wait until an element matching `selector` exists; returns it. */
export function waitForSelector(comp: SimNode, selector: string, opts: WaitOptions = {}): Promise<SimNode> {
  return waitFor(() => comp.querySelector(selector), { what: selector, ...opts });
}

/** Tap a Vant button (or any component): fires the tap its inner root listens to. */
export function tap(comp: SimNode, selector: string): void {
  const target = comp.querySelector(selector);
  if (!target) throw new Error(`tap: nothing matches ${selector}`);
  const inner = target.querySelector('.van-button') ?? target.querySelector('button');
  (inner ?? target).dispatchEvent('tap');
}

export { simulate };
