/**
 * How long to wait before the next attempt. Pure: time and randomness come in as arguments.
 *
 * Guarantees: there is no attempt limit (a retryable batch is retried forever, never dropped because
 * a counter ran out); a receiver's Retry-After is never undercut (but is capped); the delay is always
 * a finite number in [0, max(max_backoff_ms, max_retry_after_ms)].
 *
 * Recovery is prompt (README "Backoff and recovery"):
 * - A connection that could not be made or was cut (class `network`: refused, reset, DNS, TLS)
 *   waits at most max_network_backoff_ms, so a receiver that comes back after an outage of any
 *   length gets its first attempt within that time. Such attempts cost the receiver nothing.
 * - Each batch counts its failures in two streaks (batchBackoff): connection failures, reset by
 *   any reply; and the receiver's own failures (429, 5xx, timeouts, refusals), reset once a wait was
 *   set by the receiver's Retry-After. So an outage does not inflate the backoff of the 503s
 *   that follow it, and a 429 storm paced by Retry-After does not inflate the backoff of a later 503.
 */
import type { RetryConfig } from '../config/types.js';
import type { Outcome } from '../contract/outcome.js';
import { parseRetryAfter } from './retry-after.js';

export interface RetryPolicy {
  /** `attempt` counts the failures of this batch's current streak so far, from 0. */
  delayFor(outcome: Outcome, attempt: number, nowMs: number): number;
  /** A fresh pair of failure streaks for one batch. */
  batchBackoff(): BatchBackoff;
}

/** The attempt counting of one batch: call next() once per failed attempt. */
export interface BatchBackoff {
  /** How long to wait after this failed attempt. */
  next(outcome: Outcome, nowMs: number): number;
}

export function createRetryPolicy(config: RetryConfig, random: () => number): RetryPolicy {
  const { initial_backoff_ms: initial, max_backoff_ms: max, max_retry_after_ms: maxRetryAfter } = config;
  const maxNetwork = Math.min(max, config.max_network_backoff_ms);

  // Past 2^52 the doubling has long reached any cap; stopping there keeps Infinity and NaN out.
  const ceiling = (attempt: number, cap: number): number =>
    Math.min(cap, initial * 2 ** Math.min(52, Math.max(0, Math.floor(attempt))));

  const jittered = (attempt: number, cap: number): number => {
    const r = Math.min(1, Math.max(0, random()));
    return r * ceiling(attempt, cap);
  };

  /** The delay, and whether the receiver's Retry-After set it (it was at least our backoff). */
  const wait = (outcome: Outcome, attempt: number, nowMs: number): { ms: number; byReceiver: boolean } => {
    switch (outcome.kind) {
      case 'blocked':
        return { ms: max, byReceiver: false };
      case 'retry':
      case 'partial': {
        // Records refused as configured wait like 'blocked', whatever else is retried with them.
        if (outcome.kind === 'partial' && outcome.blockedReason !== undefined)
          return { ms: max, byReceiver: false };
        const backoff = jittered(attempt, isConnectionFailure(outcome) ? maxNetwork : max);
        const after = parseRetryAfter(outcome.retryAfter, nowMs);
        if (after === undefined) return { ms: backoff, byReceiver: false };
        const honoured = Math.min(after, maxRetryAfter);
        return honoured >= backoff ? { ms: honoured, byReceiver: true } : { ms: backoff, byReceiver: false };
      }
      default:
        // Outcomes that are not waited on; an ack timeout asks with a synthetic 'retry'.
        return { ms: 0, byReceiver: false };
    }
  };

  return {
    delayFor: (outcome, attempt, nowMs) => wait(outcome, attempt, nowMs).ms,
    batchBackoff() {
      let connectionFailures = 0;
      let receiverFailures = 0;
      return {
        next(outcome, nowMs) {
          if (isConnectionFailure(outcome)) return wait(outcome, connectionFailures++, nowMs).ms;
          connectionFailures = 0;
          const { ms, byReceiver } = wait(outcome, receiverFailures, nowMs);
          receiverFailures = byReceiver ? 0 : receiverFailures + 1;
          return ms;
        },
      };
    },
  };
}

function isConnectionFailure(outcome: Outcome): boolean {
  return outcome.kind === 'retry' && outcome.class === 'network';
}
