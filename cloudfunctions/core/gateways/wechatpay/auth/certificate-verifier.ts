import { verify } from 'node:crypto';
import { WechatPayError } from '../errors';
import { loadCertificate, normalizeSerial, type PlatformCertificate } from './keys';
import type { Verifier } from './verifier';
import type { Clock } from '../../../kernel/nonce';

/**
 * Verifies with platform certificates keyed by their hex serial, checking validity at the time of
 * use. The set is mutable so the certificate manager can add fresh ones without a new verifier.
 */
export class CertificateVerifier implements Verifier {
  private readonly certificates = new Map<string, PlatformCertificate>();

  constructor(certificates: Array<PlatformCertificate | string> = [], private readonly clock: Clock = Date.now) {
    for (const certificate of certificates) this.add(certificate);
  }

  add(certificate: PlatformCertificate | string): PlatformCertificate {
    const parsed = typeof certificate === 'string' ? loadCertificate(certificate) : certificate;
    this.certificates.set(normalizeSerial(parsed.serialNo), parsed);
    return parsed;
  }

  /** Drops certificates that expired before `now` (they can never verify again). */
  prune(now = this.clock()): void {
    for (const [serial, certificate] of this.certificates) if (certificate.notAfter < now) this.certificates.delete(serial);
  }

  list(): PlatformCertificate[] {
    return [...this.certificates.values()];
  }

  /** The valid certificate that expires last: the one to encrypt sensitive fields with. */
  newestValid(now = this.clock()): PlatformCertificate | undefined {
    let best: PlatformCertificate | undefined;
    for (const certificate of this.certificates.values()) {
      if (certificate.notBefore > now || certificate.notAfter < now) continue;
      if (!best || certificate.notAfter > best.notAfter) best = certificate;
    }
    return best;
  }

  has(serial: string): boolean {
    return this.certificates.has(normalizeSerial(serial));
  }

  verify(serial: string, message: string, signature: string): void {
    const certificate = this.certificates.get(normalizeSerial(serial));
    if (!certificate) throw new WechatPayError('SERIAL_UNKNOWN', 'no platform certificate with this serial', { serial });
    const now = this.clock();
    if (now > certificate.notAfter) {
      throw new WechatPayError('CERTIFICATE_EXPIRED', `platform certificate expired at ${new Date(certificate.notAfter).toISOString()}`, { serial });
    }
    if (now < certificate.notBefore) {
      throw new WechatPayError('CERTIFICATE_NOT_YET_VALID', `platform certificate valid from ${new Date(certificate.notBefore).toISOString()}`, { serial });
    }
    if (!verify('sha256', Buffer.from(message, 'utf8'), certificate.publicKey, Buffer.from(signature, 'base64'))) {
      throw new WechatPayError('SIGNATURE_INVALID', 'signature does not match the platform certificate', { serial });
    }
  }
}
