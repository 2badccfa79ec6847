import {
  PAYMENT_CONFIRM_SCHEDULE,
  attemptTimes,
  delayBefore,
  nextDelay,
  poll,
  type PollStep,
} from '../../../miniprogram/services/polling';

const clock = {
  now: () => Date.now(),
  setTimeout: (fn: () => void, ms: number) => setTimeout(fn, ms),
  clearTimeout: (handle: unknown) => clearTimeout(handle as NodeJS.Timeout),
};

describe('backoff schedule', () => {
  it('doubles from 0.5 s and caps at 5 s', () => {
    const delays = [0, 1, 2, 3, 4, 5, 10].map((retry) => delayBefore(retry, PAYMENT_CONFIRM_SCHEDULE));
    expect(delays).toEqual([500, 1000, 2000, 4000, 5000, 5000, 5000]);
  });

  it('starts no attempt after the 60 s deadline', () => {
    const times = attemptTimes(PAYMENT_CONFIRM_SCHEDULE);
    expect(times.slice(0, 6)).toEqual([0, 500, 1500, 3500, 7500, 12_500]);
    expect(times[times.length - 1]).toBeLessThanOrEqual(60_000);
    expect(times[times.length - 1] + 5000).toBeGreaterThan(60_000);
    // 0, .5, 1.5, 3.5, 7.5 then every 5 s up to 57.5: 15 attempts in the minute
    expect(times).toHaveLength(15);
  });

  it('nextDelay is null once the next wait would cross the deadline', () => {
    expect(nextDelay(0, 59_400, PAYMENT_CONFIRM_SCHEDULE)).toBe(500);
    expect(nextDelay(0, 59_600, PAYMENT_CONFIRM_SCHEDULE)).toBeNull();
    expect(nextDelay(6, 55_000, PAYMENT_CONFIRM_SCHEDULE)).toBe(5000);
    expect(nextDelay(6, 55_001, PAYMENT_CONFIRM_SCHEDULE)).toBeNull();
  });
});

describe('poll runner (fake timers)', () => {
  beforeEach(() => jest.useFakeTimers({ now: 1_700_000_000_000 }));
  afterEach(() => jest.useRealTimers());

  it('stops as soon as an attempt says done, at the scheduled times', async () => {
    const calls: number[] = [];
    const start = Date.now();
    const attempt = jest.fn(async (): Promise<PollStep<string>> => {
      calls.push(Date.now() - start);
      return calls.length === 4 ? { done: true, value: 'PAID' } : { done: false, value: 'PAYING' };
    });
    const handle = poll(attempt, PAYMENT_CONFIRM_SCHEDULE, { clock });
    await jest.advanceTimersByTimeAsync(10_000);
    await expect(handle.result).resolves.toEqual({ kind: 'done', value: 'PAID', attempts: 4 });
    expect(calls).toEqual([0, 500, 1500, 3500]);
    await jest.advanceTimersByTimeAsync(60_000);
    expect(attempt).toHaveBeenCalledTimes(4);
  });

  it('gives up at the deadline with the last value seen', async () => {
    const attempt = jest.fn(async (): Promise<PollStep<string>> => ({ done: false, value: 'PAYING' }));
    const handle = poll(attempt, PAYMENT_CONFIRM_SCHEDULE, { clock });
    let settled = false;
    void handle.result.then(() => (settled = true));
    await jest.advanceTimersByTimeAsync(57_499);
    expect(settled).toBe(false);
    await jest.advanceTimersByTimeAsync(1);
    await expect(handle.result).resolves.toEqual({ kind: 'deadline', last: 'PAYING', attempts: 15 });
    await jest.advanceTimersByTimeAsync(120_000);
    expect(attempt).toHaveBeenCalledTimes(15);
  });

  it('counts slow attempts against the deadline', async () => {
    // every attempt takes 10 s: 0 → 10 s, then wait .5 → 10.5–20.5, wait 1 → 21.5–31.5, wait 2 → 33.5–43.5, wait 4 → 47.5–57.5, then 57.5+5 > 60
    const attempt = jest.fn(
      () => new Promise<PollStep<string>>((resolve) => setTimeout(() => resolve({ done: false }), 10_000)),
    );
    const handle = poll(attempt, PAYMENT_CONFIRM_SCHEDULE, { clock });
    await jest.advanceTimersByTimeAsync(70_000);
    await expect(handle.result).resolves.toMatchObject({ kind: 'deadline', attempts: 5 });
  });

  it('treats a throwing attempt as not done and keeps going', async () => {
    let n = 0;
    const attempt = jest.fn(async (): Promise<PollStep<number>> => {
      n++;
      if (n < 3) throw new Error('network down');
      return { done: true, value: n };
    });
    const steps: PollStep<number>[] = [];
    const handle = poll(attempt, PAYMENT_CONFIRM_SCHEDULE, { clock, onStep: (s) => steps.push(s) });
    await jest.advanceTimersByTimeAsync(2000);
    await expect(handle.result).resolves.toEqual({ kind: 'done', value: 3, attempts: 3 });
    expect(steps).toEqual([{ done: false }, { done: false }, { done: true, value: 3 }]);
  });

  it('stop() cancels the pending attempt', async () => {
    const attempt = jest.fn(async (): Promise<PollStep<string>> => ({ done: false }));
    const handle = poll(attempt, PAYMENT_CONFIRM_SCHEDULE, { clock });
    await jest.advanceTimersByTimeAsync(600);
    expect(attempt).toHaveBeenCalledTimes(2);
    handle.stop();
    await expect(handle.result).resolves.toEqual({ kind: 'stopped', attempts: 2 });
    await jest.advanceTimersByTimeAsync(60_000);
    expect(attempt).toHaveBeenCalledTimes(2);
  });
});
