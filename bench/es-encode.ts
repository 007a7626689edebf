/**
 * Elasticsearch `_bulk` encoding throughput: ~5 MiB batches of realistic audit records (server and
 * agent shapes), encoded repeatedly. Prints events/s and MiB/s of NDJSON produced.
 * Run: node --import tsx bench/es-encode.ts
 */
import type { AuditRecord } from '../src/audit/record.js';
import { createBulkEncoder } from '../src/sinks/elasticsearch/encode.js';
import { agentLine, makeRecord, serverLine } from '../test/helpers/records.js';

const BATCH_BYTES = 5 * 1024 * 1024;
const DURATION_MS = Number(process.env.BENCH_MS ?? 3000);

function makeBatch(): AuditRecord[] {
  const records: AuditRecord[] = [];
  let bytes = 0;
  for (let seq = 1; bytes < BATCH_BYTES; seq++) {
    const template = JSON.parse(seq % 2 ? serverLine : agentLine) as Record<string, unknown>;
    template.peer_name = `peer-name-${seq}`;
    // Times spread over several hours so the index namer's cache is exercised.
    template.time = 1_748_000_000 + seq;
    const record = makeRecord(seq, JSON.stringify(template));
    records.push(record);
    bytes += record.bytes;
  }
  return records;
}

function run(label: string, options: Parameters<typeof createBulkEncoder>[0]): void {
  const batch = makeBatch();
  const encoder = createBulkEncoder(options);
  for (let i = 0; i < 3; i++) encoder.encode(batch); // warm-up
  let events = 0;
  let outBytes = 0;
  const start = process.hrtime.bigint();
  let elapsedMs = 0;
  while (elapsedMs < DURATION_MS) {
    outBytes += encoder.encode(batch).body.byteLength;
    events += batch.length;
    elapsedMs = Number(process.hrtime.bigint() - start) / 1e6;
  }
  const perSecond = Math.round((events / elapsedMs) * 1000);
  const mibPerSecond = (outBytes / 1024 / 1024 / elapsedMs) * 1000;
  console.log(
    `${label}: ${perSecond.toLocaleString('en-US')} events/s, ${mibPerSecond.toFixed(0)} MiB/s NDJSON ` +
      `(${batch.length} events per ~5 MiB batch)`,
  );
}

run('es-encode index pattern', { index: 'wirety-audit-%Y.%m.%d', op: 'create' });
run('es-encode data stream  ', { index: 'unused', dataStream: 'logs-wirety.audit-default', op: 'create' });
