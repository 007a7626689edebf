/**
 * A wait that ends in a value, not an exception: a notification ('woken'), a deadline on the
 * injected clock ('timeout') or shutdown ('aborted'), whichever comes first. Loops that wait many
 * times a second (a sink gathering a batch) use it instead of racing an AbortSignal-cancelled
 * sleep against the notification: that costs an AbortController, a listener, a DOMException and a
 * thrown AbortError per wait, and showed among the top costs of a sink at 100 events/s.
 *
 * Invariants:
 * - One listener on the stop signal for the waiter's whole life (removed by `dispose`), not one
 *   per wait.
 * - When a wait ends, its timer is cleared and its subscription cancelled, whichever way it ended:
 *   nothing of it is left to fire later.
 * - One wait at a time per waiter (it belongs to one loop); a second concurrent wait is a bug.
 */
import type { Clock } from './clock.js';

export type WaitOutcome = 'woken' | 'timeout' | 'aborted';

/**
 * Registers `wake` to be called when the awaited condition may have become true (synchronously is
 * fine) and returns the function that unregisters it.
 */
export type Subscribe = (wake: () => void) => () => void;

export interface Waiter {
  /**
   * Resolves at the first of: `subscribe`'s wake ('woken'), `ms` on the clock ('timeout'; no
   * deadline when undefined) and the stop signal ('aborted', at once when it already has). Never
   * rejects.
   */
  wait(subscribe: Subscribe | undefined, ms?: number): Promise<WaitOutcome>;
  /** Removes the stop-signal listener. A wait still pending resolves 'aborted'. */
  dispose(): void;
}

const noop = (): void => {};

export function createWaiter(clock: Clock, stop?: AbortSignal): Waiter {
  let settle: ((outcome: WaitOutcome) => void) | undefined;
  let disposed = false;
  const onStop = (): void => settle?.('aborted');
  stop?.addEventListener('abort', onStop, { once: true });

  return {
    wait(subscribe, ms) {
      if (settle) throw new Error('createWaiter: one wait at a time');
      if (disposed || stop?.aborted) return Promise.resolve('aborted');
      return new Promise<WaitOutcome>((resolve) => {
        let cancelTimer = noop;
        let unsubscribe = noop;
        let done = false;
        settle = (outcome) => {
          if (done) return;
          done = true;
          settle = undefined;
          cancelTimer();
          unsubscribe();
          resolve(outcome);
        };
        const finish = settle;
        if (ms !== undefined) cancelTimer = clock.timer(ms, () => finish('timeout'));
        // Subscribed last: a wake that comes synchronously still finds the timer to clear.
        if (subscribe && !done) {
          const cancel = subscribe(() => finish('woken'));
          if (done) cancel();
          else unsubscribe = cancel;
        }
      });
    },
    dispose() {
      if (disposed) return;
      disposed = true;
      stop?.removeEventListener('abort', onStop);
      settle?.('aborted');
    },
  };
}
