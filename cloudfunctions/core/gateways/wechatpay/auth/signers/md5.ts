import { createHash } from 'node:crypto';
import type { Signer } from '../signer';

/**
 * APIv2 `MD5`: upper-case hex MD5 of `<sign string>&key=<API key>`. The message is the sorted
 * `k=v&…` string (`v2/sign.ts` `buildV2SignString`); the key is appended here, so it stays inside.
 * https://pay.weixin.qq.com/wiki/doc/api/jsapi.php?chapter=4_3
 */
export class Md5Signer implements Signer {
  readonly algorithm = 'MD5' as const;

  constructor(private readonly apiKey: string) {}

  /** The digest, synchronously (verification recomputes it). */
  digest(message: string): string {
    return createHash('md5').update(`${message}&key=${this.apiKey}`, 'utf8').digest('hex').toUpperCase();
  }

  async sign(message: string): Promise<string> {
    return this.digest(message);
  }
}
