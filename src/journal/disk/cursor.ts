/**
 * One sink's cursor over the disk journal. It reads from the tail cache while it keeps up, and from
 * the segment files (one buffered reader, one segment at a time) once it has fallen behind the
 * cache. Invariants:
 * - `take` never returns a record beyond `ledger.published` (with fsync always: not before it is
 *   fsynced), and returns each record once until `rewind`.
 * - A take interrupted by `rewind` or a forward `commit` changes nothing (generation check), so a
 *   stale read can never move the cursor.
 * - A read error is not data loss: the reader is dropped, the error logged, and reading retried
 *   after a pause (waitForRecords waits it out instead of spinning).
 * - Damage in a segment (bit rot, tampering) skips the rest of that segment, never more; the records
 *   skipped are reported once per sink and record (onLostDamaged), never silently.
 */
import type { EventProjector } from '../../audit/projection.js';
import type { ErrorCode } from '../../errors.js';
import type { AuditRecord } from '../../audit/record.js';
import type { Clock } from '../../clock.js';
import type { Logger } from '../../observe/logger.js';
import type { SinkCursor } from '../event-log.js';
import type { JournalFs } from './fs.js';
import { decodeFrame, RecordDecodeError } from './record-codec.js';
import type { SegmentEntry } from './segment-files.js';
import { segmentAfter, segmentFor } from './segment-files.js';
import type { ReadProblem, SegmentReader } from './segment-reader.js';
import { createSegmentReader } from './segment-reader.js';
import type { JournalGc } from './gc.js';
import type { Ledger } from './ledger.js';
import type { SeqReservation } from './seq-reservation.js';

/**
 * Receive times of the records a cursor has taken but not yet committed, so `lag()` can name the
 * oldest undelivered event without reading the disk. Flat [seq, time, seq, time…] with a moving
 * head and occasional compaction: O(1) amortised per record, bounded by what the sink has in flight.
 */
interface TakenTimes {
  add(seq: number, receivedAtMs: number): void;
  /** Forgets records with seq <= upTo. */
  dropThrough(upTo: number): void;
  /** Receive time of the oldest record remembered, if any. */
  oldest(): number | undefined;
  clear(): void;
}

function createTakenTimes(): TakenTimes {
  let items: number[] = [];
  let head = 0;
  return {
    add(seq, receivedAtMs) {
      items.push(seq, receivedAtMs);
    },
    dropThrough(upTo) {
      while (head < items.length && items[head]! <= upTo) head += 2;
      if (head === items.length) {
        items = [];
        head = 0;
      } else if (head >= 2048 && head * 2 >= items.length) {
        items = items.slice(head);
        head = 0;
      }
    },
    oldest: () => (head < items.length ? items[head + 1] : undefined),
    clear() {
      items = [];
      head = 0;
    },
  };
}

/** What a cursor needs from its journal: plain parts, the moving state is in the ledger. */
export interface CursorDeps {
  /** published, ended, closed, the tail cache; waitForRecords; where damage is remembered. */
  readonly ledger: Ledger;
  readonly fs: JournalFs;
  readonly clock: Clock;
  readonly logger: Logger;
  readonly segments: readonly SegmentEntry[];
  /** Counts records between two seqs (seqs skipped after an unclean stop are not records). */
  readonly reservation: Pick<SeqReservation, 'countRecords'>;
  /** Persists a commit per the fsync policy, then collects garbage. */
  readonly gc: Pick<JournalGc, 'cursorCommitted'>;
  readonly idPrefix: string;
  /** What a record read back keeps of its parsed event (audit/projection.ts). */
  readonly project?: EventProjector;
  readonly readBufferBytes: number;
  readonly retryMs: number;
  /** Records this sink will never get because the segment holding them is damaged. */
  readonly onLostDamaged?: (sinkName: string, records: number) => void;
}

export interface DiskCursor extends SinkCursor {
  readonly committedSeq: number;
  /** The last seq handed out by take. */
  readonly takenSeq: number;
  close(): Promise<void>;
}

const noop = (): void => {};

export function createDiskCursor(deps: CursorDeps, sinkName: string, committedAtOpen: number): DiskCursor {
  const { ledger, clock } = deps;
  let committed = committedAtOpen;
  let taken = committedAtOpen;
  let generation = 0;
  let reader: SegmentReader | undefined;
  /** A record read from disk that did not fit the last take; it is the reader's next record. */
  let peeked: AuditRecord | undefined;
  let ioPauseUntil = 0;
  let lastIoError = '';
  const times = createTakenTimes();
  let queue: Promise<unknown> = Promise.resolve();

  const dropReader = (): void => {
    peeked = undefined;
    const r = reader;
    reader = undefined;
    if (r) void r.close().catch(() => undefined);
  };

  /**
   * Set when readDisk finds nothing more: every record up to this seq has been read. Captured in
   * the same synchronous step that saw the writer's end, because the writer may move on (and the
   * tail cache with it) before the caller resumes.
   */
  let exhaustedThrough: number | undefined;

  /** Highest seq already counted lost to damage: a rewind that meets the damage again counts nothing twice. */
  let lostThrough = committedAtOpen;

  /**
   * Damage in a segment (bit rot, tampering): logged once per segment, by whichever cursor meets it
   * first, and the records in (lostAfter, lostUpTo] this sink will never get are counted.
   */
  const damaged = (
    segment: SegmentEntry,
    problem: ReadProblem,
    lostAfter: number,
    lostUpTo: number,
  ): void => {
    if (ledger.firstDamage(segment)) {
      deps.logger.error('journal: a segment is damaged; the records after the damage in it are skipped', {
        code: 'WS_ERR_JOURNAL_DAMAGED' satisfies ErrorCode,
        segment: segment.path,
        offset: problem.offset,
        skippedBytes: Math.max(0, segment.size - problem.offset),
        reason: problem.reason,
        sink: sinkName,
      });
    }
    const from = Math.max(lostAfter, lostThrough);
    if (lostUpTo <= from) return;
    lostThrough = lostUpTo;
    const lost = deps.reservation.countRecords(from, lostUpTo);
    if (lost > 0) deps.onLostDamaged?.(sinkName, lost);
  };

  /** The next record on disk with seq > after, or undefined when the disk has nothing more now. */
  const readDisk = async (after: number): Promise<AuditRecord | undefined> => {
    exhaustedThrough = undefined;
    if (peeked && peeked.seq > after) {
      const p = peeked;
      peeked = undefined;
      return p;
    }
    if (!reader) {
      const segment = segmentFor(deps.segments, after + 1);
      if (!segment) return undefined;
      reader = createSegmentReader(deps.fs, segment, deps.readBufferBytes);
    }
    for (;;) {
      const frame = await reader.next();
      if (frame) {
        if (frame.seq <= after) continue;
        try {
          return decodeFrame(frame.buf, frame.at, frame.size, deps.idPrefix, deps.project);
        } catch (err) {
          const reason = err instanceof RecordDecodeError ? err.reason : 'record does not decode';
          damaged(
            reader.segment,
            { kind: 'corrupt', offset: frame.offset, reason },
            frame.seq - 1,
            frame.seq,
          );
          continue;
        }
      }
      const segment = reader.segment;
      const problem = reader.problem;
      if (problem?.kind === 'io') {
        if (problem.reason !== lastIoError && !ledger.closed) {
          deps.logger.error('journal: reading a segment failed; retrying', { sink: sinkName, ...problem });
        }
        lastIoError = problem.reason;
        ioPauseUntil = clock.now() + deps.retryMs;
        dropReader();
        return undefined;
      }
      if (!problem && reader.position < segment.size) continue; // the writer moved on meanwhile
      if (!problem && !segment.sealed) {
        // Caught up with the writer: every record below the cache is at or before this end.
        exhaustedThrough = Math.min(ledger.published, ledger.tail.firstSeq - 1);
        return undefined;
      }
      const next = segmentAfter(deps.segments, segment);
      // Nothing after the damage in this segment is read: its records, up to the next segment's
      // first (or what is published, in the segment being written), are lost to this sink.
      if (problem) {
        damaged(
          segment,
          problem,
          Math.max(after, reader.lastSeq),
          next ? next.firstSeq - 1 : ledger.published,
        );
      }
      dropReader();
      if (!next) return undefined;
      reader = createSegmentReader(deps.fs, next, deps.readBufferBytes);
    }
  };

  const doTake = async (maxEvents: number, maxBytes: number): Promise<AuditRecord[]> => {
    const gen = generation;
    const out: AuditRecord[] = [];
    let bytes = 0;
    let t = taken;
    while (out.length < maxEvents && t < ledger.published && !ledger.closed) {
      const tail = ledger.tail;
      let record: AuditRecord | undefined;
      if (t + 1 >= tail.firstSeq) {
        if (reader || peeked) dropReader();
        record = tail.get(t + 1);
        if (!record) break;
      } else {
        record = await readDisk(t);
        if (gen !== generation) return [];
        if (!record) {
          // Nothing more on disk: seqs up to the cache were skipped (unclean restart) or are in it.
          if (exhaustedThrough === undefined || exhaustedThrough <= t) break;
          t = exhaustedThrough;
          continue;
        }
        if (record.seq > ledger.published || (out.length > 0 && bytes + record.bytes > maxBytes)) {
          peeked = record;
          break;
        }
      }
      if (out.length > 0 && bytes + record.bytes > maxBytes) break;
      out.push(record);
      bytes += record.bytes;
      t = record.seq;
    }
    if (gen !== generation) return [];
    taken = t;
    for (const r of out) times.add(r.seq, r.receivedAtMs);
    if (out.length > 0) lastIoError = '';
    return out;
  };

  const cursor: DiskCursor = {
    sinkName,
    get committedSeq() {
      return committed;
    },
    get takenSeq() {
      return taken;
    },
    take(maxEvents, maxBytes) {
      const result = queue.then(() => doTake(maxEvents, maxBytes));
      queue = result.catch(() => undefined);
      return result;
    },
    async waitForRecords(signal) {
      for (;;) {
        const pause = ioPauseUntil - clock.now();
        if (pause > 0) {
          await clock.sleep(pause, signal);
          return;
        }
        if (taken < ledger.published || ledger.ended) return;
        await ledger.waitForRecords(signal);
      }
    },
    onRecords(wake, want) {
      const pause = ioPauseUntil - clock.now();
      if (pause > 0) return clock.timer(pause, wake);
      if (taken < ledger.published || ledger.ended) {
        wake();
        return noop;
      }
      // Caught up: count what is published from here on (segment bytes, an upper bound).
      const events = want?.events ?? 1;
      const bytes = want?.bytes ?? Infinity;
      const fromSeq = ledger.published;
      const fromBytes = ledger.publishedBytes;
      return ledger.onRecords(() => {
        if (
          ledger.ended ||
          ledger.published - fromSeq >= events ||
          ledger.publishedBytes - fromBytes >= bytes
        )
          wake();
      });
    },
    get drained() {
      return ledger.ended && taken >= ledger.published;
    },
    async commit(upTo) {
      if (!Number.isSafeInteger(upTo) || upTo < committed || upTo > ledger.published) {
        throw new RangeError(
          `commit(${upTo}) for sink "${sinkName}" is out of order: committed ${committed}, head ${ledger.published}`,
        );
      }
      if (upTo === committed) return;
      committed = upTo;
      times.dropThrough(upTo);
      if (taken < upTo) {
        taken = upTo;
        generation++;
        dropReader();
      }
      await deps.gc.cursorCommitted(sinkName);
    },
    lag() {
      const events = deps.reservation.countRecords(committed, ledger.published);
      if (events === 0) return { events: 0 };
      const oldest = times.oldest() ?? ledger.tail.get(committed + 1)?.receivedAtMs;
      return oldest === undefined ? { events } : { events, oldestReceivedAtMs: oldest };
    },
    rewind() {
      taken = committed;
      generation++;
      times.clear();
      dropReader();
    },
    async skipToHead() {
      const head = ledger.published;
      const skipped = deps.reservation.countRecords(committed, head);
      await cursor.commit(head);
      return skipped;
    },
    async close() {
      generation++;
      const r = reader;
      reader = undefined;
      peeked = undefined;
      await r?.close();
    },
  };
  return cursor;
}
