/**
 * Records as the journal hands them to sinks with integrity on (issue 13 contract): audit events
 * carrying `integrity` {journal, prev, chain} made with the real chain (src/integrity/chain.ts),
 * and a signed checkpoint record (`kind: 'checkpoint'`, line = the checkpoint JSON). Shared by the
 * Loki, Elasticsearch, Splunk HEC and stdout sink tests.
 */
import type { AuditEvent, AuditRecord } from '../../src/audit/record.js';
import { chainOf, chainSeed } from '../../src/integrity/chain.js';
import { signCheckpoint } from '../../src/integrity/checkpoint.js';
import { parseKey } from '../../src/integrity/key.js';
import { makeRecords } from '../helpers/records.js';

export const JOURNAL = '3f9c0a1b2c3d4e5f6a7b';
export const KEY = parseKey('11'.repeat(32), 'test key');

/** n audit records (seq 1..n, seq 3 skipped as a journal reservation would) chained in order. */
export function chainedRecords(n: number): AuditRecord[] {
  let prev = chainSeed(KEY.bytes, JOURNAL).toString('hex');
  return makeRecords(n + 1)
    .filter((r) => r.seq !== 3)
    .map((r) => {
      const chain = chainOf(KEY.bytes, prev, r.seq, r.event);
      const record: AuditRecord = { ...r, integrity: { journal: JOURNAL, prev, chain } };
      prev = chain;
      return record;
    });
}

/** The checkpoint record the journal would hold after `records`, at `seq` (a seq of its own). */
export function checkpointRecord(records: readonly AuditRecord[], seq: number): AuditRecord {
  const last = records[records.length - 1]!;
  const receivedAtMs = 1_748_000_123_456;
  const checkpoint = signCheckpoint(KEY, {
    journal: JOURNAL,
    seq,
    last_seq: last.seq,
    count: records.length,
    head: last.integrity!.chain,
    skipped: [[3, 3]],
    time: new Date(receivedAtMs).toISOString(),
  });
  const line = JSON.stringify(checkpoint);
  return {
    kind: 'checkpoint',
    seq,
    id: `checkpoint-${JOURNAL}-${last.seq}`,
    line,
    bytes: Buffer.byteLength(line),
    event: JSON.parse(line) as AuditEvent,
    source: 'server',
    receivedAtMs,
  };
}
