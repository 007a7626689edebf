/**
 * Segment naming and the in-memory list of segments. A segment is named by the seq of its first
 * record, zero-padded so lexical order is numeric order: `segment-00000000000000000001.log`.
 * Records inside a segment have strictly increasing seqs, all below the next segment's first seq.
 */
import { join } from 'node:path';
import type { JournalFs } from './fs.js';

export interface SegmentEntry {
  readonly firstSeq: number;
  readonly path: string;
  /** Bytes of whole, valid records (the writer's end for the active segment). */
  size: number;
  /** No more writes will come (every segment but the last). */
  sealed: boolean;
}

const pattern = /^segment-(\d{20})\.log$/;

export function segmentName(firstSeq: number): string {
  return `segment-${String(firstSeq).padStart(20, '0')}.log`;
}

export function parseSegmentName(name: string): number | undefined {
  const m = pattern.exec(name);
  if (!m) return undefined;
  const seq = Number(m[1]);
  return Number.isSafeInteger(seq) && seq > 0 ? seq : undefined;
}

/** The segments in `dir`, oldest first, with their sizes on disk; all sealed but the last. */
export async function listSegments(
  fsOps: JournalFs,
  dir: string,
  names: readonly string[],
): Promise<SegmentEntry[]> {
  const found: { firstSeq: number; path: string }[] = [];
  for (const name of names) {
    const firstSeq = parseSegmentName(name);
    if (firstSeq !== undefined) found.push({ firstSeq, path: join(dir, name) });
  }
  found.sort((a, b) => a.firstSeq - b.firstSeq);
  const out: SegmentEntry[] = [];
  for (const f of found) out.push({ ...f, size: await fsOps.size(f.path), sealed: true });
  const last = out.at(-1);
  if (last) last.sealed = false;
  return out;
}

/** The segment holding `seq` (the last one starting at or before it), else the oldest. */
export function segmentFor(segments: readonly SegmentEntry[], seq: number): SegmentEntry | undefined {
  let lo = 0;
  let hi = segments.length - 1;
  let found = 0;
  while (lo <= hi) {
    const mid = (lo + hi) >> 1;
    if (segments[mid]!.firstSeq <= seq) {
      found = mid;
      lo = mid + 1;
    } else {
      hi = mid - 1;
    }
  }
  return segments[found];
}

/** The segment after `segment`, if it is still listed. */
export function segmentAfter(
  segments: readonly SegmentEntry[],
  segment: SegmentEntry,
): SegmentEntry | undefined {
  const i = segments.indexOf(segment);
  if (i >= 0) return segments[i + 1];
  return segments.find((s) => s.firstSeq > segment.firstSeq);
}
