/**
 * Records → one HEC `/services/collector/event` request: JSON envelopes concatenated with no
 * separator. Pure. Everything that is the same for every event is rendered once per codec, so the
 * per-event work is string concatenation, the audit line spliced in verbatim (it is already the
 * exact JSON object wirety wrote), and JSON-escaping the few indexed field values.
 *
 * Never throws for an event's content: an indexed field value that has no text (an object too deep
 * to serialise, a number out of range such as 1e400) is left out of `fields` and reported in the
 * request's `omitted` list; the event itself still carries it.
 *
 * Input metadata (contract/metadata.ts): the `metadata_fields` names a record's metadata has are
 * indexed fields after the event's (`namespace`, `pod`, `container_name`…), their values strings as
 * HEC requires. A name also in `indexed_fields` or reserved (`event_id`, `seq`) is left to those (the
 * config check refuses it). A record without metadata (stdin) gets the envelope it always had.
 *
 * Integrity (issue 13): a record with `integrity` gets `journal`, `chain`, `chain_prev` in `fields`
 * after `seq` (reserved names, like event_id and seq). A checkpoint record (`kind: 'checkpoint'`) is
 * its own envelope on the same endpoint: sourcetype `wirety_ship:checkpoint`, time = when it was
 * made, event = the checkpoint object (its JSON line spliced in), fields {event_id} only, so it is
 * never counted or searched as an audit event. Records without either get the envelope they had.
 */
import type { AuditRecord } from '../../audit/record.js';
import type { SplunkHecSinkConfig } from '../../config/types.js';
import { jsonText, NOT_FINITE, type Unrenderable } from '../json-text.js';
import type { OmittedValue, SinkRequest } from '../../contract/sink.js';
import { plainDecimal } from './decimal.js';

export const HEC_EVENT_PATH = '/services/collector/event';
export const DEFAULT_SOURCETYPE = 'wirety:audit';
export const CHANNEL_HEADER = 'x-splunk-request-channel';
export const CHECKPOINT_SOURCETYPE = 'wirety_ship:checkpoint';

/** Names our envelope sets in `fields`; a configured indexed field of the same name is ignored. */
export const RESERVED_FIELDS = new Set(['event_id', 'seq', 'journal', 'chain', 'chain_prev']);

export type HecEncodeConfig = Pick<
  SplunkHecSinkConfig,
  'host' | 'source' | 'sourcetype' | 'index' | 'indexed_fields'
> &
  Partial<Pick<SplunkHecSinkConfig, 'metadata_fields'>>;

export interface HecEncoder {
  encode(records: readonly AuditRecord[]): SinkRequest;
  /** One envelope, as text (for tests and the bench); `omitted` receives the fields left out. */
  envelope(record: AuditRecord, omitted?: OmittedValue[], index?: number): string;
  /** The bytes a record's input metadata and integrity fields add to its envelope (0 without). */
  metadataBytes(record: AuditRecord): number;
}

export function createHecEncoder(config: HecEncodeConfig, channel?: string): HecEncoder {
  const metadata = renderMetadata(config);
  const checkpointMetadata = renderMetadata({ ...config, sourcetype: CHECKPOINT_SOURCETYPE });
  /** What a checkpoint's envelope may have beyond the overhead of an event's (its longer sourcetype). */
  const checkpointExtraBytes = Math.max(0, utf8Bytes(checkpointMetadata) - utf8Bytes(metadata));
  const checkpointEnvelope = (record: AuditRecord): string =>
    '{"time":' +
    (plainDecimal(record.receivedAtMs / 1000) ?? '0') +
    checkpointMetadata +
    record.line +
    ',"fields":{"event_id":' +
    JSON.stringify(record.id) +
    '}}';
  const fieldNames = indexedFieldNames(config);
  const fieldKeys = fieldNames.map((name) => ',' + JSON.stringify(name) + ':');
  const metadataNames = metadataFieldNames(config);
  const metadataKeys = metadataNames.map((name) => ',' + JSON.stringify(name) + ':');
  /** `,"namespace":"prod",…` for the configured names the record's metadata has. */
  const metadataFields = (record: AuditRecord): string => {
    const metadata = record.metadata;
    if (metadata === undefined) return '';
    let out = '';
    for (let i = 0; i < metadataNames.length; i++) {
      const value = metadata[metadataNames[i]!];
      if (value) out += metadataKeys[i]! + JSON.stringify(value);
    }
    return out;
  };
  const headers: Record<string, string> = { 'content-type': 'application/json' };
  if (channel !== undefined) headers[CHANNEL_HEADER] = channel;
  Object.freeze(headers);

  const envelope = (record: AuditRecord, omitted?: OmittedValue[], index = 0): string => {
    if (record.kind === 'checkpoint') return checkpointEnvelope(record);
    let fields = '';
    for (let i = 0; i < fieldNames.length; i++) {
      const value = fieldValue(record.event[fieldNames[i]!]);
      if (typeof value === 'string') fields += fieldKeys[i]! + value;
      else if (value !== undefined)
        omitted?.push({ index, field: fieldNames[i]!, reason: value.unrenderable });
    }
    return (
      '{"time":' +
      eventTime(record) +
      metadata +
      record.line +
      ',"fields":{"event_id":' +
      JSON.stringify(record.id) +
      ',"seq":"' +
      record.seq +
      '"' +
      integrityFields(record) +
      fields +
      metadataFields(record) +
      '}}'
    );
  };

  return {
    envelope,
    metadataBytes: (record) =>
      record.kind === 'checkpoint'
        ? checkpointExtraBytes
        : (record.metadata === undefined ? 0 : utf8Bytes(metadataFields(record))) +
          (record.integrity === undefined ? 0 : utf8Bytes(integrityFields(record))),
    encode(records) {
      let body = '';
      const omitted: OmittedValue[] = [];
      for (let i = 0; i < records.length; i++) body += envelope(records[i]!, omitted, i);
      const request = {
        path: HEC_EVENT_PATH,
        method: 'POST' as const,
        headers,
        body: Buffer.from(body, 'utf8'),
      };
      return omitted.length === 0 ? request : { ...request, omitted };
    },
  };
}

/**
 * An upper bound of the bytes one envelope adds around its event, not counting the audit line
 * and the values of the configured `indexed_fields` (those are copied from the line, so they are
 * at most about the line's size again). It does count the event id, assuming ids of at most
 * `maxIdBytes` bytes once JSON-escaped. A batch of n records whose lines sum to L bytes encodes to
 * at most L + n × envelopeOverheadBytes(config) bytes plus the indexed values, so to keep a
 * request under a cap C: max_bytes ≤ C − max_events × envelopeOverheadBytes(config).
 */
export function envelopeOverheadBytes(config: HecEncodeConfig, maxIdBytes = 128): number {
  const TIME_DIGITS = 32; // a plain-decimal double of a realistic epoch, with fraction, sign and slack
  const SEQ_DIGITS = 16; // Number.MAX_SAFE_INTEGER has 16 digits
  const keys = indexedFieldNames(config).reduce((sum, name) => sum + utf8Bytes(JSON.stringify(name)) + 4, 0);
  return (
    utf8Bytes('{"time":') +
    TIME_DIGITS +
    utf8Bytes(renderMetadata(config)) +
    utf8Bytes(',"fields":{"event_id":') +
    maxIdBytes +
    utf8Bytes(',"seq":""') +
    SEQ_DIGITS +
    keys +
    utf8Bytes('}}')
  );
}

/** `,"journal":…,"chain":…,"chain_prev":…` for a record with integrity, else ''. */
function integrityFields(record: AuditRecord): string {
  const integrity = record.integrity;
  if (integrity === undefined) return '';
  return (
    ',"journal":' +
    JSON.stringify(integrity.journal) +
    ',"chain":' +
    JSON.stringify(integrity.chain) +
    ',"chain_prev":' +
    JSON.stringify(integrity.prev)
  );
}

/** `,"host":…,"source":…,"sourcetype":…[,"index":…],"event":` — identical for every event. */
function renderMetadata(config: HecEncodeConfig): string {
  let out =
    ',"host":' +
    JSON.stringify(config.host) +
    ',"source":' +
    JSON.stringify(config.source) +
    ',"sourcetype":' +
    JSON.stringify(config.sourcetype || DEFAULT_SOURCETYPE);
  if (config.index) out += ',"index":' + JSON.stringify(config.index);
  return out + ',"event":';
}

function indexedFieldNames(config: HecEncodeConfig): string[] {
  return [...new Set(config.indexed_fields)].filter((name) => !RESERVED_FIELDS.has(name));
}

function metadataFieldNames(config: HecEncodeConfig): string[] {
  const taken = new Set([...RESERVED_FIELDS, ...config.indexed_fields]);
  return [...new Set(config.metadata_fields ?? [])].filter((name) => !taken.has(name));
}

// The classifier guarantees an integer `time`; should one ever be missing, the read time is the
// honest substitute (HEC would otherwise stamp the indexing time, hiding the gap).
function eventTime(record: AuditRecord): string {
  const t = record.event.time;
  return (
    (typeof t === 'number' ? plainDecimal(t) : undefined) ?? plainDecimal(record.receivedAtMs / 1000) ?? '0'
  );
}

// HEC indexed field values must be strings: numbers and booleans become their text, objects and
// arrays their JSON text; null and absent fields are left out rather than indexed as "null".
// The result is the JSON-quoted value, undefined for "nothing to index", or why it cannot be sent.
function fieldValue(value: unknown): string | undefined | Unrenderable {
  switch (typeof value) {
    case 'string':
      return JSON.stringify(value);
    case 'number': {
      const text = plainDecimal(value);
      return text === undefined ? NOT_FINITE : '"' + text + '"';
    }
    case 'boolean':
      return value ? '"true"' : '"false"';
    case 'object': {
      if (value === null) return undefined;
      const json = jsonText(value);
      return typeof json === 'string' ? JSON.stringify(json) : json;
    }
    default:
      return undefined;
  }
}

function utf8Bytes(text: string): number {
  return Buffer.byteLength(text, 'utf8');
}
