/** WeChat Pay APIv3 products, one module each: `import { jsapi } from '…/v3'` → `jsapi.prepay(client, body)`. */
export * as jsapi from './jsapi';
export * as native from './native';
export * as combine from './combine';
export * as refunds from './refunds';
export * as individualContracts from './individual-contracts';
export * as certificates from './certificates';
export * as payscore from './payscore';
export * as bill from './bill';
export type { V3Requester } from './requester';
