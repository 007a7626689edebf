/**
 * The nanoseconds of a Loki entry's timestamp in event mode (see encode.ts, "Timestamps"): a pure
 * function of the journaled record, so that every delivery of one event lands on one timestamp and
 * Loki's de-duplication absorbs the copies.
 *
 * - An id the journal made (`<journalId>-<seq>`, stdin's events, never read twice): `seq % 1e9`,
 *   strictly increasing within a second, distinct for distinct events.
 * - An id an input chose because it may read or receive the same event again after a crash (a
 *   re-read file line `<file identity>:<byte offset>`, a re-sent Forward request `fwd-…`): the
 *   re-read gets a NEW seq, so the seq cannot be used. The value comes from the id alone:
 *   `hash(identity) + offset` for `<identity>:<offset>` ids, which keeps a file's lines in file
 *   order within a second, and `hash(id)` otherwise. Two different events collide only if they
 *   share the second, the 1-in-1e9 value and the exact line (Loki drops only identical entries).
 *
 * Telling the two apart: a journal-made id ends with `-<seq>`. An input's id ending in exactly
 * `-<its record's seq>` (a Forward id's base64url tail, by chance) is treated as journal-made; the
 * only cost is that a re-sent copy of that one event gets its own timestamp (a duplicate in Loki,
 * never a loss).
 */
const NS_PER_SECOND = 1_000_000_000;

export function entryNanos(id: string, seq: number): number {
  const seqText = String(seq);
  if (id.length > seqText.length && id.endsWith(seqText) && id[id.length - seqText.length - 1] === '-') {
    return seq % NS_PER_SECOND;
  }
  const colon = id.lastIndexOf(':');
  const offset = colon >= 0 ? id.slice(colon + 1) : '';
  if (/^\d{1,15}$/.test(offset)) return (fnv1a(id.slice(0, colon)) + Number(offset)) % NS_PER_SECOND;
  return fnv1a(id) % NS_PER_SECOND;
}

/** 32-bit FNV-1a over the UTF-16 code units: stable across runs and versions, cheap. */
function fnv1a(text: string): number {
  let hash = 0x811c9dc5;
  for (let i = 0; i < text.length; i++) {
    hash ^= text.charCodeAt(i);
    hash = Math.imul(hash, 0x01000193);
  }
  return hash >>> 0;
}
