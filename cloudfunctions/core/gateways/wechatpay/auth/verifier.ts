/**
 * Verifies a signature made with the key named by `keyId` (APIv3: a platform certificate serial or
 * a `PUB_KEY_ID_…`; Huifu: its one public key). Implementations throw their gateway's typed error
 * (`SERIAL_UNKNOWN`, `CERTIFICATE_EXPIRED`, `SIGNATURE_INVALID`, …) rather than return false, so
 * the reason reaches the operator. Synchronous: verification needs only public keys, which are no
 * secret and never live in a KMS, and it sits on every response and notification.
 */
export interface Verifier {
  /** Whether this verifier holds a key with this id (certificate serial, PUB_KEY_ID_…, …). */
  has(keyId: string): boolean;
  verify(keyId: string, message: string, signature: string): void;
}
