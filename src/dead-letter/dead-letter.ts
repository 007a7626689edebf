/**
 * Every line or event that does not reach a sink, and is not plain non-audit noise, is written
 * here with the reason: the dead-letter file is the auditor's proof that nothing vanished.
 * One NDJSON record per rejected line or event. Never contains secrets: only the input line
 * (or its prefix) and the receiver's error text.
 */
export type DeadLetterReason =
  | 'not_json'
  | 'invalid_utf8'
  | 'line_too_long'
  | 'invalid'
  /** An audit line nested deeper than input.max_depth (counted as verdict invalid). */
  | 'too_deep'
  | 'unknown_action'
  | 'rejected'
  /** A sink's encoder could not turn this one event into request bytes (per sink, like rejected). */
  | 'encode_failed'
  | 'undelivered_at_shutdown';

export interface DeadLetterRecord {
  readonly reason: DeadLetterReason;
  /** Human-readable detail: the failing field path, the receiver's message… */
  readonly detail: string;
  /** Where the line came from ("stdin", a file path). */
  readonly source: string;
  /**
   * Where the line is in that input, for records written while reading it (not for per-sink
   * records, whose events come back from the journal): its 1-based line number and the byte
   * offset of its first byte, counted from the start of this run's input.
   */
  readonly line_number?: number;
  readonly byte_offset?: number;
  /** For per-sink rejections: which sink refused it. */
  readonly sink?: string;
  readonly event_id?: string;
  readonly seq?: number;
  /** The line as text (UTF-8), or its prefix when truncated. Absent when the line is not valid UTF-8. */
  readonly line?: string;
  /** The raw bytes (base64) when the line is not valid UTF-8. */
  readonly line_base64?: string;
  /** The real length of the line in bytes, even when only a prefix is kept. */
  readonly line_bytes: number;
  readonly truncated: boolean;
}

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
