/**
 * Making room for a blocked append, whether the journal reached maxBytes or the disk refused a
 * write (ENOSPC, EDQUOT, EIO…). Both end the same way: every sink commits past the segments, GC
 * deletes them, and the append goes on. Invariants:
 * - The active segment is never deleted, so once every sink has durably passed it, it is rolled
 *   (a new, empty segment takes its place) and GC frees it. With the default segment_bytes the
 *   whole journal is one active segment: without the roll a full disk would never be freed.
 * - After a failed write, cursor files that could not be written are written again before GC
 *   looks (GC trusts only persisted cursors), and the write is retried as soon as GC frees bytes,
 *   or after `retryMs` at the latest (space another process freed is seen that way).
 * - Every wait ends when the journal closes (rejects) and when the caller's `stop` aborts
 *   (resolves true: shutdown, the caller reports what it did not store).
 */
import type { Clock } from '../../clock.js';
import type { JournalGc } from './gc.js';
import type { Ledger } from './ledger.js';
import type { SegmentWriter } from './segment-writer.js';

export interface RoomOptions {
  readonly clock: Clock;
  readonly writer: SegmentWriter;
  readonly gc: JournalGc;
  /** lastWritten, the GC epoch and bytes freed, the close signal, and the wait for a GC pass. */
  readonly ledger: Ledger;
  readonly fsync: 'always' | 'interval' | 'never';
  readonly retryMs: number;
}

export interface Room {
  /** Rolls away an active segment every sink has durably passed, then collects; true if it rolled. */
  makeRoom(): Promise<boolean>;
  /** Journal full: waits for GC to free space; true when `stop` ended the wait. */
  waitForSpace(stop: AbortSignal | undefined): Promise<boolean>;
  /** After a failed write: writes cursors still behind, then makeRoom; true if it rolled (and collected). */
  freeAfterFailure(): Promise<boolean>;
  /** A write failed: frees what it can, waits until bytes are freed or retryMs; true on `stop`. */
  waitToRetry(stop: AbortSignal | undefined): Promise<boolean>;
}

export function createRoom(o: RoomOptions): Room {
  const { clock, writer, gc, ledger } = o;
  const signal = ledger.closeSignal;

  const makeRoom = async (): Promise<boolean> => {
    if (writer.active.size === 0 || gc.durablyCommittedByAll() < ledger.lastWritten) return false;
    await writer.roll(ledger.lastWritten + 1);
    await gc.collect();
    return true;
  };

  const freeAfterFailure = async (): Promise<boolean> => {
    // A cursor write the full disk refused gets another chance first: GC trusts only those.
    await gc.persistAll(o.fsync === 'always');
    try {
      return await makeRoom();
    } catch {
      return false; // even creating the next segment failed: the retry meets the same error, logged once
    }
  };

  /** Runs `wait` under close and stop; true when stop ended it, rethrows when close did. */
  const stoppable = async (
    stop: AbortSignal | undefined,
    wait: (s: AbortSignal) => Promise<unknown>,
  ): Promise<boolean> => {
    try {
      await wait(stop ? AbortSignal.any([signal, stop]) : signal);
      return false;
    } catch (error) {
      if (signal.aborted || !stop?.aborted) throw error;
      return true;
    }
  };

  /** Resolves at the next GC pass or after `ms`, whichever comes first. */
  const collectedOrTimeout = async (ms: number, s: AbortSignal): Promise<void> => {
    const done = new AbortController();
    const both = AbortSignal.any([s, done.signal]);
    try {
      await Promise.race([clock.sleep(ms, both), ledger.waitForSpace(both)]);
    } finally {
      done.abort();
    }
  };

  return {
    makeRoom,
    freeAfterFailure,
    waitForSpace: (stop) => stoppable(stop, (s) => ledger.waitForSpace(s)),
    async waitToRetry(stop) {
      const freedBefore = ledger.freedTotal;
      const retryAt = clock.now() + o.retryMs;
      for (;;) {
        if (stop?.aborted) return true;
        if (signal.aborted) throw signal.reason;
        const seen = ledger.gcEpoch;
        if (await freeAfterFailure()) return false;
        if (ledger.freedTotal > freedBefore) return false;
        const left = retryAt - clock.now();
        if (left <= 0) return false;
        if (ledger.gcEpoch !== seen) continue; // GC ran meanwhile: look again before waiting
        if (await stoppable(stop, (s) => collectedOrTimeout(left, s))) return true;
        if (clock.now() >= retryAt) return false;
      }
    },
  };
}
