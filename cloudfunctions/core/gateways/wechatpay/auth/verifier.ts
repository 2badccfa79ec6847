/**
 * Verifies a WeChat Pay signature made with the key named by `serial`. Implementations throw a
 * `WechatPayError` (`SERIAL_UNKNOWN`, `CERTIFICATE_EXPIRED`, `SIGNATURE_INVALID`, …) rather than
 * return false, so the reason reaches the operator.
 */
export interface Verifier {
  /** Whether this verifier holds a key for the serial (certificate serial or PUB_KEY_ID_…). */
  has(serial: string): boolean;
  verify(serial: string, message: string, signature: string): void;
}
