/**
 * Individual payees (平台收付通 个人收款, seed 000): who may receive money, how they sign up, and
 * how a payer's share code becomes the `individual_auth_id` of a combine sub-order.
 *
 * Trust rule of the seed: the signing page's client result is never believed. Authorization comes
 * only from the server-side contract query; its answer is cached on the payee record with a
 * freshness limit for display, but `signParams`, `confirm` and every payment query it afresh.
 */
import type { PayeeProfile, PayeeSignParams, PayeeStatus } from '../../../../typings/api';
import { AppError } from '../../kernel/errors';
import type { Payee, Store } from '../../store/port';
import { isStoreError } from '../../store/port';
import { toChannelAppError } from '../../channels/port';
import type { IndividualContracts } from './contracts';
import { isShareCode, newShareCode } from './share-code';

export interface PayeeConfig {
  /** Platform appid: the contract, the signing page and the payments all use it. */
  appid: string;
  /** Platform mchid. */
  mchid: string;
}

export type PayeeStore = Pick<Store, 'getPayee' | 'getPayeeByShareCode' | 'upsertPayee'>;

export interface PayeeDeps {
  config: PayeeConfig;
  /** The gateway's word on a person's authorization (`channels/wechatpay-contracts`). */
  contracts: IndividualContracts;
  store: PayeeStore;
  /** ms epoch; default Date.now */
  now?: () => number;
  /** Nonce of the signing-page signature; default 32 random hex characters. */
  nonce?: () => string;
  /** How long a cached contract answer may be shown without asking the gateway again. */
  statusFreshnessMs?: number;
  /** Injected for tests of the collision path. */
  shareCode?: () => string;
}

/** What `pay.create` needs to build a combine sub-order. */
export interface PayablePayee {
  openid: string;
  displayName: string;
  individualAuthId: string;
}

export const DEFAULT_STATUS_FRESHNESS_MS = 60_000;
export const DISPLAY_NAME_MAX = 20;
/** CAS retries before giving up on a payee record under contention. */
const SAVE_ATTEMPTS = 5;

export interface PayeeService {
  status(openid: string): Promise<PayeeStatus>;
  signParams(openid: string): Promise<PayeeSignParams>;
  confirm(openid: string): Promise<PayeeStatus>;
  profile(openid: string, update?: { displayName?: string }): Promise<PayeeProfile>;
  card(shareCode: string): Promise<{ displayName: string; canReceive: boolean }>;
  resolvePayeeForPayment(input: { shareCode: string; payerOpenid: string }): Promise<PayablePayee>;
}

export function createPayeeService(deps: PayeeDeps): PayeeService {
  const now = deps.now ?? Date.now;
  const freshnessMs = deps.statusFreshnessMs ?? DEFAULT_STATUS_FRESHNESS_MS;
  const makeCode = deps.shareCode ?? (() => newShareCode());

  const isFresh = (payee: Payee) => {
    const age = now() - payee.checkedAt;
    return age >= 0 && age < freshnessMs;
  };

  /**
   * Read-modify-CAS-write of one payee record. A lost race re-reads and re-applies (`change` may
   * answer 'keep' when the stored record already says enough); a share-code collision on creation
   * draws a new code.
   */
  async function save(openid: string, change: (current: Payee, isStored: boolean) => Payee | 'keep'): Promise<Payee> {
    for (let attempt = 0; attempt < SAVE_ATTEMPTS; attempt++) {
      const stored = await deps.store.getPayee(openid);
      const base: Payee = stored ?? newPayee(openid, makeCode(), now());
      const changed = change({ ...base }, stored !== null);
      if (changed === 'keep') return stored ?? base;
      const next: Payee = { ...changed, openid, version: (stored?.version ?? 0) + 1 };
      try {
        if (await deps.store.upsertPayee(next)) return next;
      } catch (error) {
        if (isStoreError(error, 'DUPLICATE') && error.field === 'shareCode' && !stored) continue;
        throw error;
      }
    }
    throw new AppError('INTERNAL', `payee record of ${maskOpenid(openid)} kept changing; try again`, true);
  }

  /** Asks the gateway and records the answer. */
  async function refresh(openid: string): Promise<Payee> {
    let contract;
    try {
      contract = await deps.contracts.query({ appid: deps.config.appid, openid });
    } catch (error) {
      throw toChannelAppError(error, 'individual contract query');
    }
    const checkedAt = now();
    return save(openid, (current, isStored) => {
      const authId = contract.authState === 'AUTHORIZED' ? contract.individualAuthId : undefined;
      const same = current.authState === contract.authState && current.individualAuthId === authId;
      // Write only what is news: the same answer on a fresh record (e.g. many payments to one
      // payee at once) changes nothing, and an older answer never overwrites a newer one.
      if (isStored && same && isFresh(current)) return 'keep';
      if (isStored && !same && current.checkedAt > checkedAt) return 'keep';
      const next: Payee = { ...current, authState: contract.authState, checkedAt };
      // A revoked contract's old id must not linger where a payment could pick it up.
      if (contract.authState === 'AUTHORIZED') next.individualAuthId = contract.individualAuthId;
      else delete next.individualAuthId;
      return next;
    });
  }

  async function current(openid: string): Promise<Payee> {
    const stored = await deps.store.getPayee(openid);
    return stored && isFresh(stored) ? stored : refresh(openid);
  }

  return {
    async status(openid) {
      return statusView(await current(openid));
    },

    async signParams(openid) {
      // Seed 000 step 1.2: query before showing the entry; an authorized payee gets no entry.
      const payee = await refresh(openid);
      if (payee.authState === 'AUTHORIZED') {
        throw new AppError('PAYEE_ALREADY_AUTHORIZED', 'you are already authorized to receive money');
      }
      return deps.contracts.signingParams({ appid: deps.config.appid, mchid: deps.config.mchid, openid }, { clock: now, ...(deps.nonce ? { nonce: deps.nonce } : {}) });
    },

    async confirm(openid) {
      // Called when the signing page returns; whatever it said, only the gateway decides.
      return statusView(await refresh(openid));
    },

    async profile(openid, update = {}) {
      let payee = await current(openid);
      if (update.displayName !== undefined) {
        const displayName = normalizeDisplayName(update.displayName);
        if (displayName !== payee.displayName) payee = await save(openid, (p) => ({ ...p, displayName }));
      }
      return { displayName: payee.displayName, shareCode: payee.shareCode, authorized: payee.authState === 'AUTHORIZED' };
    },

    async card(shareCode) {
      const payee = await byShareCode(deps.store, shareCode);
      const known = isFresh(payee) ? payee : await refresh(payee.openid);
      return { displayName: known.displayName, canReceive: known.authState === 'AUTHORIZED' };
    },

    async resolvePayeeForPayment({ shareCode, payerOpenid }) {
      const payee = await byShareCode(deps.store, shareCode);
      if (payee.openid === payerOpenid) throw new AppError('SELF_PAY', 'you cannot pay yourself');
      // Seed 000: query the authorization before every order — a cached AUTHORIZED may be revoked.
      const confirmed = await refresh(payee.openid);
      if (confirmed.authState !== 'AUTHORIZED' || !confirmed.individualAuthId) {
        throw new AppError('PAYEE_NOT_AUTHORIZED', `${confirmed.displayName} cannot receive money now`);
      }
      return { openid: confirmed.openid, displayName: confirmed.displayName, individualAuthId: confirmed.individualAuthId };
    },
  };
}

/**
 * Entry point for `pay.create` with channel `combine`: the payee behind a share code, with an
 * `individual_auth_id` the gateway confirmed just now. Throws AppError NOT_FOUND (unknown code),
 * SELF_PAY (the payer is the payee) or PAYEE_NOT_AUTHORIZED (never signed, or revoked).
 */
export function resolvePayeeForPayment(input: { shareCode: string; payerOpenid: string }, deps: PayeeDeps): Promise<PayablePayee> {
  return createPayeeService(deps).resolvePayeeForPayment(input);
}

async function byShareCode(store: PayeeStore, shareCode: string): Promise<Payee> {
  const payee = isShareCode(shareCode) ? await store.getPayeeByShareCode(shareCode) : null;
  if (!payee) throw new AppError('NOT_FOUND', 'no payee has this share code');
  return payee;
}

function newPayee(openid: string, shareCode: string, at: number): Payee {
  return { openid, shareCode, displayName: `收款人${shareCode.slice(-4)}`, authState: 'UNAUTHORIZED', checkedAt: at, version: 1 };
}

function statusView(payee: Payee): PayeeStatus {
  return { authorized: payee.authState === 'AUTHORIZED', authState: payee.authState, checkedAt: new Date(payee.checkedAt).toISOString() };
}

/**
 * Trimmed, 1–20 characters, no control or bidi-override characters: the name is shown on other
 * people's screens, where a reversed or multi-line name could impersonate someone.
 */
export function normalizeDisplayName(raw: string): string {
  const name = raw.normalize('NFC').trim();
  const length = Array.from(name).length;
  if (length === 0 || length > DISPLAY_NAME_MAX) throw new AppError('INVALID_ARGUMENT', `displayName must be 1–${DISPLAY_NAME_MAX} characters`);
  if (/[\p{Cc}\u2028\u2029\u202A-\u202E\u2066-\u2069]/u.test(name)) throw new AppError('INVALID_ARGUMENT', 'displayName must not contain control characters');
  return name;
}

function maskOpenid(openid: string): string {
  return openid.length <= 8 ? '…' : `${openid.slice(0, 4)}…${openid.slice(-4)}`;
}
