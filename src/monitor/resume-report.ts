/**
 * At start, what an earlier run left for each sink, in one info line per sink with events pending:
 * "resuming: loki 1042 events pending (oldest read at 2026-11-25T10:00:00.000Z)".
 *
 * A cursor knows the age of what it has taken only, so the oldest pending record is read once
 * here (take one, then rewind): nothing is consumed, and the sink's worker starts from the same
 * place. A read error only leaves the age out; the journal reports the error itself.
 */
import type { AuditRecord } from '../audit/record.js';
import type { SinkCursor } from '../journal/event-log.js';
import type { Logger } from '../observe/logger.js';

export async function reportResume(cursors: ReadonlyMap<string, SinkCursor>, logger: Logger): Promise<void> {
  for (const [sink, cursor] of cursors) {
    const pending = cursor.lag().events;
    if (pending === 0) continue;
    let oldest: AuditRecord | undefined;
    try {
      [oldest] = await cursor.take(1, 1);
    } catch {
      oldest = undefined;
    } finally {
      cursor.rewind();
    }
    const readAt = oldest ? new Date(oldest.receivedAtMs).toISOString() : undefined;
    logger.info(`resuming: ${sink} ${pending} events pending${readAt ? ` (oldest read at ${readAt})` : ''}`, {
      sink,
      pending,
      ...(oldest ? { oldest_received_at: readAt, oldest_seq: oldest.seq } : {}),
    });
  }
}
