/**
 * The counters behind the delivery contract's "nothing disappears silently": every input line ends
 * in exactly one verdict bucket, and every event that leaves the journal for a sink ends as
 * delivered, rejected or encode_failed (both dead-lettered), or, for stdout only, abandoned by its
 * reader. Plain numbers on the hot path; monitor/metrics.ts exposes them to Prometheus at scrape
 * time and the summary line prints them.
 *
 * Invariant: lines_read = valid + not_audit + not_json + empty + invalid, and
 * valid = journaled + dropped_full + unjournaled + already_journaled (dropped only under when_full:
 * drop_newest; unjournaled only when a shutdown came while the journal was full: those are
 * dead-lettered; already_journaled only with integrity on, after a crash: a line an input read
 * again that the journal already held).
 * Every record meant for the dead-letter file is counted once: dead_lettered when written,
 * dead_letter_failed when shutdown came before the file could take it (a full disk).
 * dead_lettered = the sum of dead_lettered_by_reason: count dead letters with countDeadLettered().
 *
 * Names: each field's name in the summary, the JSON logs and /metrics is the same word
 * (see docs/metrics.md); the comment on a field gives it when the TypeScript name differs.
 */
import type { DeadLetterReason } from '../contract/dead-letter-record.js';
import type { HttpReply, RetryClass, UnconfirmedReason } from '../contract/outcome.js';

export type Verdict = 'valid' | 'not_audit' | 'not_json' | 'empty' | 'invalid';

/** Every reason a dead-letter record can have; a Record so a new reason cannot be forgotten here. */
const DEAD_LETTER_REASON_SET: Record<DeadLetterReason, true> = {
  not_json: true,
  invalid: true,
  line_too_long: true,
  invalid_utf8: true,
  too_deep: true,
  unknown_action: true,
  rejected: true,
  encode_failed: true,
  undelivered_at_shutdown: true,
  partial_timeout: true,
  partial_line_unterminated: true,
  invalid_cri_line: true,
  invalid_docker_line: true,
  forward_no_line: true,
};
export const DEAD_LETTER_REASONS = Object.keys(DEAD_LETTER_REASON_SET) as DeadLetterReason[];

/** Why an attempt is repeated: a RetryClass, or what the delivery loop did about a whole outcome. */
export type RetryReason = RetryClass | 'blocked' | 'partial' | 'ack_timeout' | 'split' | 'bisect';
const RETRY_REASON_SET: Record<RetryReason, true> = {
  rate_limited: true,
  server_error: true,
  network: true,
  timeout: true,
  blocked: true,
  partial: true,
  ack_timeout: true,
  split: true,
  bisect: true,
};
export const RETRY_REASONS = Object.keys(RETRY_REASON_SET) as RetryReason[];

/**
 * Why a delivery counted on the receiver's word alone (Unconfirmed.code): the `reason` label of
 * wirety_ship_sink_unconfirmed_total, listed at 0 from the start (sinks/splunk-hec/ack-fallback.ts).
 */
const UNCONFIRMED_REASON_SET: Record<UnconfirmedReason, true> = {
  ack_off: true,
  ack_poll_refused: true,
  non_hec_reply: true,
};
export const UNCONFIRMED_REASONS: readonly string[] = Object.keys(UNCONFIRMED_REASON_SET);

/**
 * Why a receiver's refusal dead-lettered an event: `too_large` (413 even for the event alone),
 * `refused` (any other permanent refusal: a 400/422, a refused item, a HEC error code).
 */
export type RejectReason = 'refused' | 'too_large';
export const REJECT_REASONS: readonly RejectReason[] = ['refused', 'too_large'];

/** What a request got back: the HTTP status class, or why there was no reply. */
export type ReplyClass = '2xx' | '3xx' | '4xx' | '5xx' | 'network_error' | 'timeout';
export const REPLY_CLASSES: readonly ReplyClass[] = ['2xx', '3xx', '4xx', '5xx', 'network_error', 'timeout'];

export function replyClass(reply: HttpReply): ReplyClass {
  if (reply.kind !== 'response') return reply.kind;
  // 1xx never reaches us (undici handles it); anything odd counts with its neighbours.
  const hundreds = Math.min(5, Math.max(2, Math.floor(reply.status / 100)));
  return `${hundreds}xx` as ReplyClass;
}

export interface SinkStats {
  delivered: number;
  /** Refused by the receiver for good (dead-lettered as rejected); the sum of rejectedByReason. */
  rejected: number;
  rejectedByReason: Partial<Record<RejectReason, number>>;
  /** Events this sink's encoder could not turn into a request, even alone (dead-lettered as encode_failed). */
  encodeFailed: number;
  /** Field values left out of an event's index data (Loki structured metadata, HEC indexed fields). */
  valuesOmitted: number;
  /**
   * Events this sink will never deliver because its reader went away: only the stdout sink, when
   * the reader closed the pipe (`| head`). Not dead-lettered: stopping was the reader's choice.
   */
  abandoned: number;
  /**
   * Journaled events this sink will never get because the journal segment holding them is damaged
   * (bit rot, tampering): the reader skips from the damage to the next segment ("lost_damaged").
   * Not dead-lettered: their bytes are no longer trustworthy.
   */
  lostDamaged: number;
  /** Attempts that will be made again, by reason (only the reasons that happened are keys). */
  retries: Partial<Record<RetryReason, number>>;
  /**
   * Events counted delivered on the receiver's reply alone although end-to-end confirmation was
   * asked for (or the reply was not recognised), by Unconfirmed code ("unconfirmed" by reason in
   * /metrics); included in `delivered`.
   */
  unconfirmed: Record<string, number>;
  /** Requests sent (an aborted one too). */
  requests: number;
  /** Requests by what came back ("requests" by status_class in /metrics). */
  replies: Partial<Record<ReplyClass, number>>;
  /** Request body bytes handed to the transport, retries included, before gzip ("sent_bytes"). */
  sentBytes: number;
  inFlight: number;
  /** Unix ms of the first 'blocked' outcome (401/403…) not yet followed by a success, for /readyz. */
  blockedSinceMs?: number;
  /** Unix ms of the first failed attempt (retried or blocked) not yet followed by a success. */
  failingSinceMs?: number;
  /** Set while the sink's last attempt failed (cleared on success). */
  lastError?: string;
}

/** One configured input's own numbers ("input" label in /metrics); the totals stay in Stats. */
export interface InputStats {
  readonly type: string;
  /** Lines this input handed to ingest ("input_lines_read"). */
  linesRead: number;
  /** Forward listener: connections accepted, requests, acks written, connections closed for a protocol error. */
  forward?: () => {
    readonly connections: number;
    readonly requests: number;
    readonly acks: number;
    readonly protocol_errors: number;
  };
  /** File input: files open now. */
  openFiles?: () => number;
}

export interface Stats {
  /** "lines_read" */
  linesRead: number;
  /** Per configured input, by name. */
  inputs: Map<string, InputStats>;
  verdicts: Record<Verdict, number>;
  /** Bytes read from the input, line terminators included ("input_bytes"). */
  inputBytes: number;
  /** Lines whose action is not in the catalogue, also counted under their verdict ("unknown_actions"). */
  unknownActions: number;
  journaled: number;
  /** "dropped_full" */
  droppedFull: number;
  /**
   * Valid events read but not journaled because shutdown came while the journal was full:
   * dead-lettered (stdin), or left to the input that brings them back (a file read again, a
   * Forward request re-sent because it got no ack).
   */
  unjournaled: number;
  /**
   * "already_journaled": integrity on, after a crash: valid lines an input read again (or a Forward
   * client re-sent) that the journal already held under the same id, so not journaled twice.
   */
  alreadyJournaled: number;
  /** "dead_lettered": records written to the dead-letter file, the sum of deadLetteredByReason. */
  deadLettered: number;
  deadLetteredByReason: Partial<Record<DeadLetterReason, number>>;
  /** Records that could not be written to the dead-letter file before shutdown (lost; exit code 74). */
  deadLetterFailed: number;
  sinks: Map<string, SinkStats>;
}

export function createStats(): Stats {
  return {
    linesRead: 0,
    inputs: new Map(),
    verdicts: { valid: 0, not_audit: 0, not_json: 0, empty: 0, invalid: 0 },
    inputBytes: 0,
    unknownActions: 0,
    journaled: 0,
    droppedFull: 0,
    unjournaled: 0,
    alreadyJournaled: 0,
    deadLettered: 0,
    deadLetteredByReason: {},
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
      rejectedByReason: {},
      encodeFailed: 0,
      valuesOmitted: 0,
      abandoned: 0,
      lostDamaged: 0,
      retries: {},
      unconfirmed: {},
      requests: 0,
      replies: {},
      sentBytes: 0,
      inFlight: 0,
    };
    stats.sinks.set(sinkName, s);
  }
  return s;
}

/** Counts records written to the dead-letter file, in total and by reason. Call after the write. */
export function countDeadLettered(
  stats: Stats,
  records: readonly { readonly reason: DeadLetterReason }[],
): void {
  for (const { reason } of records)
    stats.deadLetteredByReason[reason] = (stats.deadLetteredByReason[reason] ?? 0) + 1;
  stats.deadLettered += records.length;
}

/** Increments one key of a sparse counter record. */
export function bump<K extends string>(counts: Partial<Record<K, number>>, key: K, by = 1): void {
  counts[key] = (counts[key] ?? 0) + by;
}
