/**
 * Build-time settings of the mini-program: the gulp build fills them from env vars (esbuild
 * `define` of `__PAY_ENV__`) and `miniprogram/services/env.ts` reads them. Shared by both sides so
 * they cannot drift. Only display/transport settings: merchant keys and secrets never go here.
 */
export interface PayEnv {
  /** `local`: wx.request to the function host; `cloud`: wx.cloud.callFunction. */
  transport: 'local' | 'cloud';
  /** Function host base URL (local transport). */
  hostUrl: string;
  /** Sandbox gateway base URL (local cashier and signing pages). */
  sandboxUrl: string;
  /** WeChat cloud environment id (cloud transport); empty = the default environment. */
  cloudEnv: string;
  merchantName: string;
  defaultDescription: string;
  /** Largest amount a user may type, in fen. */
  maxAmountFen: number;
  /**
   * The channel checkout pays through (PAY_CHANNEL): `jsapi` (APIv3, default), `v2` (APIv2) or
   * `huifu` (Huifu DouGong), as the merchant's server is configured. Local builds may switch it
   * from storage (`pay:channel`). A payment to an individual payee is always `combine`.
   */
  channel: 'jsapi' | 'v2' | 'huifu';
  /** Huifu sandbox base URL (the local cashier for Huifu `pay_info`). */
  huifuSandboxUrl: string;
}
