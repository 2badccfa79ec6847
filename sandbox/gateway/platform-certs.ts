import { X509Certificate } from 'node:crypto';
import { issuePlatformCertificate, type SandboxKeys } from '../keys';
import type { GatewayContext } from './context';
import { encryptAes256Gcm, randomAlnum } from './crypto';
import { route, type Route } from './http';
import { rfc3339China } from './time';

/**
 * The platform certificates the gateway signs with, and their rotation.
 *
 * `GET /v3/certificates` lists every certificate in use, each encrypted with the APIv3 key. A
 * rotation (`POST /sandbox/admin/platform-certificate/rotate`) issues a new certificate, lists it
 * beside the old one and signs every later response and notification with it (certificate
 * signing mode; in public-key mode only the list changes). The real gateway announces a new
 * certificate 24 h ahead and then moves to it (https://pay.weixin.qq.com/wiki/doc/apiv3/apis/chapter7_1_3.shtml,
 * https://pay.weixin.qq.com/wiki/doc/apiv3/wechatpay/wechatpay5_0.shtml); the sandbox switches at
 * once, the harder case for a merchant, who must fetch the certificate on the first unknown
 * serial. Rotations live in memory: a restart signs with the certificate in `<dataDir>/keys/`.
 */
export class PlatformCertificates {
  private readonly entries: Array<SandboxKeys['platformCert']>;

  constructor(initial: SandboxKeys['platformCert']) {
    this.entries = [initial];
  }

  list(): Array<SandboxKeys['platformCert']> {
    return [...this.entries];
  }

  /** The certificate that signs now (the newest). */
  current(): SandboxKeys['platformCert'] {
    return this.entries[this.entries.length - 1]!;
  }

  rotate(): SandboxKeys['platformCert'] {
    const next = issuePlatformCertificate();
    this.entries.push(next);
    return next;
  }
}

export function certificateRoutes(ctx: GatewayContext): Route[] {
  return [route('GET', /^\/v3\/certificates$/, () => ({ status: 200, json: { data: ctx.platformCerts.list().map((c) => certificateEntry(ctx, c)) } }))];
}

/** `POST /sandbox/admin/platform-certificate/rotate`: the new serial, and which one signs now. */
export function rotatePlatformCertificate(ctx: GatewayContext): { serialNo: string; signingSerial: string; serials: string[] } {
  const next = ctx.platformCerts.rotate();
  if (ctx.signingMode === 'certificate') ctx.signer = { serial: next.serialNo, privateKeyPem: next.privateKeyPem };
  ctx.log(`platform certificate rotated: ${next.serialNo} (signing with ${ctx.signer.serial})`);
  return { serialNo: next.serialNo, signingSerial: ctx.signer.serial, serials: ctx.platformCerts.list().map((c) => c.serialNo) };
}

function certificateEntry(ctx: GatewayContext, c: SandboxKeys['platformCert']): Record<string, unknown> {
  const cert = new X509Certificate(c.certificatePem);
  const nonce = randomAlnum(12);
  return {
    serial_no: c.serialNo,
    effective_time: rfc3339China(Date.parse(cert.validFrom)),
    expire_time: rfc3339China(Date.parse(cert.validTo)),
    encrypt_certificate: {
      algorithm: 'AEAD_AES_256_GCM',
      nonce,
      associated_data: 'certificate',
      ciphertext: encryptAes256Gcm(c.certificatePem, ctx.keys.apiV3Key, nonce, 'certificate'),
    },
  };
}
