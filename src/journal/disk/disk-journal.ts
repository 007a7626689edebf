/**
 * The durable disk journal (`buffer: disk`). On-disk format and procedures: README.md. Invariants,
 * on top of event-log.ts:
 * - append writes all records of one call with one write, and resolves after that write (and after
 *   fsync with fsync: always). A process crash after append resolved loses nothing.
 * - Recovery reads only the last segment and cuts it at the end of its last valid record: garbage
 *   is never replayed, and open time does not grow with the journal.
 * - Derived ids are `${journalId}-${seq}`; seqs never repeat in a journal, even after a machine crash
 *   (seq-reservation.ts), and journal ids never repeat across journals (meta.ts).
 * - A segment is deleted only when every configured sink has durably committed past its last record;
 *   the segment being written is never deleted.
 * - Memory is bounded whatever the journal size: a tail cache of recent records plus one read buffer
 *   per lagging sink.
 * - One process per directory: an exclusive lock is taken before anything is read and released by
 *   close() (lock.ts); a second process gets JournalLockedError at once.
 * - I/O trouble (ENOSPC, EIO) never crashes: it pauses input (when_full: block) or drops and counts
 *   (drop_newest), and a failed write is cut back so no half record is left behind.
 */
import type { AuditEvent } from '../../audit/record.js';
import type { EventProjector } from '../../audit/projection.js';
import type { Clock } from '../../clock.js';
import type { IntegrityKey } from '../../integrity/key.js';
import type { Logger } from '../../observe/logger.js';
import type { EventLog, JournalIntegrity } from '../event-log.js';
import { validateLogOptions } from '../event-log.js';
import type { DiskCursor } from './cursor.js';
import { createDiskCursor } from './cursor.js';
import type { JournalFs } from './fs.js';
import { nodeJournalFs } from './fs.js';
import { createFullEpisode } from './full-episode.js';
import { createJournalGc } from './gc.js';
import { createLedger } from './ledger.js';
import { openJournalFiles } from './recovery.js';
import { createTailCache } from './tail-cache.js';
import { createJournalWriter } from './writer.js';

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
  /**
   * What each record keeps of its parsed event (audit/projection.ts); default: all of it. The
   * pipeline keeps only the fields its sinks read, so cached and lagging records hold no parse tree.
   */
  readonly project?: EventProjector;
  /** Pause before retrying a failed write, fsync or read (default 1000 ms). */
  readonly retryMs?: number;
  /**
   * Records a sink will never get because the segment holding them is damaged (bit rot,
   * tampering), counted once per sink and record; the damage itself is logged once per segment.
   */
  readonly onLostDamaged?: (sinkName: string, records: number) => void;
  /** Integrity on: every audit event is chained with this key, checkpoints can be made (chain-state.ts). */
  readonly integrityKey?: IntegrityKey;
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
  const retryMs = options.retryMs ?? 1000;
  const tailCacheRecords = options.tailCacheRecords ?? 8192;
  const cursors = new Map<string, DiskCursor>();

  const ledger = createLedger({
    lastSeq: opened.lastSeq,
    diskBytes: segments.reduce((n, s) => n + s.size, 0),
    tail: createTailCache(opened.lastSeq + 1, options.tailCacheBytes ?? 2 << 20, tailCacheRecords),
    tailCacheRecords,
    episode: createFullEpisode(clock, logger, options.whenFull),
  });
  const gc = createJournalGc({
    fs: fsOps,
    logger,
    fsync: options.fsync,
    segments,
    reservation,
    persisters: opened.persisters,
    ledger,
    ...(opened.chain ? { beforeDelete: () => opened.chain!.persistHead(ledger.lastWritten) } : {}),
  });
  const journalWriter = createJournalWriter({
    clock,
    logger,
    writer,
    reservation,
    gc,
    ledger,
    idPrefix,
    project: options.project,
    maxBytes: options.maxBytes,
    segmentBytes: options.segmentBytes,
    whenFull: options.whenFull,
    fsync: options.fsync,
    fsyncIntervalMs: options.fsyncIntervalMs,
    retryMs,
    ...(opened.chain ? { chain: opened.chain } : {}),
  });
  const chain = opened.chain;
  const integrity: JournalIntegrity | undefined = chain && {
    keyId: chain.keyId,
    get sinceCheckpoint() {
      return chain.sinceCheckpoint;
    },
    checkpoint: (timeMs, stop) =>
      journalWriter.exclusive(async (appendEntries, seq) => {
        if (chain.sinceCheckpoint === 0) return undefined;
        const checkpoint = chain.checkpoint(timeMs, seq);
        const line = JSON.stringify(checkpoint);
        // chain.json first (through = seq): a crash between the two never lets this seq be reused,
        // and recovery lists it as skipped when its record is not there (chain-state.ts).
        await chain.persist(seq); // on failure: no checkpoint this time (logged by the caller)
        let result;
        try {
          result = await appendEntries(
            [
              {
                line,
                bytes: Buffer.byteLength(line),
                event: checkpoint as unknown as AuditEvent,
                source: 'server',
                receivedAtMs: timeMs,
                id: `checkpoint-${opened.journalId}-${checkpoint.last_seq}`,
              },
            ],
            stop,
            [{ checkpoint: true }],
          );
        } catch (error) {
          await chain.persist(seq - 1).catch(() => undefined); // closed meanwhile: never written
          throw error;
        }
        if (result.stored.length === 1) return { checkpoint, journaled: true };
        await chain.persist(seq - 1); // the seq goes to the next event instead
        // Only in the checkpoint file: it states no seq (0), so no verifier takes `seq` for it.
        return { checkpoint: chain.checkpoint(timeMs, 0), journaled: false };
      }),
  };
  const cursorDeps = {
    ledger,
    fs: fsOps,
    clock,
    logger,
    segments,
    reservation,
    gc,
    idPrefix,
    project: options.project,
    readBufferBytes: options.readBufferBytes ?? 256 * 1024,
    retryMs,
    onLostDamaged: options.onLostDamaged,
  };
  for (const name of options.sinkNames) {
    const cursor = createDiskCursor(cursorDeps, name, opened.persisters.get(name)!.persisted);
    cursors.set(name, cursor);
    ledger.addCursor(cursor);
  }
  await gc.collect(); // a sink removed from the config may have released segments

  let closing: Promise<void> | undefined;
  const close = async (): Promise<void> => {
    ledger.close();
    const clean = await journalWriter.drain();
    const cursorsDurable = await gc.persistAll(true);
    await gc.idle();
    for (const c of cursors.values()) await c.close();
    if (chain && clean) {
      await chain.persist(ledger.lastWritten).catch((err: unknown) =>
        logger.warn('journal: could not save the chain state; the next start recovers it from the journal', {
          error: String(err),
        }),
      );
    }
    if (clean && cursorsDurable) {
      try {
        await reservation.closeAt(ledger.lastWritten);
      } catch (err) {
        logger.warn('journal: could not record the clean close; the next start skips some seqs', {
          error: String(err),
        });
      }
    }
    await writer.close().catch(() => undefined);
    await opened.lock.release();
  };

  // Re-reads after a crash come first: the set is freed once every id was seen again, or after as
  // many questions as it had ids twice over (the input has moved past what it could read again).
  let recentIds = opened.recentSourceIds;
  let questionsLeft = (recentIds?.size ?? 0) * 2;
  const alreadyJournaled = (id: string): boolean => {
    if (recentIds === undefined) return false;
    const held = recentIds.delete(id);
    if (recentIds.size === 0 || --questionsLeft <= 0) recentIds = undefined;
    return held;
  };

  return {
    journalId: opened.journalId,
    ...(integrity ? { integrity } : {}),
    ...(recentIds ? { alreadyJournaled } : {}),
    recovery: { tornBytes: opened.tornBytes, lastSeq: opened.lastSeq, skippedSeqs: opened.skippedSeqs },
    append: (events, stop) => journalWriter.append(events, stop),
    endInput: () => ledger.endInput(),
    cursor(sinkName) {
      const c = cursors.get(sinkName);
      if (!c)
        throw new Error(
          `journal has no cursor for sink "${sinkName}" (sinks: ${[...cursors.keys()].join(', ')})`,
        );
      return c;
    },
    stats: () => ({
      records: reservation.countRecords(ledger.minCommitted(), ledger.published),
      bytes: ledger.diskBytes,
      full: ledger.full,
      segments: segments.length,
    }),
    close: () => (closing ??= close()),
  };
}
