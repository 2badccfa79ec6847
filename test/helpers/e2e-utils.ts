/** Small helpers shared by the e2e suites that drive the stack over HTTP. */
import type { ClientPaymentParams } from '../../typings/api';

/** Polls `probe` until it yields a value; fails naming `what` after `timeoutMs`. */
export async function waitFor<T>(what: string, probe: () => Promise<T | undefined | false> | T | undefined | false, timeoutMs = 15_000, everyMs = 50): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await probe();
    if (value) return value;
    if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
    await new Promise((r) => setTimeout(r, everyMs));
  }
}

/** `prepay_id=wx…` → `wx…`; throws on anything else. */
export function prepayIdOf(pkgOrPayment: string | ClientPaymentParams | undefined): string {
  const pkg = typeof pkgOrPayment === 'object' ? packageOf(pkgOrPayment) : pkgOrPayment;
  const m = /^prepay_id=(.+)$/.exec(pkg ?? '');
  if (!m) throw new Error(`not a prepay package: ${pkg}`);
  return m[1];
}

/** Mini-program cashier parameters, narrowed; and what `wx.requestPayment` gets (without the `kind` tag). */
export function miniprogramPaymentOf(payment: ClientPaymentParams | undefined): Extract<ClientPaymentParams, { kind: 'miniprogram' }> {
  if (payment?.kind !== 'miniprogram') throw new Error(`not mini-program payment parameters: ${JSON.stringify(payment)}`);
  return payment;
}

/** The `package` of mini-program cashier parameters (`pay.create` answers `kind: 'miniprogram'` for jsapi and combine). */
export function packageOf(payment: ClientPaymentParams | undefined): string {
  if (payment?.kind !== 'miniprogram') throw new Error(`not mini-program payment parameters: ${JSON.stringify(payment)}`);
  return payment.package;
}

let keyCounter = 0;
/** A fresh idempotency key per call, unique across workers. */
export function idemKey(prefix = 'e2e'): string {
  return `${prefix}_${process.pid}_${Date.now()}_${++keyCounter}`;
}
