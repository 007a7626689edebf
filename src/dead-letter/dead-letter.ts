/**
 * Every line or event that does not reach a sink, and is not plain non-audit noise, is written
 * here with the reason: the dead-letter file is the auditor's proof that nothing vanished.
 * One NDJSON record per rejected line or event. Never contains secrets: only the input line
 * (or its prefix) and the receiver's error text.
 */
import type { DeadLetterRecord } from '../contract/dead-letter-record.js';

// The record's shape is part of the delivery contract (a sink worker hands records back).
export type { DeadLetterReason, DeadLetterRecord } from '../contract/dead-letter-record.js';

export interface DeadLetterSink {
  /**
   * Resolves once the records are written (and flushed per the durability policy). A write the
   * disk refuses is retried until it works; `stop` (shutdown) ends that wait, and then the write
   * rejects with a DeadLetterUnwritten error: the records are not in the file, the caller still
   * holds them and must count them (never a silent loss). A write whose `stop` has already
   * aborted still gets one attempt when nothing is queued before it.
   */
  write(records: readonly DeadLetterRecord[], stop?: AbortSignal): Promise<void>;
  close(): Promise<void>;
}

/** What `write` rejects with when shutdown (or close) came before the records could be written. */
export interface DeadLetterUnwritten extends Error {
  readonly code: 'DEAD_LETTER_UNWRITTEN';
  /** Records of that write that are not in the file. */
  readonly records: number;
}

export function deadLetterUnwritten(records: number, cause: string): DeadLetterUnwritten {
  return Object.assign(
    new Error(`${records} record(s) could not be written to the dead-letter file before shutdown (${cause})`),
    { code: 'DEAD_LETTER_UNWRITTEN' as const, records },
  );
}

export function isDeadLetterUnwritten(error: unknown): error is DeadLetterUnwritten {
  return (error as { code?: unknown } | null)?.code === 'DEAD_LETTER_UNWRITTEN';
}
