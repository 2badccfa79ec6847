/**
 * Named crash points for the reliability suite's crash-recovery test (issue 17): at a step
 * boundary (gateway accepted / store wrote / reply not sent), `crashPoint(name)` kills this
 * process — SIGKILL, no cleanup, as a crashed function instance — when the test process named that
 * point in `PAY_CRASH_AT`.
 *
 * Test-only, twice over: the points exist only in bundles built with `crashPoints: true`
 * (`buildCloudFunctions`, used by test/reliability/crash alone). Every other build (`gulp build`,
 * `npm start`, `npm run deploy`) defines `__PAY_CRASH_POINTS__` as false: `crashPoint` is then
 * empty and esbuild drops every call with its name, so no env var can enable one in production
 * (test/unit/kernel/platform/crash-point.test.ts checks the built bundles). Unbundled (ts-jest),
 * the flag is undefined: inert.
 */

/** Set by the bundler (gulpfile `FUNCTION_BUNDLE_OPTIONS.define`); undefined when not bundled. */
declare const __PAY_CRASH_POINTS__: boolean | undefined;

/** Every step boundary the crash test enumerates (one name = one place in the code). */
export const CRASH_POINTS = [
  // pay.create (jsapi, combine): the order row written, the gateway not asked yet.
  'pay.create:after-insert',
  // The gateway took the order (prepay id issued); our PREPAY_CREATED not written.
  'pay.create:after-gateway',
  // PREPAY_CREATED written; the answer with the payment parameters not sent.
  'pay.create:after-store',
  // pay.refund: the refund record inserted and started on the order; nothing sent.
  'pay.refund:after-start',
  // The gateway took the refund; its answer not recorded.
  'pay.refund:after-gateway',
  // The answer recorded; the reply not sent.
  'pay.refund:after-store',
  // pay.close: the gateway closed the order; our CLOSED not written.
  'pay.close:after-gateway',
  // CLOSED written; the reply not sent.
  'pay.close:after-store',
  // A verified, decrypted notification (payNotify / payNotifyV2 / huifuNotify); nothing applied.
  'notify:after-verify',
  // The notification's transition written (order / refund / service order); its id not recorded.
  'notify:after-apply',
  // Everything written; the 2xx reply not sent (the gateway redelivers).
  'notify:before-reply',
  // payscore.create: the gateway created the service order; our record not inserted.
  'payscore.create:after-gateway',
  // The record inserted; the reply not sent.
  'payscore.create:after-store',
  // payscore.complete: the gateway completed the service order; our COMPLETED not written.
  'payscore.complete:after-gateway',
  // COMPLETED written; the reply not sent.
  'payscore.complete:after-store',
] as const;

export type CrashPointName = (typeof CRASH_POINTS)[number];

/** Bundled with crash points (the crash test's builds): true; every other build and unbundled: false. */
const CRASH_POINTS_ON = typeof __PAY_CRASH_POINTS__ === 'boolean' && __PAY_CRASH_POINTS__;

/**
 * Dies here when this process was started with PAY_CRASH_AT=<name>. With CRASH_POINTS_ON false the
 * body is empty, and esbuild removes the calls to it with their names.
 */
export function crashPoint(name: CrashPointName): void {
  if (!CRASH_POINTS_ON || process.env.PAY_CRASH_AT !== name) return;
  process.stderr.write(`crash point ${name}: killing process ${process.pid}\n`);
  process.kill(process.pid, 'SIGKILL');
}
