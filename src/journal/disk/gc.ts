/**
 * Cursor persistence and segment garbage collection, which depend on each other: a segment may go
 * only once every configured sink's cursor is written past it, so GC reads the *persisted* cursor
 * values, never the in-memory ones (a crash between the two would otherwise lose records).
 *
 * Persistence per fsync policy: always → written and fsynced before commit() resolves; never →
 * written at once in the background (coalesced, no fsync); interval → written with fsync by the
 * interval sync. A cursor write that fails is logged and retried with the next commit, sync or
 * close: the commit stays in memory, and the worst a crash can then do is re-send (never lose).
 */
import type { Logger } from '../../observe/logger.js';
import type { CursorPersister } from './cursor-store.js';
import type { JournalFs } from './fs.js';
import { errorCode } from './fs.js';
import type { Ledger } from './ledger.js';
import type { SegmentEntry } from './segment-files.js';
import type { SeqReservation } from './seq-reservation.js';

/**
 * The garbage-collection rule, kept pure so it can be tested as a table: a segment may be deleted
 * once every active cursor has durably committed past its last record, i.e. up to the next
 * segment's first seq - 1. The last segment (the one being written) is never deleted.
 *
 * How many segments, from the oldest, may be deleted when every active cursor has committed
 * `committedByAll`. `recordsBetween(after, upTo)` counts records that can exist in (after, upTo]:
 * seqs skipped after an unclean stop (seq-reservation.ts) hold nothing back.
 */
export function collectableCount(
  segments: readonly SegmentEntry[],
  committedByAll: number,
  recordsBetween: (after: number, upTo: number) => number = (after, upTo) => upTo - after,
): number {
  let n = 0;
  while (n < segments.length - 1 && recordsBetween(committedByAll, segments[n + 1]!.firstSeq - 1) <= 0) n++;
  return n;
}

export interface JournalGcOptions {
  readonly fs: JournalFs;
  readonly logger: Logger;
  readonly fsync: 'always' | 'interval' | 'never';
  readonly segments: SegmentEntry[];
  readonly reservation: SeqReservation;
  /** Persisters of the configured sinks only: removed sinks hold nothing back. */
  readonly persisters: ReadonlyMap<string, CursorPersister>;
  /** Runs before segments are deleted (integrity: save the chain head, chain-state.ts). */
  readonly beforeDelete?: () => Promise<void>;
  /**
   * In-memory commits to persist; lastWritten (what "everything committed" means when no sink is
   * configured). Told of every pass (`collected`: bytes freed, or only cursors moved, so a blocked
   * append looks again) and of commits the interval sync must make durable (`requestSync`).
   */
  readonly ledger: Ledger;
}

export interface JournalGc {
  cursorCommitted(sinkName: string): Promise<void>;
  /** Writes every cursor whose persisted value is behind; false if any write failed. */
  persistAll(sync: boolean): Promise<boolean>;
  /** The lowest persisted cursor (lastWritten when no sink is configured). */
  durablyCommittedByAll(): number;
  collect(): Promise<void>;
  /** Resolves once no collection is running. */
  idle(): Promise<void>;
  /** Resolves once background cursor writes started so far, and the collections after them, are done. */
  settle(): Promise<void>;
}

export function createJournalGc(options: JournalGcOptions): JournalGc {
  const { fs: fsOps, logger, segments, persisters, ledger } = options;
  const failing = new Set<string>();
  let running: Promise<void> | undefined;
  let again = false;
  const background = new Set<Promise<unknown>>();

  const persist = async (sinkName: string, sync: boolean): Promise<boolean> => {
    const p = persisters.get(sinkName)!;
    const seq = ledger.committedOf(sinkName);
    try {
      await p.persist(seq, sync);
      if (failing.delete(sinkName))
        logger.info('journal: cursor file written again', { sink: sinkName, seq });
      return true;
    } catch (err) {
      if (!failing.has(sinkName)) {
        failing.add(sinkName);
        logger.error(
          'journal: cannot write a cursor file; kept in memory and retried (a crash would re-send)',
          {
            sink: sinkName,
            error: errorCode(err),
          },
        );
      }
      return false;
    }
  };

  const durablyCommittedByAll = (): number => {
    let min = ledger.lastWritten;
    for (const p of persisters.values()) if (p.persisted < min) min = p.persisted;
    return min;
  };

  const collectOnce = async (): Promise<number> => {
    const upTo = durablyCommittedByAll();
    options.reservation.pruneGaps(upTo);
    const n = collectableCount(segments, upTo, (after, last) =>
      options.reservation.countRecords(after, last),
    );
    let freed = 0;
    if (n > 0 && options.beforeDelete) {
      try {
        await options.beforeDelete();
      } catch (err) {
        // Keeping the segments could leave a full disk full for good: delete anyway. Only a crash
        // before the next chain.json write then loses the head (verify shows a break there).
        logger.warn('journal: cannot save the chain state before deleting segments', {
          error: errorCode(err),
        });
      }
    }
    for (let i = 0; i < n; i++) {
      const segment = segments[0]!;
      try {
        await fsOps.unlink(segment.path);
      } catch (err) {
        if (errorCode(err) !== 'ENOENT') {
          logger.warn('journal: cannot delete a collected segment; will retry', {
            segment: segment.path,
            error: errorCode(err),
          });
          break;
        }
      }
      segments.shift();
      freed += segment.size;
    }
    return freed;
  };

  const collect = (): Promise<void> => {
    if (running) {
      again = true;
      return running;
    }
    running = (async () => {
      let freed = 0;
      try {
        do {
          again = false;
          freed += await collectOnce();
        } while (again);
      } catch (err) {
        logger.error('journal: garbage collection failed; will retry', { error: errorCode(err) });
      }
      ledger.collected(freed);
    })().finally(() => {
      running = undefined;
    });
    return running;
  };

  return {
    async cursorCommitted(sinkName) {
      if (options.fsync === 'always') {
        if (await persist(sinkName, true)) await collect();
        return;
      }
      // interval and never: written at once but not awaited (a sink never waits on the disk for a
      // duplicate-only risk), so a process crash re-sends at most what was in flight; with
      // interval the periodic sync then makes it durable against a machine crash too.
      const p = persist(sinkName, false).then((ok) => (ok ? collect() : undefined));
      background.add(p);
      void p.finally(() => background.delete(p));
      if (options.fsync === 'interval') ledger.requestSync();
    },
    async persistAll(sync) {
      let ok = true;
      for (const name of persisters.keys()) {
        const p = persisters.get(name)!;
        if (p.persisted < ledger.committedOf(name) || sync) ok = (await persist(name, sync)) && ok;
      }
      return ok;
    },
    durablyCommittedByAll,
    collect,
    idle: async () => {
      while (running) await running.catch(() => undefined);
    },
    async settle() {
      await Promise.all(background);
      while (running) await running.catch(() => undefined);
    },
  };
}
