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
import type { SegmentWriter } from './segment-writer.js';
import type { Wakeup } from '../wakeup.js';

export interface RoomOptions {
  readonly clock: Clock;
  readonly writer: SegmentWriter;
  readonly gc: JournalGc;
  readonly fsync: 'always' | 'interval' | 'never';
  readonly retryMs: number;
  /** Aborted by close. */
  readonly signal: AbortSignal;
  readonly spaceFreed: Wakeup;
  lastWritten(): number;
}

export interface Room {
  /** Bumped by every GC pass: a waiter that saw no room checks it before waiting, so no wake-up is missed. */
  readonly epoch: number;
  /** Rolls away an active segment every sink has durably passed, then collects; true if it rolled. */
  makeRoom(): Promise<boolean>;
  /** Journal full: waits for GC to free space; true when `stop` ended the wait. */
  waitForSpace(stop: AbortSignal | undefined): Promise<boolean>;
  /** After a failed write: writes cursors still behind, then makeRoom; true if it rolled (and collected). */
  freeAfterFailure(): Promise<boolean>;
  /** A write failed: frees what it can, waits until bytes are freed or retryMs; true on `stop`. */
  waitToRetry(stop: AbortSignal | undefined): Promise<boolean>;
  /** GC ran (freedBytes may be 0 when only cursors moved): wake whoever waits for room. */
  collected(freedBytes: number): void;
}

export function createRoom(o: RoomOptions): Room {
  const { clock, writer, gc, signal, spaceFreed } = o;
  let freedTotal = 0;
  let epoch = 0;

  const makeRoom = async (): Promise<boolean> => {
    if (writer.active.size === 0 || gc.durablyCommittedByAll() < o.lastWritten()) return false;
    await writer.roll(o.lastWritten() + 1);
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
      await Promise.race([clock.sleep(ms, both), spaceFreed.wait(both)]);
    } finally {
      done.abort();
    }
  };

  return {
    get epoch() {
      return epoch;
    },
    makeRoom,
    freeAfterFailure,
    waitForSpace: (stop) => stoppable(stop, (s) => spaceFreed.wait(s)),
    async waitToRetry(stop) {
      const freedBefore = freedTotal;
      const retryAt = clock.now() + o.retryMs;
      for (;;) {
        if (stop?.aborted) return true;
        if (signal.aborted) throw signal.reason;
        const seen = epoch;
        if (await freeAfterFailure()) return false;
        if (freedTotal > freedBefore) return false;
        const left = retryAt - clock.now();
        if (left <= 0) return false;
        if (epoch !== seen) continue; // GC ran meanwhile: look again before waiting
        if (await stoppable(stop, (s) => collectedOrTimeout(left, s))) return true;
        if (clock.now() >= retryAt) return false;
      }
    },
    collected(freedBytes) {
      freedTotal += freedBytes;
      epoch++;
      spaceFreed.wakeAll();
    },
  };
}
