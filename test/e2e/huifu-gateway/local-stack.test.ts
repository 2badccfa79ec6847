import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { startStack, type Stack } from '../../helpers/stack';
import { order } from './helpers';

/** `npm start` wiring: the Huifu sandbox beside the WeChat one, its keys beside theirs, the mini-program's appid configured. */
describe('huifu sandbox in the local stack', () => {
  let stack: Stack;
  beforeAll(async () => {
    stack = await startStack({ huifu: { timeScale: 50 } });
  });
  afterAll(async () => {
    await stack.close();
  });

  it('starts on its own port with keys in <data>/keys/huifu, taking orders for the WeChat sandbox’s appid', async () => {
    const huifu = stack.huifu!;
    expect(huifu.url).not.toBe(stack.gatewayUrl);
    expect(huifu.keys.dir).toBe(join(stack.dataDir, 'keys', 'huifu'));
    expect(existsSync(join(stack.dataDir, 'keys', 'identity.json'))).toBe(true);
    expect(huifu.appids).toEqual([stack.gateway.keys.appid]);
    const { payInfo } = await order(huifu, { wx_data: JSON.stringify({ sub_appid: stack.gateway.keys.appid, sub_openid: 'oLOCAL_STACK_USER_000001' }) });
    expect(payInfo.appId).toBe(stack.gateway.keys.appid);
    expect((await fetch(`${huifu.url}/healthz`)).status).toBe(200);
  });

  it('is not started unless asked (existing stacks stay as they were)', async () => {
    const plain = await startStack();
    try {
      expect(plain.huifu).toBeUndefined();
    } finally {
      await plain.close();
    }
  });
});
