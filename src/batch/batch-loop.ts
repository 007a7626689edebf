/**
 * Gathers the next batch from a sink's cursor: returns as soon as the batch is full, when its
 * oldest record has waited max_wait_ms, or at once when the input has ended (flush what is there).
 *
 * Waiting costs nothing per record: with a partial batch held, the loop asks the cursor to wake it
 * only once enough records to fill the batch may be there (or at the deadline), not at every
 * append, and each wait is a cleared timer and a cancelled subscription (wait.ts), not an aborted
 * sleep that throws. Aborting `signal` resolves undefined promptly; records already taken stay
 * uncommitted in the journal, so nothing is lost.
 */
import type { AuditRecord } from '../audit/record.js';
import type { Clock } from '../clock.js';
import type { RecordsWanted, SinkCursor } from '../journal/event-log.js';
import { createWaiter, type Waiter } from '../wait.js';
import type { Batcher } from './batcher.js';

/**
 * A waiting loop is woken at least this often while records keep coming, even when its batch has
 * more room: the disk journal keeps the newest records in memory only while a cursor stays close
 * to the head (journal/disk/tail-cache.ts, 8192 records / 2 MiB by default), and one wake per this
 * many records is cheap.
 */
const WAKE_EVERY_EVENTS = 1024;
const WAKE_EVERY_BYTES = 256 * 1024;

/**
 * The next batch, or undefined when the cursor is drained and nothing is held (or on abort).
 * Pass the same `batcher` on every call: records that overflowed one batch start the next.
 * `waiter` (on `clock` and `signal`) lets a long-running loop keep one for its whole life;
 * without it, one is made for this call.
 */
export async function nextBatch(
  cursor: SinkCursor,
  batcher: Batcher,
  clock: Clock,
  signal: AbortSignal,
  waiter?: Waiter,
): Promise<AuditRecord[] | undefined> {
  const waits = waiter ?? createWaiter(clock, signal);
  try {
    for (;;) {
      if (signal.aborted) return undefined;
      let took = 0;
      if (!batcher.isFull()) {
        const room = batcher.room();
        const more = await cursor.take(room.events, room.bytes);
        took = more.length;
        batcher.add(more, clock.now());
      }
      if (batcher.isFull()) return batcher.take();
      if (took > 0) continue;
      if (cursor.drained) return batcher.count > 0 ? batcher.take() : undefined;
      const deadline = batcher.deadline();
      const now = clock.now();
      if (deadline !== undefined && now >= deadline) return batcher.take();
      const want = recordsWanted(batcher);
      const outcome = await waits.wait(
        (wake) => cursor.onRecords(wake, want),
        deadline === undefined ? undefined : deadline - now,
      );
      if (outcome === 'aborted') return undefined;
    }
  } finally {
    if (!waiter) waits.dispose();
  }
}

/** An empty batcher wants the first record (it starts the deadline); a partial one, enough to fill it. */
function recordsWanted(batcher: Batcher): RecordsWanted | undefined {
  if (batcher.count === 0) return undefined;
  const room = batcher.room();
  return {
    events: Math.max(1, Math.min(room.events, WAKE_EVERY_EVENTS)),
    bytes: Math.max(1, Math.min(room.bytes, WAKE_EVERY_BYTES)),
  };
}
