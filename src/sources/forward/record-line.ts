/**
 * A Forward record → the input line it carries, following Docker's `fluentd` log driver
 * (moby daemon/logger/fluentd/fluentd.go): `{container_id, container_name, source, log}`, every
 * value a string, `log` without its newline; lines over 16 KiB arrive as pieces marked
 * `partial_message: "true"` with `partial_id`, `partial_ordinal` ("1", "2", …) and `partial_last`
 * (moby daemon/logger/copier.go).
 *
 * - The line is `record[line_key]` (default `log`), else `record.message`, as raw bytes.
 * - `source` selects the stream: records whose `source` is not in `streams` are counted and
 *   skipped; records without `source` (other Fluent clients) are kept.
 * - Metadata: the tag, `container_name`, and `container_id` shortened to Docker's 12 characters.
 * - A record with no line (no such key, or not a string) is not silently skipped: it becomes a
 *   rejected line carrying the record as JSON, so it is dead-lettered with the reason.
 */
import type { LineMetadata } from '../input.js';
import { ForwardProtocolError, asText, describeType, type ForwardRecord } from './decode-request.js';

export type RecordLine =
  | { readonly kind: 'filtered'; readonly stream: string }
  | { readonly kind: 'line'; readonly bytes: Buffer; readonly metadata: LineMetadata }
  | {
      readonly kind: 'partial';
      readonly id: string;
      readonly ordinal: number;
      readonly last: boolean;
      readonly bytes: Buffer;
      readonly metadata: LineMetadata;
    }
  | {
      readonly kind: 'no_line';
      readonly detail: string;
      readonly json: Buffer;
      readonly metadata: LineMetadata;
    };

export interface RecordLineOptions {
  readonly lineKey: string;
  readonly streams: readonly string[];
}

const SHORT_ID = 12;

function asBytes(value: unknown): Buffer | undefined {
  if (value instanceof Uint8Array) return Buffer.from(value.buffer, value.byteOffset, value.byteLength);
  if (typeof value === 'string') return Buffer.from(value, 'utf8');
  return undefined;
}

/** JSON of a record whose raw-byte strings are shown as text, for a dead-letter record. */
function recordJson(record: ForwardRecord): Buffer {
  // `this[key]` is the value before toJSON: a Buffer would otherwise show as {type, data}.
  const replacer = function (this: Record<string, unknown>, key: string, value: unknown): unknown {
    const original = this[key];
    return original instanceof Uint8Array ? asText(original) : value;
  };
  return Buffer.from(JSON.stringify(record, replacer), 'utf8');
}

function metadataOf(tag: string, record: ForwardRecord): LineMetadata {
  const metadata: Record<string, string> = { tag };
  const name = asText(record['container_name']);
  if (name !== undefined) metadata['container_name'] = name.startsWith('/') ? name.slice(1) : name;
  const id = asText(record['container_id']);
  if (id !== undefined) metadata['container_id'] = id.slice(0, SHORT_ID);
  return metadata;
}

export function recordLine(tag: string, record: ForwardRecord, options: RecordLineOptions): RecordLine {
  const stream = asText(record['source']);
  if (stream !== undefined && !options.streams.includes(stream)) return { kind: 'filtered', stream };
  const metadata = metadataOf(tag, record);
  const key = record[options.lineKey] !== undefined ? options.lineKey : 'message';
  const bytes = asBytes(record[key]);
  if (bytes === undefined) {
    const found = record[key] === undefined ? 'absent' : `a ${describeType(record[key])}`;
    const keys = Object.keys(record).slice(0, 20).join(',');
    const detail = `record has no text line: "${options.lineKey}"${key !== options.lineKey ? ' and "message" are' : ' is'} ${found} (keys: ${keys})`;
    return { kind: 'no_line', detail, json: recordJson(record), metadata };
  }
  if (asText(record['partial_message']) !== 'true') return { kind: 'line', bytes, metadata };
  const id = asText(record['partial_id']);
  const ordinalText = asText(record['partial_ordinal']);
  const ordinal =
    ordinalText !== undefined && /^[1-9][0-9]{0,8}$/.test(ordinalText) ? Number(ordinalText) : NaN;
  const last = asText(record['partial_last']);
  if (!id || Number.isNaN(ordinal) || (last !== 'true' && last !== 'false')) {
    throw new ForwardProtocolError(
      `partial piece needs partial_id, partial_ordinal ("1", "2", …) and partial_last ("true"/"false"), got ${describeType(record['partial_id'])}, ${JSON.stringify(ordinalText ?? null)}, ${JSON.stringify(last ?? null)}`,
    );
  }
  return { kind: 'partial', id, ordinal, last: last === 'true', bytes, metadata };
}
