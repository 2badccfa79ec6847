import type { HuifuConsoleFeed } from '../huifu';
import type { SandboxKeys } from '../keys';
import type { PlatformSigner } from './crypto';
import type { SignLayout } from './contracts';
import type { Faults } from './faults';
import type { Notifier } from './notifier';
import type { PlatformCertificates } from './platform-certs';
import type { GatewayState } from './state';
import type { ChangeFeed } from './console/changes';
import type { MerchantView } from './console/merchant-view';
import type { RequestLog } from './console/request-log';

/** What every route module needs: keys, state, the signer, notifications, faults and settings. */
export interface GatewayContext {
  keys: SandboxKeys;
  state: GatewayState;
  /** Signs verified responses and notifications; replaced by a certificate rotation. */
  signer: PlatformSigner;
  signingMode: 'certificate' | 'publicKey';
  /** The platform certificates `GET /v3/certificates` lists (more than one after a rotation). */
  platformCerts: PlatformCertificates;
  notifier: Notifier;
  faults: Faults;
  timeScale: number;
  minCloseIntervalMs: number;
  /** Which signature layout the individual-payee signing page verifies. */
  signLayout: SignLayout;
  log: (line: string) => void;
  /** Timers owned by the gateway (refund completion …), cleared on close. */
  later(fn: () => void, delayMs: number): void;
  /** What the sandbox console reads: the API calls answered, the live feed, the merchant's view, a linked Huifu sandbox. */
  console: { requests: RequestLog; changes: ChangeFeed; merchantView: MerchantView; huifu?: HuifuConsoleFeed };
  /** `POST /sandbox/admin/reset`: every order, notification, fault and pending timer forgotten; keys kept. */
  reset(): void;
}
