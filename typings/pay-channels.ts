/**
 * The one list of payment channel names, part of the contract. `api.d.ts` (`PayChannel`,
 * `PayCreateRequest.channel`), the `pay` schema, the channel registry and the stored-record checks
 * all derive from it, so adding a channel is one line here (plus its folder under
 * `cloudfunctions/core/channels/`).
 *
 * `live`: a channel module implements it and `pay.create` accepts it. `planned`: a record may
 * name it (the contract already does), but no order can be created on it yet.
 * No imports and no Node APIs: a value the `pay` function needs at run time, read by the
 * mini-program's type check through `api.d.ts` (types only; nothing of it reaches a page bundle).
 */
export const PAY_CHANNEL_STATUS = {
  jsapi: 'live',
  combine: 'live',
  native: 'planned',
  v2: 'live',
  /** APIv2 APP pay (trade_type APP): the merchant's mobile app opens the cashier with the PayReq. */
  v2app: 'live',
  huifu: 'live',
} as const;

export type PayChannel = keyof typeof PAY_CHANNEL_STATUS;
/** The channels `pay.create` accepts. */
export type LivePayChannel = { [Name in PayChannel]: (typeof PAY_CHANNEL_STATUS)[Name] extends 'live' ? Name : never }[PayChannel];

export const PAY_CHANNELS = Object.keys(PAY_CHANNEL_STATUS) as readonly PayChannel[];

/** Non-empty, as schema enums want it. */
export const LIVE_PAY_CHANNELS = PAY_CHANNELS.filter((name) => PAY_CHANNEL_STATUS[name] === 'live') as [LivePayChannel, ...LivePayChannel[]];
