/** `oAbcdefghijklmnopqrstuvwxyz9` → `oAbc…xyz9`: enough to recognise, not enough to copy. */
export function maskOpenid(openid: string): string {
  if (openid.length <= 8) return openid.length <= 2 ? '…' : `${openid.slice(0, 1)}…${openid.slice(-1)}`;
  return `${openid.slice(0, 4)}…${openid.slice(-4)}`;
}
