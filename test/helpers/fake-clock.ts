/**
 * A Clock that only moves when the test says so. `sleep` resolves (and `timer` fires) when `advance`
 * passes its deadline; `nextSleep()` lets a test wait until the code under test has started
 * waiting. A timer counts as a sleep everywhere (`sleeps`, `nextSleep`, `pending`): to a test both
 * are "the code waits for time to pass"; a cancelled timer stops being pending, like an aborted sleep.
 */
import type { Clock } from '../../src/clock.js';

interface Sleeper {
  readonly until: number;
  readonly resolve: () => void;
}

export interface FakeClock extends Clock {
  /** Moves time forward, resolving every sleep whose deadline is reached, in deadline order. */
  advance(ms: number): Promise<void>;
  /** Resolves with the requested duration of the next sleep that starts (or a pending one). */
  nextSleep(): Promise<number>;
  /** Durations of every sleep requested so far, in order. */
  readonly sleeps: number[];
  pending(): number;
  /** The earliest deadline among pending sleeps (epoch ms), or undefined when none is pending. */
  nextDeadline(): number | undefined;
}

export function createFakeClock(startMs = 1_748_000_000_000): FakeClock {
  let now = startMs;
  const sleepers: Sleeper[] = [];
  const sleeps: number[] = [];
  let waiters: ((ms: number) => void)[] = [];
  const unclaimed: number[] = [];

  const settle = () => new Promise<void>((resolve) => setImmediate(resolve));

  const started = (ms: number): void => {
    sleeps.push(ms);
    if (waiters.length > 0) {
      const w = waiters;
      waiters = [];
      for (const resolveWaiter of w) resolveWaiter(ms);
    } else {
      unclaimed.push(ms);
    }
  };

  return {
    sleeps,
    now: () => now,
    timer(ms, fire) {
      started(ms);
      const sleeper: Sleeper = { until: now + Math.max(0, ms), resolve: fire };
      sleepers.push(sleeper);
      return () => {
        const i = sleepers.indexOf(sleeper);
        if (i >= 0) sleepers.splice(i, 1);
      };
    },
    sleep(ms, signal) {
      started(ms);
      return new Promise<void>((resolve, reject) => {
        if (signal?.aborted) return reject(signal.reason as Error);
        const sleeper: Sleeper = { until: now + Math.max(0, ms), resolve };
        sleepers.push(sleeper);
        signal?.addEventListener(
          'abort',
          () => {
            const i = sleepers.indexOf(sleeper);
            if (i >= 0) sleepers.splice(i, 1);
            reject(signal.reason as Error);
          },
          { once: true },
        );
      });
    },
    async advance(ms) {
      const target = now + ms;
      for (;;) {
        sleepers.sort((a, b) => a.until - b.until);
        const first = sleepers[0];
        if (!first || first.until > target) break;
        sleepers.shift();
        now = Math.max(now, first.until);
        first.resolve();
        await settle();
      }
      now = target;
      await settle();
    },
    nextSleep() {
      const ms = unclaimed.shift();
      if (ms !== undefined) return Promise.resolve(ms);
      return new Promise<number>((resolve) => waiters.push(resolve));
    },
    pending: () => sleepers.length,
    nextDeadline: () => (sleepers.length === 0 ? undefined : Math.min(...sleepers.map((s) => s.until))),
  };
}
