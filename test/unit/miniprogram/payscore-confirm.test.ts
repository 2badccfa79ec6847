/**
 * The openBusinessView adapter (acquiring-bank front-end page): cloud builds open PayScore with
 * `wx.openBusinessView({businessType: 'wxpayScoreUse', extraData: {package}})`, fall back to
 * `wx.navigateToMiniProgram` (PayScore's appid and path), and ask for an upgrade without either;
 * local builds post the user's choice to the sandbox's confirmation page.
 */
import { openPayScoreConfirm, PAYSCORE_APPID, PAYSCORE_PATH, type ConfirmDeps } from '../../../miniprogram/pages/payscore/payscore-confirm';

const params = { businessType: 'wxpayScoreUse' as const, extraData: { package: 'AAQpkg' } };

function deps(over: Partial<ConfirmDeps> = {}): ConfirmDeps {
  return {
    transport: 'cloud',
    sandboxUrl: 'http://sandbox',
    showModal: async () => ({ confirm: true }),
    post: async () => ({ statusCode: 200, data: {} }),
    ...over,
  };
}

it('cloud: openBusinessView with exactly businessType and extraData.package', async () => {
  const seen: unknown[] = [];
  const outcome = await openPayScoreConfirm(params, deps({ openBusinessView: (o) => (seen.push({ businessType: o.businessType, extraData: o.extraData }), o.success?.({})) }));
  expect(outcome).toEqual({ kind: 'returned' });
  expect(seen).toEqual([{ businessType: 'wxpayScoreUse', extraData: { package: 'AAQpkg' } }]);
});

it('cloud: a failed openBusinessView is a failure with its errMsg', async () => {
  expect(await openPayScoreConfirm(params, deps({ openBusinessView: (o) => o.fail?.({ errMsg: 'openBusinessView:fail cancel' }) }))).toEqual({ kind: 'failed', message: 'openBusinessView:fail cancel' });
});

it('cloud without openBusinessView: navigateToMiniProgram to PayScore (wxd8f3793ea3b935b8, pages/use/use)', async () => {
  const seen: unknown[] = [];
  const outcome = await openPayScoreConfirm(params, deps({ navigateToMiniProgram: (o) => (seen.push({ appId: o.appId, path: o.path, extraData: o.extraData }), o.success?.({})) }));
  expect(outcome).toEqual({ kind: 'returned' });
  expect(seen).toEqual([{ appId: PAYSCORE_APPID, path: PAYSCORE_PATH, extraData: { package: 'AAQpkg' } }]);
  expect(PAYSCORE_APPID).toBe('wxd8f3793ea3b935b8');
});

it('cloud without either: unsupported (the page asks the user to upgrade WeChat)', async () => {
  expect(await openPayScoreConfirm(params, deps())).toEqual({ kind: 'unsupported' });
});

it('local: the modal choice is posted to the sandbox confirmation page', async () => {
  const posts: Array<[string, unknown]> = [];
  const post = async (url: string, body: unknown) => (posts.push([url, body]), { statusCode: 200, data: {} });
  expect(await openPayScoreConfirm(params, deps({ transport: 'local', post }))).toEqual({ kind: 'returned' });
  expect(await openPayScoreConfirm(params, deps({ transport: 'local', post, showModal: async () => ({ confirm: false }) }))).toEqual({ kind: 'returned' });
  expect(posts).toEqual([
    ['http://sandbox/sandbox/payscore/confirm', { package: 'AAQpkg', decision: 'confirm' }],
    ['http://sandbox/sandbox/payscore/confirm', { package: 'AAQpkg', decision: 'refuse' }],
  ]);
  const refused = await openPayScoreConfirm(params, deps({ transport: 'local', post: async () => ({ statusCode: 404, data: { code: 'ORDER_NOT_EXIST', message: 'package 对应的订单不存在' } }) }));
  expect(refused).toEqual({ kind: 'failed', message: 'package 对应的订单不存在' });
});
