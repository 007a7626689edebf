/**
 * The dead-letter records that can explain a gap: those of journaled events a sink could not
 * deliver (contract/dead-letter-record.ts: `seq`, `event_id`, `sink`, `reason`, `detail`).
 * Records of input lines refused before the journal have no seq and never explain one.
 *
 * A dead-letter file belongs to one shipper and its journal, and its records do not name the
 * journal, so a record explains its seq in every journal of the report (docs/verify.md).
 * Held in memory: one small entry per dead-lettered event (the file is a list of exceptions).
 */
import { createReadStream } from 'node:fs';
import { createInterface } from 'node:readline';
import { isObject } from './observation.js';

export interface DeadLettered {
  readonly seq: number;
  readonly eventId?: string;
  readonly sink?: string;
  readonly reason: string;
  readonly detail: string;
}

export interface DeadLetterIndex {
  /** The records with seq in [from, to], in seq order (one per seq: the first read). */
  within(from: number, to: number): readonly DeadLettered[];
  readonly size: number;
}

export function createDeadLetterIndex(records: Iterable<DeadLettered>): DeadLetterIndex {
  const bySeq = new Map<number, DeadLettered>();
  for (const record of records) if (!bySeq.has(record.seq)) bySeq.set(record.seq, record);
  const sorted = [...bySeq.values()].sort((a, b) => a.seq - b.seq);
  const lowerBound = (seq: number): number => {
    let lo = 0;
    let hi = sorted.length;
    while (lo < hi) {
      const mid = (lo + hi) >> 1;
      if (sorted[mid]!.seq < seq) lo = mid + 1;
      else hi = mid;
    }
    return lo;
  };
  return {
    size: sorted.length,
    within(from, to) {
      const out: DeadLettered[] = [];
      for (let i = lowerBound(from); i < sorted.length && sorted[i]!.seq <= to; i++) out.push(sorted[i]!);
      return out;
    },
  };
}

/** Reads dead-letter files (NDJSON) line by line; a line that is not a record is an error with its place. */
export async function readDeadLetterFiles(files: readonly string[]): Promise<DeadLetterIndex> {
  const records: DeadLettered[] = [];
  for (const file of files) {
    const lines = createInterface({ input: createReadStream(file), crlfDelay: Infinity });
    let n = 0;
    for await (const line of lines) {
      n++;
      if (line.trim() === '') continue;
      let value: unknown;
      try {
        value = JSON.parse(line);
      } catch {
        throw new Error(`${file}:${n}: not a dead-letter record (not JSON)`);
      }
      if (!isObject(value) || typeof value.reason !== 'string') {
        throw new Error(`${file}:${n}: not a dead-letter record (no reason)`);
      }
      if (!Number.isSafeInteger(value.seq)) continue;
      records.push({
        seq: value.seq as number,
        reason: value.reason,
        detail: typeof value.detail === 'string' ? value.detail : '',
        ...(typeof value.event_id === 'string' ? { eventId: value.event_id } : {}),
        ...(typeof value.sink === 'string' ? { sink: value.sink } : {}),
      });
    }
  }
  return createDeadLetterIndex(records);
}
