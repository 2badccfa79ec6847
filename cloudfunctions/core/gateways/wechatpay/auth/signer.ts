/** Signs a message with the merchant key. One method, so an HSM or KMS can stand in. */
export interface Signer {
  /** Serial of the merchant API certificate whose key signs (`serial_no` in Authorization). */
  readonly serialNo: string;
  /** Base64 SHA256withRSA signature of the UTF-8 message. */
  sign(message: string): string;
}
