/**
 * Records → one Loki push request: a PushRequest (push-proto.ts) written by hand straight into a
 * single buffer, then snappy block-compressed.
 *
 * Why by hand: this runs for every event. A sizing pass computes every message length first, so
 * the writing pass needs no per-event objects, no length back-patching and exactly one allocation
 * for the protobuf bytes. The bytes are identical to protobufjs's own encoding of the same request
 * (a test re-encodes decoded output with the reflection encoder and compares).
 *
 * Timestamps. Loki keeps entries that share a timestamp in no guaranteed order, and silently drops
 * an entry whose (timestamp, line, structured metadata) equals one it already has. Wirety's `time`
 * is whole seconds, so many events share it. We therefore put the journal sequence number in the
 * nanoseconds: `nanos = seq % 1e9` (event mode; for an event whose id an input chose, so that a
 * re-read after a crash gets the same value under a new seq, a value derived from that id:
 * entry-nanos.ts) or `ms * 1e6 + seq % 1e6` (received mode, from the journaled receive time: a
 * re-read event is received again, so Loki de-duplicates re-reads only in event mode). The timestamp is then (a) a pure function of the journaled record, the
 * same on every retry and after a restart, so a batch resent after an ambiguous failure lands on
 * the same timestamps and Loki's de-duplication absorbs the copies; (b) strictly increasing with
 * seq within a second (received mode: within a millisecond), so entries of one second keep their
 * journal order in queries — the only exception is the instant seq crosses a multiple of 1e9 (1e6);
 * (c) distinct for distinct events, so two identical lines in the same second are both kept.
 * The cost: in event mode the sub-second part is not wall-clock time (wirety gives none anyway).
 *
 * Structured metadata never fails a push: Loki refuses an entry whose metadata is over 64 KB
 * (names + values) or 128 pairs. `event_id` always goes first, then, for a record with
 * `integrity` (issue 13), `seq`, `journal`, `chain` and `chain_prev` (never left out: a verifier
 * needs them; ~200 bytes); a configured field whose value has
 * no text (too deep to serialise) or would pass the size budget is left out of that entry and
 * reported in the request's `omitted` list (the line still carries it). The config allows at most
 * 123 configured fields (labels.ts: 128 − event_id − the four chain names), so the pair limit is
 * never reached. Records without `integrity` send none of the four: their bytes are unchanged.
 *
 * Checkpoint records (`kind: 'checkpoint'`) go to their own stream (labels.ts: the static labels +
 * `wirety_ship_kind="checkpoint"`), line = the checkpoint JSON, timestamp = when it was made
 * (`receivedAtMs`, exact ms), structured metadata `event_id` only.
 *
 * Input metadata (contract/metadata.ts): the `metadata_structured` names the record's metadata
 * has are sent after the event fields, under their own names (`pod`, `container_id`…); the
 * `metadata_labels` names are stream labels (labels.ts). A record without metadata costs nothing
 * more than before. With `structured_metadata: false` the structured names go nowhere.
 */
import { compress } from './snappy.js';
import type { AuditRecord } from '../../audit/record.js';
import type { LokiSinkConfig } from '../../config/types.js';
import { jsonText, NOT_FINITE, type Unrenderable } from '../json-text.js';
import type { OmittedValue, SinkRequest } from '../../contract/sink.js';
import { createLabeler, INTEGRITY_METADATA, type LabelSet } from './labels.js';
import { fieldLen, utf8Length, varintLen, writeUtf8, writeVarint } from './wire.js';
import { entryNanos } from './entry-nanos.js';

/** The value of INTEGRITY_METADATA[i] for a record; undefined when it has no integrity. */
function integrityValue(r: AuditRecord, i: number): string | undefined {
  const integrity = r.integrity;
  if (integrity === undefined) return undefined;
  return i === 0 ? String(r.seq) : i === 1 ? integrity.journal : i === 2 ? integrity.chain : integrity.prev;
}

export const LOKI_PUSH_PATH = '/loki/api/v1/push';

/**
 * Loki's default limit on one entry's structured metadata, in bytes of names + values
 * (`max_structured_metadata_size`, 64 KB), kept a little under so either reading of "KB" holds.
 */
export const METADATA_BUDGET_BYTES = 64_000;

const OVER_BUDGET = `would put the entry's structured metadata over Loki's limit (${METADATA_BUDGET_BYTES} bytes of names and values)`;

/**
 * Structured metadata value: absent/null/empty → undefined; numbers as decimal strings; objects and
 * arrays as JSON; Unrenderable when there is no faithful text (never throws).
 */
export function metadataValue(value: unknown): string | undefined | Unrenderable {
  if (value === undefined || value === null || value === '') return undefined;
  if (typeof value === 'string') return value;
  if (typeof value === 'number') {
    if (!Number.isFinite(value)) return NOT_FINITE;
    return Number.isInteger(value) && Math.abs(value) >= 1e21 ? BigInt(value).toString() : String(value);
  }
  if (typeof value === 'boolean') return String(value);
  // Events come from JSON.parse: what is left is an object or an array.
  return jsonText(value);
}

export interface PushBodyEncoder {
  /** The uncompressed PushRequest bytes; `omitted` receives the metadata values left out. */
  protobuf(records: readonly AuditRecord[], omitted?: OmittedValue[]): Buffer;
  /** The full request: snappy-compressed body and Loki's headers. */
  request(records: readonly AuditRecord[]): SinkRequest;
  /** How many streams (distinct label strings) the request for `records` holds. */
  streams(records: readonly AuditRecord[]): number;
}

export function createPushBodyEncoder(
  config: Pick<
    LokiSinkConfig,
    'labels' | 'label_fields' | 'structured_metadata' | 'structured_metadata_fields' | 'timestamp' | 'tenant'
  > &
    Partial<Pick<LokiSinkConfig, 'metadata_labels' | 'metadata_structured'>>,
): PushBodyEncoder {
  const labelsOf = createLabeler(config);
  // Without structured metadata (Loki 2.9, pre-v13 schemas) an entry is its timestamp and line only.
  const metaFields = config.structured_metadata ? config.structured_metadata_fields : [];
  const inputNames = config.structured_metadata ? (config.metadata_structured ?? []) : [];
  const metaNames = config.structured_metadata
    ? ['event_id', ...INTEGRITY_METADATA, ...metaFields, ...inputNames]
    : [];
  /** Index of the first configured event field in metaNames: event_id and the chain names come before. */
  const firstField = 1 + INTEGRITY_METADATA.length;
  /** Index of the first input metadata name in metaNames: the event's own fields come before. */
  const firstInput = firstField + metaFields.length;
  const metaNameBytes = metaNames.map((n) => Buffer.from(n, 'utf8'));
  const k = metaNames.length;
  const received = config.timestamp === 'received';
  const headers: Record<string, string> = { 'content-type': 'application/x-protobuf' };
  if (config.tenant) headers['x-scope-orgid'] = config.tenant;
  Object.freeze(headers);

  // Scratch reused across calls (encode is synchronous, so calls never interleave); grown as needed.
  let cap = 0;
  let seconds = new Float64Array(0);
  let nanos = new Int32Array(0);
  let lineBytes = new Int32Array(0);
  let entrySize = new Int32Array(0);
  let next = new Int32Array(0);
  let metaLen = new Int32Array(0);
  let metaVal: (string | undefined)[] = [];
  const grow = (n: number): void => {
    if (n <= cap) return;
    cap = Math.max(n, cap * 2, 256);
    seconds = new Float64Array(cap);
    nanos = new Int32Array(cap);
    lineBytes = new Int32Array(cap);
    entrySize = new Int32Array(cap);
    next = new Int32Array(cap);
    metaLen = new Int32Array(cap * k);
    metaVal = new Array<string | undefined>(cap * k);
  };

  const protobuf = (records: readonly AuditRecord[], omitted?: OmittedValue[]): Buffer => {
    const n = records.length;
    grow(n);
    // Streams in order of first appearance; entries linked through `next` in the order given.
    const streams: LabelSet[] = [];
    const heads: number[] = [];
    const tails: number[] = [];
    const streamSize: number[] = [];
    // Keyed by the label text, not the set object: two caches (labels.ts) may build equal sets.
    const streamIndex = new Map<string, number>();

    for (let i = 0; i < n; i++) {
      const r = records[i] as AuditRecord;
      const set = labelsOf(r);
      let s = streamIndex.get(set.text);
      if (s === undefined) {
        s = streams.length;
        streamIndex.set(set.text, s);
        streams.push(set);
        heads.push(i);
        tails.push(i);
        streamSize.push(fieldLen(set.bytes.length));
      } else {
        next[tails[s] as number] = i;
        tails[s] = i;
      }
      next[i] = -1;

      // See the header comment: the timestamp is a pure function of the journaled record.
      const seq = r.seq % 1_000_000_000;
      let sec: number;
      let ns: number;
      if (r.kind === 'checkpoint') {
        // A checkpoint has no event time: when it was made, exact to the ms (its line is unique).
        const ms = Math.floor(r.receivedAtMs);
        sec = Math.floor(ms / 1000);
        ns = (ms - sec * 1000) * 1_000_000;
      } else if (received) {
        const ms = Math.floor(r.receivedAtMs);
        sec = Math.floor(ms / 1000);
        ns = (ms - sec * 1000) * 1_000_000 + (seq % 1_000_000);
      } else {
        // Integral doubles (2^53 included) are written exactly. The schema guarantees an integer
        // `time`; the fallback only keeps a bad one from producing a broken varint.
        sec = Math.floor(r.event.time);
        if (!(Math.abs(sec) < 2 ** 63)) sec = Math.floor(r.receivedAtMs / 1000);
        ns = entryNanos(r.id, r.seq);
      }
      // NaN-proof: Loki then refuses the entry as too old, with a reason, instead of a hang here.
      if (!(Math.abs(sec) < 2 ** 63)) sec = 0;
      ns |= 0;
      if (ns < 0) ns += 1_000_000_000;
      seconds[i] = sec;
      nanos[i] = ns;
      const tsInner = (sec !== 0 ? 1 + varintLen(sec) : 0) + (ns !== 0 ? 1 + varintLen(ns) : 0);
      const lb = Buffer.byteLength(r.line, 'utf8');
      lineBytes[i] = lb;
      let size = fieldLen(tsInner) + (lb > 0 ? fieldLen(lb) : 0);

      const base = i * k;
      let metaBytes = 0;
      const input = r.metadata;
      for (let j = 0; j < k; j++) {
        metaVal[base + j] = undefined;
        const rendered =
          j === 0
            ? r.id
            : r.kind === 'checkpoint'
              ? undefined
              : j < firstField
                ? integrityValue(r, j - 1)
                : j < firstInput
                  ? metadataValue(r.event[metaFields[j - firstField] as string])
                  : input?.[metaNames[j] as string] || undefined;
        if (rendered === undefined) continue;
        if (typeof rendered !== 'string') {
          omitted?.push({ index: i, field: metaNames[j] as string, reason: rendered.unrenderable });
          continue;
        }
        const nameBytes = (metaNameBytes[j] as Buffer).length;
        const vb = utf8Length(rendered);
        if (j >= firstField && metaBytes + nameBytes + vb > METADATA_BUDGET_BYTES) {
          omitted?.push({ index: i, field: metaNames[j] as string, reason: OVER_BUDGET });
          continue;
        }
        metaBytes += nameBytes + vb;
        metaVal[base + j] = rendered;
        metaLen[base + j] = vb;
        size += fieldLen(fieldLen(nameBytes) + (vb > 0 ? fieldLen(vb) : 0));
      }
      entrySize[i] = size;
      (streamSize[s] as number) += fieldLen(size);
    }

    let total = 0;
    for (const size of streamSize) total += fieldLen(size);
    const buf = Buffer.allocUnsafe(total);
    let pos = 0;
    for (let s = 0; s < streams.length; s++) {
      const labels = (streams[s] as LabelSet).bytes;
      buf[pos++] = 0x0a; // PushRequest.streams (1, LEN)
      pos = writeVarint(buf, pos, streamSize[s] as number);
      buf[pos++] = 0x0a; // StreamAdapter.labels (1, LEN)
      pos = writeVarint(buf, pos, labels.length);
      pos += labels.copy(buf, pos);
      for (let i = heads[s] as number; i !== -1; i = next[i] as number) {
        buf[pos++] = 0x12; // StreamAdapter.entries (2, LEN)
        pos = writeVarint(buf, pos, entrySize[i] as number);
        const sec = seconds[i] as number;
        const ns = nanos[i] as number;
        buf[pos++] = 0x0a; // EntryAdapter.timestamp (1, LEN)
        pos = writeVarint(
          buf,
          pos,
          (sec !== 0 ? 1 + varintLen(sec) : 0) + (ns !== 0 ? 1 + varintLen(ns) : 0),
        );
        if (sec !== 0) {
          buf[pos++] = 0x08; // Timestamp.seconds (1, VARINT)
          pos = writeVarint(buf, pos, sec);
        }
        if (ns !== 0) {
          buf[pos++] = 0x10; // Timestamp.nanos (2, VARINT)
          pos = writeVarint(buf, pos, ns);
        }
        const lb = lineBytes[i] as number;
        if (lb > 0) {
          buf[pos++] = 0x12; // EntryAdapter.line (2, LEN)
          pos = writeVarint(buf, pos, lb);
          pos = writeUtf8(buf, pos, (records[i] as AuditRecord).line, lb);
        }
        const base = i * k;
        for (let j = 0; j < k; j++) {
          const v = metaVal[base + j];
          if (v === undefined) continue;
          const name = metaNameBytes[j] as Buffer;
          const vb = metaLen[base + j] as number;
          buf[pos++] = 0x1a; // EntryAdapter.structuredMetadata (3, LEN)
          pos = writeVarint(buf, pos, fieldLen(name.length) + (vb > 0 ? fieldLen(vb) : 0));
          buf[pos++] = 0x0a; // LabelPairAdapter.name (1, LEN)
          pos = writeVarint(buf, pos, name.length);
          for (let b = 0; b < name.length; b++) buf[pos++] = name[b] as number;
          if (vb > 0) {
            buf[pos++] = 0x12; // LabelPairAdapter.value (2, LEN)
            pos = writeVarint(buf, pos, vb);
            pos = writeUtf8(buf, pos, v, vb);
          }
          metaVal[base + j] = undefined; // do not keep event strings alive between calls
        }
      }
    }
    if (pos !== total) throw new Error(`loki encoder bug: wrote ${pos} of ${total} bytes`);
    return buf;
  };

  return {
    protobuf,
    request: (records) => {
      const omitted: OmittedValue[] = [];
      const body = compress(protobuf(records, omitted));
      return omitted.length === 0
        ? { path: LOKI_PUSH_PATH, method: 'POST', headers, body }
        : { path: LOKI_PUSH_PATH, method: 'POST', headers, body, omitted };
    },
    streams: (records) => new Set(records.map((r) => labelsOf(r).text)).size,
  };
}
