/**
 * What a Loki 400 says about the push it answers (docs/receivers.md §1). Pure: reads Loki's plain-text
 * message and the shape of the request, nothing else.
 *
 * Loki validates entry by entry and stream by stream, stores what passed, and answers 400 with the
 * refusals grouped as "N errors like: <message>; M errors like: <message>" (one error: just the
 * message; older versions may send one message without a count). It never says which entries it
 * refused, so:
 *
 * - `metadata_disallowed`: the tenant has allow_structured_metadata off. Every entry carrying
 *   metadata is refused, so this is a configuration fault, not bad data.
 * - `all_refused`: Loki stored nothing, provably: its error count reaches the number of entries
 *   (each error refuses at least one entry), or the push held one entry, or one stream whose label
 *   string Loki refused (a label error refuses the whole stream). Dead-letter the request as is.
 * - `partial`: some entries may be stored. Halve and resend (Loki de-duplicates an entry equal in
 *   timestamp, line and metadata) until each refused entry is alone.
 *
 * An unreadable body is `partial` too: the only data-dependent cause is one entry's timestamp out
 * of Loki's range, and halving isolates that entry instead of dead-lettering its whole batch.
 */

/** What a request carried, for reading a 400; streams are counted only when needed. */
export interface PushShape {
  readonly entries: number;
  /** Distinct label strings (streams) in the request. */
  streams(): number;
}

export type BadRequest = 'metadata_disallowed' | 'all_refused' | 'partial';

const METADATA_DISALLOWED = /structured metadata, but this feature is disallowed/i;
/** Loki's GroupedErrors prefix, once per distinct message. */
const ERROR_GROUP = /(?:^|; )(\d+) errors like: /g;
/**
 * Refusals of a stream's label string (push.go, distributor.go, validation.go): every entry of
 * that stream is refused with one error for the stream.
 */
const LABEL_ERROR =
  /couldn't parse labels|error parsing labels|at least one label pair is required|label names; limit|has label name too long|has label value too long|has duplicate label name/i;

/** Entries Loki says it refused: a lower bound; 1 when the message carries no count. */
export function refusedCount(body: string): number {
  let total = 0;
  for (const match of body.matchAll(ERROR_GROUP)) total += Number(match[1]);
  return total > 0 ? total : 1;
}

export function readBadRequest(body: string, shape: PushShape): BadRequest {
  if (METADATA_DISALLOWED.test(body)) return 'metadata_disallowed';
  if (shape.entries <= 1 || refusedCount(body) >= shape.entries) return 'all_refused';
  if (LABEL_ERROR.test(body) && shape.streams() === 1) return 'all_refused';
  return 'partial';
}
