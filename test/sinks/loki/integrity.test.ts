/**
 * Issue 13 in Loki, through the delivery loop to the Loki test receiver (snappy + protobuf fully
 * decoded): an event with `integrity` carries `seq`, `journal`, `chain`, `chain_prev` as structured
 * metadata right after `event_id`, its line byte-for-byte; a checkpoint record lands in its own
 * stream (static labels + wirety_ship_kind="checkpoint") at the time it was made; an event without
 * `integrity` gets exactly the entry it always had; the chain names are reserved in the config.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { AuditRecord } from '../../../src/audit/record.js';
import type { LokiSinkConfig } from '../../../src/config/types.js';
import { createLokiCodec } from '../../../src/sinks/loki/index.js';
import { validateLokiLabels } from '../../../src/sinks/loki/labels.js';
import { makeRecords } from '../../helpers/records.js';
import { startWorkerHarness } from '../../helpers/test-codec.js';
import { decodeLokiPush, lokiSinkConfig, startLokiReceiver } from '../../receivers/loki-receiver.js';
import { chainedRecords, checkpointRecord, JOURNAL } from '../integrity-records.js';

const never = new AbortController().signal;

async function deliver(records: readonly AuditRecord[], sink: Partial<LokiSinkConfig> = {}) {
  const loki = await startLokiReceiver();
  const codec = createLokiCodec(loki.sinkConfig(sink));
  const h = await startWorkerHarness({ records, sink: { codec, receiver: loki } });
  try {
    await h.worker.run(never);
    assert.deepEqual(h.deadLetter.records, []);
    return loki.stored();
  } finally {
    await h.close();
  }
}

void test('events with integrity: seq, journal, chain, chain_prev after event_id; checkpoints in their own stream', async () => {
  const events = chainedRecords(6);
  const checkpoint = checkpointRecord(events, 8);
  const records = [...events, checkpoint];
  const stored = await deliver(records, {
    labels: { job: 'wirety', env: 'prod' },
    structured_metadata_fields: ['network_id', 'peer_id'],
  });
  assert.equal(stored.length, records.length);

  for (const r of events) {
    const entry = stored.find((e) => e.metadata.event_id === r.id);
    assert.ok(entry, `entry ${r.id}`);
    assert.equal(entry.line, r.line, 'line byte-for-byte');
    assert.deepEqual(entry.labels, { job: 'wirety', env: 'prod', source: r.source });
    assert.deepEqual(Object.entries(entry.metadata), [
      ['event_id', r.id],
      ['seq', String(r.seq)],
      ['journal', JOURNAL],
      ['chain', r.integrity!.chain],
      ['chain_prev', r.integrity!.prev],
      ['network_id', r.event.network_id],
      ['peer_id', r.event.peer_id],
    ]);
  }
  // The chain links as the verifier reads it: each event's chain_prev is the one before's chain.
  const ordered = events.map((r) => stored.find((e) => e.metadata.event_id === r.id)!);
  for (let i = 1; i < ordered.length; i++) {
    assert.equal(ordered[i]!.metadata.chain_prev, ordered[i - 1]!.metadata.chain);
  }

  const checkpoints = stored.filter((e) => e.labels.wirety_ship_kind === 'checkpoint');
  assert.equal(checkpoints.length, 1, 'one checkpoint entry, in the checkpoint stream only');
  const [entry] = checkpoints;
  assert.deepEqual(entry!.labels, { job: 'wirety', env: 'prod', wirety_ship_kind: 'checkpoint' });
  assert.equal(entry!.line, checkpoint.line);
  assert.deepEqual(entry!.metadata, { event_id: checkpoint.id });
  assert.equal(entry!.timestampNs, BigInt(checkpoint.receivedAtMs) * 1_000_000n);
  assert.equal(
    stored.filter((e) => e.labels.wirety_ship_kind === undefined).length,
    events.length,
    'the audit streams hold the events only',
  );
});

void test('without integrity an entry is unchanged; with it, only the four pairs are added', () => {
  const codec = createLokiCodec(
    lokiSinkConfig('http://127.0.0.1:1', { structured_metadata_fields: ['peer_id'] }),
  );
  const chained = chainedRecords(4);
  const plain = chained.map(({ integrity: _, ...rest }) => rest as AuditRecord);
  // Entries come grouped by stream: put them back in record order by event id.
  const entries = (rs: readonly AuditRecord[]) => {
    const all = decodeLokiPush(Buffer.from(codec.encode(rs).body)).flatMap((s) => s.entries);
    return rs.map((r) => all.find((e) => e.metadata.event_id === r.id)!);
  };
  const before = entries(plain);
  const after = entries(chained);
  for (const [i, r] of chained.entries()) {
    assert.deepEqual(
      Object.keys(before[i]!.metadata),
      ['event_id', 'peer_id'],
      'no chain names without integrity',
    );
    assert.equal(after[i]!.line, before[i]!.line);
    assert.equal(after[i]!.timestampNs, before[i]!.timestampNs);
    assert.deepEqual(after[i]!.labels, before[i]!.labels);
    assert.deepEqual(after[i]!.metadata, {
      ...before[i]!.metadata,
      seq: String(r.seq),
      journal: JOURNAL,
      chain: r.integrity!.chain,
      chain_prev: r.integrity!.prev,
    });
  }
  // A batch without any integrity or checkpoint record has no checkpoint stream.
  assert.equal(
    decodeLokiPush(Buffer.from(codec.encode(makeRecords(4)).body)).some((s) =>
      s.labelString.includes('wirety_ship_kind'),
    ),
    false,
  );
});

void test('structured_metadata: false: the event entry is line and timestamp only; the checkpoint still has its stream', () => {
  const codec = createLokiCodec(
    lokiSinkConfig('http://127.0.0.1:1', { structured_metadata: false, metadata_structured: [] }),
  );
  const events = chainedRecords(2);
  const streams = decodeLokiPush(Buffer.from(codec.encode([...events, checkpointRecord(events, 4)]).body));
  for (const e of streams.flatMap((s) => s.entries)) assert.deepEqual(e.metadata, {});
  assert.deepEqual(streams.map((s) => s.labelString).sort(), [
    '{job="wirety",source="agent"}',
    '{job="wirety",source="server"}',
    '{job="wirety",wirety_ship_kind="checkpoint"}',
  ]);
});

void test('config: the chain names and the checkpoint label are reserved', () => {
  const errors = (overrides: Partial<LokiSinkConfig>) =>
    validateLokiLabels(lokiSinkConfig('http://127.0.0.1:1', overrides));
  for (const name of ['seq', 'journal', 'chain', 'chain_prev']) {
    assert.deepEqual(errors({ structured_metadata_fields: [name] }), [
      `sinks.loki.structured_metadata_fields: "${name}" is sent by wirety-ship itself with integrity on (the journal chain); remove it`,
    ]);
  }
  assert.deepEqual(errors({ labels: { job: 'w', wirety_ship_kind: 'x' } }), [
    'sinks.loki.labels: "wirety_ship_kind" is set by wirety-ship itself (it marks the checkpoint stream); choose another name',
  ]);
});
