/**
 * A sink is a folder of pure parts (encode, classify) plus the I/O adapters the shared delivery
 * loop drives. Nothing in a SinkCodec does I/O, waits or retries: that is deliver/'s job.
 *
 * Across the input/sink-worker boundary (index.ts): SinkKind, SinkRequest, OmittedValue and
 * AckAnswer are plain data. SinkCodec, Credentials, Transport and Acknowledger are behaviour:
 * they never cross, each sink's are built where its loop runs, from its SinkConfig.
 */
import type { AuditRecord } from './record.js';
import type { HttpReply, Outcome } from './outcome.js';

export type SinkKind = 'loki' | 'elasticsearch' | 'splunk_hec' | 'stdout';

/**
 * A field value an encoder left out of a request's index data (Loki structured metadata, Splunk
 * HEC indexed fields) because the receiver could not take it; the event's line still carries it.
 */
export interface OmittedValue {
  /** Index into the records given to encode. */
  readonly index: number;
  readonly field: string;
  readonly reason: string;
}

export interface SinkRequest {
  /** Path and query relative to the sink's base URL, e.g. "/loki/api/v1/push". */
  readonly path: string;
  readonly method?: 'POST' | 'GET';
  /** Content-Type and protocol headers. Never credentials: a Credentials object adds those. */
  readonly headers: Readonly<Record<string, string>>;
  readonly body: Uint8Array;
  /** Values left out of this request (none when absent). The delivery loop counts and logs them. */
  readonly omitted?: readonly OmittedValue[];
}

export interface SinkCodec {
  readonly kind: SinkKind;
  /**
   * Request bytes a record adds beyond its line (envelope, action line…), when the receiver's
   * size limit is tight enough that batching must count them (Splunk HEC's ~1 MiB requests).
   * The batcher then sizes batches by line + overhead, so batch.max_bytes bounds the body.
   */
  readonly recordOverheadBytes?: number;
  /**
   * Request bytes one record adds beyond its line and recordOverheadBytes that vary per record
   * (Splunk HEC: the input metadata values it indexes); counted by the batcher like the overhead.
   * Pure; 0 for a record that adds nothing (a stdin record has no metadata).
   */
  recordExtraBytes?(record: AuditRecord): number;
  /** Pure: the same records always encode to the same request. */
  encode(records: readonly AuditRecord[]): SinkRequest;
  /** Pure: what the reply means for these records (same order as given to encode). */
  classify(reply: HttpReply, records: readonly AuditRecord[]): Outcome;
}

/** Adds authentication headers; re-reads a token file when the receiver says 401. */
export interface Credentials {
  headers(): Readonly<Record<string, string>>;
  /** Every secret text sent so far (current and rotated-out values), for the transport to scrub. */
  secrets(): readonly string[];
  /** Called after a 'blocked' outcome, before the next attempt. Must never throw. */
  refresh(): Promise<void>;
}

/** Sends one request. Never throws for network problems: those are HttpReply values. */
export interface Transport {
  send(request: SinkRequest, signal: AbortSignal): Promise<HttpReply>;
  close(): Promise<void>;
}

/**
 * What became of an ackId. true: indexed (delivered). false: not confirmed within the configured
 * polls/time, so the records must be sent again (at-least-once). An outcome: the receiver cannot
 * confirm acks at all (polls refused), so this stands for the request instead: delivered on the
 * receiver's 200 (`unconfirmed` says why), or blocked when confirmation is required.
 */
export type AckAnswer = boolean | Extract<Outcome, { kind: 'delivered' | 'blocked' }>;

/** Splunk HEC indexer acknowledgement: resolves once the receiver confirms (or gives up) an ackId. */
export interface Acknowledger {
  /** Rejects only when `signal` aborts. */
  wait(ackId: number, signal: AbortSignal): Promise<AckAnswer>;
  close(): Promise<void>;
}
