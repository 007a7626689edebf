/**
 * Retry warnings for one sink, rate-limited so a long outage does not flood stderr: the first
 * failure is logged at once, then at most one warning per WARN_INTERVAL_MS carrying the number of
 * failures suppressed since the last one; recovery is logged once at info. Blocked outcomes
 * (credentials, permissions) are errors on every attempt: they need a human and are at the
 * maximum backoff anyway. Deliveries taken on the receiver's word alone (unconfirmed) are warned
 * about once per kind. Only reasons from the codec are logged: never headers or secrets.
 */
import type { ErrorCode } from '../errors.js';
import type { Clock } from '../clock.js';
import type { Logger } from '../observe/logger.js';
import type { Unconfirmed } from '../contract/outcome.js';

export const WARN_INTERVAL_MS = 30_000;

export interface FailureLog {
  retrying(reason: string, retryClass: string, delayMs: number): void;
  blocked(reason: string, delayMs: number): void;
  /** A request succeeded: logs recovery once if failures were logged before. */
  succeeded(): void;
  /**
   * Records were counted delivered on the receiver's word alone: one warning per code per
   * process (the condition is a setting, so it repeats on every request; a metric counts them).
   */
  unconfirmed(note: Unconfirmed): void;
}

export function createFailureLog(sink: string, logger: Logger, clock: Clock): FailureLog {
  let failing = false;
  let lastWarnAt = -Infinity;
  let suppressed = 0;
  let failures = 0;
  const warned = new Set<string>();

  return {
    retrying(reason, retryClass, delayMs) {
      failures++;
      const now = clock.now();
      if (failing && now - lastWarnAt < WARN_INTERVAL_MS) {
        suppressed++;
        return;
      }
      logger.warn('delivery failed, will retry (records kept)', {
        sink,
        reason,
        class: retryClass,
        retry_in_ms: Math.round(delayMs),
        ...(suppressed > 0 ? { suppressed } : {}),
      });
      failing = true;
      lastWarnAt = now;
      suppressed = 0;
    },
    blocked(reason, delayMs) {
      failures++;
      failing = true;
      logger.error(
        'receiver refuses this sink (check credentials, permissions, URL); records kept, retrying',
        {
          code: 'WS_ERR_SINK_REFUSED' satisfies ErrorCode,
          sink,
          reason,
          retry_in_ms: Math.round(delayMs),
        },
      );
    },
    succeeded() {
      if (!failing) return;
      logger.info('delivery recovered', { sink, failed_attempts: failures });
      failing = false;
      failures = 0;
      suppressed = 0;
    },
    unconfirmed(note) {
      if (warned.has(note.code)) return;
      warned.add(note.code);
      logger.warn(note.message, { sink, reason: note.detail, unconfirmed: note.code });
    },
  };
}
