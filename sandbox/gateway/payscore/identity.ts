import { createHash } from 'node:crypto';
import type { SandboxKeys } from '../../keys';

/**
 * The PayScore identifiers this sandbox's institution holds, set up at onboarding in reality
 * (seed 001 §2.2: "微信支付分的相关配置参数在商户入驻的过程中都已经配置完成"): one service_id
 * (32 digits, like the published sample `2002000000000558128851361561536`), one sub-merchant and
 * one channel. Derived from the mchid so they are stable across restarts and the local merchant
 * config can be written from the keys; a request naming others is refused (NO_AUTH).
 */
export interface PayScoreIdentity {
  serviceId: string;
  subMchid: string;
  channelId: string;
}

function digits(seed: string, n: number): string {
  const hash = createHash('sha256').update(seed).digest();
  let out = '';
  for (let i = 0; out.length < n; i++) out += String(hash[i % hash.length]! % 10);
  return out;
}

export function payscoreIdentity(keys: Pick<SandboxKeys, 'mchid'>): PayScoreIdentity {
  return {
    serviceId: '2002' + digits(`payscore-service:${keys.mchid}`, 28),
    subMchid: '19' + digits(`payscore-sub-mchid:${keys.mchid}`, 8),
    channelId: '12' + digits(`payscore-channel:${keys.mchid}`, 8),
  };
}
