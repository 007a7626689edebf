/**
 * The garbage-collection rule, kept pure so it can be tested as a table: a segment may be deleted
 * once every active cursor has durably committed past its last record, i.e. up to the next
 * segment's first seq - 1. The last segment (the one being written) is never deleted.
 */
import type { SegmentEntry } from './segment-files.js';

/**
 * How many segments, from the oldest, may be deleted when every active cursor has committed
 * `committedByAll`. `recordsBetween(after, upTo)` counts records that can exist in (after, upTo]:
 * seqs skipped after an unclean stop (seq-reservation.ts) hold nothing back.
 */
export function collectableCount(
  segments: readonly SegmentEntry[],
  committedByAll: number,
  recordsBetween: (after: number, upTo: number) => number = (after, upTo) => upTo - after,
): number {
  let n = 0;
  while (n < segments.length - 1 && recordsBetween(committedByAll, segments[n + 1]!.firstSeq - 1) <= 0) n++;
  return n;
}
