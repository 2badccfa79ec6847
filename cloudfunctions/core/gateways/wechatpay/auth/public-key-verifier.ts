import { verify, type KeyObject } from 'node:crypto';
import { WechatPayError } from '../errors';
import { PUBLIC_KEY_ID_PREFIX } from '../consts';
import { loadPublicKey, type PublicKeyInput } from './keys';
import type { Verifier } from './verifier';

/** Public-key mode: one platform public key, named by its `PUB_KEY_ID_…` id. */
export class PublicKeyVerifier implements Verifier {
  readonly publicKey: KeyObject;

  constructor(readonly keyId: string, publicKey: PublicKeyInput) {
    if (!keyId.startsWith(PUBLIC_KEY_ID_PREFIX)) {
      throw new WechatPayError('ARGUMENT_INVALID', `platform public key id must start with ${PUBLIC_KEY_ID_PREFIX}`, { serial: keyId });
    }
    this.publicKey = loadPublicKey(publicKey);
  }

  has(serial: string): boolean {
    return serial === this.keyId;
  }

  verify(serial: string, message: string, signature: string): void {
    if (serial !== this.keyId) throw new WechatPayError('SERIAL_UNKNOWN', 'no platform public key with this id', { serial });
    if (!verify('sha256', Buffer.from(message, 'utf8'), this.publicKey, Buffer.from(signature, 'base64'))) {
      throw new WechatPayError('SIGNATURE_INVALID', 'signature does not match the platform public key', { serial });
    }
  }
}
