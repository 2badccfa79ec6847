import { readFileSync } from 'node:fs';
import { dirname, resolve } from 'node:path';

/**
 * WXSS → browser CSS for a page rendered by miniprogram-simulate, whose DOM writes a component's
 * classes as `<tag>--<class>` (the page's own as `main--<class>`) and built-in elements as
 * `wx-<name>`. So each component's sheet is rewritten with its tag as the class prefix, `view`
 * and friends become `wx-view`, `page` the document body, and rpx becomes px on a 375 px wide
 * phone (750 rpx = the screen width: 1 rpx = 0.5 px). `@import` is inlined (Vant's common sheets).
 */

export const PHONE_WIDTH_PX = 375;
const RPX_TO_PX = PHONE_WIDTH_PX / 750;

const ELEMENTS = ['view', 'text', 'button', 'image', 'icon', 'input', 'textarea', 'label', 'navigator', 'scroll-view', 'swiper', 'swiper-item', 'block', 'form', 'switch', 'slider', 'picker', 'rich-text', 'progress', 'radio', 'checkbox'];
const ELEMENT = new RegExp(`(^|[\\s>+~,(])(${ELEMENTS.join('|')})(?=$|[\\s>+~,.:#\\[)])`, 'g');

/** Reads a WXSS file with its `@import`s inlined (each once). */
export function readWxss(file: string, seen = new Set<string>()): string {
  if (seen.has(file)) return '';
  seen.add(file);
  const text = readFileSync(file, 'utf8');
  return text.replace(/@import\s+(?:url\()?['"]([^'"]+)['"]\)?\s*;/g, (_, rel: string) => readWxss(resolve(dirname(file), rel), seen));
}

export const rpxToPx = (css: string) => css.replace(/(-?\d*\.?\d+)rpx/g, (_, n: string) => `${+(Number(n) * RPX_TO_PX).toFixed(3)}px`);

/** One selector list rewritten for a component whose DOM class prefix is `prefix`. */
export function rewriteSelectors(selectors: string, prefix: string, hostTag: string): string {
  return selectors
    .split(',')
    .map((sel) =>
      sel
        .trim()
        .replace(/:host/g, hostTag)
        .replace(/(^|[\s>+~,(])page(?=$|[\s>+~,.:#[)])/g, '$1body')
        .replace(ELEMENT, '$1wx-$2')
        .replace(/\.(-?[_a-zA-Z][-_a-zA-Z0-9]*)/g, `.${prefix}--$1`),
    )
    .join(',');
}

/** A whole sheet rewritten (rules, @media blocks; @keyframes and @font-face kept as they are). */
export function convertWxss(css: string, prefix: string, hostTag = prefix): string {
  let out = '';
  let i = 0;
  const text = css.replace(/\/\*[\s\S]*?\*\//g, '');
  while (i < text.length) {
    const open = text.indexOf('{', i);
    if (open < 0) break;
    const head = text.slice(i, open).trim();
    const close = matchingBrace(text, open);
    const body = text.slice(open + 1, close);
    if (/^@(media|supports)/.test(head)) out += `${head}{${convertWxss(body, prefix, hostTag)}}`;
    else if (head.startsWith('@')) out += `${head}{${body}}`;
    else if (head) out += `${rewriteSelectors(head, prefix, hostTag)}{${body}}`;
    i = close + 1;
  }
  return rpxToPx(out);
}

function matchingBrace(text: string, open: number): number {
  let depth = 0;
  for (let j = open; j < text.length; j++) {
    if (text[j] === '{') depth++;
    else if (text[j] === '}' && --depth === 0) return j;
  }
  return text.length;
}
