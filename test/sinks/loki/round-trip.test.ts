/**
 * codec.encode → a real socket → the Loki test receiver, which decodes snappy + protobuf and parses
 * labels the way Loki does. What arrives must be exactly what was journaled.
 */
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { gzipSync } from 'node:zlib';
import { request } from 'undici';
import type { AuditRecord } from '../../../src/audit/record.js';
import type { LokiSinkConfig } from '../../../src/config/types.js';
import type { SinkRequest } from '../../../src/contract/sink.js';
import { createLokiCodec } from '../../../src/sinks/loki/index.js';
import { agentLine, makeRecord, makeRecords, serverLine } from '../../helpers/records.js';
import { startLokiReceiver, type LokiReceiver } from '../../receivers/loki-receiver.js';

let loki: LokiReceiver;
before(async () => {
  loki = await startLokiReceiver();
});
after(() => loki.close());

async function push(
  req: SinkRequest,
  extraHeaders: Record<string, string> = {},
  body: Uint8Array = req.body,
) {
  const res = await request(`${loki.url}${req.path}`, {
    method: req.method ?? 'POST',
    headers: { ...req.headers, ...extraHeaders },
    body,
  });
  return { status: res.statusCode, text: await res.body.text() };
}

/** Sends `records` and returns the entries the receiver stored for this push only. */
async function roundTrip(records: readonly AuditRecord[], overrides: Partial<LokiSinkConfig> = {}) {
  const before = loki.pushes.length;
  const res = await push(createLokiCodec(loki.sinkConfig(overrides)).encode(records));
  assert.equal(res.status, 204, res.text);
  assert.equal(loki.pushes.length, before + 1);
  return loki.pushes[before]!;
}

const withEvent = (seq: number, patch: Record<string, unknown>, base = serverLine) =>
  makeRecord(seq, JSON.stringify({ ...(JSON.parse(base) as object), ...patch }));

void test('every record arrives once, line byte-identical, with its event_id', async () => {
  const records = makeRecords(500);
  const pushed = await roundTrip(records);
  const entries = pushed.streams.flatMap((s) => s.entries);
  assert.equal(entries.length, records.length);
  const byId = new Map(entries.map((e) => [e.metadata.event_id, e]));
  for (const r of records) {
    const entry = byId.get(r.id);
    assert.ok(entry, `missing ${r.id}`);
    assert.deepEqual(Buffer.from(entry.line, 'utf8'), Buffer.from(r.line, 'utf8'));
  }
});

void test('non-ASCII, quotes and backslashes survive byte-for-byte', async () => {
  const tricky = [
    withEvent(1, { peer_name: 'café-é' }),
    withEvent(2, { peer_name: 'rocket 🚀 and 👩‍💻' }, agentLine),
    withEvent(3, { peer_name: 'say "hi" \\ C:\\path\\' }),
    // A line exactly as wirety could write it: escaped unicode and a raw multi-byte char mixed.
    makeRecord(4, serverLine.replace('office-laptop', 'b\\u00fcro \\"x\\" ü\\\\n')),
  ];
  const entries = (await roundTrip(tricky)).streams.flatMap((s) => s.entries);
  const sent = tricky.map((r) => r.line).sort();
  assert.deepEqual(entries.map((e) => e.line).sort(), sent);
  for (const e of entries) {
    const r = tricky.find((t) => t.id === e.metadata.event_id)!;
    assert.equal(Buffer.byteLength(e.line), r.bytes, 'same UTF-8 length as journaled');
  }
});

void test('label sets: server vs agent streams, label_fields, static labels', async () => {
  const records = [
    makeRecord(1, serverLine),
    makeRecord(2, agentLine),
    withEvent(3, { action: 'peer.delete' }),
    makeRecord(4, serverLine),
  ];
  const pushed = await roundTrip(records, {
    labels: { job: 'wirety', env: 'prod' },
    label_fields: ['action'],
  });
  assert.deepEqual(
    pushed.streams.map((s) => [s.labels, s.entries.map((e) => e.metadata.event_id)]),
    [
      [{ action: 'peer.create', env: 'prod', job: 'wirety', source: 'server' }, ['test-1', 'test-4']],
      [{ action: 'tunnel.connected', env: 'prod', job: 'wirety', source: 'agent' }, ['test-2']],
      [{ action: 'peer.delete', env: 'prod', job: 'wirety', source: 'server' }, ['test-3']],
    ],
  );
});

void test('timestamps: event seconds → ns + seq; received mode; same-second order is stable', async () => {
  const event = (await roundTrip([makeRecord(77, serverLine)])).streams[0]!.entries[0]!;
  assert.equal(event.timestampNs, 1748000000000000000n + 77n);

  const received = (
    await roundTrip([makeRecord(77, serverLine, { receivedAtMs: 1_748_000_000_250 })], {
      timestamp: 'received',
    })
  ).streams[0]!.entries[0]!;
  assert.equal(received.timestampNs, 1_748_000_000_250_000_077n);

  const sameSecond = Array.from({ length: 50 }, (_, i) => makeRecord(1000 + i, serverLine));
  const entries = (await roundTrip(sameSecond)).streams[0]!.entries;
  assert.deepEqual(
    entries.map((e) => e.metadata.event_id),
    sameSecond.map((r) => r.id),
  );
  const sorted = [...entries].sort((a, b) => (a.timestampNs < b.timestampNs ? -1 : 1));
  assert.deepEqual(sorted, entries, 'sorting by timestamp (what Loki does) keeps journal order');
  assert.equal(new Set(entries.map((e) => e.timestampNs)).size, entries.length, 'no two share a timestamp');
});

void test('structured metadata and tenant reach the receiver', async () => {
  const record = makeRecord(5, agentLine, { id: 'journal-a-5' });
  const pushed = await roundTrip([record], {
    tenant: 'team-a',
    structured_metadata_fields: ['peer_id', 'network_id', 'endpoint', 'actor_email'],
  });
  assert.equal(pushed.tenant, 'team-a');
  assert.deepEqual(pushed.streams[0]!.entries[0]!.metadata, {
    event_id: 'journal-a-5',
    peer_id: 'peer-jump-1',
    network_id: 'net-abc123',
    endpoint: '203.0.113.42:51820',
  });
});

void test('a gzip-wrapped snappy body (what the transport sends with gzip on) is accepted', async () => {
  const req = createLokiCodec(loki.sinkConfig()).encode(makeRecords(20, 9000));
  const before = loki.entries().length;
  const res = await push(req, { 'content-encoding': 'gzip' }, gzipSync(req.body));
  assert.equal(res.status, 204, res.text);
  assert.equal(loki.entries().length, before + 20);
});
