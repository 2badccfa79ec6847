/**
 * Platform certificates: `GET /v3/certificates` lists them encrypted with the APIv3 key
 * (https://pay.weixin.qq.com/docs/merchant/products/platform-certificate/apilist.html). The answer
 * is verified with the certificates it carries (`certificate-manager.ts`), hence `validate`.
 */
import { CERTIFICATES_PATH } from '../consts';
import type { RequestOptions } from '../client';
import type { V3Requester } from './requester';

export const CERTIFICATE_PATHS = { list: CERTIFICATES_PATH } as const;

export interface EncryptedCertificate {
  algorithm?: string;
  nonce?: string;
  associated_data?: string;
  ciphertext?: string;
}

export interface CertificateEntry {
  serial_no?: string;
  effective_time?: string;
  expire_time?: string;
  encrypt_certificate?: EncryptedCertificate;
}

export interface ListResponse {
  data?: CertificateEntry[];
}

export function list(client: V3Requester, validate: NonNullable<RequestOptions['validate']>) {
  return client.request<ListResponse>('GET', CERTIFICATE_PATHS.list, undefined, { validate });
}
