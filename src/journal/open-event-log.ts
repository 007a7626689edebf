/**
 * Chooses the event log from `buffer`: the durable disk journal (default) or the in-memory log
 * for users who accept losing undelivered events on a crash.
 */
import type { EventProjector } from '../audit/projection.js';
import type { Clock } from '../clock.js';
import type { BufferConfig } from '../config/types.js';
import type { IntegrityKey } from '../integrity/key.js';
import type { Logger } from '../observe/logger.js';
import { createDiskJournal } from './disk/disk-journal.js';
import type { EventLog } from './event-log.js';
import { createMemoryLog } from './memory-log.js';

export async function openEventLog(
  buffer: BufferConfig,
  sinkNames: readonly string[],
  deps: {
    readonly clock: Clock;
    readonly logger: Logger;
    /** Records a sink will never get because a journal segment is damaged (disk journal only). */
    readonly onLostDamaged?: (sinkName: string, records: number) => void;
    /** Integrity on: the disk journal chains every event (the config refuses it with memory). */
    readonly integrityKey?: IntegrityKey;
    /** What each record keeps of its parsed event (audit/projection.ts); default: all of it. */
    readonly project?: EventProjector;
  },
): Promise<EventLog> {
  if (buffer.type === 'memory') {
    if (deps.integrityKey) throw new Error('integrity needs the disk journal (buffer.type: disk)');
    return createMemoryLog({
      sinkNames,
      maxBytes: buffer.max_bytes,
      whenFull: buffer.when_full,
      project: deps.project,
    });
  }
  const journal = await createDiskJournal({
    dir: buffer.data_dir,
    sinkNames,
    fsync: buffer.fsync,
    fsyncIntervalMs: buffer.fsync_interval_ms,
    maxBytes: buffer.max_bytes,
    segmentBytes: buffer.segment_bytes,
    whenFull: buffer.when_full,
    newSinkStart: buffer.new_sink_start,
    clock: deps.clock,
    logger: deps.logger,
    onLostDamaged: deps.onLostDamaged,
    ...(deps.integrityKey ? { integrityKey: deps.integrityKey } : {}),
    project: deps.project,
  });
  deps.logger.info('journal opened', {
    data_dir: buffer.data_dir,
    journal_id: journal.journalId,
    next_seq: journal.recovery.lastSeq + 1,
    ...(journal.recovery.tornBytes > 0 ? { torn_bytes_cut: journal.recovery.tornBytes } : {}),
    ...(journal.integrity ? { integrity_key_id: journal.integrity.keyId } : {}),
  });
  return journal;
}
