/**
 * The disk journal's shared state, in one place. The writer, the cursors, GC and room-making read
 * and move it here instead of reaching into each other through closures and getter objects, and
 * every wait is one explicit pair: a wait whose caller re-checks its own condition, and the
 * notifies that can make that condition true.
 *
 *   wait                   notified by
 *   waitForRecords         publish (writer), endInput, close          cursors waiting for new records
 *   onRecords              the same, as a subscription (no promise)   the delivery loop's waits (wait.ts)
 *   waitForSpace           collected (end of a GC pass); close rejects appends waiting for room
 *   onSyncRequest          requestSync (append, cursor commit)        the fsync: interval background sync
 *
 * Invariants:
 * - published <= lastWritten: readers see a record only once it is written (with fsync: always,
 *   only once it is fsynced too).
 * - diskBytes is segment bytes on disk (records plus framing): raised by each write, lowered by
 *   each GC pass by what it deleted.
 * - gcEpoch rises at every GC pass, even one that freed nothing (cursors may have moved): a waiter
 *   that saw no room compares it before waiting, so a pass between its look and its wait is never
 *   missed (everything here is single-threaded).
 * - The tail cache holds records only while some cursor is close to the head (tail-cache.ts).
 * - Once closed, nothing waits: room waiters reject with the closed error, record waiters wake and
 *   see `ended`, and `closeSignal` ends every sleep and retry.
 */
import type { AuditRecord } from '../../audit/record.js';
import { closedError } from '../event-log.js';
import { createWakeup } from '../wakeup.js';
import type { FullEpisode } from './full-episode.js';
import type { SegmentEntry } from './segment-files.js';
import type { TailCache } from './tail-cache.js';

/** Where one sink's cursor stands. */
export interface CursorPosition {
  readonly sinkName: string;
  /** Every record up to here has a final outcome for the sink (in memory; GC reads the files). */
  readonly committedSeq: number;
  /** The last seq handed out by take. */
  readonly takenSeq: number;
}

export interface LedgerOptions {
  /** The last seq written before this run (appends continue after it). */
  readonly lastSeq: number;
  /** Segment bytes on disk at open. */
  readonly diskBytes: number;
  readonly tail: TailCache;
  /** Records the tail cache holds at most: how close to the head a cursor must be to use it. */
  readonly tailCacheRecords: number;
  readonly episode: FullEpisode;
}

export interface Ledger {
  /** Highest seq written to a segment. */
  readonly lastWritten: number;
  /** Highest seq readers may see. */
  readonly published: number;
  /**
   * Segment bytes written up to `published` since open, a running total: what a cursor that was at
   * the head has had published since, framing included (an upper bound of the records' bytes).
   */
  readonly publishedBytes: number;
  readonly diskBytes: number;
  readonly tail: TailCache;
  /** The current full or failing episode; `full` is what stats() reports. */
  readonly episode: FullEpisode;
  readonly full: boolean;
  /** No more appends will come (end of input, or close). */
  readonly ended: boolean;
  readonly closed: boolean;
  /** Aborted by close: every wait, sleep and retry in the journal ends. */
  readonly closeSignal: AbortSignal;
  /** Rises at every GC pass. */
  readonly gcEpoch: number;
  /** Bytes GC has freed since open. */
  readonly freedTotal: number;

  /** `bytes` holding records[from..] were just written: lastWritten moves, the tail cache fills. */
  written(bytes: number, records: readonly AuditRecord[], from: number): void;
  /** Readers may now see everything written; wakes waitForRecords. */
  publish(): void;
  endInput(): void;
  /** Resolves at the next publish, endInput or close; rejects with the signal's reason. */
  waitForRecords(signal: AbortSignal): Promise<void>;
  /** Calls `listener` at every publish, endInput and close until the returned function is called. */
  onRecords(listener: () => void): () => void;

  addCursor(cursor: CursorPosition): void;
  committedOf(sinkName: string): number;
  /** The lowest in-memory commit (published when no sink is configured). */
  minCommitted(): number;

  /** A GC pass ended having deleted `freedBytes` (maybe 0); wakes waitForSpace. */
  collected(freedBytes: number): void;
  /** Resolves at the next GC pass; rejects at close or when `signal` aborts. */
  waitForSpace(signal: AbortSignal): Promise<void>;

  /** Something was written or committed that fsync: interval must make durable. */
  requestSync(): void;
  /** A sync was requested and has not started yet. */
  readonly syncRequested: boolean;
  /** Calls `listener` at every requestSync until the returned function is called. */
  onSyncRequest(listener: () => void): () => void;
  /** The background sync starts: requests from now on ask for the next one. */
  syncStarted(): void;

  /** True the first time a segment is reported damaged (so it is logged once, by whichever cursor). */
  firstDamage(segment: SegmentEntry): boolean;

  close(): void;
}

export function createLedger(options: LedgerOptions): Ledger {
  const { tail, episode, tailCacheRecords } = options;
  const closeController = new AbortController();
  const appended = createWakeup();
  const spaceFreed = createWakeup();
  const syncWanted = createWakeup();
  const cursors = new Map<string, CursorPosition>();
  const damagedSegments = new Set<SegmentEntry>();
  let lastWritten = options.lastSeq;
  let published = options.lastSeq;
  let writtenBytes = 0;
  let publishedBytes = 0;
  let diskBytes = options.diskBytes;
  let ended = false;
  let closed = false;
  let gcEpoch = 0;
  let freedTotal = 0;
  let syncRequested = false;

  return {
    get lastWritten() {
      return lastWritten;
    },
    get published() {
      return published;
    },
    get publishedBytes() {
      return publishedBytes;
    },
    get diskBytes() {
      return diskBytes;
    },
    tail,
    episode,
    get full() {
      return episode.active;
    },
    get ended() {
      return ended;
    },
    get closed() {
      return closed;
    },
    closeSignal: closeController.signal,
    get gcEpoch() {
      return gcEpoch;
    },
    get freedTotal() {
      return freedTotal;
    },

    written(bytes, records, from) {
      diskBytes += bytes;
      writtenBytes += bytes;
      lastWritten = records.at(-1)!.seq;
      // Cache only while some sink is close enough to the head to read these from memory: with
      // every sink dead or far behind, caching would only churn the heap.
      const first = records[from]!.seq;
      let live = false;
      for (const c of cursors.values()) if (c.takenSeq + tailCacheRecords >= first) live = true;
      if (live) for (let i = from; i < records.length; i++) tail.push(records[i]!);
      else tail.skipTo(lastWritten + 1);
    },
    publish() {
      published = lastWritten;
      publishedBytes = writtenBytes;
      appended.wakeAll();
    },
    endInput() {
      ended = true;
      appended.wakeAll();
    },
    waitForRecords: (signal) => appended.wait(signal),
    onRecords: (listener) => appended.subscribe(listener),

    addCursor(cursor) {
      cursors.set(cursor.sinkName, cursor);
    },
    committedOf: (sinkName) => cursors.get(sinkName)!.committedSeq,
    minCommitted() {
      let min = published;
      for (const c of cursors.values()) if (c.committedSeq < min) min = c.committedSeq;
      return min;
    },

    collected(freedBytes) {
      diskBytes -= freedBytes;
      freedTotal += freedBytes;
      gcEpoch++;
      spaceFreed.wakeAll();
    },
    waitForSpace: (signal) => spaceFreed.wait(signal),

    requestSync() {
      syncRequested = true;
      syncWanted.wakeAll();
    },
    get syncRequested() {
      return syncRequested;
    },
    onSyncRequest: (listener) => syncWanted.subscribe(listener),
    syncStarted() {
      syncRequested = false;
    },

    firstDamage(segment) {
      if (damagedSegments.has(segment)) return false;
      damagedSegments.add(segment);
      return true;
    },

    close() {
      closed = true;
      ended = true;
      closeController.abort(closedError());
      spaceFreed.failAll(closedError());
      appended.wakeAll();
    },
  };
}
