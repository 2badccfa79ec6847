/** WXSS → browser CSS for the page previews: classes prefixed as miniprogram-simulate writes them, elements as wx-*, rpx at 375 px. */
import { convertWxss, rewriteSelectors, rpxToPx } from '../../../sandbox/preview/wxss';

it('prefixes classes with the component tag, renames built-in elements, maps page and :host', () => {
  expect(rewriteSelectors('.van-button--primary:before, view .title > text', 'van-button', 'van-button')).toBe('.van-button--van-button--primary:before,wx-view .van-button--title > wx-text');
  expect(rewriteSelectors('page', 'main', 'main')).toBe('body');
  expect(rewriteSelectors(':host', 'van-cell', 'van-cell')).toBe('van-cell');
  // A class or tag that merely contains an element name is left alone.
  expect(rewriteSelectors('.viewer, van-button', 'main', 'main')).toBe('.main--viewer,van-button');
});

it('converts rpx at a 375 px wide phone (750 rpx = full width)', () => {
  expect(rpxToPx('padding: 24rpx 750rpx; margin: -1.5rpx')).toBe('padding: 12px 375px; margin: -0.75px');
});

it('rewrites rules inside @media, keeps @keyframes and @font-face as they are, drops comments', () => {
  const css = '/* c */ .a{width:100rpx}@media (min-width: 1px){.b{color:red}}@keyframes spin{from{transform:rotate(0)}to{transform:rotate(360deg)}}';
  expect(convertWxss(css, 'main')).toBe('.main--a{width:50px}@media (min-width: 1px){.main--b{color:red}}@keyframes spin{from{transform:rotate(0)}to{transform:rotate(360deg)}}');
});
