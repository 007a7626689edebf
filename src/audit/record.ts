/**
 * The shapes an audit event takes between the classifier, the journal and the sinks.
 *
 * Invariant: `line` is the original input line exactly as wirety wrote it (minus the line
 * terminator and a leading UTF-8 BOM), so every sink can ship it byte-for-byte.
 */
import { keepWholeEvent, type EventProjector } from './projection.js';

/** Server events carry actor_id/actor_email/remote_ip; agent events carry actor_type="agent". */
export type EventSource = 'server' | 'agent';

/** A parsed audit line. Only the fields every audit line has are typed; the rest stay `unknown`. */
export interface AuditEvent {
  readonly level: string;
  readonly log_type: 'audit';
  /** Unix seconds (integer). */
  readonly time: number;
  readonly action: string;
  readonly message: 'audit';
  readonly [field: string]: unknown;
}

/**
 * What a record keeps of its parsed event: at least `time` (every sink reads it), and every field
 * a configured sink reads, with its parsed value.
 */
export interface RecordedEvent {
  /** Unix seconds (integer). */
  readonly time: number;
  readonly [field: string]: unknown;
}

/** What the classifier hands to the journal: an accepted event that has no sequence number yet. */
export interface AcceptedEvent {
  readonly line: string;
  /** UTF-8 byte length of `line`. */
  readonly bytes: number;
  readonly event: AuditEvent;
  readonly source: EventSource;
  /** When wirety-ship read the line, ms since the epoch. */
  readonly receivedAtMs: number;
  /**
   * A stable id chosen by the source (e.g. file identity + byte offset for tailed files).
   * When absent the journal derives one from its own identity and the sequence number.
   */
  readonly id?: string;
  /**
   * Where the line came from, set by the input without changing the line (Kubernetes namespace,
   * pod and container from a kubelet log path; Docker's container name from a Forward record).
   * Names: contract/metadata.ts. Absent for stdin: no cost anywhere for events without it.
   */
  readonly metadata?: Readonly<Record<string, string>>;
}

/**
 * An event as stored in the journal and read back by each sink. Its `event` may be a projection
 * (projection.ts): the fields the configured sinks read, not the whole parse tree; `wholeEvent`
 * gives the whole one.
 */
export interface AuditRecord extends Omit<AcceptedEvent, 'event'> {
  /** The parsed event, or the part of it the configured sinks read (audit/projection.ts). */
  readonly event: RecordedEvent;
  /** Journal sequence number: strictly increasing, never reused within one journal. */
  readonly seq: number;
  /** Stable event id: the same on every delivery attempt and across restarts. */
  readonly id: string;
  /** Set on audit events when integrity is on (docs/integrity.md). Hex strings. */
  readonly integrity?: { readonly journal: string; readonly prev: string; readonly chain: string };
  /**
   * Set on checkpoint records only: `line` is the checkpoint JSON text (integrity/checkpoint.ts),
   * `event` its parsed object, `receivedAtMs` when it was made; `id` = `checkpoint-<journal>-<last_seq>`.
   * Never an audit event: not counted as one anywhere.
   */
  readonly kind?: 'checkpoint';
}

/**
 * Stamps an accepted event with its journal sequence number and id. The id is the source's own
 * when it has one, else `<idPrefix><seq>` (the journal's identity makes it unique across journals).
 * `project` chooses what the record keeps of the parsed event (projection.ts; default: all of it).
 */
export function stampRecord(
  event: AcceptedEvent,
  seq: number,
  idPrefix: string,
  project: EventProjector = keepWholeEvent,
): AuditRecord {
  const id = event.id ?? idPrefix + seq;
  const { line, bytes, source, receivedAtMs, metadata } = event;
  const kept = project(event.event);
  // Two literals, not a spread: records without metadata (stdin) keep the one object shape they had.
  if (metadata === undefined) return { line, bytes, event: kept, source, receivedAtMs, seq, id };
  return { line, bytes, event: kept, source, receivedAtMs, seq, id, metadata };
}
