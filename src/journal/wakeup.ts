/**
 * A broadcast wake-up: every `wait` pending when `wakeAll` runs resolves. Waiters re-check their
 * own condition after waking, so a spurious wake is harmless and a missed one is impossible as long
 * as the condition is checked before calling `wait` (everything here is single-threaded).
 */
export interface Wakeup {
  /** Resolves at the next `wakeAll`; rejects with the signal's reason when it aborts first. */
  wait(signal?: AbortSignal): Promise<void>;
  wakeAll(): void;
  /** Rejects every pending wait (used by close so nothing waits forever). */
  failAll(error: Error): void;
}

interface Waiter {
  readonly resolve: () => void;
  readonly reject: (error: Error) => void;
}

export function createWakeup(): Wakeup {
  let waiters = new Set<Waiter>();

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
    wakeAll() {
      if (waiters.size === 0) return;
      const current = waiters;
      waiters = new Set();
      for (const w of current) w.resolve();
    },
    failAll(error) {
      const current = waiters;
      waiters = new Set();
      for (const w of current) w.reject(error);
    },
  };
}
