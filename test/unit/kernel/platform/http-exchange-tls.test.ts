/**
 * Mutual TLS through the HTTP exchange: a local HTTPS server that requires a client certificate
 * issued by its CA. Key material is generated in memory at test time (node-forge); nothing is
 * written to disk.
 */
import { createServer, request, type Server } from 'node:https';
import type { AddressInfo } from 'node:net';
import forge from 'node-forge';
import { exchange, tlsFetch, type ClientTls } from '../../../../cloudfunctions/core/kernel/http-exchange';
import { createV2Client } from '../../../../cloudfunctions/core/gateways/wechatpay/v2';
import { buildXml } from '../../../../cloudfunctions/core/gateways/wechatpay/v2/xml';
import { signV2 } from '../../../../cloudfunctions/core/gateways/wechatpay/v2/sign';

interface Identity {
  certPem: string;
  keyPem: string;
  cert: forge.pki.Certificate;
  key: forge.pki.rsa.PrivateKey;
}

let serial = 1;
function issue(commonName: string, issuer?: Identity, extensions: object[] = []): Identity {
  const keys = forge.pki.rsa.generateKeyPair(2048);
  const cert = forge.pki.createCertificate();
  cert.publicKey = keys.publicKey;
  cert.serialNumber = (serial++).toString(16).padStart(2, '0');
  cert.validity.notBefore = new Date(Date.now() - 60_000);
  cert.validity.notAfter = new Date(Date.now() + 24 * 3600_000);
  cert.setSubject([{ name: 'commonName', value: commonName }]);
  cert.setIssuer((issuer?.cert ?? cert).subject.attributes);
  cert.setExtensions(issuer ? extensions : [{ name: 'basicConstraints', cA: true }, { name: 'keyUsage', keyCertSign: true, cRLSign: true }]);
  cert.sign(issuer?.key ?? keys.privateKey, forge.md.sha256.create());
  return { certPem: forge.pki.certificateToPem(cert), keyPem: forge.pki.privateKeyToPem(keys.privateKey), cert, key: keys.privateKey };
}

function pkcs12(identity: Identity, password: string): Buffer {
  const asn1 = forge.pkcs12.toPkcs12Asn1(identity.key, [identity.cert], password, { algorithm: '3des' });
  return Buffer.from(forge.asn1.toDer(asn1).getBytes(), 'binary');
}

const ca = issue('exchange test CA');
const otherCa = issue('someone else');
const server = issue('localhost', ca, [{ name: 'subjectAltName', altNames: [{ type: 7, ip: '127.0.0.1' }, { type: 2, value: 'localhost' }] }]);
const client = issue('1900000109', ca, [{ name: 'extKeyUsage', clientAuth: true }]);
const stranger = issue('1900000109', otherCa, [{ name: 'extKeyUsage', clientAuth: true }]);

let https: Server;
let url: string;
const KEY = '192006250b4c09247ec02edce69f6a2d';

beforeAll(async () => {
  https = createServer({ key: server.keyPem, cert: server.certPem, ca: ca.certPem, requestCert: true, rejectUnauthorized: true }, (req, res) => {
    const peer = (req.socket as import('node:tls').TLSSocket).getPeerCertificate() as { subject?: { CN?: string } };
    if (req.url === '/secapi/pay/refund') {
      const answer = { return_code: 'SUCCESS', result_code: 'SUCCESS', peer: peer.subject?.CN ?? '' };
      res.writeHead(200, { 'content-type': 'text/xml' }).end(buildXml({ ...answer, sign: signV2(answer, KEY) }));
      return;
    }
    res.writeHead(200, { 'content-type': 'text/plain', 'x-peer': peer.subject?.CN ?? '' }).end(`hello ${peer.subject?.CN}`);
  });
  await new Promise<void>((resolve) => https.listen(0, '127.0.0.1', resolve));
  url = `https://127.0.0.1:${(https.address() as AddressInfo).port}`;
});

afterAll(async () => {
  https.closeAllConnections();
  await new Promise((resolve) => https.close(resolve));
});

const call = (tls: ClientTls) =>
  exchange(tlsFetch(tls), `${url}/hello`, { method: 'GET', headers: {} }, 5_000, (kind, cause) => Object.assign(new Error(kind), { kind, cause }));

it('accepts the client certificate its CA issued (PEM cert + key)', async () => {
  const answer = await call({ cert: client.certPem, key: client.keyPem, ca: ca.certPem });
  expect(answer).toMatchObject({ status: 200, text: 'hello 1900000109' });
  expect(answer.headers['x-peer']).toBe('1900000109');
});

it('accepts the same identity as PKCS#12 with its passphrase', async () => {
  const answer = await call({ pfx: pkcs12(client, '1900000109'), passphrase: '1900000109', ca: ca.certPem });
  expect(answer).toMatchObject({ status: 200, text: 'hello 1900000109' });
});

/** The server's CA trusted, no client certificate presented. */
function withoutCertificate(): Promise<number> {
  return new Promise((resolve, reject) => {
    const req = request(`${url}/hello`, { ca: ca.certPem, agent: false }, (res) => {
      res.resume();
      res.on('end', () => resolve(res.statusCode ?? 0));
    });
    req.on('error', reject);
    req.end();
  });
}

it('is refused without a client certificate, and with one another CA issued', async () => {
  await expect(withoutCertificate()).rejects.toThrow();
  await expect(call({ cert: stranger.certPem, key: stranger.keyPem, ca: ca.certPem })).rejects.toMatchObject({ kind: 'NETWORK_ERROR' });
});

it('does not trust a server its CA did not issue', async () => {
  await expect(call({ cert: client.certPem, key: client.keyPem, ca: otherCa.certPem })).rejects.toMatchObject({ kind: 'NETWORK_ERROR' });
});

it('a PKCS#12 with the wrong passphrase, a key that is not the certificate\'s, or half a PEM identity: a clear error before any call', () => {
  expect(() => tlsFetch({ pfx: pkcs12(client, 'right'), passphrase: 'wrong', ca: ca.certPem })).toThrow(/client certificate unreadable/);
  expect(() => tlsFetch({ cert: client.certPem, key: stranger.keyPem })).toThrow(/client certificate unreadable/);
  expect(() => tlsFetch({ cert: client.certPem } as unknown as ClientTls)).toThrow(/cert and key/);
});

it('the APIv2 client presents it per gateway (tls option): a /secapi call goes through', async () => {
  const v2 = createV2Client({ appId: 'wx1', mchId: '1900000109', key: KEY, baseUrl: url, tls: { pfx: pkcs12(client, 'p'), passphrase: 'p', ca: ca.certPem } });
  await expect(v2.post('/secapi/pay/refund', { out_refund_no: 'R1' })).resolves.toMatchObject({ return_code: 'SUCCESS', peer: '1900000109' });
});
