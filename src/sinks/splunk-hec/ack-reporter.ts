/**
 * Logging for acknowledgement polls that fail. A poll runs every few seconds, so an outage must
 * not flood stderr: the first problem (and any new reason) is logged at once, repeats at most
 * every REPORT_EVERY_MS with a count of the ones held back, and recovery is logged once.
 */
import type { Clock } from '../../clock.js';
import type { Logger } from '../../observe/logger.js';
import type { AckPollResult } from './ack-reply.js';

export const REPORT_EVERY_MS = 30_000;

type Problem = Exclude<AckPollResult, { kind: 'acks' }>;

export interface AckPollReporter {
  problem(result: Problem, pending: number): void;
  ok(): void;
}

export function createAckPollReporter(logger: Logger, clock: Clock, channel: string): AckPollReporter {
  let last: string | undefined;
  let lastAt = 0;
  let heldBack = 0;

  return {
    problem(result, pending) {
      const now = clock.now();
      const key = result.kind + ':' + result.reason;
      if (key === last && now - lastAt < REPORT_EVERY_MS) {
        heldBack++;
        return;
      }
      const fields = { channel, reason: result.reason, pending_acks: pending, repeats_not_logged: heldBack };
      last = key;
      lastAt = now;
      heldBack = 0;
      if (result.kind === 'blocked') {
        // Loud: no batch can be confirmed until the token or HEC settings change; each one is sent
        // again when its wait times out, so nothing is lost, but nothing is confirmed either.
        logger.error('Splunk HEC refuses indexer acknowledgement polls; events stay unconfirmed', fields);
      } else {
        logger.warn('Splunk HEC indexer acknowledgement poll failed; polling continues', fields);
      }
    },
    ok() {
      if (last === undefined) return;
      logger.info('Splunk HEC indexer acknowledgement polls succeed again', { channel });
      last = undefined;
      heldBack = 0;
    },
  };
}
