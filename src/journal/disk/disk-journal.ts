/**
 * The durable disk journal (`buffer: disk`). On-disk format and procedures: README.md. Invariants,
 * on top of event-log.ts:
 * - append writes all records of one call with one write, and resolves after that write (and after
 *   fsync with fsync: always). A process crash after append resolved loses nothing.
 * - Recovery reads only the last segment and cuts it at the end of its last valid record: garbage
 *   is never replayed, and open time does not grow with the journal.
 * - Derived ids are `${journalId}-${seq}`; seqs never repeat in a journal, even after a machine crash
 *   (seq-reservation.ts), and journal ids never repeat across journals (journal-meta.ts).
 * - A segment is deleted only when every configured sink has durably committed past its last record;
 *   the segment being written is never deleted.
 * - Memory is bounded whatever the journal size: a tail cache of recent records plus one read buffer
 *   per lagging sink.
 * - One process per directory: an exclusive lock is taken before anything is read and released by
 *   close() (journal-lock.ts); a second process gets JournalLockedError at once.
 * - I/O trouble (ENOSPC, EIO) never crashes: it pauses input (when_full: block) or drops and counts
 *   (drop_newest), and a failed write is cut back so no half record is left behind.
 */
import type { Clock } from '../../clock.js';
import type { Logger } from '../../observe/logger.js';
import type { EventLog } from '../event-log.js';
import type { DiskCursor } from './cursor.js';
import { createDiskCursor } from './cursor.js';
import { openJournalFiles } from './recovery.js';
import { createJournalWriter } from './writer.js';
import type { JournalFs } from './fs.js';
import { nodeJournalFs } from './fs.js';
import { closedError, validateLogOptions } from '../event-log.js';
import { createJournalGc } from './gc.js';
import type { SegmentEntry } from './segment-files.js';
import type { ReadProblem } from './segment-reader.js';
import { createTailCache } from './tail-cache.js';
import { createWakeup } from '../wakeup.js';

export interface DiskJournalOptions {
  readonly dir: string;
  readonly sinkNames: readonly string[];
  readonly fsync: 'always' | 'interval' | 'never';
  readonly fsyncIntervalMs: number;
  /** Cap on segment bytes on disk. */
  readonly maxBytes: number;
  /** A segment rolls once the next write would take it past this (one batch may overshoot it). */
  readonly segmentBytes: number;
  readonly whenFull: 'block' | 'drop_newest';
  /** Where a sink the journal has never seen starts: only new events (head) or all retained ones. */
  readonly newSinkStart: 'head' | 'oldest';
  readonly clock: Clock;
  readonly logger: Logger;
  /** File operations; tests inject faults here. */
  readonly fs?: JournalFs;
  /**
   * Line bytes of recent records kept in memory for sinks that keep up (default 2 MiB). A sink
   * further behind than the cache reads segment files (and re-parses lines), so bigger is faster
   * for bursty sinks and costs heap: about 300 bytes per record beyond its line.
   */
  readonly tailCacheBytes?: number;
  /** Records kept in memory for sinks that keep up (default 8192). */
  readonly tailCacheRecords?: number;
  /** Read buffer of each lagging sink (default 256 KiB). */
  readonly readBufferBytes?: number;
  /** Pause before retrying a failed write, fsync or read (default 1000 ms). */
  readonly retryMs?: number;
}

export interface JournalRecovery {
  /** Bytes cut from the end of the last segment at open (torn or corrupt tail). */
  readonly tornBytes: number;
  /** The seq appends continue after (the next append gets lastSeq + 1). */
  readonly lastSeq: number;
  /** Seqs skipped after an unclean stop so no derived id can repeat (see seq-reservation.ts). */
  readonly skippedSeqs: number;
}

export type DiskJournal = EventLog & { readonly recovery: JournalRecovery; readonly journalId: string };

export async function createDiskJournal(options: DiskJournalOptions): Promise<DiskJournal> {
  validateLogOptions(options);
  if (!Number.isSafeInteger(options.segmentBytes) || options.segmentBytes <= 0) {
    throw new RangeError(`journal segmentBytes must be a positive integer, got ${options.segmentBytes}`);
  }
  if (options.fsync === 'interval' && !(options.fsyncIntervalMs > 0)) {
    throw new RangeError(`journal fsyncIntervalMs must be positive, got ${options.fsyncIntervalMs}`);
  }
  const fsOps = options.fs ?? nodeJournalFs;
  const { clock, logger } = options;
  const opened = await openJournalFiles({ ...options, fs: fsOps });
  const { segments, reservation, writer } = opened;
  const idPrefix = `${opened.journalId}-`;
  const closeController = new AbortController();
  const appended = createWakeup();
  const spaceFreed = createWakeup();
  const damagedSegments = new Set<SegmentEntry>();
  const retryMs = options.retryMs ?? 1000;
  const cacheRecords = options.tailCacheRecords ?? 8192;
  const cursors = new Map<string, DiskCursor>();

  const state = {
    tail: createTailCache(opened.lastSeq + 1, options.tailCacheBytes ?? 2 << 20, cacheRecords),
    published: opened.lastSeq,
    ended: false,
    closed: false,
  };

  const minCommitted = (): number => {
    let min = state.published;
    for (const c of cursors.values()) if (c.committedSeq < min) min = c.committedSeq;
    return min;
  };

  const gc = createJournalGc({
    fs: fsOps,
    logger,
    fsync: options.fsync,
    segments,
    reservation,
    persisters: opened.persisters,
    committedOf: (sinkName) => cursors.get(sinkName)!.committedSeq,
    lastWritten: () => journalWriter.lastWritten,
    onCollected: (freedBytes) => journalWriter.collected(freedBytes),
    scheduleSync: () => journalWriter.scheduleSync(),
  });

  const journalWriter = createJournalWriter({
    clock,
    logger,
    writer,
    reservation,
    gc,
    idPrefix,
    lastSeq: opened.lastSeq,
    diskBytes: segments.reduce((n, s) => n + s.size, 0),
    maxBytes: options.maxBytes,
    segmentBytes: options.segmentBytes,
    whenFull: options.whenFull,
    fsync: options.fsync,
    fsyncIntervalMs: options.fsyncIntervalMs,
    retryMs,
    signal: closeController.signal,
    spaceFreed,
    onWritten: (records, from) => {
      // Cache only while some sink is close enough to the head to read these from memory: with
      // every sink dead or far behind, caching would only churn the heap.
      const first = records[from]!.seq;
      let live = false;
      for (const c of cursors.values()) if (c.takenSeq + cacheRecords >= first) live = true;
      if (live) for (let i = from; i < records.length; i++) state.tail.push(records[i]!);
      else state.tail.skipTo(records.at(-1)!.seq + 1);
    },
    onPublished: (seq) => {
      state.published = seq;
      appended.wakeAll();
    },
  });

  const host = {
    fs: fsOps,
    clock,
    logger,
    segments,
    get tail() {
      return state.tail;
    },
    get published() {
      return state.published;
    },
    get ended() {
      return state.ended;
    },
    get closed() {
      return state.closed;
    },
    idPrefix,
    readBufferBytes: options.readBufferBytes ?? 256 * 1024,
    retryMs,
    appended,
    countRecords: (after: number, upTo: number) => reservation.countRecords(after, upTo),
    committed: (cursor: DiskCursor) => gc.cursorCommitted(cursor.sinkName),
    damaged(segment: SegmentEntry, problem: ReadProblem, sinkName: string) {
      if (damagedSegments.has(segment)) return;
      damagedSegments.add(segment);
      logger.error('journal: a segment is damaged; the records after the damage in it are skipped', {
        segment: segment.path,
        offset: problem.offset,
        skippedBytes: Math.max(0, segment.size - problem.offset),
        reason: problem.reason,
        sink: sinkName,
      });
    },
  };
  for (const name of options.sinkNames) {
    cursors.set(name, createDiskCursor(host, name, opened.persisters.get(name)!.persisted));
  }
  await gc.collect(); // a sink removed from the config may have released segments

  let closing: Promise<void> | undefined;
  const close = async (): Promise<void> => {
    state.closed = true;
    state.ended = true;
    closeController.abort(closedError());
    spaceFreed.failAll(closedError());
    appended.wakeAll();
    const clean = await journalWriter.drain();
    const cursorsDurable = await gc.persistAll(true);
    await gc.idle();
    for (const c of cursors.values()) await c.close();
    if (clean && cursorsDurable) {
      try {
        await reservation.closeAt(journalWriter.lastWritten);
      } catch (err) {
        logger.warn('journal: could not record the clean close; the next start skips some seqs', {
          error: String(err),
        });
      }
    }
    await writer.close().catch(() => undefined);
    await opened.lock.release();
  };

  return {
    journalId: opened.journalId,
    recovery: { tornBytes: opened.tornBytes, lastSeq: opened.lastSeq, skippedSeqs: opened.skippedSeqs },
    append: (events, stop) => journalWriter.append(events, stop),
    endInput() {
      state.ended = true;
      appended.wakeAll();
    },
    cursor(sinkName) {
      const c = cursors.get(sinkName);
      if (!c)
        throw new Error(
          `journal has no cursor for sink "${sinkName}" (sinks: ${[...cursors.keys()].join(', ')})`,
        );
      return c;
    },
    stats: () => ({
      records: reservation.countRecords(minCommitted(), state.published),
      bytes: journalWriter.diskBytes,
      full: journalWriter.full,
      segments: segments.length,
    }),
    close: () => (closing ??= close()),
  };
}
