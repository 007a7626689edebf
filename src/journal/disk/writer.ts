/**
 * The append path of the disk journal: encode once, make room, write, (fsync), publish.
 * - Appends run one at a time, in call order; each call's records go out in one write unless the
 *   journal is nearly full, when the prefix that fits is written first.
 * - Full (segment bytes + the batch > maxBytes): block waits for GC to free space; drop_newest
 *   refuses the rest of the batch and returns how many (never silent). A record is always accepted
 *   into an empty journal, so an oversized one cannot deadlock.
 * - A failed write (ENOSPC, EIO…) is cut back by the segment writer, then handled like full
 *   (room.ts): block rolls a segment every sink has passed, lets GC free it and retries as soon as
 *   bytes are freed (or after `retryMs`); drop_newest drops the rest. Never a crash.
 * - Every wait (room, retry, fsync retry) ends on close, and on the caller's `stop` (shutdown): what
 *   was not stored is returned as `unstored`.
 * - Each episode (paused or dropping) is logged once when it starts and once when it ends.
 */
import type { EventProjector } from '../../audit/projection.js';
import { stampRecord, type AcceptedEvent, type AuditRecord } from '../../audit/record.js';
import type { Clock } from '../../clock.js';
import { createWaiter } from '../../wait.js';
import type { Logger } from '../../observe/logger.js';
import type { AppendResult } from '../event-log.js';
import { errorCode, isDiskFull } from './fs.js';
import type { JournalGc } from './gc.js';
import { closedError } from '../event-log.js';
import type { EpisodeCause } from './full-episode.js';
import type { Ledger } from './ledger.js';
import type { ChainState } from './chain-state.js';
import { encodeBatch, type EntryExtras } from './record-codec.js';
import { createRoom } from './room.js';
import type { SegmentWriter } from './segment-writer.js';
import type { SeqReservation } from './seq-reservation.js';

const maxScratchBytes = 1024 * 1024;

export interface JournalWriterOptions {
  readonly clock: Clock;
  readonly logger: Logger;
  readonly writer: SegmentWriter;
  readonly reservation: SeqReservation;
  readonly gc: JournalGc;
  readonly ledger: Ledger;
  readonly idPrefix: string;
  /** What each record keeps of its parsed event (audit/projection.ts). */
  readonly project?: EventProjector;
  readonly maxBytes: number;
  readonly segmentBytes: number;
  readonly whenFull: 'block' | 'drop_newest';
  readonly fsync: 'always' | 'interval' | 'never';
  readonly fsyncIntervalMs: number;
  readonly retryMs: number;
  /** Integrity on: each audit event gets its chain value with its seq (chain-state.ts). */
  readonly chain?: ChainState;
}

export interface JournalWriter {
  append(events: readonly AcceptedEvent[], stop?: AbortSignal): Promise<AppendResult>;
  /**
   * Runs `task` in the append order (no append is in progress meanwhile); `appendEntries` inside it
   * appends with explicit extras (a checkpoint record) without queueing again.
   */
  exclusive<T>(task: (appendEntries: AppendWithExtras, nextSeq: number) => Promise<T>): Promise<T>;
  /** For close: waits for appends in progress, then fsyncs; false if the data may not be durable. */
  drain(): Promise<boolean>;
}

export type AppendWithExtras = (
  events: readonly AcceptedEvent[],
  stop: AbortSignal | undefined,
  extras: readonly (EntryExtras | undefined)[],
) => Promise<AppendResult>;

/** The record as the sinks see it: its chain values, or its checkpoint kind. */
function withExtras(record: AuditRecord, extra: EntryExtras | undefined, idPrefix: string): AuditRecord {
  if (extra?.checkpoint) return { ...record, kind: 'checkpoint' };
  if (extra?.block === undefined) return record;
  const integrity = {
    journal: idPrefix.slice(0, -1),
    prev: extra.block.toString('hex', 0, 32),
    chain: extra.block.toString('hex', 32, 64),
  };
  return { ...record, integrity };
}

export function createJournalWriter(o: JournalWriterOptions): JournalWriter {
  const { clock, logger, writer, gc, ledger } = o;
  const { episode, closeSignal: signal } = ledger;
  let queue: Promise<unknown> = Promise.resolve();
  let lastSyncAt = clock.now();
  let syncFailing = false;
  let scratch: Buffer | undefined;

  const enter = (cause: EpisodeCause, err?: unknown): void =>
    episode.enter(cause, { diskBytes: ledger.diskBytes, maxBytes: o.maxBytes, retryMs: o.retryMs }, err);
  const room = createRoom({ clock, writer, gc, ledger, fsync: o.fsync, retryMs: o.retryMs });

  /**
   * fsync policy always: retried until it works. A `stop` ends the wait: the records are written
   * (the next start replays them), only not yet known durable; close() tries the fsync once more.
   */
  const syncUntilDone = async (stop: AbortSignal | undefined): Promise<void> => {
    const wait = stop ? AbortSignal.any([signal, stop]) : signal;
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
        try {
          await clock.sleep(o.retryMs, wait);
        } catch (error) {
          if (signal.aborted || !stop?.aborted) throw error;
          return;
        }
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
    if (!ok) ledger.requestSync();
  };

  /**
   * fsync policy interval: a requested sync runs at most every fsyncIntervalMs; requests made while
   * it waits are served by it. It is not awaited here, so a slow sync never delays the next one.
   */
  const intervalSyncs = async (): Promise<void> => {
    // Asleep until something is written or committed: an idle journal sets no timer at all. The
    // waits end in a value at close, not an exception.
    const waiter = createWaiter(clock, signal);
    try {
      for (;;) {
        if (!ledger.syncRequested) {
          if ((await waiter.wait((wake) => ledger.onSyncRequest(wake))) === 'aborted') return;
          continue;
        }
        const due = lastSyncAt + o.fsyncIntervalMs - clock.now();
        if (due > 0 && (await waiter.wait(undefined, due)) === 'aborted') return;
        ledger.syncStarted();
        void backgroundSync();
      }
    } finally {
      waiter.dispose();
    }
  };
  if (o.fsync === 'interval') void intervalSyncs();

  const doAppend = async (
    events: readonly AcceptedEvent[],
    stop?: AbortSignal,
    given?: readonly (EntryExtras | undefined)[],
  ): Promise<AppendResult> => {
    if (signal.aborted) throw closedError();
    const stored: AuditRecord[] = [];
    if (events.length === 0) return { stored, dropped: 0, unstored: 0 };
    const firstSeq = ledger.lastWritten + 1;
    const extras = given ?? o.chain?.blocksFor(events, firstSeq);
    const { buffer, ends } = encodeBatch(events, firstSeq, scratch, extras);
    // Keep a buffer for the next batch (appends run one at a time), unless it grew unusually big.
    scratch = buffer.length <= maxScratchBytes ? buffer : undefined;
    let i = 0;
    let settled = false;
    let freedOnce = false;
    while (i < events.length) {
      if (signal.aborted) throw closedError();
      const seen = ledger.gcEpoch;
      const start = i === 0 ? 0 : ends[i - 1]!;
      let end = i;
      let bytes = 0;
      while (end < events.length && ledger.diskBytes + ends[end]! - start <= o.maxBytes) end++;
      try {
        if (end === i) {
          if (await room.makeRoom()) continue;
          if (ledger.diskBytes === 0) {
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
            if (ledger.gcEpoch === seen && (await room.waitForSpace(stop))) {
              return finish(stored, 0, events.length - i);
            }
            continue;
          }
        }
        bytes = ends[end - 1]! - start;
        await o.reservation.ensure(firstSeq + end - 1);
        if (writer.mustRoll || (writer.active.size > 0 && writer.active.size + bytes > o.segmentBytes)) {
          await writer.roll(firstSeq + i);
          void gc.collect();
        }
        await writer.write(buffer, start, start + bytes);
      } catch (err) {
        if (signal.aborted) throw closedError();
        enter(isDiskFull(err) ? 'disk_full' : 'error', err);
        if (o.whenFull === 'drop_newest') {
          // Like full: a segment every sink has passed is freed first; drop only if that was not enough.
          if (!freedOnce && (await room.freeAfterFailure())) {
            freedOnce = true;
            continue;
          }
          break;
        }
        if (await room.waitToRetry(stop)) return finish(stored, 0, events.length - i);
        continue;
      }
      const from = stored.length;
      for (let k = i; k < end; k++) {
        const e = events[k]!;
        const seq = firstSeq + k;
        const record = stampRecord(e, seq, o.idPrefix, o.project);
        stored.push(extras ? withExtras(record, extras[k], o.idPrefix) : record);
      }
      if (extras) o.chain?.advance(extras, firstSeq, i, end);
      ledger.written(bytes, stored, from);
      if (o.fsync === 'always') await syncUntilDone(stop);
      ledger.publish();
      if (o.fsync === 'interval') ledger.requestSync();
      i = end;
    }
    return finish(stored, events.length - i, 0);
  };

  const finish = (stored: AuditRecord[], dropped: number, unstored: number): AppendResult => {
    if (dropped === 0 && unstored === 0) episode.leave();
    episode.dropped(dropped);
    return { stored, dropped, unstored };
  };

  return {
    append(events, stop) {
      const result = queue.then(() => doAppend(events, stop));
      queue = result.catch(() => undefined);
      return result;
    },
    exclusive(task) {
      const result = queue.then(() => task(doAppend, ledger.lastWritten + 1));
      queue = result.catch(() => undefined);
      return result;
    },
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
