/**
 * AuditRecords → one `_bulk` request (NDJSON: an action line and a document line per record, every
 * line ending in "\n"). Pure and deterministic: the same records always give the same bytes, so a
 * retried or split batch carries the same `_id`s and `create` turns a resend into the same index
 * into a harmless 409 (not across a rollover: index.ts).
 *
 * The document is the audit event with every original field and value, plus `@timestamp` (from the
 * event's `time`, Unix SECONDS), `wirety_ship: {event_id, seq, source}` and, for a record with input
 * metadata, `kubernetes` / `container` objects and `wirety_ship.tag` (metadata-fields.ts). It is
 * built by splicing the original line when that is provably equivalent (it also keeps big integers
 * exact), otherwise by serialising a copy; a field of ours never silently replaces one of the
 * event's: an event field of the same name is kept under `wirety_ship.overwritten`.
 *
 * Integrity (issue 13): a record with `integrity` also gets `wirety_ship.{journal, chain,
 * chain_prev}` after `source`, on both paths (one function writes our fields). A checkpoint record
 * (`kind: 'checkpoint'`) goes to its own index (`checkpointIndex`, a pattern resolved from when it
 * was made), op `create` whatever `op` says, `_id` = its record id (a resend is a 409: delivered),
 * document = the checkpoint JSON with `@timestamp` (when it was made) in front, and no ingest
 * pipeline (`_none`: a pipeline written for audit events must not alter or refuse it).
 */
import { eventKeyCount, wholeEvent } from '../../audit/projection.js';
import { createHash } from 'node:crypto';
import type { AuditRecord } from '../../audit/record.js';
import type { SinkRequest } from '../../contract/sink.js';
import { createIndexNamer } from './index-name.js';
import { metadataFields, type MetadataFields } from './metadata-fields.js';

export interface BulkEncodeOptions {
  /** Index name pattern (%Y %m %d %H from the event time, UTC). Ignored when `dataStream` is set. */
  readonly index: string;
  /** Data stream name: used as `_index` verbatim, and forces op `create`. */
  readonly dataStream?: string;
  readonly op: 'create' | 'index';
  readonly pipeline?: string;
  /** Index name pattern for checkpoint records (default DEFAULT_CHECKPOINT_INDEX). */
  readonly checkpointIndex?: string;
}

export const DEFAULT_CHECKPOINT_INDEX = 'wirety-ship-checkpoints';

export interface BulkEncoder {
  /** The op every action line uses (always `create` for a data stream). */
  readonly op: 'create' | 'index';
  encode(records: readonly AuditRecord[]): SinkRequest;
  /** The `_index` a record's action line names (a plain function: safe to pass around). */
  readonly indexOf: (record: AuditRecord) => string;
}

/** OpenSearch ≥ 2.9 refuses longer `_id`s (Elasticsearch: 512 bytes too). */
export const MAX_ID_BYTES = 512;
const HEADERS: Readonly<Record<string, string>> = Object.freeze({ 'content-type': 'application/x-ndjson' });
/**
 * Only what classify reads: a reply then grows by ~70 bytes per stored item (not ~250), and an
 * item's error object is kept whole. Error replies are never filtered by Elasticsearch.
 */
export const FILTER_PATH = 'errors,items.*._id,items.*.status,items.*.error';
/** Keys we add; their presence anywhere in a line sends it down the careful path. */
const OURS = ['@timestamp', 'wirety_ship'] as const;

export function createBulkEncoder(options: BulkEncodeOptions): BulkEncoder {
  const op = options.dataStream === undefined ? options.op : 'create';
  const path =
    `/_bulk?filter_path=${FILTER_PATH}` +
    (options.pipeline ? `&pipeline=${encodeURIComponent(options.pipeline)}` : '');
  const indexFor =
    options.dataStream === undefined ? createIndexNamer(options.index) : () => options.dataStream!;
  const timestamps = createTimestampFormatter();
  const checkpointIndexFor = createIndexNamer(options.checkpointIndex ?? DEFAULT_CHECKPOINT_INDEX);
  const noPipeline = options.pipeline ? ',"pipeline":"_none"' : '';
  const checkpointPair = (record: AuditRecord): string =>
    `{"create":{"_index":${JSON.stringify(checkpointIndexFor(record.receivedAtMs))}${noPipeline},"_id":` +
    `${JSON.stringify(documentId(record.id))}}}\n${checkpointDocument(record, new Date(record.receivedAtMs).toISOString())}\n`;
  let lastIndex: string | undefined;
  let lastPrefix = '';

  const actionPrefix = (index: string): string => {
    if (index !== lastIndex) {
      lastIndex = index;
      lastPrefix = `{"${op}":{"_index":${JSON.stringify(index)},"_id":`;
    }
    return lastPrefix;
  };

  return {
    op,
    indexOf: (record) =>
      record.kind === 'checkpoint'
        ? checkpointIndexFor(record.receivedAtMs)
        : indexFor(eventTimeMs(record).ms),
    encode(records) {
      let out = Buffer.allocUnsafe(estimateBytes(records));
      let offset = 0;
      for (const record of records) {
        if (record.kind === 'checkpoint') {
          const pair = checkpointPair(record);
          if (offset + pair.length * 3 > out.length) out = grow(out, offset, pair.length * 3);
          offset += out.write(pair, offset, 'utf8');
          continue;
        }
        const { ms, fromEvent } = eventTimeMs(record);
        const timestamp = timestamps(ms);
        const pair =
          actionPrefix(indexFor(ms)) +
          JSON.stringify(documentId(record.id)) +
          '}}\n' +
          (documentBySplice(record, timestamp, fromEvent) ?? documentByCopy(record, timestamp, fromEvent)) +
          '\n';
        // Worst case 3 bytes per UTF-16 unit: grow before writing so nothing is ever truncated.
        if (offset + pair.length * 3 > out.length) out = grow(out, offset, pair.length * 3);
        offset += out.write(pair, offset, 'utf8');
      }
      return { path, method: 'POST', headers: HEADERS, body: out.subarray(0, offset) };
    },
  };
}

/** Per record: the line plus action line and our fields (about 200 bytes with typical ids). */
function estimateBytes(records: readonly AuditRecord[]): number {
  let n = 1024;
  for (const r of records) n += r.bytes + 256;
  return n;
}

function grow(buffer: Buffer, used: number, needed: number): Buffer<ArrayBuffer> {
  const next = Buffer.allocUnsafe(Math.max(buffer.length * 2, used + needed));
  buffer.copy(next, 0, 0, used);
  return next;
}

/** The `_id` sent for an event id: the id itself, or a stable hash when it is too long for the receiver. */
export function documentId(id: string): string {
  // 3 UTF-8 bytes per UTF-16 unit at most: short ids skip the byte count.
  if (id.length * 3 <= MAX_ID_BYTES || Buffer.byteLength(id) <= MAX_ID_BYTES) return id;
  return `sha256-${createHash('sha256').update(id).digest('hex')}`;
}

/**
 * The event's time in ms. `time` is Unix seconds; reading it as ms is the classic 1970 bug. When it
 * is unusable (never for a validated event) the receive time stands in and the document says so.
 */
export function eventTimeMs(record: AuditRecord): { ms: number; fromEvent: boolean } {
  const ms = record.event.time * 1000;
  if (typeof record.event.time === 'number' && Number.isFinite(ms) && Math.abs(ms) <= 8.64e15) {
    return { ms, fromEvent: true };
  }
  return { ms: record.receivedAtMs, fromEvent: false };
}

/** The fast path: the original line with our fields spliced in front; undefined when not provably safe. */
export function documentBySplice(
  record: AuditRecord,
  timestamp: string,
  fromEvent = true,
): string | undefined {
  const line = record.line;
  // A compact non-empty object "{"…"}" that never names our keys, not even through a \u escape:
  // splicing then cannot create a duplicate key (which Elasticsearch refuses).
  if (
    line.charCodeAt(0) !== 0x7b ||
    line.charCodeAt(1) !== 0x22 ||
    line.charCodeAt(line.length - 1) !== 0x7d
  ) {
    return undefined;
  }
  if (line.includes(OURS[0]) || line.includes(OURS[1]) || line.includes('\\u')) return undefined;
  const input = metadataFields(record);
  let objects = '';
  for (const [key, json] of input.objects) {
    if (line.includes(key)) return undefined;
    objects += `"${key}":${json},`;
  }
  // JSON.parse keeps the last of repeated keys, Elasticsearch refuses them ("Duplicate field"):
  // when the line names more keys than the parsed event has, send the parsed copy instead.
  if (countKeyMarks(line) !== eventKeyCount(record.event)) return undefined;
  return `{"@timestamp":"${timestamp}","wirety_ship":${shipperFields(record, fromEvent, input)},${objects}${line.slice(1)}`;
}

/**
 * How many keys the line's top-level object names, repeats included. Wirety lines are flat, so
 * counting `":` (a key's closing quote and colon) with native indexOf is enough; a line with a
 * nested value or a `":` inside a string value gets the exact, string-aware scan.
 */
function countKeyMarks(line: string): number {
  let n = 0;
  for (let i = line.indexOf('":'); i !== -1; i = line.indexOf('":', i + 2)) n++;
  if (line.indexOf('{', 1) === -1 && line.indexOf('[') === -1 && line.indexOf('\\"') === -1) return n;
  return countTopLevelKeys(line);
}

function countTopLevelKeys(line: string): number {
  let depth = 0;
  let inString = false;
  let keys = 0;
  for (let i = 0; i < line.length; i++) {
    const c = line.charCodeAt(i);
    if (inString) {
      if (c === 0x5c) i++;
      else if (c === 0x22) inString = false;
    } else if (c === 0x22) inString = true;
    else if (c === 0x7b || c === 0x5b) depth++;
    else if (c === 0x7d || c === 0x5d) depth--;
    else if (c === 0x3a && depth === 1) keys++;
  }
  return keys;
}

/** The careful path: a serialised copy; colliding original values are kept under wirety_ship.overwritten. */
export function documentByCopy(record: AuditRecord, timestamp: string, fromEvent = true): string {
  // The record may hold only a projection of the event (audit/projection.ts): parse the line again.
  const rest: Record<string, unknown> = { ...wholeEvent(record) };
  const input = metadataFields(record);
  const meta = JSON.parse(shipperFields(record, fromEvent, input)) as Record<string, unknown>;
  const objects: Record<string, unknown> = {};
  for (const [key, json] of input.objects) objects[key] = JSON.parse(json);
  const overwritten: Record<string, unknown> = {};
  for (const key of [...OURS, ...Object.keys(objects)]) {
    if (Object.hasOwn(rest, key)) {
      overwritten[key] = rest[key];
      delete rest[key];
      meta.overwritten = overwritten;
    }
  }
  return JSON.stringify({ '@timestamp': timestamp, wirety_ship: meta, ...objects, ...rest });
}

/** A checkpoint's document: its JSON (checkpoint.ts: a flat object of ours, no `@timestamp`) with `@timestamp` first. */
export function checkpointDocument(record: AuditRecord, timestamp: string): string {
  return `{"@timestamp":"${timestamp}",${record.line.slice(1)}`;
}

function shipperFields(record: AuditRecord, fromEvent: boolean, input: MetadataFields): string {
  let out = `{"event_id":${JSON.stringify(record.id)},"seq":${record.seq},"source":${JSON.stringify(record.source)}`;
  const integrity = record.integrity;
  if (integrity !== undefined)
    out += `,"journal":${JSON.stringify(integrity.journal)},"chain":${JSON.stringify(integrity.chain)},"chain_prev":${JSON.stringify(integrity.prev)}`;
  if (input.tag !== undefined) out += `,"tag":${JSON.stringify(input.tag)}`;
  return fromEvent ? out + '}' : out + ',"timestamp_from":"received"}';
}

/** RFC 3339 UTC with ms; memoised for the previous value because consecutive events share a second. */
function createTimestampFormatter(): (ms: number) => string {
  let lastMs = Number.NaN;
  let last = '';
  return (ms) => {
    if (ms !== lastMs) {
      lastMs = ms;
      last = new Date(ms).toISOString();
    }
    return last;
  };
}
