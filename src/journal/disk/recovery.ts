/**
 * Recovery at open: only the LAST segment can end in a torn or corrupt tail (every other segment
 * was complete before the next one was created), so only it is scanned, and open time does not grow
 * with the journal. The file is cut at the end of its last valid record; nothing after the first
 * invalid byte is ever replayed.
 */
import type { Logger } from '../../observe/logger.js';
import type { JournalFs } from './fs.js';
import { errorCode } from './fs.js';
import type { SegmentEntry } from './segment-files.js';
import { createSegmentReader } from './segment-reader.js';

export interface RecoveredTail {
  /** Seq of the last valid record, or the segment's first seq - 1 when it holds none. */
  readonly lastSeq: number;
  /** Bytes cut from the end of the segment. */
  readonly tornBytes: number;
}

const scanBufferBytes = 1024 * 1024;

/** Validates `segment` (the last one) and truncates it to its valid prefix; updates segment.size. */
export async function recoverLastSegment(
  fsOps: JournalFs,
  segment: SegmentEntry,
  logger: Logger,
): Promise<RecoveredTail> {
  const reader = createSegmentReader(fsOps, segment, scanBufferBytes);
  let lastSeq = segment.firstSeq - 1;
  let records = 0;
  try {
    for (let f = await reader.next(); f; f = await reader.next()) {
      lastSeq = f.seq;
      records++;
    }
  } finally {
    await reader.close();
  }
  const problem = reader.problem;
  // A read error says nothing about the data: cutting there could destroy acknowledged records.
  if (problem?.kind === 'io')
    throw new Error(`cannot read journal segment ${segment.path}: ${problem.reason}`);
  const goodEnd = reader.position;
  const tornBytes = segment.size - goodEnd;
  if (tornBytes > 0) {
    logger.warn('journal: cut a torn or corrupt tail at open; every record before it is intact', {
      segment: segment.path,
      validBytes: goodEnd,
      tornBytes,
      validRecords: records,
      lastSeq,
      reason: problem?.reason ?? 'trailing bytes',
    });
    const fd = await fsOps.open(segment.path, 'r+');
    try {
      await fsOps.ftruncate(fd, goodEnd);
      await fsOps.fsync(fd);
    } catch (err) {
      throw new Error(`cannot cut the torn tail of ${segment.path}: ${errorCode(err)}`, { cause: err });
    } finally {
      await fsOps.close(fd);
    }
    segment.size = goodEnd;
  }
  return { lastSeq, tornBytes };
}
