import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { Aes, Formatter, Rsa } from 'wechatpay-axios-plugin';
import {
  backoffDelay,
  CertificateVerifier,
  createV3Client,
  parseAuthorization,
  PlatformCertificateManager,
  WechatPayError,
  type V3ClientOptions,
} from '../../../../../cloudfunctions/core/gateways/wechatpay';
import { generateRsaKeyPair, makeCertificate, randomApiV3Key, randomSerialHex } from '../../../../helpers/crypto-fixtures';

const merchant = generateRsaKeyPair();
const merchantSerial = randomSerialHex();
const platform = generateRsaKeyPair();
const certificate = makeCertificate({ keyPair: platform });
const apiV3Key = randomApiV3Key();

interface Seen {
  method: string;
  url: string;
  headers: IncomingMessage['headers'];
  body: string;
  authorized: boolean;
}

type Handler = (request: Seen, response: ServerResponse) => void | Promise<void>;

let server: Server;
let baseUrl: string;
let handler: Handler;
let seen: Seen[] = [];

/** Signs like the gateway: wechatpay-axios-plugin over TIMESTAMP\nNONCE\nBODY\n. */
function reply(response: ServerResponse, status: number, body: string, opts: { sign?: boolean; key?: typeof platform.privateKey; serial?: string } = {}) {
  const headers: Record<string, string> = { 'Content-Type': 'application/json', 'Request-ID': 'REQ-' + seen.length };
  if (opts.sign !== false) {
    const timestamp = String(Math.floor(Date.now() / 1000));
    const nonce = 'n' + Math.random().toString(36).slice(2);
    headers['Wechatpay-Timestamp'] = timestamp;
    headers['Wechatpay-Nonce'] = nonce;
    headers['Wechatpay-Serial'] = opts.serial ?? certificate.serialNo;
    headers['Wechatpay-Signature'] = Rsa.sign(Formatter.response(timestamp, nonce, body), opts.key ?? platform.privateKey);
  }
  response.writeHead(status, headers);
  response.end(body);
}

beforeAll(async () => {
  server = createServer((req, res) => {
    let body = '';
    req.setEncoding('utf8');
    req.on('data', (chunk) => (body += chunk));
    req.on('end', () => {
      const auth = parseAuthorization(String(req.headers.authorization ?? ''));
      const authorized =
        !!auth && Rsa.verify(Formatter.request(req.method!, req.url!, auth.timestamp, auth.nonce_str, body), auth.signature, merchant.publicKey);
      const request = { method: req.method!, url: req.url!, headers: req.headers, body, authorized };
      seen.push(request);
      if (!authorized) return reply(res, 401, JSON.stringify({ code: 'SIGN_ERROR', message: '签名错误' }));
      void handler(request, res);
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  baseUrl = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});

afterAll(() => new Promise<void>((resolve) => server.close(() => resolve())));

beforeEach(() => {
  seen = [];
});

const delays: number[] = [];
function client(overrides: Partial<V3ClientOptions> = {}) {
  delays.length = 0;
  return createV3Client({
    mchid: '1900009191',
    serialNo: merchantSerial,
    privateKey: merchant.privatePem,
    verifier: new CertificateVerifier([certificate.pem]),
    baseUrl,
    timeoutMs: 2000,
    retry: { maxAttempts: 3 },
    random: () => 0.5,
    sleep: async (ms) => {
      delays.push(ms);
    },
    ...overrides,
  });
}

async function failure(promise: Promise<unknown>): Promise<WechatPayError> {
  try {
    await promise;
  } catch (error) {
    if (error instanceof WechatPayError) return error;
    throw error;
  }
  throw new Error('expected a failure');
}

describe('APIv3 client', () => {
  it('signs a POST (the gateway verifies it), sets Accept/User-Agent/Content-Type, and verifies the signed answer', async () => {
    handler = (_req, res) => reply(res, 200, '{"prepay_id":"wx201410272009395522657a690389285100"}');
    const response = await client().request<{ prepay_id: string }>('POST', '/v3/pay/transactions/jsapi', { appid: 'wx1', description: '测试', amount: { total: 1 } });
    expect(response.status).toBe(200);
    expect(response.data?.prepay_id).toBe('wx201410272009395522657a690389285100');
    expect(response.requestId).toBe('REQ-1');
    expect(seen[0]).toMatchObject({ authorized: true, body: '{"appid":"wx1","description":"测试","amount":{"total":1}}' });
    expect(seen[0]!.headers).toMatchObject({ accept: 'application/json', 'content-type': 'application/json' });
    expect(seen[0]!.headers['user-agent']).toMatch(/wxpay-miniprogram-stack/);
    expect(seen[0]!.headers['wechatpay-serial']).toBeUndefined();
  });

  it('signs GET with its query string and an empty body', async () => {
    handler = (_req, res) => reply(res, 200, '{"auth_state":"AUTHORIZED"}');
    await client().request('GET', '/v3/ecommerce/individual-contracts/oUpF8u', undefined, { query: { appid: 'wx1', permission_type: 'INDIVIDUAL_PAYEE' } });
    expect(seen[0]).toMatchObject({ authorized: true, url: '/v3/ecommerce/individual-contracts/oUpF8u?appid=wx1&permission_type=INDIVIDUAL_PAYEE', body: '' });
  });

  it('sends a string body unchanged and sets Wechatpay-Serial when fields are encrypted', async () => {
    handler = (_req, res) => reply(res, 200, '{}');
    const raw = '{"b":1,  "a":2}';
    await client().request('POST', '/v3/x', raw, { wechatpaySerial: certificate.serialNo });
    expect(seen[0]).toMatchObject({ authorized: true, body: raw });
    expect(seen[0]!.headers['wechatpay-serial']).toBe(certificate.serialNo);
  });

  it('accepts a signed 204 with no body', async () => {
    handler = (_req, res) => reply(res, 204, '');
    const response = await client().request('POST', '/v3/pay/transactions/out-trade-no/T1/close', { mchid: '1900009191' });
    expect(response).toMatchObject({ status: 204, body: '', data: undefined });
  });

  it('refuses an unsigned 200 with RESPONSE_UNSIGNED', async () => {
    handler = (_req, res) => reply(res, 200, '{"prepay_id":"evil"}', { sign: false });
    const error = await failure(client().request('POST', '/v3/pay/transactions/jsapi', {}));
    expect(error).toMatchObject({ code: 'RESPONSE_UNSIGNED', status: 200, retryable: false, requestId: 'REQ-1' });
  });

  it('refuses a 200 signed by another key with SIGNATURE_INVALID, and an unknown serial with SERIAL_UNKNOWN', async () => {
    handler = (_req, res) => reply(res, 200, '{"prepay_id":"evil"}', { key: merchant.privateKey });
    expect((await failure(client().request('POST', '/v3/a', {}))).code).toBe('SIGNATURE_INVALID');
    handler = (_req, res) => reply(res, 200, '{}', { serial: '1234' });
    const unknown = await failure(client().request('POST', '/v3/a', {}));
    expect(unknown).toMatchObject({ code: 'SERIAL_UNKNOWN', serial: '1234' });
  });

  it('maps a 4xx to a typed final error and never retries it', async () => {
    handler = (_req, res) => reply(res, 404, '{"code":"ORDER_NOT_EXIST","message":"订单不存在"}');
    const error = await failure(client().request('GET', '/v3/pay/transactions/out-trade-no/T404?mchid=1'));
    expect(error).toMatchObject({ status: 404, code: 'ORDER_NOT_EXIST', reason: '订单不存在', retryable: false });
    expect(seen).toHaveLength(1);
    expect(delays).toEqual([]);
  });

  it('does not retry a 5xx with a code other than SYSTEM_ERROR/BANK_ERROR', async () => {
    handler = (_req, res) => reply(res, 500, '{"code":"PARAM_ERROR","message":"x"}');
    expect((await failure(client().request('POST', '/v3/a', {}))).retryable).toBe(false);
    expect(seen).toHaveLength(1);
  });

  it('retries 429 FREQUENCY_LIMITED with the identical body and stops at maxAttempts', async () => {
    handler = (_req, res) => reply(res, 429, '{"code":"FREQUENCY_LIMITED","message":"频率超限"}');
    const error = await failure(client({ retry: { maxAttempts: 4, baseDelayMs: 100, maxDelayMs: 250 } }).request('POST', '/v3/pay/transactions/jsapi', { out_trade_no: 'T1', n: 1 }));
    expect(error).toMatchObject({ status: 429, code: 'FREQUENCY_LIMITED', retryable: true });
    expect(seen).toHaveLength(4);
    expect(new Set(seen.map((s) => s.body)).size).toBe(1);
    expect(new Set(seen.map((s) => s.headers.authorization)).size).toBe(4); // fresh nonce/signature each time
    expect(delays).toEqual([75, 150, 188]); // equal jitter with random()=0.5: cap 100, 200, 250(capped)
  });

  it('retries 500 SYSTEM_ERROR and 503 BANK_ERROR, then succeeds', async () => {
    const answers = [
      [500, '{"code":"SYSTEM_ERROR","message":"系统错误"}'],
      [503, '{"code":"BANK_ERROR","message":"银行错误"}'],
      [200, '{"ok":true}'],
    ] as const;
    handler = (_req, res) => {
      const [status, body] = answers[seen.length - 1]!;
      reply(res, status, body);
    };
    const response = await client().request('POST', '/v3/refund/domestic/refunds', { out_refund_no: 'R1' });
    expect(response.data).toEqual({ ok: true });
    expect(seen).toHaveLength(3);
    expect(delays).toHaveLength(2);
  });

  it('times out, retries the timeout, and gives up at the bound with TIMEOUT', async () => {
    handler = (_req, res) => {
      setTimeout(() => reply(res, 200, '{}'), 400);
    };
    const error = await failure(client({ timeoutMs: 100, retry: { maxAttempts: 2 } }).request('POST', '/v3/a', { a: 1 }));
    expect(error).toMatchObject({ code: 'TIMEOUT', retryable: true, status: 0 });
    expect(seen).toHaveLength(2);
  });

  it('a retried timeout resends the identical body', async () => {
    let calls = 0;
    handler = (_req, res) => {
      if (++calls === 1) setTimeout(() => reply(res, 200, '{}'), 400);
      else reply(res, 200, '{"second":true}');
    };
    const response = await client({ timeoutMs: 100, retry: { maxAttempts: 2 } }).request('POST', '/v3/a', { 描述: '商品', amount: 1 });
    expect(response.data).toEqual({ second: true });
    expect(seen).toHaveLength(2);
    expect(seen[1]!.body).toBe(seen[0]!.body);
  });

  it('by default calls over node:http on one kept-alive connection (not the global fetch), each body with its byte length', async () => {
    const fetchSpy = jest.spyOn(globalThis, 'fetch');
    let connections = 0;
    const count = () => connections++;
    server.on('connection', count);
    try {
      handler = (_req, res) => reply(res, 200, '{"ok":true}');
      const c = client();
      for (const body of [{ description: '商品 A' }, { description: 'ascii' }, { description: '多字节'.repeat(50) }]) {
        expect((await c.request('POST', '/v3/pay/transactions/jsapi', body)).data).toEqual({ ok: true });
      }
      expect((await c.request('GET', '/v3/a')).data).toEqual({ ok: true });
      expect(connections).toBe(1);
      expect(fetchSpy).not.toHaveBeenCalled();
      for (const request of seen.slice(0, 3)) expect(request.headers['content-length']).toBe(String(Buffer.byteLength(request.body)));
      expect(seen[3]!.headers['content-length']).toBeUndefined();
    } finally {
      server.off('connection', count);
      fetchSpy.mockRestore();
    }
  });

  it('reports a refused connection as NETWORK_ERROR without retrying', async () => {
    const error = await failure(client({ baseUrl: 'http://127.0.0.1:1' }).request('GET', '/v3/a'));
    expect(error).toMatchObject({ code: 'NETWORK_ERROR', retryable: false });
    expect(delays).toEqual([]);
  });

  it('refuses a verified 2xx whose JSON body is broken', async () => {
    handler = (_req, res) => reply(res, 200, '{"a":');
    expect((await failure(client().request('GET', '/v3/a'))).code).toBe('RESPONSE_MALFORMED');
  });

  it('uses an injected fetch', async () => {
    const calls: string[] = [];
    const fake: V3ClientOptions['fetch'] = async (url, init) => {
      calls.push(`${init.method} ${url}`);
      return globalThis.fetch(url, init);
    };
    handler = (_req, res) => reply(res, 200, '{}');
    await client({ fetch: fake }).request('GET', '/v3/a?x=1');
    expect(calls).toEqual([`GET ${baseUrl}/v3/a?x=1`]);
  });

  it('backoff grows exponentially, is capped and jittered within [cap/2, cap]', () => {
    const policy = { maxAttempts: 5, baseDelayMs: 100, maxDelayMs: 1000 };
    expect(backoffDelay(1, policy, () => 0)).toBe(50);
    expect(backoffDelay(1, policy, () => 0.999999)).toBe(100);
    expect(backoffDelay(3, policy, () => 0)).toBe(200);
    expect(backoffDelay(10, policy, () => 0)).toBe(500);
  });
});

describe('platform certificate download', () => {
  function certificatesBody(entries: Array<{ serial: string; pem: string }>) {
    return JSON.stringify({
      data: entries.map(({ serial, pem }) => ({
        serial_no: serial,
        effective_time: '2026-01-01T00:00:00+08:00',
        expire_time: '2027-01-01T00:00:00+08:00',
        encrypt_certificate: { algorithm: 'AEAD_AES_256_GCM', associated_data: 'certificate', nonce: '61f9c719728a', ciphertext: Aes.AesGcm.encrypt(pem, apiV3Key, '61f9c719728a', 'certificate') },
      })),
    });
  }

  it('downloads, decrypts, verifies with the carried certificate, and stocks the verifier', async () => {
    handler = (req, res) => {
      expect(req.url).toBe('/v3/certificates');
      reply(res, 200, certificatesBody([{ serial: certificate.serialNo, pem: certificate.pem }]));
    };
    const verifier = new CertificateVerifier();
    const manager = new PlatformCertificateManager({ client: client({ verifier }), apiV3Key, verifier });
    expect(manager.needsRefresh()).toBe(true);
    await Promise.all([manager.ensureFresh(), manager.ensureFresh()]);
    expect(seen).toHaveLength(1); // concurrent callers share one download
    expect(verifier.has(certificate.serialNo)).toBe(true);
    expect(manager.needsRefresh()).toBe(false);
    expect(manager.encryptor().serial).toBe(certificate.serialNo);
  });

  it('refreshes when the newest certificate is about to expire', async () => {
    const soon = makeCertificate({ keyPair: platform, notBefore: new Date(Date.now() - 1000), notAfter: new Date(Date.now() + 3600_000) });
    const verifier = new CertificateVerifier([soon.pem]);
    const manager = new PlatformCertificateManager({ client: client({ verifier }), apiV3Key, verifier });
    expect(manager.needsRefresh()).toBe(true); // within 24 h of expiry
  });

  it('rejects a download whose decrypted certificate is not the announced serial', async () => {
    handler = (_req, res) => reply(res, 200, certificatesBody([{ serial: '1111111111111111111111111111111111111111', pem: certificate.pem }]));
    const verifier = new CertificateVerifier();
    const manager = new PlatformCertificateManager({ client: client({ verifier }), apiV3Key, verifier });
    expect((await failure(manager.refresh())).code).toBe('CERTIFICATE_INVALID');
    expect(verifier.list()).toHaveLength(0);
  });

  it('rejects an unsigned or wrongly signed certificate download', async () => {
    const verifier = new CertificateVerifier();
    const manager = new PlatformCertificateManager({ client: client({ verifier }), apiV3Key, verifier });
    handler = (_req, res) => reply(res, 200, certificatesBody([{ serial: certificate.serialNo, pem: certificate.pem }]), { sign: false });
    expect((await failure(manager.refresh())).code).toBe('RESPONSE_UNSIGNED');
    handler = (_req, res) => reply(res, 200, certificatesBody([{ serial: certificate.serialNo, pem: certificate.pem }]), { key: merchant.privateKey });
    expect((await failure(manager.refresh())).code).toBe('SIGNATURE_INVALID');
    expect(verifier.list()).toHaveLength(0);
  });

  it('rejects certificates encrypted under another APIv3 key', async () => {
    handler = (_req, res) => reply(res, 200, certificatesBody([{ serial: certificate.serialNo, pem: certificate.pem }]));
    const verifier = new CertificateVerifier();
    const manager = new PlatformCertificateManager({ client: client({ verifier }), apiV3Key: randomApiV3Key(), verifier });
    expect((await failure(manager.refresh())).code).toBe('TAG_MISMATCH');
  });
});
