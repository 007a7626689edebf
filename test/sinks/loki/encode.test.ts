import assert from 'node:assert/strict';
import { test } from 'node:test';
import { uncompress } from 'snappyjs';
import type { AuditRecord } from '../../../src/audit/record.js';
import { createPushBodyEncoder } from '../../../src/sinks/loki/encode.js';
import { createLokiCodec } from '../../../src/sinks/loki/index.js';
import { decodePushRequest, encodePushRequest } from '../../../src/sinks/loki/push-proto.js';
import { makeRecord, makeRecords, agentLine, serverLine } from '../../helpers/records.js';
import { decodeLokiPush, lokiSinkConfig } from '../../receivers/loki-receiver.js';

const config = (overrides = {}) => lokiSinkConfig('http://127.0.0.1:1', overrides);
const decode = (records: readonly AuditRecord[], overrides = {}) =>
  decodeLokiPush(Buffer.from(createLokiCodec(config(overrides)).encode(records).body));
const flat = (records: readonly AuditRecord[], overrides = {}) =>
  decode(records, overrides).flatMap((s) => s.entries);

function withEvent(seq: number, patch: Record<string, unknown>, base = serverLine): AuditRecord {
  return makeRecord(seq, JSON.stringify({ ...(JSON.parse(base) as object), ...patch }));
}

void test('request: push path, POST, protobuf content type, no tenant header unless configured', () => {
  const request = createLokiCodec(config()).encode(makeRecords(2));
  assert.equal(request.path, '/loki/api/v1/push');
  assert.equal(request.method, 'POST');
  assert.deepEqual(request.headers, { 'content-type': 'application/x-protobuf' });
  const tenant = createLokiCodec(config({ tenant: 'team-a' })).encode(makeRecords(2));
  assert.deepEqual(tenant.headers, { 'content-type': 'application/x-protobuf', 'x-scope-orgid': 'team-a' });
});

void test('body is a snappy block (length varint first) of the PushRequest protobuf', () => {
  const records = makeRecords(50);
  const encoder = createPushBodyEncoder(config());
  const body = Buffer.from(createLokiCodec(config()).encode(records).body);
  const protobuf = encoder.protobuf(records);
  assert.ok(body.length < protobuf.length, 'compressed');
  // Snappy block format starts with the uncompressed length as a varint (framed format starts 0xff).
  let length = 0;
  for (let i = 0, shift = 0; ; i++, shift += 7) {
    length += (body[i]! & 0x7f) * 2 ** shift;
    if (body[i]! < 0x80) break;
  }
  assert.equal(length, protobuf.length);
  assert.deepEqual(uncompress(body), protobuf);
});

void test('hot-path bytes equal protobufjs encoding of the same request', () => {
  const records = [
    ...makeRecords(30, 7),
    withEvent(
      100,
      { peer_name: 'café ☕ "quoted" \\ back\\slash 🎉', session_duration: 3600000000000 },
      agentLine,
    ),
  ];
  for (const overrides of [
    {},
    { label_fields: ['action'], structured_metadata_fields: ['peer_id', 'session_duration', 'peer_name'] },
    { timestamp: 'received' as const, tenant: 't1' },
    { structured_metadata: false, structured_metadata_fields: [] },
  ]) {
    const encoder = createPushBodyEncoder(config(overrides));
    const ours = encoder.protobuf(records);
    const decoded = decodePushRequest(ours);
    const reference = encodePushRequest({
      streams: decoded.streams.map((s) => ({
        labels: s.labels,
        entries: s.entries.map((e) => ({
          ...e,
          timestamp: { seconds: Number(e.timestamp.seconds), nanos: e.timestamp.nanos },
        })),
      })),
    });
    assert.deepEqual(ours, Buffer.from(reference));
  }
});

void test('event timestamps: event.time seconds + seq as nanoseconds', () => {
  const [entry] = flat([makeRecord(5, serverLine)]);
  assert.equal(entry!.timestampNs, 1748000000_000000000n + 5n);
  const [wrapped] = flat([makeRecord(3_000_000_123, serverLine)]);
  assert.equal(wrapped!.timestampNs, 1748000000_000000000n + 123n, 'seq modulo 1e9');
  const [zero] = flat([makeRecord(2_000_000_000, serverLine)]);
  assert.equal(zero!.timestampNs, 1748000000_000000000n, 'zero nanos');
});

void test('received timestamps: receivedAtMs * 1e6 + seq % 1e6', () => {
  const record = makeRecord(1_234_567, serverLine, { receivedAtMs: 1_748_000_123_456 });
  const [entry] = flat([record], { timestamp: 'received' });
  assert.equal(entry!.timestampNs, 1_748_000_123_456n * 1_000_000n + 234_567n);
});

void test('seconds up to 2^53 are written exactly', () => {
  for (const time of [2 ** 53, 2 ** 53 - 1, 2 ** 32 + 1]) {
    const [entry] = flat([withEvent(9, { time })]);
    assert.equal(entry!.timestampNs, BigInt(time) * 1_000_000_000n + 9n);
  }
});

void test('same-second events get distinct, increasing timestamps in the order given', () => {
  const records = Array.from({ length: 20 }, (_, i) => withEvent(500 + i, { time: 1748000000 }));
  const entries = flat(records);
  assert.deepEqual(
    entries.map((e) => e.line),
    records.map((r) => r.line),
  );
  for (let i = 1; i < entries.length; i++) assert.ok(entries[i]!.timestampNs > entries[i - 1]!.timestampNs);
});

void test('the same records encode to the same bytes, also from a fresh codec (retry, restart)', () => {
  const records = makeRecords(100);
  const cfg = config({ label_fields: ['action'], structured_metadata_fields: ['peer_id'] });
  const codec = createLokiCodec(cfg);
  const first = Buffer.from(codec.encode(records).body);
  codec.encode(makeRecords(10, 1000)); // scratch state from another batch must not leak
  assert.deepEqual(Buffer.from(codec.encode(records).body), first);
  assert.deepEqual(Buffer.from(createLokiCodec(cfg).encode(records).body), first);
});

void test('structured metadata: event_id always; configured fields when present, as strings', () => {
  const fields = ['peer_id', 'session_duration', 'actor_id', 'handshake_at', 'extra', 'flag', 'empty', 'nil'];
  const record = withEvent(
    3,
    { session_duration: 3600000000000, extra: { a: [1, 'x'] }, flag: true, empty: '', nil: null },
    agentLine,
  );
  const [entry] = flat([{ ...record, id: 'stable-id-3' }], { structured_metadata_fields: fields });
  assert.deepEqual(entry!.metadata, {
    event_id: 'stable-id-3',
    peer_id: 'peer-jump-1',
    session_duration: '3600000000000',
    handshake_at: '1748000098',
    extra: '{"a":[1,"x"]}',
    flag: 'true',
  });
  assert.deepEqual(flat([record])[0]!.metadata, { event_id: 'test-3' });
});

void test('structured_metadata: false => no metadata at all; same lines, labels and timestamps', () => {
  const records = makeRecords(20);
  const fields = ['peer_id', 'network_id'];
  const withMeta = decode(records, { structured_metadata_fields: fields });
  const without = decode(records, { structured_metadata: false, structured_metadata_fields: fields });
  for (const entry of without.flatMap((s) => s.entries)) assert.deepEqual(entry.metadata, {});
  const strip = (streams: typeof withMeta) =>
    streams.map((s) => ({
      labels: s.labels,
      entries: s.entries.map((e) => [e.timestampNs, Buffer.from(e.line, 'utf8')]),
    }));
  assert.deepEqual(strip(without), strip(withMeta), 'only the metadata differs');
  assert.deepEqual(
    without.flatMap((s) => s.entries.map((e) => e.line)).sort(),
    records.map((r) => r.line).sort(),
    'every line byte-for-byte',
  );
});

void test('streams: grouped by label set, first-appearance order, entries in the order given', () => {
  const records = makeRecords(10); // server, agent, server, …
  const streams = decode(records);
  assert.deepEqual(
    streams.map((s) => s.labelString),
    ['{job="wirety",source="server"}', '{job="wirety",source="agent"}'],
  );
  assert.deepEqual(
    streams[0]!.entries.map((e) => e.line),
    records.filter((r) => r.source === 'server').map((r) => r.line),
  );
  assert.deepEqual(
    streams[1]!.entries.map((e) => e.line),
    records.filter((r) => r.source === 'agent').map((r) => r.line),
  );
});

void test('codec refuses a config with high-cardinality labels or a bad tenant', () => {
  assert.throws(() => createLokiCodec(config({ label_fields: ['peer_id'] })), /sinks\.loki\.label_fields/);
  assert.throws(() => createLokiCodec(config({ tenant: 'a b' })), /sinks\.loki\.tenant/);
  assert.equal(createLokiCodec(config()).kind, 'loki');
});

void test('a malformed time or receive time still encodes (Loki then refuses it with a reason)', () => {
  const bad = [withEvent(1, { time: 'soon' }), withEvent(2, { time: 1748000000.7 })];
  const entries = flat(bad);
  assert.equal(entries[0]!.timestampNs, 1748000000_000000000n + 1n, 'falls back to receivedAtMs seconds');
  assert.equal(entries[1]!.timestampNs, 1748000000_000000000n + 2n, 'fractional seconds floored');
  const odd = makeRecord(3, serverLine, { receivedAtMs: 1_748_000_000_123.9 });
  assert.equal(flat([odd], { timestamp: 'received' })[0]!.timestampNs, 1_748_000_000_123_000_003n);
});

void test('an event an input reads again after a crash (same id, new seq) lands on the same timestamp, so Loki de-duplicates it', () => {
  const fileLine = (seq: number, offset: number) =>
    ({ ...makeRecord(seq, serverLine), id: `3f9c2a1b0d4e5f60:${offset}` }) as AuditRecord;
  const [first] = flat([fileLine(7, 4096)]);
  const [reread] = flat([fileLine(912, 4096)]);
  assert.equal(reread!.timestampNs, first!.timestampNs, 'a file line: identity + offset, not seq');
  const [later] = flat([fileLine(8, 4200)]);
  assert.ok(later!.timestampNs > first!.timestampNs, "a file's later line stays later within the second");
  const forward = (seq: number) =>
    ({ ...makeRecord(seq, serverLine), id: 'fwd-Qm9vX2JhcjEyMzQ1Njc4OTBhYmNkZWZn' }) as AuditRecord;
  assert.equal(
    flat([forward(3)])[0]!.timestampNs,
    flat([forward(40)])[0]!.timestampNs,
    'a re-sent Forward event',
  );
  const [journalMade] = flat([makeRecord(5, serverLine)]);
  assert.equal(journalMade!.timestampNs, 1748000000_000000000n + 5n, "the journal's own ids keep seq % 1e9");
});
