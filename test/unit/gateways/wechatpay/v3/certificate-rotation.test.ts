/**
 * Platform certificate mode when the gateway rotates its certificate: a response or notification
 * signed under a serial we do not hold gets one download of `GET /v3/certificates` (single-flight,
 * rate-limited) and one more verification of the same bytes before it is refused; the scheduled
 * refresh runs more often than every 12 h. A loopback server plays the gateway.
 */
import { createServer, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { randomUUID, sign } from 'node:crypto';
import { parseV3Notification } from '../../../../../cloudfunctions/core/channels/wechatpay-v3/mapping';
import { CERTIFICATE_REFRESH_INTERVAL_MS, CertificateVerifier, createV3Client, encryptResource, PlatformCertificateManager, signerFromPem, WechatPayError } from '../../../../../cloudfunctions/core/gateways/wechatpay';
import { generateRsaKeyPair, makeCertificate, randomApiV3Key, randomPublicKeyId, type TestCertificate } from '../../../../helpers/crypto-fixtures';

const merchant = generateRsaKeyPair();
const oldCert = makeCertificate({ keyPair: generateRsaKeyPair() });
const newCert = makeCertificate({ keyPair: generateRsaKeyPair() });
const apiV3Key = randomApiV3Key();

let server: Server;
let baseUrl: string;
/** What `GET /v3/certificates` lists, and which certificate signs answers (serial overridable). */
let listed: TestCertificate[];
let signing: { cert: TestCertificate; serial?: string };
let downloads = 0;
let calls = 0;

function signed(res: ServerResponse, status: number, body: string, by = signing) {
  const timestamp = String(Math.floor(Date.now() / 1000));
  const nonce = randomUUID().replace(/-/g, '');
  const signature = sign('sha256', Buffer.from(`${timestamp}\n${nonce}\n${body}\n`), by.cert.keyPair.privateKey).toString('base64');
  res.writeHead(status, { 'Content-Type': 'application/json', 'Wechatpay-Timestamp': timestamp, 'Wechatpay-Nonce': nonce, 'Wechatpay-Signature': signature, 'Wechatpay-Serial': by.serial ?? by.cert.serialNo });
  res.end(body);
}

function certificatesBody(): string {
  return JSON.stringify({
    data: listed.map((c) => ({
      serial_no: c.serialNo,
      effective_time: '2026-01-01T00:00:00+08:00',
      expire_time: '2027-01-01T00:00:00+08:00',
      encrypt_certificate: { algorithm: 'AEAD_AES_256_GCM', associated_data: 'certificate', nonce: '61f9c719728a', ciphertext: encryptResource(c.pem, apiV3Key, '61f9c719728a', 'certificate') },
    })),
  });
}

beforeAll(async () => {
  server = createServer((req, res) => {
    req.resume();
    req.on('end', () => {
      if (req.url === '/v3/certificates') {
        downloads++;
        // A download is answered by the newest certificate, which it carries.
        return signed(res, 200, certificatesBody(), { cert: listed[listed.length - 1]! });
      }
      calls++;
      signed(res, 200, JSON.stringify({ trade_state: 'NOTPAY' }));
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  baseUrl = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});
afterAll(() => new Promise<void>((resolve) => server.close(() => resolve())));

let clock: number;
let verifier: CertificateVerifier;
let manager: PlatformCertificateManager;
let client: ReturnType<typeof createV3Client>;

beforeEach(() => {
  // The gateway rotated: both listed, the new one signs. We hold only the old one.
  listed = [oldCert, newCert];
  signing = { cert: newCert };
  downloads = 0;
  calls = 0;
  clock = Date.now();
  verifier = new CertificateVerifier([oldCert.pem]);
  client = createV3Client({
    mchid: '1900009191',
    serialNo: 'ABCDEF0123456789',
    privateKey: merchant.privatePem,
    verifier,
    onUnknownSerial: (serial) => manager.refreshForSerial(serial),
    baseUrl,
    retry: { maxAttempts: 1 },
  });
  manager = new PlatformCertificateManager({ client, apiV3Key, verifier, clock: () => clock });
});

const query = () => client.request<{ trade_state: string }>('GET', '/v3/pay/transactions/out-trade-no/T1?mchid=1900009191');

it('a response under an unknown serial: one download, then the same response verifies (no resend)', async () => {
  expect((await query()).data).toEqual({ trade_state: 'NOTPAY' });
  expect({ downloads, calls }).toEqual({ downloads: 1, calls: 1 });
  expect(verifier.has(newCert.serialNo)).toBe(true);
  await query();
  expect(downloads).toBe(1);
});

it('concurrent answers under the new serial share one download', async () => {
  await Promise.all(Array.from({ length: 5 }, () => query()));
  expect(downloads).toBe(1);
});

it('a flood of made-up serials costs one download per minute, and each is still refused', async () => {
  for (let i = 0; i < 10; i++) {
    signing = { cert: newCert, serial: `7${String(i).padStart(39, '0')}` };
    await expect(query()).rejects.toMatchObject({ code: 'SERIAL_UNKNOWN' });
  }
  expect(downloads).toBe(1);
  clock += 60_000;
  await expect(query()).rejects.toMatchObject({ code: 'SERIAL_UNKNOWN' });
  expect(downloads).toBe(2);
});

it('a public-key id is never looked for among certificates', async () => {
  signing = { cert: newCert, serial: randomPublicKeyId() };
  await expect(query()).rejects.toBeInstanceOf(WechatPayError);
  expect(downloads).toBe(0);
});

it('a notification under the new serial is verified after one download', async () => {
  const body = JSON.stringify({
    id: randomUUID(),
    create_time: '2026-01-01T12:00:00+08:00',
    resource_type: 'encrypt-resource',
    event_type: 'MARKETING.SOMETHING',
    summary: 'x',
    resource: { original_type: 'x', algorithm: 'AEAD_AES_256_GCM', associated_data: 'x', nonce: 'abcdefabcdef', ciphertext: encryptResource('{"a":1}', apiV3Key, 'abcdefabcdef', 'x') },
  });
  const timestamp = String(Math.floor(Date.now() / 1000));
  const headers = {
    'wechatpay-timestamp': timestamp,
    'wechatpay-nonce': 'n1',
    'wechatpay-serial': newCert.serialNo,
    'wechatpay-signature': sign('sha256', Buffer.from(`${timestamp}\nn1\n${body}\n`), newCert.keyPair.privateKey).toString('base64'),
  };
  const config = { appid: 'wx1', mchid: '1900009191', notifyUrl: 'https://m.example/n', signer: signerFromPem(merchant.privatePem), apiV3Key, verifier };
  await expect(parseV3Notification({ headers, body }, { config })).rejects.toMatchObject({ code: 'SERIAL_UNKNOWN' });
  expect(downloads).toBe(0);
  const n = await parseV3Notification({ headers, body }, { config: { ...config, onUnknownSerial: (s) => manager.refreshForSerial(s) } });
  expect(n).toMatchObject({ kind: 'ignored', eventType: 'MARKETING.SOMETHING' });
  expect(downloads).toBe(1);
});

it('the scheduled refresh runs before 12 h have passed (the published advice: intervals under 12 h)', async () => {
  listed = [oldCert];
  await manager.refresh();
  expect(manager.needsRefresh(clock + 60_000)).toBe(false);
  expect(CERTIFICATE_REFRESH_INTERVAL_MS).toBeLessThan(12 * 3600_000);
  expect(manager.needsRefresh(clock + 12 * 3600_000 - 60_000)).toBe(true);
});
