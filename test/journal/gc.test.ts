import { it } from 'node:test';
import assert from 'node:assert/strict';
import { collectableCount } from '../../src/journal/disk/gc.js';
import type { SegmentEntry } from '../../src/journal/disk/segment-files.js';

const segs = (...firstSeqs: number[]): SegmentEntry[] =>
  firstSeqs.map((firstSeq, i) => ({
    firstSeq,
    path: `s${firstSeq}`,
    size: 10,
    sealed: i < firstSeqs.length - 1,
  }));

void it('collects a segment once every cursor passed its last record, never the last segment', () => {
  // [segments' first seqs, lowest committed seq of all sinks, segments that may go]
  const table: [number[], number, number][] = [
    [[1, 11, 21], 0, 0],
    [[1, 11, 21], 9, 0],
    [[1, 11, 21], 10, 1],
    [[1, 11, 21], 20, 2],
    [[1, 11, 21], 1000, 2],
    [[1], 1000, 0],
  ];
  for (const [firsts, committed, expected] of table) {
    assert.equal(
      collectableCount(segs(...firsts), committed),
      expected,
      `${firsts.join(',')} @ ${committed}`,
    );
  }
});

void it('does not let seqs skipped after an unclean stop hold a segment back', () => {
  // Records 1..4, then seqs 5..1000005 skipped, then a segment starting at 1000006.
  const gap = (after: number, upTo: number): number =>
    Math.max(0, upTo - after - Math.max(0, Math.min(upTo, 1_000_005) - Math.max(after, 4)));
  assert.equal(collectableCount(segs(1, 1_000_006), 4, gap), 1);
  assert.equal(collectableCount(segs(1, 1_000_006), 3, gap), 0);
});
