/** Timers an emulator has pending (deferred work, notification retries), all cleared on close. */
export class TimerSet {
  private readonly timers = new Set<NodeJS.Timeout>();
  private readonly immediates = new Set<NodeJS.Immediate>();

  /**
   * Runs `fn` after `delayMs` unless cleared first. A delay of 0 (or less) runs it in the loop's
   * next check phase: Node clamps `setTimeout(fn, 0)` to 1 ms, which held every first
   * notification back a millisecond behind whatever request came in meanwhile.
   */
  later(fn: () => void, delayMs: number): void {
    if (!(delayMs > 0)) {
      const immediate = setImmediate(() => {
        this.immediates.delete(immediate);
        fn();
      });
      this.immediates.add(immediate);
      return;
    }
    const timer = setTimeout(() => {
      this.timers.delete(timer);
      fn();
    }, delayMs);
    this.timers.add(timer);
  }

  clear(): void {
    for (const timer of this.timers) clearTimeout(timer);
    this.timers.clear();
    for (const immediate of this.immediates) clearImmediate(immediate);
    this.immediates.clear();
  }
}
