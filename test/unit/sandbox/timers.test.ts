/**
 * The emulators' timer set: a delay of 0 means now (the next turn of the event loop), not Node's
 * 1 ms minimum for `setTimeout(fn, 0)` — which held every first notification back behind the
 * payer's next request (issue 16) — and clear() cancels those too.
 */
import { stat } from 'node:fs';
import { TimerSet } from '../../../sandbox/common/timers';

/** Runs `fn` from an I/O callback, where what comes next is deterministic: the check phase (immediates), then timers. */
const fromIoCallback = (fn: () => void) => new Promise<void>((done) => stat(__filename, () => (fn(), done())));
const turns = (n: number) => new Promise((r) => setTimeout(r, n));

describe('TimerSet', () => {
  it('runs a zero delay in the next turn of the loop, ahead of a zero-delay timer set before it', async () => {
    const timers = new TimerSet();
    const ran: string[] = [];
    await fromIoCallback(() => {
      setTimeout(() => ran.push('setTimeout 0, set first'), 0);
      timers.later(() => ran.push('later 0'), 0);
    });
    await turns(20);
    expect(ran).toEqual(['later 0', 'setTimeout 0, set first']);
  });

  it('keeps real delays on timers, in their order', async () => {
    const timers = new TimerSet();
    const ran: string[] = [];
    timers.later(() => ran.push('15 ms'), 15);
    timers.later(() => ran.push('5 ms'), 5);
    await turns(40);
    expect(ran).toEqual(['5 ms', '15 ms']);
  });

  it('clear() cancels zero delays and timers alike', async () => {
    const timers = new TimerSet();
    const ran: string[] = [];
    timers.later(() => ran.push('now'), 0);
    timers.later(() => ran.push('later'), 5);
    timers.clear();
    await turns(20);
    expect(ran).toEqual([]);
    // Still usable after a clear (a sandbox reset goes on accepting work).
    timers.later(() => ran.push('after clear'), 0);
    await turns(5);
    expect(ran).toEqual(['after clear']);
  });
});
