import { AUTHORIZATION_SCHEMA } from '../consts';
import { WechatPayError } from '../errors';
import type { Signer } from './signer';

/** `METHOD\nPATH?QUERY\nTIMESTAMP\nNONCE\nBODY\n`; BODY is the exact string sent, empty for GET. */
export function buildRequestMessage(method: string, pathWithQuery: string, timestamp: string, nonce: string, body: string): string {
  return `${method}\n${pathWithQuery}\n${timestamp}\n${nonce}\n${body}\n`;
}

export interface AuthorizationInput {
  mchid: string;
  signer: Signer;
  method: string;
  /** Path as sent, with its query string (`/v3/x?a=1`), without scheme and host. */
  pathWithQuery: string;
  body: string;
  /** Unix seconds as a string. */
  timestamp: string;
  nonce: string;
}

/** The `Authorization` header value of an APIv3 request; `serial_no` is the signer's key id. */
export async function buildAuthorization(input: AuthorizationInput): Promise<string> {
  const serialNo = input.signer.keyId;
  if (!serialNo) throw new WechatPayError('ARGUMENT_INVALID', 'an APIv3 signer must name its key (keyId: the merchant API certificate serial)');
  const signature = await input.signer.sign(
    buildRequestMessage(input.method, input.pathWithQuery, input.timestamp, input.nonce, input.body),
  );
  return (
    `${AUTHORIZATION_SCHEMA} mchid="${input.mchid}",nonce_str="${input.nonce}",` +
    `timestamp="${input.timestamp}",serial_no="${serialNo}",signature="${signature}"`
  );
}

export interface AuthorizationFields {
  mchid: string;
  nonce_str: string;
  timestamp: string;
  serial_no: string;
  signature: string;
}

/** Parses an Authorization header (for gateways and tests); undefined when it is not one of ours. */
export function parseAuthorization(header: string): AuthorizationFields | undefined {
  if (!header.startsWith(AUTHORIZATION_SCHEMA + ' ')) return undefined;
  const fields: Record<string, string> = {};
  const pattern = /(\w+)="([^"]*)"/g;
  for (let match = pattern.exec(header); match; match = pattern.exec(header)) fields[match[1]!] = match[2]!;
  const { mchid, nonce_str, timestamp, serial_no, signature } = fields;
  if (!mchid || !nonce_str || !timestamp || !serial_no || !signature) return undefined;
  return { mchid, nonce_str, timestamp, serial_no, signature };
}
