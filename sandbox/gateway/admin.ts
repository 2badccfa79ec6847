import { adminJsonCaller } from '../common/admin-call';
import type { ArmedFault, FaultSpec } from './faults';
import type { BillPlant } from './bills';
import type { CombineRecord, ContractRecord, NotificationRecord, OrderRecord, RefundRecord, TradeState } from './state';

/**
 * A typed client of the gateway's admin and cashier HTTP API, usable against a gateway in
 * another process given its URL. Every call is plain HTTP, so what a test does here a developer
 * can do with curl.
 */
export interface GatewayAdmin {
  info(): Promise<GatewayInfo>;
  orders(): Promise<{ orders: OrderRecord[]; combines: CombineRecord[]; refunds: RefundRecord[] }>;
  order(outTradeNo: string): Promise<AdminOrder>;
  notifications(): Promise<NotificationRecord[]>;
  /** The payer opens the cashier and has not finished: a close now answers 202 USERPAYING. */
  open(prepayId: string): Promise<UserActionResult>;
  pay(prepayId: string, opts?: { openid?: string }): Promise<UserActionResult>;
  cancel(prepayId: string): Promise<UserActionResult>;
  fail(prepayId: string, reason?: string): Promise<UserActionResult>;
  authorizeContract(openid: string): Promise<ContractView>;
  revokeContract(openid: string): Promise<ContractView>;
  /** Money arrives for a CLOSED order (TRANSACTION.SUCCESS is sent): the paid-after-close case. */
  latePayment(outTradeNo: string): Promise<UserActionResult & { transaction_id: string }>;
  /** The merchant platform's hand on a refund: ABNORMAL, CLOSED, or an ABNORMAL one re-routed to SUCCESS. */
  refundAction(outRefundNo: string, action: 'abnormal' | 'close' | 'resolve' | 'succeed'): Promise<Record<string, unknown>>;
  /** Posts a recorded notification again (same body, a delivery of its own). */
  replayNotification(id: string): Promise<NotificationRecord>;
  /** Wipes orders, notifications and faults; keys kept. */
  reset(): Promise<void>;
  fault(spec: FaultSpec): Promise<ArmedFault>;
  faults(): Promise<ArmedFault[]>;
  clearFaults(): Promise<void>;
  /** Issues a new platform certificate and signs with it from now on (certificate mode). */
  rotatePlatformCertificate(): Promise<PlatformRotation>;
  /** Plants a mismatch in a day's trade bill (`bills.ts`): amount | missing | extra | refund-amount | extra-refund. */
  plantBill(spec: Record<string, unknown>): Promise<{ billDate: string; plant: BillPlant }>;
  /** Serves `bill_date`'s trade bill now, before 10:00 of the next day. */
  publishBill(billDate: string): Promise<{ billDate: string; published: true }>;
}

export interface PlatformRotation {
  serialNo: string;
  signingSerial: string;
  serials: string[];
}

export interface GatewayInfo {
  mchid: string;
  appid: string;
  merchantSerialNo: string;
  /** The newest platform certificate; `platformSerialNos` lists every one in use (after rotations). */
  platformSerialNo: string;
  platformSerialNos: string[];
  platformPublicKeyId: string;
  signingSerial: string;
  timeScale: number;
  minCloseIntervalMs: number;
  /** The layout the signing page verifies (`published` | `seed`). */
  signLayout: 'published' | 'seed';
}

export type AdminOrder = { kind: 'order'; order: OrderRecord; refunds: RefundRecord[] } | { kind: 'combine'; combine: CombineRecord };
export interface UserActionResult {
  trade_state: TradeState;
  out_trade_no: string;
}
export interface ContractView {
  openid: string;
  individual_auth_id?: string;
  auth_state: ContractRecord['authState'];
  operation_time?: string;
}

/** A non-2xx admin/cashier answer. */
export class GatewayAdminError extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
  ) {
    super(`${status} ${code}: ${message}`);
  }
}

/** One JSON call to a sandbox admin API; a non-2xx answer is a GatewayAdminError with its code. */
export function adminCaller(baseUrl: string) {
  return adminJsonCaller(baseUrl, (status, code, message) => new GatewayAdminError(status, code, message));
}

export function createGatewayAdmin(baseUrl: string): GatewayAdmin {
  const call = adminCaller(baseUrl);
  const seg = encodeURIComponent;
  return {
    info: () => call('GET', '/sandbox/admin/info'),
    orders: () => call('GET', '/sandbox/admin/orders'),
    order: (no) => call('GET', `/sandbox/admin/orders/${seg(no)}`),
    notifications: async () => (await call<{ notifications: NotificationRecord[] }>('GET', '/sandbox/admin/notifications')).notifications,
    open: (id) => call('POST', `/sandbox/cashier/${seg(id)}/open`, {}),
    pay: (id, opts) => call('POST', `/sandbox/cashier/${seg(id)}/pay`, opts ?? {}),
    cancel: (id) => call('POST', `/sandbox/cashier/${seg(id)}/cancel`, {}),
    fail: (id, reason) => call('POST', `/sandbox/cashier/${seg(id)}/fail`, reason === undefined ? {} : { reason }),
    authorizeContract: (openid) => call('POST', `/sandbox/admin/contracts/${seg(openid)}/authorize`, {}),
    revokeContract: (openid) => call('POST', `/sandbox/admin/contracts/${seg(openid)}/revoke`, {}),
    latePayment: (no) => call('POST', `/sandbox/admin/orders/${seg(no)}/late-payment`, {}),
    refundAction: (no, action) => call('POST', `/sandbox/admin/refunds/${seg(no)}/${action}`, {}),
    fault: (spec) => call('POST', '/sandbox/admin/faults', spec),
    faults: async () => (await call<{ faults: ArmedFault[] }>('GET', '/sandbox/admin/faults')).faults,
    clearFaults: async () => {
      await call('DELETE', '/sandbox/admin/faults');
    },
    rotatePlatformCertificate: () => call('POST', '/sandbox/admin/platform-certificate/rotate', {}),
    plantBill: (spec) => call('POST', '/sandbox/admin/bills/plant', spec),
    publishBill: (billDate) => call('POST', '/sandbox/admin/bills/publish', { bill_date: billDate }),
    replayNotification: async (id) => (await call<{ notification: NotificationRecord }>('POST', `/sandbox/admin/notifications/${seg(id)}/replay`, {})).notification,
    reset: async () => {
      await call('POST', '/sandbox/admin/reset', {});
    },
  };
}
