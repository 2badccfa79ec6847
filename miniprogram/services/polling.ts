/**
 * When to ask the server again while a payment is being confirmed: exponential backoff with a cap
 * and an overall deadline. The schedule is a pure function so it is tested without timers; the
 * runner takes its timer functions as inputs so tests can drive it with fake timers.
 */

export interface BackoffSchedule {
  /** Delay before the first retry, ms. */
  initialMs: number;
  /** Each delay is the previous one times this. */
  factor: number;
  /** No single delay is longer than this, ms. */
  maxDelayMs: number;
  /** No attempt is started after this much time since the first, ms. */
  deadlineMs: number;
}

/** 0.5 s, 1 s, 2 s, 4 s, then every 5 s, for one minute. */
export const PAYMENT_CONFIRM_SCHEDULE: BackoffSchedule = { initialMs: 500, factor: 2, maxDelayMs: 5000, deadlineMs: 60_000 };

/** Delay before retry number `retry` (0-based), ignoring the deadline. */
export function delayBefore(retry: number, schedule: BackoffSchedule): number {
  return Math.min(schedule.maxDelayMs, Math.round(schedule.initialMs * schedule.factor ** retry));
}

/**
 * Delay before the next attempt, or null when waiting it would start past the deadline.
 * `elapsedMs` is the time since the first attempt started.
 */
export function nextDelay(retry: number, elapsedMs: number, schedule: BackoffSchedule): number | null {
  const delay = delayBefore(retry, schedule);
  return elapsedMs + delay > schedule.deadlineMs ? null : delay;
}

/** The start times (ms after the first) of every attempt the schedule allows when attempts take no time. */
export function attemptTimes(schedule: BackoffSchedule): number[] {
  const times = [0];
  for (let retry = 0; ; retry++) {
    const delay = nextDelay(retry, times[times.length - 1], schedule);
    if (delay === null) return times;
    times.push(times[times.length - 1] + delay);
  }
}

/** What one attempt concluded. */
export type PollStep<T> = { done: true; value: T } | { done: false; value?: T };

export type PollEnd<T> =
  | { kind: 'done'; value: T; attempts: number }
  | { kind: 'deadline'; last?: T; attempts: number }
  | { kind: 'stopped'; attempts: number };

export interface PollClock {
  now(): number;
  setTimeout(fn: () => void, ms: number): unknown;
  clearTimeout(handle: unknown): void;
}

const realClock: PollClock = {
  now: () => Date.now(),
  setTimeout: (fn, ms) => setTimeout(fn, ms),
  clearTimeout: (handle) => clearTimeout(handle as number),
};

export interface PollHandle<T> {
  /** Settles once: done, deadline, or stopped. */
  result: Promise<PollEnd<T>>;
  /** Stop before the next attempt (page unload). An attempt already running finishes but is ignored. */
  stop(): void;
}

/**
 * Run `attempt` until it says done or the schedule's deadline passes. An attempt that throws counts
 * as not done (the next one may succeed); `onStep` sees every conclusion, for the view.
 */
export function poll<T>(
  attempt: () => Promise<PollStep<T>>,
  schedule: BackoffSchedule,
  options: { clock?: PollClock; onStep?: (step: PollStep<T>) => void } = {},
): PollHandle<T> {
  const clock = options.clock ?? realClock;
  const startedAt = clock.now();
  let stopped = false;
  let timer: unknown;
  let settle: (end: PollEnd<T>) => void = () => undefined;
  let attempts = 0;
  let last: T | undefined;
  const result = new Promise<PollEnd<T>>((resolve) => {
    settle = resolve;
  });

  const run = async (retry: number): Promise<void> => {
    if (stopped) return;
    attempts++;
    let step: PollStep<T>;
    try {
      step = await attempt();
    } catch {
      step = { done: false };
    }
    if (stopped) return;
    if (step.value !== undefined) last = step.value;
    options.onStep?.(step);
    if (step.done) {
      settle({ kind: 'done', value: step.value, attempts });
      return;
    }
    const delay = nextDelay(retry, clock.now() - startedAt, schedule);
    if (delay === null) {
      settle({ kind: 'deadline', last, attempts });
      return;
    }
    timer = clock.setTimeout(() => void run(retry + 1), delay);
  };

  void run(0);
  return {
    result,
    stop() {
      if (stopped) return;
      stopped = true;
      if (timer !== undefined) clock.clearTimeout(timer);
      settle({ kind: 'stopped', attempts });
    },
  };
}
