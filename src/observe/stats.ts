/**
 * The counters behind the delivery contract's "nothing disappears silently": every input line ends
 * in exactly one verdict bucket, and every event that leaves the journal for a sink ends as
 * delivered, rejected or encode_failed (both dead-lettered), or, for stdout only, abandoned by its
 * reader. Plain numbers on the hot path; observe/metrics.ts exposes them to Prometheus at scrape
 * time and the summary line prints them.
 *
 * Invariant: lines_read = not_json + not_audit + invalid + valid, and
 * valid = journaled + dropped_full + unjournaled (dropped only under when_full: drop_newest;
 * unjournaled only when a shutdown came while the journal was full: those are dead-lettered).
 * Every record meant for the dead-letter file is counted once: dead_lettered when written,
 * dead_letter_failed when shutdown came before the file could take it (a full disk).
 */
export type Verdict = 'not_json' | 'not_audit' | 'invalid' | 'valid';

export interface SinkStats {
  delivered: number;
  /** Refused by the receiver for good (dead-lettered as rejected). */
  rejected: number;
  /** Events this sink's encoder could not turn into a request, even alone (dead-lettered as encode_failed). */
  encodeFailed: number;
  /** Field values left out of an event's index data (Loki structured metadata, HEC indexed fields). */
  valuesOmitted: number;
  /**
   * Events this sink will never deliver because its reader went away: only the stdout sink, when
   * the reader closed the pipe (`| head`). Not dead-lettered: stopping was the reader's choice.
   */
  abandoned: number;
  /** Attempts that will be made again, by reason: a RetryClass, or blocked, partial, ack_timeout, split, bisect. */
  retries: Record<string, number>;
  /**
   * Events counted delivered on the receiver's reply alone although end-to-end confirmation was
   * asked for (or the reply was not recognised), by Unconfirmed code; included in `delivered`.
   */
  unconfirmed: Record<string, number>;
  requests: number;
  inFlight: number;
  /** Unix ms of the first 'blocked' outcome (401/403…) not yet followed by a success, for /readyz. */
  blockedSinceMs?: number;
  /** Set while the sink's last attempt failed (cleared on success). */
  lastError?: string;
}

export interface Stats {
  linesRead: number;
  verdicts: Record<Verdict, number>;
  /** Lines whose action is not in the catalogue (also counted under their verdict). */
  unknownActions: number;
  journaled: number;
  droppedFull: number;
  /** Valid events read but not journaled because shutdown came while the journal was full (dead-lettered). */
  unjournaled: number;
  deadLettered: number;
  /** Records that could not be written to the dead-letter file before shutdown (lost; exit code 74). */
  deadLetterFailed: number;
  sinks: Map<string, SinkStats>;
}

export function createStats(): Stats {
  return {
    linesRead: 0,
    verdicts: { not_json: 0, not_audit: 0, invalid: 0, valid: 0 },
    unknownActions: 0,
    journaled: 0,
    droppedFull: 0,
    unjournaled: 0,
    deadLettered: 0,
    deadLetterFailed: 0,
    sinks: new Map(),
  };
}

export function sinkStats(stats: Stats, sinkName: string): SinkStats {
  let s = stats.sinks.get(sinkName);
  if (!s) {
    s = {
      delivered: 0,
      rejected: 0,
      encodeFailed: 0,
      valuesOmitted: 0,
      abandoned: 0,
      retries: {},
      unconfirmed: {},
      requests: 0,
      inFlight: 0,
    };
    stats.sinks.set(sinkName, s);
  }
  return s;
}
