/**
 * Replies and outcomes are values, not exceptions. A transport never throws for a network
 * problem: it returns an HttpReply; a sink's pure `classify` turns that into an Outcome; the
 * one delivery loop (deliver/sink-worker.ts) acts on the Outcome.
 *
 * Every type here is plain data (crosses the input/sink-worker boundary: index.ts). An HttpReply
 * is read where it arrives, though: the exact twin of a scrubbed reply (transport/scrubbed-reply.ts)
 * is held in a WeakMap that a structured clone does not carry.
 */

export type HttpReply =
  | {
      readonly kind: 'response';
      readonly status: number;
      /** Header names lower-cased. */
      readonly headers: Readonly<Record<string, string | string[] | undefined>>;
      /** The whole response body as UTF-8 text (always read, so the connection is freed). */
      readonly body: string;
      /** Set when the body was longer than the transport's read limit: `body` is only its start. */
      readonly truncated?: boolean;
    }
  | {
      /** Connection refused, reset, DNS failure, TLS failure… `code` is e.g. ECONNREFUSED. */
      readonly kind: 'network_error';
      readonly code: string;
      readonly message: string;
    }
  | { readonly kind: 'timeout'; readonly afterMs: number };

export interface RejectedItem {
  /** Index into the records of the request that was classified. */
  readonly index: number;
  readonly reason: string;
}

/**
 * A delivery counted on the receiver's reply alone, although end-to-end confirmation was asked for
 * or the reply was not the receiver's own (e.g. HEC indexer acknowledgement is off on the token).
 */
export interface Unconfirmed {
  /**
   * Stable, low-cardinality: the `reason` label of wirety_ship_sink_unconfirmed_total, an
   * UnconfirmedReason for the sinks we ship.
   */
  readonly code: string;
  /** What it means and what to change; logged once per sink and code per process. */
  readonly message: string;
  /** The reply that showed it (status, receiver code); logged with the message. */
  readonly detail: string;
}

export type Outcome =
  /**
   * Every record reached the receiver. With `unconfirmed`, only on the receiver's word: counted
   * delivered (never re-sent), warned about once, and counted apart.
   */
  | { readonly kind: 'delivered'; readonly unconfirmed?: Unconfirmed }
  /**
   * Nothing (known to be) stored; send the same records again after a backoff. `retryAfter` is the
   * raw Retry-After header (seconds or an HTTP date): the retry policy turns it into a delay.
   * `splitAfter`: once this many retry outcomes carrying it came in a row for the batch, send each
   * half on its own after the backoff (Loki answers 429 forever to a push over the tenant's burst);
   * a single record is retried as usual, never dead-lettered for it.
   */
  | {
      readonly kind: 'retry';
      readonly class: RetryClass;
      readonly reason: string;
      readonly retryAfter?: string;
      readonly splitAfter?: number;
    }
  /**
   * The receiver refuses us as configured: credentials, permissions, a wrong URL (401/403/404,
   * HEC token and channel codes). The records are kept and retried at the maximum backoff; the
   * sink is reported unhealthy and an error is logged on every attempt.
   */
  | { readonly kind: 'blocked'; readonly reason: string }
  /** The request was too large (413): send each half on its own. */
  | { readonly kind: 'split'; readonly reason: string }
  /**
   * The receiver refused some records of the request but says neither which ones nor whether it
   * stored the others (a Loki 400 is partial; a HEC error without invalid-event-number). Send each
   * half on its own until every refused record is alone, then dead-letter it with the reason its
   * own request got. Only for receivers where a re-sent accepted record is harmless (Loki
   * de-duplicates identical entries; HEC stored nothing of a refused request). Costs at most
   * 2·log2(n) extra requests per refused record.
   */
  | { readonly kind: 'bisect'; readonly reason: string }
  /**
   * Some records were delivered, some must be retried, some are permanently rejected
   * (Elasticsearch per-item results). Indices not listed in `retry` or `rejected` were delivered.
   * `blockedReason` is set when some of the `retry` records are refused as configured (a missing
   * privilege or index): they are then retried like 'blocked' (maximum backoff, sink reported
   * blocked, an error on every attempt) while the delivered ones are never sent again.
   */
  | {
      readonly kind: 'partial';
      readonly retry: readonly number[];
      readonly rejected: readonly RejectedItem[];
      readonly retryReason: string;
      readonly retryAfter?: string;
      readonly blockedReason?: string;
    }
  /** Every record is permanently refused: dead-letter them all with `reason`. Never resent. */
  | { readonly kind: 'rejected'; readonly reason: string }
  /**
   * Accepted, but delivery is confirmed only later (Splunk HEC indexer acknowledgement):
   * the delivery loop asks the sink's Acknowledger about `ackId`.
   */
  | { readonly kind: 'awaiting_ack'; readonly ackId: number };

/**
 * Why a sink counted a delivery on the receiver's word alone (Unconfirmed.code), listed at 0 in
 * /metrics from the start (observe/stats.ts). Splunk HEC's causes (sinks/splunk-hec/ack-fallback.ts) are the only ones.
 */
export type UnconfirmedReason = 'ack_off' | 'ack_poll_refused' | 'non_hec_reply';

/** Why an attempt is repeated; the label of the retries metric. */
export type RetryClass = 'rate_limited' | 'server_error' | 'network' | 'timeout';
