/**
 * Batching: records taken from a sink's cursor are grouped into requests by count, size and age.
 *
 * Invariants: a batch never holds more than max_events records, nor more than max_bytes of lines
 * (plus the codec's per-record overhead and extra bytes, when it declares them) unless it is a single record (one oversized record still makes a batch of one; the receiver's 413
 * is handled by the delivery loop). Records leave in the order they came in; nothing is dropped:
 * records that do not fit stay for the next batch. The batcher is pure (time comes in as an
 * argument); batch-loop.ts does the waiting.
 */
import type { AuditRecord } from '../audit/record.js';
import type { BatchConfig } from '../config/types.js';

export interface Batcher {
  /** Appends records (in cursor order); `nowMs` starts the age clock when the batcher was empty. */
  add(records: readonly AuditRecord[], nowMs: number): void;
  readonly count: number;
  readonly bytes: number;
  /** A full batch is ready: take() now. */
  isFull(): boolean;
  /** When the oldest held record has waited max_wait_ms; undefined when empty. */
  deadline(): number | undefined;
  /** Room left before the batch is full, to size the next cursor.take(). */
  room(): { readonly events: number; readonly bytes: number };
  /** Removes and returns the next batch (at least one record when not empty). */
  take(): AuditRecord[];
}

/**
 * `overheadBytes`: request bytes each record adds beyond its line (SinkCodec.recordOverheadBytes);
 * `extraBytes`: what a given record adds on top (SinkCodec.recordExtraBytes, pure).
 */
export function createBatcher(
  config: BatchConfig,
  overheadBytes = 0,
  extraBytes?: (record: AuditRecord) => number,
): Batcher {
  const sizeOf = extraBytes
    ? (r: AuditRecord) => r.bytes + overheadBytes + extraBytes(r)
    : (r: AuditRecord) => r.bytes + overheadBytes;
  const maxEvents = Math.max(1, config.max_events);
  const maxBytes = Math.max(1, config.max_bytes);
  let held: AuditRecord[] = [];
  let bytes = 0;
  let startedAt: number | undefined;

  return {
    add(records, nowMs) {
      if (records.length === 0) return;
      if (held.length === 0) startedAt = nowMs;
      for (const r of records) {
        held.push(r);
        bytes += sizeOf(r);
      }
    },
    get count() {
      return held.length;
    },
    get bytes() {
      return bytes;
    },
    isFull: () => held.length >= maxEvents || bytes >= maxBytes,
    deadline: () =>
      held.length === 0 || startedAt === undefined ? undefined : startedAt + config.max_wait_ms,
    room: () => ({ events: Math.max(0, maxEvents - held.length), bytes: Math.max(0, maxBytes - bytes) }),
    take() {
      let n = 0;
      let size = 0;
      while (n < held.length && n < maxEvents) {
        const next = sizeOf(held[n]!);
        if (n > 0 && size + next > maxBytes) break;
        size += next;
        n++;
      }
      const batch = n === held.length ? held : held.slice(0, n);
      held = n === held.length ? [] : held.slice(n);
      bytes -= size;
      // Leftovers have waited as long as the batch they overflowed from: keep its start time.
      if (held.length === 0) startedAt = undefined;
      return batch;
    },
  };
}
