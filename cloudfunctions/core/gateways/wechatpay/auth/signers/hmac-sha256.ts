import { createHmac } from 'node:crypto';
import type { Signer } from '../signer';

/**
 * APIv2 `HMAC-SHA256`: upper-case hex HMAC-SHA256, keyed with the API key, of
 * `<sign string>&key=<API key>` (the key is both the HMAC key and the last field).
 * https://pay.weixin.qq.com/wiki/doc/api/jsapi.php?chapter=4_3
 */
export class HmacSha256Signer implements Signer {
  readonly algorithm = 'HMAC-SHA256' as const;

  constructor(private readonly apiKey: string) {}

  digest(message: string): string {
    return createHmac('sha256', this.apiKey).update(`${message}&key=${this.apiKey}`, 'utf8').digest('hex').toUpperCase();
  }

  async sign(message: string): Promise<string> {
    return this.digest(message);
  }
}
