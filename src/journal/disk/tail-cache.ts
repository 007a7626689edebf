/**
 * The most recently appended records, kept in memory so sinks that keep up never read the disk.
 * Bounded by line bytes and by record count (a parsed event costs several times its line in heap);
 * the oldest are evicted first, and a reader that falls behind the cache reads segment files instead.
 * Invariant: the cache holds exactly the records [firstSeq, nextSeq) and nextSeq - 1 is the last
 * record written, so a record below firstSeq is on disk and one at or above it is here.
 */
import type { AuditRecord } from '../../audit/record.js';
import { createSeqWindow } from '../seq-window.js';

export interface TailCache {
  /** Seq of the oldest cached record; equals nextSeq when empty. */
  readonly firstSeq: number;
  readonly nextSeq: number;
  get(seq: number): AuditRecord | undefined;
  push(record: AuditRecord): void;
  /** Empties the cache: everything before `nextSeq` is then read from disk. */
  skipTo(nextSeq: number): void;
}

export function createTailCache(nextSeq: number, maxBytes: number, maxRecords: number): TailCache {
  const window = createSeqWindow<AuditRecord>(nextSeq);
  let bytes = 0;
  return {
    get firstSeq() {
      return window.firstSeq;
    },
    get nextSeq() {
      return window.nextSeq;
    },
    get: (seq) => window.get(seq),
    push(record) {
      if (record.seq !== window.nextSeq) {
        window.reset(record.seq);
        bytes = 0;
      }
      window.push(record);
      bytes += record.bytes;
      while (window.size > 1 && (bytes > maxBytes || window.size > maxRecords)) {
        bytes -= window.shift()!.bytes;
      }
    },
    skipTo(nextSeq) {
      window.reset(nextSeq);
      bytes = 0;
    },
  };
}
