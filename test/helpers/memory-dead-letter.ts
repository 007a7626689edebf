/** A DeadLetterSink that keeps records in memory, for asserting what was dead-lettered. */
import type { DeadLetterRecord, DeadLetterSink } from '../../src/dead-letter/dead-letter.js';

export function createMemoryDeadLetter(): DeadLetterSink & { readonly records: DeadLetterRecord[] } {
  const records: DeadLetterRecord[] = [];
  return {
    records,
    write(more) {
      records.push(...more);
      return Promise.resolve();
    },
    close: () => Promise.resolve(),
  };
}
