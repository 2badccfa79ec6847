export * from './sign';
export * from './xml';
export * from './notify';
export * from './paysign';
export * from './client';
export { WechatPayError, isWechatPayError, type WechatPayErrorCode } from '../errors';
export * from './result';
export * from './orders';
export * from './refunds';
