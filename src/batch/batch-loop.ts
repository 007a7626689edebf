/**
 * Gathers the next batch from a sink's cursor: returns as soon as the batch is full, when its
 * oldest record has waited max_wait_ms, or at once when the input has ended (flush what is there).
 *
 * Every wait is raced against the batch deadline under its own AbortController, and the loser is
 * aborted, so a long-running sink leaks neither listeners nor timers. Aborting `signal` resolves
 * undefined promptly; records already taken stay uncommitted in the journal, so nothing is lost.
 */
import type { AuditRecord } from '../audit/record.js';
import type { Clock } from '../clock.js';
import type { SinkCursor } from '../journal/event-log.js';
import { linkedAbort } from '../linked-abort.js';
import type { Batcher } from './batcher.js';

/**
 * The next batch, or undefined when the cursor is drained and nothing is held (or on abort).
 * Pass the same `batcher` on every call: records that overflowed one batch start the next.
 */
export async function nextBatch(
  cursor: SinkCursor,
  batcher: Batcher,
  clock: Clock,
  signal: AbortSignal,
): Promise<AuditRecord[] | undefined> {
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
    if (deadline !== undefined && clock.now() >= deadline) return batcher.take();
    await waitForRecordsOrDeadline(cursor, clock, deadline, signal);
  }
}

async function waitForRecordsOrDeadline(
  cursor: SinkCursor,
  clock: Clock,
  deadline: number | undefined,
  signal: AbortSignal,
): Promise<void> {
  const wait = linkedAbort(signal);
  // Each wait settles to undefined either way: the loop re-checks the state after any wake-up.
  const settle = (p: Promise<void>) => p.then(ignore, ignore);
  const waits = [settle(cursor.waitForRecords(wait.signal))];
  if (deadline !== undefined) waits.push(settle(clock.sleep(deadline - clock.now(), wait.signal)));
  try {
    await Promise.race(waits);
  } finally {
    wait.abort(); // the wait that lost the race ends too
    wait.dispose();
  }
}

function ignore(): void {}
