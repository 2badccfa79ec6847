import { sign } from 'node:crypto';
import { loadPrivateKey, type PrivateKeyInput } from './keys';
import type { Signer } from './signer';

/** SHA256withRSA over the message with a merchant private key parsed once at construction. */
export class Sha256RsaSigner implements Signer {
  private readonly key;

  constructor(readonly serialNo: string, privateKey: PrivateKeyInput) {
    this.key = loadPrivateKey(privateKey);
  }

  sign(message: string): string {
    return sign('sha256', Buffer.from(message, 'utf8'), this.key).toString('base64');
  }
}
