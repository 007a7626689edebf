/**
 * Splunk HEC envelope encoding throughput: batches of realistic audit records (server and agent
 * shapes, distinct lines) filling about one 1 MiB request, with an index and two indexed fields
 * configured, encoded repeatedly. Prints events/s and MiB/s of envelopes produced.
 * Run: node --import tsx bench/hec-encode.ts   (BENCH_MS sets the duration, default 3000)
 */
import { pathToFileURL } from 'node:url';
import type { AuditRecord } from '../src/audit/record.js';
import type { SplunkHecSinkConfig } from '../src/config/types.js';
import { createSplunkHecCodec, envelopeOverheadBytes } from '../src/sinks/splunk-hec/index.js';
import { agentLine, makeRecord, serverLine } from '../test/helpers/records.js';

const REQUEST_CAP = 1024 * 1024;

export interface HecEncodeResult {
  readonly eventsPerSecond: number;
  /** Per second of this process's CPU time: steadier than wall time on a shared machine. */
  readonly eventsPerCpuSecond: number;
  readonly mibPerSecond: number;
  readonly eventsPerBatch: number;
}

const config = {
  name: 'bench',
  host: 'wirety-ship-bench',
  source: 'wirety',
  sourcetype: 'wirety:audit',
  index: 'audit',
  indexed_fields: ['action', 'network_id'],
  ack: { enabled: true, poll_interval_ms: 10_000, timeout_ms: 300_000, required: false },
} as Partial<SplunkHecSinkConfig> as SplunkHecSinkConfig;

/** Records whose lines plus envelope overhead fill about one request of REQUEST_CAP bytes. */
function makeBatch(): AuditRecord[] {
  const overhead = envelopeOverheadBytes(config) + 64; // + the two indexed values
  const records: AuditRecord[] = [];
  let bytes = 0;
  for (let seq = 1; ; seq++) {
    const template = JSON.parse(seq % 2 ? serverLine : agentLine) as Record<string, unknown>;
    template.peer_name = `peer-name-${seq}`;
    template.time = 1_748_000_000 + seq;
    const record = makeRecord(seq, JSON.stringify(template));
    if (bytes + record.bytes + overhead > REQUEST_CAP) return records;
    records.push(record);
    bytes += record.bytes + overhead;
  }
}

export function benchHecEncode(durationMs = Number(process.env.BENCH_MS ?? 3000)): HecEncodeResult {
  const codec = createSplunkHecCodec(config, { channel: '0b7d6f4e-3c1a-4f6e-9c2d-6a1f0e5b7c3d' });
  const batch = makeBatch();
  for (let i = 0; i < 20; i++) codec.encode(batch); // warm-up
  let events = 0;
  let outBytes = 0;
  let elapsedMs = 0;
  const cpuStart = process.cpuUsage();
  const start = process.hrtime.bigint();
  while (elapsedMs < durationMs) {
    outBytes += codec.encode(batch).body.byteLength;
    events += batch.length;
    elapsedMs = Number(process.hrtime.bigint() - start) / 1e6;
  }
  const cpu = process.cpuUsage(cpuStart);
  return {
    eventsPerSecond: Math.round((events / elapsedMs) * 1000),
    eventsPerCpuSecond: Math.round(events / ((cpu.user + cpu.system) / 1e6)),
    mibPerSecond: (outBytes / 1024 / 1024 / elapsedMs) * 1000,
    eventsPerBatch: batch.length,
  };
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) {
  const result = benchHecEncode();
  console.log(
    `splunk_hec encode: ${result.eventsPerSecond.toLocaleString('en-US')} events/s ` +
      `(${result.eventsPerCpuSecond.toLocaleString('en-US')} per CPU-second), ` +
      `${result.mibPerSecond.toFixed(0)} MiB/s envelopes (${result.eventsPerBatch} events per ~1 MiB request)`,
  );
}
