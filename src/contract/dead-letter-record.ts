/**
 * A dead-letter record: what is written for a line or event that does not reach a sink, with the
 * reason. Plain data (crosses the input/sink-worker boundary: see index.ts); the file that
 * stores it is dead-letter/file-dead-letter.ts. Never contains secrets: only the input line (or
 * its prefix) and the receiver's error text, which the transport has scrubbed.
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
  | 'undelivered_at_shutdown'
  | InputRejectReason;

/**
 * Why an input itself refused a line before classification (InputLine.rejected in
 * sources/input.ts): the line is dead-lettered with this reason and the input's detail.
 */
export type InputRejectReason =
  /** A partial line (Forward `partial_message`) whose last piece did not come within partial_timeout. */
  | 'partial_timeout'
  /** A CRI/json-file partial run whose end will never come (file gone, container gone). */
  | 'partial_line_unterminated'
  /** A line of a CRI log file that is not `<time> <stream> <P|F> <content>`. */
  | 'invalid_cri_line'
  /** A line of a Docker json-file log that is not a `{"log":…,"stream":…,"time":…}` record. */
  | 'invalid_docker_line'
  /** A Forward record with no string under line_key (nor `message`): the record is kept as JSON. */
  | 'forward_no_line';

export interface DeadLetterRecord {
  readonly reason: DeadLetterReason;
  /** Human-readable detail: the failing field path, the receiver's message… */
  readonly detail: string;
  /** Where the line came from ("stdin", "file:<path>", "forward:<peer>"). */
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
