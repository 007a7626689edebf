/**
 * /readyz: ready means audit events are being accepted and can be delivered. Not ready when the
 * journal is full (input paused) or a sink has been refused as configured (401/403, bad token)
 * for longer than `metrics.auth_failure_unready`. A sink that is merely down is not a readiness
 * failure: the journal absorbs outages, which is the point of having one.
 */
import type { EventLog } from '../journal/event-log.js';
import type { Readiness } from './health-server.js';
import type { Stats } from '../observe/stats.js';

export function readiness(input: {
  readonly stats: Stats;
  readonly log: EventLog;
  readonly now: number;
  readonly authFailureUnreadyMs: number;
}): Readiness {
  const reasons: string[] = [];
  if (input.log.stats().full) reasons.push('journal full: input paused (buffer.max_bytes)');
  for (const [name, s] of input.stats.sinks) {
    if (s.blockedSinceMs !== undefined && input.now - s.blockedSinceMs >= input.authFailureUnreadyMs) {
      const minutes = Math.round((input.now - s.blockedSinceMs) / 60_000);
      reasons.push(`sink ${name} refused as configured for ${minutes} min: ${s.lastError ?? 'see logs'}`);
    }
  }
  return { ready: reasons.length === 0, reasons };
}
