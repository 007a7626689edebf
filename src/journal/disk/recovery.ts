/**
 * Opening a journal directory: the directory's lock, identity, recovery of the last segment, where
 * the sequence resumes, and where each configured sink starts. Reads only small files, the
 * directory listing and the last segment, so it takes the same time whatever the journal size.
 * The lock comes first: nothing in a directory another process uses is read, cleaned or written.
 *
 * Recovery at open: only the LAST segment can end in a torn or corrupt tail (every other segment
 * was complete before the next one was created), so only it is scanned, and open time does not grow
 * with the journal. The file is cut at the end of its last valid record; nothing after the first
 * invalid byte is ever replayed.
 */
import { join } from 'node:path';
import type { Clock } from '../../clock.js';
import type { Logger } from '../../observe/logger.js';
import type { IntegrityKey } from '../../integrity/key.js';
import { createChainTail, loadChainFile, openChainState, type ChainState } from './chain-state.js';
import type { CursorPersister } from './cursor-store.js';
import { createCursorPersister, loadCursors } from './cursor-store.js';
import { errorCode, type JournalFs } from './fs.js';
import { lockJournalDir, type JournalLock } from './lock.js';
import { loadOrCreateMeta } from './meta.js';
import type { SegmentEntry } from './segment-files.js';
import { listSegments } from './segment-files.js';
import { frameChain, frameSourceId } from './record-codec.js';
import { createSegmentReader, type RecordFrame } from './segment-reader.js';
import type { SegmentWriter } from './segment-writer.js';
import { createSegmentWriter } from './segment-writer.js';
import type { SeqReservation } from './seq-reservation.js';
import { loadSeqReservation } from './seq-reservation.js';

export interface OpenOptions {
  readonly dir: string;
  readonly sinkNames: readonly string[];
  readonly fsync: 'always' | 'interval' | 'never';
  readonly newSinkStart: 'head' | 'oldest';
  readonly clock: Clock;
  readonly logger: Logger;
  readonly fs: JournalFs;
  /** Integrity on: the chain is recovered (chain-state.ts). */
  readonly integrityKey?: IntegrityKey;
}

export interface OpenedJournal {
  readonly journalId: string;
  readonly segments: SegmentEntry[];
  readonly writer: SegmentWriter;
  readonly reservation: SeqReservation;
  /** Appends continue after this seq. */
  readonly lastSeq: number;
  readonly tornBytes: number;
  readonly skippedSeqs: number;
  /** One per configured sink; `persisted` is where the sink starts. */
  readonly persisters: Map<string, CursorPersister>;
  /** Held until the journal closes. */
  readonly lock: JournalLock;
  /** With an integrity key: the chain, recovered. */
  readonly chain?: ChainState;
  /**
   * With an integrity key: the source-chosen ids of the newest records of the last segment (at most
   * RECENT_IDS), so a line an input reads again after a crash is not journaled, and chained, twice.
   */
  readonly recentSourceIds?: Set<string>;
}

/**
 * How many of the last segment's newest source ids are kept at open. A file input saves its
 * positions at most a second behind the journal and a Forward client re-sends at most its unacked
 * window, so a crash leaves far fewer re-reads than this; ~10 MiB at worst, freed once consumed.
 */
export const RECENT_IDS = 65_536;

export async function openJournalFiles(options: OpenOptions): Promise<OpenedJournal> {
  await options.fs.mkdir(options.dir, 0o700);
  const lock = await lockJournalDir(options.dir, { logger: options.logger, now: () => options.clock.now() });
  try {
    return await openLocked(options, lock);
  } catch (error) {
    await lock.release();
    throw error;
  }
}

async function openLocked(options: OpenOptions, lock: JournalLock): Promise<OpenedJournal> {
  const { fs: fsOps, dir, logger } = options;
  let names = await fsOps.readdir(dir);
  for (const name of names.filter((n) => n.endsWith('.tmp'))) {
    await fsOps.unlink(join(dir, name)).catch(() => undefined); // an atomic write a crash interrupted
  }
  names = names.filter((n) => !n.endsWith('.tmp'));

  const meta = await loadOrCreateMeta(fsOps, dir, names, options.clock, logger, options.integrityKey ? 2 : 1);
  const segments = await listSegments(fsOps, dir, names);
  let lastRecordSeq = 0;
  let tornBytes = 0;
  const last = segments.at(-1);
  const key = options.integrityKey;
  const chainTail = key ? createChainTail() : undefined;
  const chainFile = key ? await loadChainFile(fsOps, dir, names, logger) : undefined;
  // A ring of the newest source ids: the tail of the segment is where a crash's re-reads come from.
  const recentIds: (string | undefined)[] | undefined = key
    ? new Array<string | undefined>(RECENT_IDS)
    : undefined;
  let recentAt = 0;
  const onFrame = chainTail
    ? (f: RecordFrame) => {
        chainTail.see(f.seq, frameChain(f.buf, f.at).block);
        const id = frameSourceId(f.buf, f.at);
        if (id !== undefined) recentIds![recentAt++ % RECENT_IDS] = id;
      }
    : undefined;
  if (last) ({ lastSeq: lastRecordSeq, tornBytes } = await recoverLastSegment(fsOps, last, logger, onFrame));

  const onDisk = await loadCursors(fsOps, dir, names, logger);
  const reservation = await loadSeqReservation(fsOps, dir, names, logger);
  let found = lastRecordSeq;
  for (const seq of onDisk.values()) if (seq !== undefined && seq > found) found = seq;
  // chain.json may name a checkpoint seq whose record a crash kept from being written: never reuse it.
  const lastSeq = Math.max(found, reservation.reservedThrough, chainFile?.through ?? 0);
  if (lastSeq > found) {
    reservation.addGap(found, lastSeq);
    logger.warn('journal: the previous run did not close cleanly; seqs resume after the last reserved one', {
      lastRecordSeq,
      resumesAt: lastSeq + 1,
    });
  }

  const writer = await createSegmentWriter(
    { fs: fsOps, dir, segments, durable: options.fsync !== 'never' },
    lastSeq + 1,
  );
  const first = segments[0]!;
  const oldestStart = first.size > 0 ? first.firstSeq - 1 : lastSeq;

  const persisters = new Map<string, CursorPersister>();
  for (const sink of options.sinkNames) {
    const known = onDisk.get(sink);
    let start: number;
    if (known === undefined) {
      start = onDisk.has(sink) || options.newSinkStart === 'oldest' ? oldestStart : lastSeq;
      if (!onDisk.has(sink)) {
        logger.info('journal: new sink', { sink, start: options.newSinkStart, firstSeq: start + 1 });
      }
    } else if (known < oldestStart && reservation.countRecords(known, oldestStart) > 0) {
      logger.warn(
        'journal: a sink resumes after records it never got were removed while it was not configured',
        {
          sink,
          committedSeq: known,
          resumesAt: oldestStart + 1,
        },
      );
      start = oldestStart;
    } else {
      start = known;
    }
    const persister = createCursorPersister(fsOps, dir, sink, known ?? -1);
    if (start !== known) await persister.persist(start, true);
    persisters.set(sink, persister);
  }
  for (const [sink, committedSeq] of onDisk) {
    if (options.sinkNames.includes(sink)) continue;
    logger.info(
      'journal: cursor of a sink no longer configured is ignored; it holds no segments (file kept)',
      {
        sink,
        committedSeq,
      },
    );
  }

  const chain = key
    ? await openChainState({
        fs: fsOps,
        dir,
        key,
        journalId: meta.journalId,
        logger,
        file: chainFile,
        tail: chainTail!,
        lastSeq,
        written: found,
      })
    : undefined;

  const recentSourceIds = recentIds ? new Set(recentIds.filter((id) => id !== undefined)) : undefined;
  return {
    ...(chain ? { chain } : {}),
    ...(recentSourceIds && recentSourceIds.size > 0 ? { recentSourceIds } : {}),
    journalId: meta.journalId,
    segments,
    writer,
    reservation,
    lastSeq,
    tornBytes,
    skippedSeqs: lastSeq - found,
    persisters,
    lock,
  };
}

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
  onFrame?: (frame: RecordFrame) => void,
): Promise<RecoveredTail> {
  const reader = createSegmentReader(fsOps, segment, scanBufferBytes);
  let lastSeq = segment.firstSeq - 1;
  let records = 0;
  try {
    for (let f = await reader.next(); f; f = await reader.next()) {
      lastSeq = f.seq;
      records++;
      onFrame?.(f);
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
