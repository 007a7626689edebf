/**
 * Loki encode throughput on ~1 MiB batches of realistic audit lines.
 *
 *   node --import tsx bench/loki-encode.ts
 *
 * Compares three ways of producing the same PushRequest bytes (the first two exist only here, to
 * justify the hand-written encoder in src/sinks/loki/encode.ts), then measures snappy compression
 * and the whole codec.encode (protobuf + snappy). Each figure is the best of several rounds.
 */
import protobuf from 'protobufjs';
import { compress } from 'snappyjs';
import type { AuditRecord } from '../src/audit/record.js';
import type { LokiSinkConfig } from '../src/config/types.js';
import { createLokiCodec } from '../src/sinks/loki/index.js';
import { createPushBodyEncoder, metadataValue } from '../src/sinks/loki/encode.js';
import { createLabeler } from '../src/sinks/loki/labels.js';
import { encodePushRequest, type PushEntry, type PushStream } from '../src/sinks/loki/push-proto.js';
import { makeRecords } from '../test/helpers/records.js';

const config: LokiSinkConfig = {
  type: 'loki',
  name: 'loki',
  url: 'http://127.0.0.1:3100',
  timeout_ms: 10_000,
  gzip: false,
  tls: { insecure_skip_verify: false },
  auth: {},
  headers: {},
  batch: { max_events: 10_000, max_bytes: 1 << 20, max_wait_ms: 1000 },
  retry: {
    initial_backoff_ms: 500,
    max_backoff_ms: 300_000,
    max_retry_after_ms: 300_000,
    max_network_backoff_ms: 10_000,
  },
  max_in_flight: 2,
  labels: { job: 'wirety' },
  label_fields: ['action'],
  structured_metadata: true,
  structured_metadata_fields: ['actor_id', 'network_id', 'peer_id'],
  metadata_labels: ['namespace', 'container', 'container_name'],
  metadata_structured: ['pod', 'pod_uid', 'node', 'container_id', 'tag'],
  timestamp: 'event',
};

function batchOfAbout(bytes: number): AuditRecord[] {
  const probe = makeRecords(100);
  const avg = probe.reduce((a, r) => a + r.bytes, 0) / probe.length;
  // Journal-style ids, as long as real ones, rather than the helper's short "test-N".
  return makeRecords(Math.round(bytes / avg), 1_000_000).map((r) => ({ ...r, id: `j7f3a9c2e-${r.seq}` }));
}

function best(
  label: string,
  rounds: number,
  fn: () => number,
  unit: (ms: number, out: number) => string,
): void {
  for (let i = 0; i < 3; i++) fn(); // warm-up
  let bestMs = Infinity;
  let out = 0;
  for (let i = 0; i < rounds; i++) {
    const t0 = performance.now();
    out = fn();
    bestMs = Math.min(bestMs, performance.now() - t0);
  }
  console.log(`${label.padEnd(44)} ${bestMs.toFixed(2).padStart(7)} ms  ${unit(bestMs, out)}`);
}

const records = batchOfAbout(1 << 20);
const lineBytes = records.reduce((a, r) => a + r.bytes, 0);
const evps = (ms: number) => `${Math.round(records.length / (ms / 1000)).toLocaleString('en-US')} events/s`;
console.log(`batch: ${records.length} events, ${(lineBytes / 1048576).toFixed(2)} MiB of lines`);

// A: plain objects + protobufjs reflection encoder.
const labelsOf = createLabeler(config);
const viaType = (): Uint8Array => {
  const streams = new Map<string, PushEntry[]>();
  for (const r of records) {
    const key = labelsOf(r).text;
    let entries = streams.get(key);
    if (!entries) streams.set(key, (entries = []));
    const structuredMetadata = [{ name: 'event_id', value: r.id }];
    for (const f of config.structured_metadata_fields) {
      const v = metadataValue(r.event[f]);
      if (typeof v === 'string') structuredMetadata.push({ name: f, value: v });
    }
    entries.push({
      timestamp: { seconds: r.event.time, nanos: r.seq % 1e9 },
      line: r.line,
      structuredMetadata,
    });
  }
  const list: PushStream[] = [...streams].map(([labels, entries]) => ({ labels, entries }));
  return encodePushRequest({ streams: list });
};

// B: protobufjs Writer driven directly (fork/ldelim per message).
const viaWriter = (): Uint8Array => {
  const groups = new Map<string, AuditRecord[]>();
  for (const r of records) {
    const key = labelsOf(r).text;
    let g = groups.get(key);
    if (!g) groups.set(key, (g = []));
    g.push(r);
  }
  const w = protobuf.Writer.create();
  for (const [labels, group] of groups) {
    w.uint32(0x0a).fork().uint32(0x0a).string(labels);
    for (const r of group) {
      w.uint32(0x12).fork();
      w.uint32(0x0a)
        .fork()
        .uint32(0x08)
        .int64(r.event.time)
        .uint32(0x10)
        .int32(r.seq % 1e9)
        .ldelim();
      w.uint32(0x12).string(r.line);
      w.uint32(0x1a).fork().uint32(0x0a).string('event_id').uint32(0x12).string(r.id).ldelim();
      for (const f of config.structured_metadata_fields) {
        const v = metadataValue(r.event[f]);
        if (typeof v === 'string')
          w.uint32(0x1a).fork().uint32(0x0a).string(f).uint32(0x12).string(v).ldelim();
      }
      w.ldelim();
    }
    w.ldelim();
  }
  return w.finish();
};

const encoder = createPushBodyEncoder(config);
const codec = createLokiCodec(config);
const pb = encoder.protobuf(records);
const same = (a: Uint8Array) => Buffer.compare(Buffer.from(a), pb) === 0;
if (!same(viaType()) || !same(viaWriter())) throw new Error('bench variants disagree on the bytes');

best(
  'A  plain objects + Type.encode',
  20,
  () => viaType().length,
  (ms) => evps(ms),
);
best(
  'B  protobufjs Writer (fork/ldelim)',
  20,
  () => viaWriter().length,
  (ms) => evps(ms),
);
best(
  'C  hand-written sized writer (shipped)',
  40,
  () => encoder.protobuf(records).length,
  (ms) => evps(ms),
);
best(
  '   snappyjs.compress of the protobuf',
  40,
  () => compress(pb).length,
  (ms, out) => {
    const mbps = pb.length / 1e6 / (ms / 1000);
    return `${mbps.toFixed(0)} MB/s (${((out / pb.length) * 100).toFixed(1)}% of ${(pb.length / 1e6).toFixed(2)} MB)`;
  },
);
best(
  '   codec.encode (protobuf + snappy, shipped)',
  40,
  () => codec.encode(records).body.length,
  (ms) => evps(ms),
);
