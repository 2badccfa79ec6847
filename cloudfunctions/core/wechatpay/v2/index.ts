export * from './sign';
export * from './xml';
export * from './notify';
export * from './paysign';
export { WechatPayError, isWechatPayError, type WechatPayErrorCode } from '../errors';
