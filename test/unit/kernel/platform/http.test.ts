import { createHttpHandler, type HttpRequest } from '../../../../cloudfunctions/core/kernel/platform/http';

describe('createHttpHandler', () => {
  const received: HttpRequest[] = [];
  const main = createHttpHandler(async (req) => {
    received.push(req);
    if (req.path === '/binary') return { status: 200, headers: { 'Content-Type': 'application/octet-stream' }, body: Buffer.from([0, 255, 1]) };
    if (req.path === '/boom') throw new Error('stack detail');
    return { status: 204 };
  });
  beforeEach(() => (received.length = 0));

  it('hands over the raw body exactly, lower-cased headers and the query', async () => {
    const body = '{"id":"EV-1",  "amount": 1}\n';
    const result = await main({
      path: '/notify',
      httpMethod: 'post',
      headers: { 'Wechatpay-Signature': 'sig', 'Content-Type': 'application/json' },
      queryStringParameters: { a: '1' },
      body,
      isBase64Encoded: false,
    });
    expect(result).toEqual({ statusCode: 204, headers: {}, body: '' });
    expect(received[0]).toMatchObject({ method: 'POST', path: '/notify', headers: { 'wechatpay-signature': 'sig', 'content-type': 'application/json' }, query: { a: '1' }, body });
    expect(received[0].rawBody.equals(Buffer.from(body))).toBe(true);
  });

  it('hands a text body as its UTF-8 decoding: a lone surrogate reads as U+FFFD in both body and bytes', async () => {
    for (const [sent, read] of [
      ['{"a":"中文 ✓"}', '{"a":"中文 ✓"}'],
      ['{"a":"\ud800x"}', '{"a":"\ufffdx"}'],
    ]) {
      received.length = 0;
      await main({ path: '/', httpMethod: 'POST', headers: {}, body: sent, isBase64Encoded: false });
      expect(received[0].body).toBe(read);
      expect(received[0].rawBody.equals(Buffer.from(read, 'utf8'))).toBe(true);
    }
  });

  it('decodes a base64 body to its bytes', async () => {
    const bytes = Buffer.from([0xe4, 0xb8, 0xad, 0x00, 0xff]);
    await main({ path: '/', httpMethod: 'POST', headers: {}, body: bytes.toString('base64'), isBase64Encoded: true });
    expect(received[0].rawBody.equals(bytes)).toBe(true);
  });

  it('answers a Buffer body base64-encoded and lower-cases response headers', async () => {
    const result = await main({ path: '/binary', httpMethod: 'GET', headers: {} });
    expect(result).toEqual({ statusCode: 200, headers: { 'content-type': 'application/octet-stream' }, body: Buffer.from([0, 255, 1]).toString('base64'), isBase64Encoded: true });
  });

  it('answers 500 without the error detail when the handler throws, and 400 for a non-HTTP event', async () => {
    const spy = jest.spyOn(console, 'error').mockImplementation(() => undefined);
    const result = await main({ path: '/boom', httpMethod: 'POST', headers: {} });
    expect(result.statusCode).toBe(500);
    expect(result.body).not.toContain('stack detail');
    expect(spy).toHaveBeenCalled();
    spy.mockRestore();
    expect((await main({ action: 'x' })).statusCode).toBe(400);
  });
});
