/**
 * A sequential, buffered reader over one segment: it validates every frame (length, CRC, rising
 * seq) and stops at the first one that is not whole and valid. Memory is one buffer of
 * `bufferBytes` (grown only for a single record larger than that), never the whole segment.
 *
 * It reads up to `segment.size`, which for the active segment is the writer's end of whole
 * records, so it never sees a record that is still being written. `next()` after reaching that end
 * continues once the writer has moved it.
 */
import type { JournalFs } from './fs.js';
import { errorCode } from './fs.js';
import { checkFrame, frameSeq } from './record-codec.js';
import type { SegmentEntry } from './segment-files.js';

/** A valid record, as a view into the reader's buffer that stays valid until the next `next()`. */
export interface RecordFrame {
  readonly buf: Buffer;
  readonly at: number;
  readonly size: number;
  readonly seq: number;
  /** File offset of the record. */
  readonly offset: number;
}

export interface ReadProblem {
  /** torn: a record cut short by the end of the data; corrupt: bad length, CRC or seq; io: a read failed. */
  readonly kind: 'torn' | 'corrupt' | 'io';
  /** File offset of the first byte that is not part of a valid record. */
  readonly offset: number;
  readonly reason: string;
}

export interface SegmentReader {
  readonly segment: SegmentEntry;
  /** File offset just past the last frame returned: the end of the valid prefix read so far. */
  readonly position: number;
  /** Seq of the last valid record read (the segment's first seq - 1 before any). */
  readonly lastSeq: number;
  /** Set when reading stopped before the readable end. */
  readonly problem: ReadProblem | undefined;
  /** The next valid record, or undefined at the readable end or at a problem. */
  next(): Promise<RecordFrame | undefined>;
  close(): Promise<void>;
}

export function createSegmentReader(
  fsOps: JournalFs,
  segment: SegmentEntry,
  bufferBytes: number,
): SegmentReader {
  let fd: number | undefined;
  let buf = Buffer.allocUnsafe(bufferBytes);
  let bufStart = 0; // file offset of buf[0]
  let bufLen = 0;
  let pos = 0;
  let prevSeq = segment.firstSeq - 1;
  let problem: ReadProblem | undefined;
  let closed = false;

  /** Makes at least `need` bytes from `pos` available; false at the end of the readable data. */
  const fill = async (need: number): Promise<boolean> => {
    const at = pos - bufStart;
    if (at + need > buf.length) {
      const keep = bufLen - at;
      const size = Math.max(bufferBytes, need);
      const next = size === buf.length ? buf : Buffer.allocUnsafe(size);
      buf.copy(next, 0, at, bufLen);
      buf = next;
      bufStart = pos;
      bufLen = keep;
    }
    while (bufLen - (pos - bufStart) < need) {
      const end = segment.size;
      const from = bufStart + bufLen;
      const want = Math.min(buf.length - bufLen, end - from);
      if (want <= 0) return false;
      fd ??= await fsOps.open(segment.path, 'r');
      const n = await fsOps.read(fd, buf, bufLen, want, from);
      if (n === 0) return false; // the file is shorter than its recorded size
      bufLen += n;
    }
    return true;
  };

  const next = async (): Promise<RecordFrame | undefined> => {
    if (problem || closed) return undefined;
    for (;;) {
      const at = pos - bufStart;
      const check = checkFrame(buf, at, bufLen - at);
      if (check.kind === 'corrupt') {
        problem = { kind: 'corrupt', offset: pos, reason: check.reason };
        return undefined;
      }
      if (check.kind === 'ok') {
        const seq = frameSeq(buf, at);
        if (seq <= prevSeq) {
          problem = { kind: 'corrupt', offset: pos, reason: `seq ${seq} does not follow ${prevSeq}` };
          return undefined;
        }
        prevSeq = seq;
        const frame = { buf, at, size: check.size, seq, offset: pos };
        pos += check.size;
        return frame;
      }
      if (pos >= segment.size) return undefined; // clean end (for now, if the segment is active)
      let filled: boolean;
      try {
        filled = await fill(check.size);
      } catch (err) {
        problem = { kind: 'io', offset: pos, reason: `read failed: ${errorCode(err)}` };
        return undefined;
      }
      if (!filled) {
        if (closed) return undefined;
        problem = {
          kind: 'torn',
          offset: pos,
          reason: `record needs ${check.size} bytes, ${Math.max(0, bufStart + bufLen - pos)} present`,
        };
        return undefined;
      }
    }
  };

  return {
    segment,
    get position() {
      return pos;
    },
    get lastSeq() {
      return prevSeq;
    },
    get problem() {
      return problem;
    },
    next,
    async close() {
      closed = true;
      const f = fd;
      fd = undefined;
      if (f !== undefined) await fsOps.close(f);
    },
  };
}
