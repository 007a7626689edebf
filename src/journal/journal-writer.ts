/**
 * The append path of the disk journal: encode once, make room, write, (fsync), publish.
 * - Appends run one at a time, in call order; each call's records go out in one write unless the
 *   journal is nearly full, when the prefix that fits is written first.
 * - Full (segment bytes + the batch > maxBytes): block waits for GC to free space; drop_newest
 *   refuses the rest of the batch and returns how many (never silent). A record is always accepted
 *   into an empty journal, so an oversized one cannot deadlock.
 * - A failed write (ENOSPC, EIO…) is cut back by the segment writer, then handled like full: block
 *   retries after `retryMs` on the injected clock, drop_newest drops the rest. Never a crash.
 * - Each episode (paused or dropping) is logged once when it starts and once when it ends.
 */
import { stampRecord, type AcceptedEvent, type AuditRecord } from '../audit/record.js';
import type { Clock } from '../clock.js';
import type { Logger } from '../observe/logger.js';
import type { AppendResult } from './event-log.js';
import { errorCode } from './journal-fs.js';
import type { JournalGc } from './journal-gc.js';
import { closedError } from './log-options.js';
import { createFullEpisode } from './full-episode.js';
import { encodeBatch } from './record-codec.js';
import type { SegmentWriter } from './segment-writer.js';
import type { SeqReservation } from './seq-reservation.js';
import type { Wakeup } from './wakeup.js';

const maxScratchBytes = 1024 * 1024;

export interface JournalWriterOptions {
  readonly clock: Clock;
  readonly logger: Logger;
  readonly writer: SegmentWriter;
  readonly reservation: SeqReservation;
  readonly gc: JournalGc;
  readonly idPrefix: string;
  readonly lastSeq: number;
  readonly diskBytes: number;
  readonly maxBytes: number;
  readonly segmentBytes: number;
  readonly whenFull: 'block' | 'drop_newest';
  readonly fsync: 'always' | 'interval' | 'never';
  readonly fsyncIntervalMs: number;
  readonly retryMs: number;
  /** Aborted by close: every wait and retry ends. */
  readonly signal: AbortSignal;
  readonly spaceFreed: Wakeup;
  /** records[from..] were just written. */
  onWritten(records: readonly AuditRecord[], from: number): void;
  onPublished(seq: number): void;
}

export interface JournalWriter {
  append(events: readonly AcceptedEvent[], stop?: AbortSignal): Promise<AppendResult>;
  readonly lastWritten: number;
  readonly diskBytes: number;
  readonly full: boolean;
  /** GC deleted segments (or cursors moved): account for the bytes and let a blocked append look again. */
  collected(freedBytes: number): void;
  /** fsync within fsyncIntervalMs (policy interval). */
  scheduleSync(): void;
  /** For close: waits for appends in progress, then fsyncs; false if the data may not be durable. */
  drain(): Promise<boolean>;
}

export function createJournalWriter(o: JournalWriterOptions): JournalWriter {
  const { clock, logger, writer, gc, signal } = o;
  let lastWritten = o.lastSeq;
  let diskBytes = o.diskBytes;
  let epoch = 0; // bumped by every GC pass, so a blocked append never misses a wake-up
  let queue: Promise<unknown> = Promise.resolve();
  let syncPending = false;
  let lastSyncAt = clock.now();
  let syncFailing = false;
  let scratch: Buffer | undefined;

  const episode = createFullEpisode(clock, logger, o.whenFull);
  const enter = (cause: 'space' | 'error', err?: unknown): void =>
    episode.enter(cause, { diskBytes, maxBytes: o.maxBytes, retryMs: o.retryMs }, err);

  const syncUntilDone = async (): Promise<void> => {
    for (;;) {
      try {
        await writer.sync();
        if (syncFailing) logger.info('journal: fsync works again', {});
        syncFailing = false;
        return;
      } catch (err) {
        if (!syncFailing)
          logger.error('journal fsync failed; retrying', { error: errorCode(err), retryMs: o.retryMs });
        syncFailing = true;
        await clock.sleep(o.retryMs, signal);
      }
    }
  };

  const backgroundSync = async (): Promise<void> => {
    lastSyncAt = clock.now();
    let ok = true;
    try {
      await writer.sync();
      syncFailing = false;
    } catch (err) {
      ok = false;
      if (!syncFailing)
        logger.error('journal fsync failed; retrying next interval', { error: errorCode(err) });
      syncFailing = true;
    }
    ok = (await gc.persistAll(true)) && ok;
    await gc.collect();
    if (!ok) scheduleSync();
  };

  const scheduleSync = (): void => {
    if (syncPending || signal.aborted || o.fsync !== 'interval') return;
    syncPending = true;
    const delay = Math.max(0, lastSyncAt + o.fsyncIntervalMs - clock.now());
    clock.sleep(delay, signal).then(
      () => {
        syncPending = false;
        return backgroundSync();
      },
      () => {
        syncPending = false;
      },
    );
  };

  /** Rolls away a fully committed active segment so GC can free it; true if it did. */
  const makeRoom = async (): Promise<boolean> => {
    if (writer.active.size === 0 || gc.durablyCommittedByAll() < lastWritten) return false;
    await writer.roll(lastWritten + 1);
    await gc.collect();
    return true;
  };

  const doAppend = async (events: readonly AcceptedEvent[], stop?: AbortSignal): Promise<AppendResult> => {
    if (signal.aborted) throw closedError();
    const stored: AuditRecord[] = [];
    if (events.length === 0) return { stored, dropped: 0, unstored: 0 };
    const firstSeq = lastWritten + 1;
    const { buffer, ends } = encodeBatch(events, firstSeq, scratch);
    // Keep a buffer for the next batch (appends run one at a time), unless it grew unusually big.
    scratch = buffer.length <= maxScratchBytes ? buffer : undefined;
    let i = 0;
    let settled = false;
    while (i < events.length) {
      if (signal.aborted) throw closedError();
      const seen = epoch;
      const start = i === 0 ? 0 : ends[i - 1]!;
      let end = i;
      while (end < events.length && diskBytes + ends[end]! - start <= o.maxBytes) end++;
      try {
        if (end === i) {
          if (await makeRoom()) continue;
          if (diskBytes === 0) {
            end = i + 1;
          } else {
            if (!settled) {
              // A commit just made may still be freeing space in the background: look once more.
              settled = true;
              await gc.settle();
              continue;
            }
            enter('space');
            if (o.whenFull === 'drop_newest') break;
            if (stop?.aborted) return finish(stored, 0, events.length - i);
            if (epoch === seen) {
              const stopped = await waitForSpace(stop);
              if (stopped) return finish(stored, 0, events.length - i);
            }
            continue;
          }
        }
        const bytes = ends[end - 1]! - start;
        await o.reservation.ensure(firstSeq + end - 1);
        if (writer.mustRoll || (writer.active.size > 0 && writer.active.size + bytes > o.segmentBytes)) {
          await writer.roll(firstSeq + i);
          void gc.collect();
        }
        await writer.write(buffer, start, start + bytes);
        diskBytes += bytes;
      } catch (err) {
        if (signal.aborted) throw closedError();
        enter('error', err);
        if (o.whenFull === 'drop_newest') break;
        await clock.sleep(o.retryMs, signal);
        continue;
      }
      const from = stored.length;
      for (let k = i; k < end; k++) {
        const e = events[k]!;
        const seq = firstSeq + k;
        const record = stampRecord(e, seq, o.idPrefix);
        stored.push(record);
      }
      lastWritten = firstSeq + end - 1;
      o.onWritten(stored, from);
      if (o.fsync === 'always') await syncUntilDone();
      o.onPublished(lastWritten);
      scheduleSync();
      i = end;
    }
    return finish(stored, events.length - i, 0);
  };

  const finish = (stored: AuditRecord[], dropped: number, unstored: number): AppendResult => {
    if (dropped === 0 && unstored === 0) episode.leave();
    episode.dropped(dropped);
    return { stored, dropped, unstored };
  };

  /** Waits for GC to free space; true when `stop` ended the wait instead (shutdown). */
  const waitForSpace = async (stop: AbortSignal | undefined): Promise<boolean> => {
    try {
      await o.spaceFreed.wait(stop ? AbortSignal.any([signal, stop]) : signal);
      return false;
    } catch (error) {
      if (signal.aborted || !stop?.aborted) throw error;
      return true;
    }
  };

  return {
    append(events, stop) {
      const result = queue.then(() => doAppend(events, stop));
      queue = result.catch(() => undefined);
      return result;
    },
    get lastWritten() {
      return lastWritten;
    },
    get diskBytes() {
      return diskBytes;
    },
    get full() {
      return episode.active;
    },
    collected(freedBytes) {
      diskBytes -= freedBytes;
      epoch++;
      o.spaceFreed.wakeAll();
    },
    scheduleSync,
    async drain() {
      await queue;
      try {
        await writer.sync();
        return true;
      } catch (err) {
        logger.error('journal: final fsync failed; the last records may not be durable', {
          error: errorCode(err),
        });
        return false;
      }
    },
  };
}
