/**
 * The one place dead-letter records are built, from what was refused:
 * - a framed input line (too long, not UTF-8, or refused by policy) and a classifier's verdict
 *   on it, located in the input by the line's number and byte offset;
 * - a journaled record a sink could not deliver (refused, not encodable, left at shutdown),
 *   named by its sink, event id and seq.
 * Records carry the line as text when it is valid UTF-8, else its exact bytes in base64; a line
 * too long to keep keeps its prefix and says so (`truncated`).
 */
import type { Classification } from '../audit/classify.js';
import type { AuditRecord } from '../audit/record.js';
import type { FramedLine, LinePosition } from '../sources/line-framer.js';
import type { DeadLetterReason, DeadLetterRecord } from './dead-letter.js';

/** A line read from the input, refused before it reached the journal. */
export function inputLineRecord(
  framed: FramedLine,
  reason: DeadLetterReason,
  detail: string,
  source: string,
): DeadLetterRecord {
  const at = inputPosition(framed);
  switch (framed.kind) {
    case 'too_long':
      return {
        reason,
        detail,
        source,
        ...at,
        ...lineFields(framed.prefix),
        line_bytes: framed.bytes,
        truncated: true,
      };
    case 'invalid_utf8':
      return {
        reason,
        detail,
        source,
        ...at,
        line_base64: framed.raw.toString('base64'),
        line_bytes: framed.bytes,
        truncated: false,
      };
    case 'line':
      return { reason, detail, source, ...at, line: framed.text, line_bytes: framed.bytes, truncated: false };
  }
}

/** A line the framer refused: over max_line_bytes (its prefix kept), or not valid UTF-8. */
export function framingRecord(
  framed: Exclude<FramedLine, { kind: 'line' }>,
  maxLineBytes: number,
  source: string,
): DeadLetterRecord {
  return framed.kind === 'too_long'
    ? inputLineRecord(
        framed,
        'line_too_long',
        `line is ${framed.bytes} bytes, over max_line_bytes (${maxLineBytes}); only its first ${framed.prefix.length} bytes are kept here`,
        source,
      )
    : inputLineRecord(
        framed,
        'invalid_utf8',
        'line is not valid UTF-8; its exact bytes are in line_base64',
        source,
      );
}

/** A line of valid UTF-8 the classifier refused: not JSON, or an audit line the schema refuses. */
export function verdictRecord(
  framed: Extract<FramedLine, { kind: 'line' }>,
  verdict: Extract<Classification, { verdict: 'not_json' | 'invalid' }>,
  source: string,
): DeadLetterRecord {
  if (verdict.verdict === 'not_json') return inputLineRecord(framed, 'not_json', verdict.detail, source);
  const detail = verdict.path ? `${verdict.path}: ${verdict.detail}` : verdict.detail;
  return inputLineRecord(framed, verdict.reason ?? 'invalid', detail, source);
}

/** An event from the journal that the sink `sink` cannot deliver. */
export function journaledRecord(
  record: Pick<AuditRecord, 'id' | 'seq' | 'line' | 'bytes'>,
  reason: DeadLetterReason,
  detail: string,
  source: string,
  sink: string,
): DeadLetterRecord {
  return {
    reason,
    detail,
    source,
    sink,
    event_id: record.id,
    seq: record.seq,
    line: record.line,
    line_bytes: record.bytes,
    truncated: false,
  };
}

/** The dead-letter fields that locate a line in the input. */
function inputPosition(at: LinePosition): { line_number: number; byte_offset: number } {
  return { line_number: at.lineNumber, byte_offset: at.offset };
}

/**
 * A dead-letter line field for a prefix: text when the bytes are valid UTF-8 (a character cut at
 * the prefix's end is left out), else base64 of the exact bytes.
 */
function lineFields(bytes: Buffer): { line: string } | { line_base64: string } {
  try {
    return { line: new TextDecoder('utf-8', { fatal: true }).decode(bytes, { stream: true }) };
  } catch {
    return { line_base64: bytes.toString('base64') };
  }
}
