/**
 * How long to wait before the next attempt. Pure: time and randomness come in as arguments.
 *
 * Guarantees: there is no attempt limit (a retryable batch is retried forever, never dropped because
 * a counter ran out); a receiver's Retry-After is never undercut (but is capped); the delay is always
 * a finite number in [0, max(max_backoff_ms, max_retry_after_ms)].
 */
import type { RetryConfig } from '../config/types.js';
import type { Outcome } from './outcome.js';
import { parseRetryAfter } from './retry-after.js';

export interface RetryPolicy {
  /** `attempt` counts failures of this batch so far, starting at 0 for the first retry. */
  delayFor(outcome: Outcome, attempt: number, nowMs: number): number;
}

export function createRetryPolicy(config: RetryConfig, random: () => number): RetryPolicy {
  const { initial_backoff_ms: initial, max_backoff_ms: max, max_retry_after_ms: maxRetryAfter } = config;

  // Past 2^52 the doubling has long reached any cap; stopping there keeps Infinity and NaN out.
  const ceiling = (attempt: number): number =>
    Math.min(max, initial * 2 ** Math.min(52, Math.max(0, Math.floor(attempt))));

  const jittered = (attempt: number): number => {
    const r = Math.min(1, Math.max(0, random()));
    return r * ceiling(attempt);
  };

  return {
    delayFor(outcome, attempt, nowMs) {
      switch (outcome.kind) {
        case 'blocked':
          return max;
        case 'retry':
        case 'partial': {
          // Records refused as configured wait like 'blocked', whatever else is retried with them.
          if (outcome.kind === 'partial' && outcome.blockedReason !== undefined) return max;
          const backoff = jittered(attempt);
          const after = parseRetryAfter(outcome.retryAfter, nowMs);
          return after === undefined ? backoff : Math.max(backoff, Math.min(after, maxRetryAfter));
        }
        default:
          // Outcomes that are not waited on; an ack timeout asks with a synthetic 'retry'.
          return 0;
      }
    },
  };
}
