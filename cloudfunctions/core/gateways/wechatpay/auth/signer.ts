/**
 * Every signature the server makes — APIv3 request `Authorization`, JSAPI pay-sign, the
 * individual-payee signing page, APIv2 MD5/HMAC-SHA256, Huifu's envelope — goes through this one
 * interface, so the key may live in a KMS or HSM: `sign` is async, and the signer names its own
 * algorithm and, where a protocol sends it, the id of its key. Nothing outside `gateways/` holds a
 * raw private key; callers get a Signer from a factory here (`signerFromPem`, `v2Signer`) or bring
 * their own. Shape of wechatpay-go's `core/auth` Signer (`Sign(ctx, message)` → signature and
 * certificate serial; https://github.com/wechatpay-apiv3/wechatpay-go/blob/main/core/auth/signer.go).
 */

/** `SHA256withRSA`: base64 RSASSA-PKCS1-v1_5 over SHA-256. `MD5`/`HMAC-SHA256`: APIv2, upper-case hex. */
export type SignatureAlgorithm = 'SHA256withRSA' | 'MD5' | 'HMAC-SHA256';

export interface Signer {
  readonly algorithm: SignatureAlgorithm;
  /**
   * The key's id where a protocol names it: the serial of the merchant API certificate for APIv3
   * (`serial_no` in Authorization, the signing page's `certSerialNo`). Absent for APIv2 and Huifu.
   */
  readonly keyId?: string;
  /** The signature of the UTF-8 message, encoded as the algorithm's protocols send it. */
  sign(message: string): Promise<string>;
}
