import { WechatPayError } from '../errors';
import type { Verifier } from './verifier';

/**
 * Picks the verifier that holds the serial, so certificate and public-key modes work side by side
 * while a merchant migrates from one to the other.
 */
export class CombinedVerifier implements Verifier {
  private readonly verifiers: readonly Verifier[];

  constructor(...verifiers: Verifier[]) {
    this.verifiers = verifiers;
  }

  has(serial: string): boolean {
    return this.verifiers.some((verifier) => verifier.has(serial));
  }

  verify(serial: string, message: string, signature: string): void {
    for (const verifier of this.verifiers) {
      if (verifier.has(serial)) return verifier.verify(serial, message, signature);
    }
    throw new WechatPayError('SERIAL_UNKNOWN', 'no platform certificate or public key with this serial', { serial });
  }
}
