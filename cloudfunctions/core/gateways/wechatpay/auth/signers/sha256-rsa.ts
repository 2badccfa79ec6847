import { sign, type KeyObject } from 'node:crypto';
import { loadPrivateKey, type PrivateKeyInput } from '../keys';
import type { Signer } from '../signer';

/**
 * SHA256withRSA with a private key held in this process, parsed once at construction (the
 * `KeyObject` never leaves this object). APIv3 requests, JSAPI pay-sign, the signing page and the
 * Huifu envelope all use this algorithm; a KMS/HSM signer replaces it without touching callers.
 */
export class Sha256RsaSigner implements Signer {
  readonly algorithm = 'SHA256withRSA' as const;
  private readonly key: KeyObject;

  /** `keyId`: the merchant API certificate serial (APIv3); undefined where no protocol names the key. */
  constructor(readonly keyId: string | undefined, privateKey: PrivateKeyInput) {
    this.key = loadPrivateKey(privateKey);
  }

  /** Synchronous under the hood; async only to fit the interface (a microtask on a ~1 ms RSA sign). */
  async sign(message: string): Promise<string> {
    return sign('sha256', Buffer.from(message, 'utf8'), this.key).toString('base64');
  }
}

/** The factory the runtime uses: a PEM (or KeyObject) from config in, a Signer out. */
export function signerFromPem(privateKey: PrivateKeyInput, keyId?: string): Signer {
  return new Sha256RsaSigner(keyId, privateKey);
}
