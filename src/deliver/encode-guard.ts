/**
 * Encoding is where one odd record could stop a sink for good: an encoder that throws (a value too
 * deep for JSON.stringify, a bug on some rare input) would escape the delivery loop, end the
 * process, and the record, still in the journal, would do the same on every start. The guard turns
 * such a throw into that record's own final outcome, and counts the values encoders left out.
 *
 * Invariants:
 * - The hot path is one try around codec.encode: records are looked at one by one only when the
 *   whole batch threw.
 * - A record goes to `failed` only when encoding it ALONE throws; the caller dead-letters it
 *   (`encode_failed`, for this sink only: other sinks encode it their own way). Every other
 *   record of the batch is encoded and sent. Should they still fail together (no known cause),
 *   no request is made and the caller sends each half on its own.
 * - Values an encoder left out (SinkRequest.omitted) are counted once per event and process:
 *   a re-encoded batch (retry, split, bisect) is not counted again. The first time a field is
 *   left out for a given reason it is logged; after that only the count grows.
 */
import type { AuditRecord } from '../audit/record.js';
import type { Logger } from '../observe/logger.js';
import type { SinkStats } from '../observe/stats.js';
import type { OmittedValue, SinkCodec, SinkRequest } from '../contract/sink.js';

export interface UnencodableRecord {
  readonly record: AuditRecord;
  /** The encoder's error, e.g. "RangeError: Maximum call stack size exceeded". */
  readonly error: string;
}

export interface GuardedEncoding {
  /** Records that cannot be encoded even alone, in order. */
  readonly failed: readonly UnencodableRecord[];
  /** Every other record, in order: the ones `request` carries. */
  readonly records: readonly AuditRecord[];
  /** Absent when `records` is empty, or when they encode only in smaller groups (`error` says why). */
  readonly request?: SinkRequest;
  readonly error?: string;
}

export interface EncodeGuard {
  encode(records: readonly AuditRecord[]): GuardedEncoding;
}

export interface EncodeGuardOptions {
  readonly name: string;
  readonly codec: SinkCodec;
  readonly sink: SinkStats;
  readonly logger: Logger;
}

/** Different reasons for the same field are logged once each; a few per field is plenty. */
const MAX_LOGGED_OMISSIONS = 100;

export function createEncodeGuard(options: EncodeGuardOptions): EncodeGuard {
  const { name, codec, sink, logger } = options;
  const logged = new Set<string>();
  let countedThroughSeq = -1;

  const countOmitted = (records: readonly AuditRecord[], omitted: readonly OmittedValue[]): void => {
    for (const value of omitted) {
      const record = records[value.index];
      if (!record || record.seq <= countedThroughSeq) continue;
      sink.valuesOmitted++;
      const key = `${value.field}\u0000${value.reason}`;
      if (logged.has(key) || logged.size >= MAX_LOGGED_OMISSIONS) continue;
      logged.add(key);
      logger.warn('a field value was left out of the index data; the event line still carries it', {
        sink: name,
        field: value.field,
        reason: value.reason,
        event_id: record.id,
        note: 'logged once per field and reason; counted in wirety_ship_sink_values_omitted_total',
      });
    }
  };

  const sent = (records: readonly AuditRecord[], request: SinkRequest): void => {
    if (request.omitted && request.omitted.length > 0) countOmitted(records, request.omitted);
    const last = records[records.length - 1];
    if (last && last.seq > countedThroughSeq) countedThroughSeq = last.seq;
  };

  return {
    encode(records) {
      try {
        const request = codec.encode(records);
        sent(records, request);
        return { failed: [], records, request };
      } catch {
        // Looked at one by one below.
      }
      const failed: UnencodableRecord[] = [];
      const good: AuditRecord[] = [];
      const fail = (record: AuditRecord, error: unknown): void => {
        failed.push({ record, error: describe(error) });
        logger.error('cannot encode an event for this sink: dead-lettered as encode_failed', {
          sink: name,
          event_id: record.id,
          seq: record.seq,
          error: describe(error),
        });
      };
      for (const record of records) {
        try {
          codec.encode([record]);
          good.push(record);
        } catch (error) {
          fail(record, error);
        }
      }
      if (good.length === 0) return { failed, records: good };
      try {
        const request = codec.encode(good);
        sent(good, request);
        return { failed, records: good, request };
      } catch (error) {
        // Each encodes alone but not all together: the caller sends halves, down to single records.
        if (good.length > 1) return { failed, records: good, error: describe(error) };
        fail(good[0]!, error);
        return { failed, records: [] };
      }
    },
  };
}

function describe(error: unknown): string {
  return error instanceof Error ? `${error.name}: ${error.message}` : String(error);
}
