/**
 * A broadcast wake-up: every `wait` pending when `wakeAll` runs resolves, and every subscriber is
 * called. Waiters re-check their own condition after waking, so a spurious wake is harmless and a
 * missed one is impossible as long as the condition is checked before calling `wait` or
 * `subscribe` (everything here is single-threaded).
 */
export interface Wakeup {
  /** Resolves at the next `wakeAll`; rejects with the signal's reason when it aborts first. */
  wait(signal?: AbortSignal): Promise<void>;
  /**
   * Calls `listener` at every `wakeAll` (and `failAll`) until the returned function is called: no
   * promise and no signal listener per wait, for loops that wait often (wait.ts). The listener
   * checks its own condition, so it may stay subscribed across wakes that do not concern it.
   */
  subscribe(listener: () => void): () => void;
  wakeAll(): void;
  /** Rejects every pending wait and calls every subscriber (used by close so nothing waits forever). */
  failAll(error: Error): void;
}

interface Waiter {
  readonly resolve: () => void;
  readonly reject: (error: Error) => void;
}

export function createWakeup(): Wakeup {
  let waiters = new Set<Waiter>();
  const listeners = new Set<() => void>();
  const callListeners = (): void => {
    // A listener may unsubscribe itself (or another) while called: Set iteration allows that.
    for (const listener of listeners) listener();
  };

  return {
    wait(signal) {
      if (signal?.aborted) return Promise.reject(signal.reason as Error);
      return new Promise<void>((resolve, reject) => {
        const onAbort = (): void => {
          waiters.delete(waiter);
          reject(signal?.reason as Error);
        };
        // The listener is removed on wake so long-lived signals do not accumulate one per wait.
        const waiter: Waiter = {
          resolve: () => {
            signal?.removeEventListener('abort', onAbort);
            resolve();
          },
          reject: (error) => {
            signal?.removeEventListener('abort', onAbort);
            reject(error);
          },
        };
        waiters.add(waiter);
        signal?.addEventListener('abort', onAbort, { once: true });
      });
    },
    subscribe(listener) {
      // A wrapper per subscription, so the same function subscribed twice needs two cancels.
      const entry = (): void => listener();
      listeners.add(entry);
      return () => listeners.delete(entry);
    },
    wakeAll() {
      if (listeners.size > 0) callListeners();
      if (waiters.size === 0) return;
      const current = waiters;
      waiters = new Set();
      for (const w of current) w.resolve();
    },
    failAll(error) {
      if (listeners.size > 0) callListeners();
      const current = waiters;
      waiters = new Set();
      for (const w of current) w.reject(error);
    },
  };
}
