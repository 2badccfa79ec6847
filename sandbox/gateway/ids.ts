import { randomBytes } from 'node:crypto';
import { compactChina, randomDigits } from './time';

/** Identifiers shaped like WeChat Pay's, so length and pattern checks downstream are exercised. */

/** `wx` + yyyyMMddHHmmss + 20 hex: 36 chars, like `wx201410272009395522657a690389285100`. */
export const newPrepayId = () => `wx${compactChina()}${randomBytes(10).toString('hex')}`;
/** 28 digits starting 4200, like real JSAPI transaction ids. */
export const newTransactionId = () => `4200${compactChina().slice(0, 8)}${randomDigits(16)}`;
/** 28 digits, like the published samples' combine_transaction_id `1217752501201407033233368018`. */
export const newCombineTransactionId = () => `12${compactChina().slice(0, 8)}${randomDigits(18)}`;
export const newRefundId = () => `50${randomDigits(27)}`;
export const newCodeUrl = () => `weixin://wxpay/bizpayurl?pr=${randomBytes(6).toString('base64url').slice(0, 7)}`;
export const newIndividualAuthId = () => `1${randomDigits(11)}`;
