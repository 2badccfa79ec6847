/**
 * What every product file needs of the v3 client: one signed, verified request. Product calls
 * return the client's `V3Response` (status + verified data) and let the caller decide what an
 * answer means; a non-2xx is the client's `WechatPayError` with the gateway's code.
 */
import type { V3Client } from '../client';

export type V3Requester = Pick<V3Client, 'request'>;

/** A path segment of an id (ours are `[0-9A-Za-z_-]` already: encoding is belt and braces). */
export function seg(value: string): string {
  return encodeURIComponent(value);
}
