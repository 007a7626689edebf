/**
 * Time is injected everywhere a decision depends on it (batching deadlines, backoff, Retry-After),
 * so tests drive it by hand instead of sleeping. Production code uses `systemClock`.
 */
import { setTimeout as delay } from 'node:timers/promises';

export interface Clock {
  /** Milliseconds since the Unix epoch. */
  now(): number;
  /**
   * Resolves after `ms` milliseconds. Rejects with the signal's reason (an AbortError) when the
   * signal fires first, so loops waiting on the clock stop promptly at shutdown.
   */
  sleep(ms: number, signal?: AbortSignal): Promise<void>;
  /**
   * Calls `fire` once after `ms` milliseconds unless the returned function is called first. For
   * waits that usually end early (a batch deadline that records beat): cancelling is a cleared
   * timer, where a cancelled `sleep` costs an AbortSignal, its listener and a thrown AbortError.
   */
  timer(ms: number, fire: () => void): () => void;
}

export const systemClock: Clock = {
  now: () => Date.now(),
  sleep: async (ms, signal) => {
    await delay(Math.max(0, ms), undefined, signal ? { signal } : undefined);
  },
  timer: (ms, fire) => {
    const handle = setTimeout(fire, Math.max(0, ms));
    return () => clearTimeout(handle);
  },
};
