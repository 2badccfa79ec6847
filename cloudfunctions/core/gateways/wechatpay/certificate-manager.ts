/**
 * Platform certificate download (`GET /v3/certificates`): decrypt each certificate with the APIv3
 * key, check it is the one announced, verify the response with the certificates it carries (or
 * ones already trusted), and keep the set fresh before the newest one expires.
 */
import { WechatPayError } from './errors';
import { CertificateVerifier } from './auth/certificate-verifier';
import { decryptResource, createSensitiveEncryptor, type SensitiveEncryptor } from './cipher';
import { CombinedVerifier } from './auth/combined-verifier';
import {
  CERTIFICATE_REFRESH_BEFORE_EXPIRY_MS,
  CERTIFICATE_REFRESH_INTERVAL_MS,
  CERTIFICATE_UNKNOWN_SERIAL_MIN_INTERVAL_MS,
  PUBLIC_KEY_ID_PREFIX,
} from './consts';
import type { V3Client } from './client';
import { loadCertificate, normalizeSerial, type PlatformCertificate } from './auth/keys';
import type { Clock } from '../../kernel/nonce';
import { validateSigned } from './auth/validator';
import type { Verifier } from './auth/verifier';

import * as certificatesApi from './v3/certificates';

type CertificatesBody = certificatesApi.ListResponse;

export interface DownloadOptions {
  apiV3Key: string | Buffer;
  /** Keys already trusted; the response may be signed by one of them or by a downloaded one. */
  trusted?: Verifier;
  clock?: Clock;
}

export async function downloadCertificates(client: V3Client, options: DownloadOptions): Promise<PlatformCertificate[]> {
  let certificates: PlatformCertificate[] = [];
  await certificatesApi.list(client, (headers, body) => {
    certificates = decryptCertificates(body, options.apiV3Key);
    const downloaded = new CertificateVerifier(certificates, options.clock);
    const verifier = options.trusted ? new CombinedVerifier(downloaded, options.trusted) : downloaded;
    validateSigned(headers, body, { verifier, clock: options.clock, missingCode: 'RESPONSE_UNSIGNED' });
  });
  return certificates;
}

export function decryptCertificates(body: string, apiV3Key: string | Buffer): PlatformCertificate[] {
  let parsed: CertificatesBody;
  try {
    parsed = JSON.parse(body) as CertificatesBody;
  } catch (cause) {
    throw new WechatPayError('RESPONSE_MALFORMED', 'certificates response is not JSON', { cause });
  }
  if (!Array.isArray(parsed.data) || parsed.data.length === 0) {
    throw new WechatPayError('RESPONSE_MALFORMED', 'certificates response has no data');
  }
  return parsed.data.map((item) => {
    const encrypted = item.encrypt_certificate;
    if (!item.serial_no || !encrypted?.ciphertext || !encrypted.nonce) {
      throw new WechatPayError('RESPONSE_MALFORMED', 'certificate entry lacks serial_no or encrypt_certificate');
    }
    const certificate = loadCertificate(
      decryptResource({ ciphertext: encrypted.ciphertext, nonce: encrypted.nonce, associated_data: encrypted.associated_data }, apiV3Key),
    );
    if (certificate.serialNo !== normalizeSerial(item.serial_no)) {
      throw new WechatPayError('CERTIFICATE_INVALID', `decrypted certificate has serial ${certificate.serialNo}`, { serial: item.serial_no });
    }
    // Keep the serial as WeChat Pay spells it (zero-padded): it is what Wechatpay-Serial must name.
    return { ...certificate, serialNo: item.serial_no };
  });
}

export interface CertificateManagerOptions {
  client: V3Client;
  apiV3Key: string | Buffer;
  /** The verifier the client uses; downloaded certificates are added to it. */
  verifier?: CertificateVerifier;
  clock?: Clock;
  refreshBeforeExpiryMs?: number;
  refreshIntervalMs?: number;
  /** Least time between two downloads caused by unknown serials. */
  unknownSerialMinIntervalMs?: number;
}

/**
 * Keeps a `CertificateVerifier` stocked: `ensureFresh()` (cheap when nothing is due) refreshes on
 * schedule, `refreshForSerial()` when the gateway signs with a certificate we have not seen yet
 * (a rotation). Every download is single-flight.
 */
export class PlatformCertificateManager {
  readonly verifier: CertificateVerifier;
  private readonly clock: Clock;
  private lastRefresh = -Infinity;
  private lastUnknownSerialFetch = -Infinity;
  private inflight: Promise<PlatformCertificate[]> | undefined;

  constructor(private readonly options: CertificateManagerOptions) {
    this.clock = options.clock ?? Date.now;
    this.verifier = options.verifier ?? new CertificateVerifier([], this.clock);
  }

  needsRefresh(now = this.clock()): boolean {
    const newest = this.verifier.newestValid(now);
    if (!newest) return true;
    if (newest.notAfter - now < (this.options.refreshBeforeExpiryMs ?? CERTIFICATE_REFRESH_BEFORE_EXPIRY_MS)) return true;
    return now - this.lastRefresh >= (this.options.refreshIntervalMs ?? CERTIFICATE_REFRESH_INTERVAL_MS);
  }

  /**
   * A response or notification names `serial`, which we do not hold: download (joining a download
   * already under way) and say whether we hold it now. Downloads caused this way are rate-limited;
   * a public-key id (`PUB_KEY_ID_…`) is never looked for among certificates. A failed download
   * answers false: the verification failure it was asked about stands.
   */
  async refreshForSerial(serial: string): Promise<boolean> {
    if (serial.startsWith(PUBLIC_KEY_ID_PREFIX)) return false;
    if (this.verifier.has(serial)) return true;
    const running = this.inflight;
    if (running) {
      await running.catch(() => undefined);
    } else {
      const now = this.clock();
      if (now - this.lastUnknownSerialFetch < (this.options.unknownSerialMinIntervalMs ?? CERTIFICATE_UNKNOWN_SERIAL_MIN_INTERVAL_MS)) return false;
      this.lastUnknownSerialFetch = now;
      await this.refresh().catch(() => undefined);
    }
    return this.verifier.has(serial);
  }

  /** Downloads now; concurrent callers share one download. */
  refresh(): Promise<PlatformCertificate[]> {
    this.inflight ??= (async () => {
      try {
        const certificates = await downloadCertificates(this.options.client, {
          apiV3Key: this.options.apiV3Key,
          trusted: this.verifier,
          clock: this.clock,
        });
        for (const certificate of certificates) this.verifier.add(certificate);
        this.verifier.prune(this.clock());
        this.lastRefresh = this.clock();
        return certificates;
      } finally {
        this.inflight = undefined;
      }
    })();
    return this.inflight;
  }

  async ensureFresh(): Promise<void> {
    if (this.needsRefresh()) await this.refresh();
  }

  /** Encrypts sensitive fields with the newest valid certificate and names it. */
  encryptor(): SensitiveEncryptor {
    const newest = this.verifier.newestValid(this.clock());
    if (!newest) throw new WechatPayError('SERIAL_UNKNOWN', 'no valid platform certificate to encrypt with; refresh first');
    return createSensitiveEncryptor(newest.serialNo, newest.publicKey);
  }
}
