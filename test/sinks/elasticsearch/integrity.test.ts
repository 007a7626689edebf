/**
 * Issue 13 in Elasticsearch, through the delivery loop to the faithful `_bulk` receiver (every
 * document parsed, duplicate keys refused, `create` on an existing `_id` answered 409): an event
 * with `integrity` carries `wirety_ship.{journal, chain, chain_prev}` beside event_id/seq/source,
 * the same on the fast (splice) and the careful (copy) path; a checkpoint record is stored in the
 * checkpoint index under its own id with `@timestamp`, never in the events' index, and a resent
 * checkpoint (409) counts as delivered; an event without `integrity` keeps the document it had.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { AuditRecord } from '../../../src/audit/record.js';
import {
  createBulkEncoder,
  documentByCopy,
  documentBySplice,
} from '../../../src/sinks/elasticsearch/encode.js';
import { elasticsearchConfig } from '../../../src/sinks/elasticsearch/config.js';
import { validateElasticsearchSink } from '../../../src/sinks/elasticsearch/index.js';
import { INDEX, sinkConfig, startEsHarness } from '../../helpers/es-harness.js';
import { makeRecord, serverLine } from '../../helpers/records.js';
import { chainedRecords, checkpointRecord, JOURNAL } from '../integrity-records.js';

const CHECKPOINT_INDEX = 'wirety-ship-checkpoints';

void test('events carry wirety_ship.{journal, chain, chain_prev}; the checkpoint goes to its own index; a resend is a 409, delivered', async () => {
  const events = chainedRecords(6);
  const checkpoint = checkpointRecord(events, 8);
  const records = [...events, checkpoint];
  const h = await startEsHarness();
  try {
    await h.run(records).done;
    assert.deepEqual(h.deadLetter.records, []);
    for (const r of events) {
      const doc = h.receiver.documents.get(`${INDEX}/${r.id}`);
      assert.ok(doc, `document ${r.id}`);
      assert.deepEqual(doc.wirety_ship, {
        event_id: r.id,
        seq: r.seq,
        source: r.source,
        journal: JOURNAL,
        chain: r.integrity!.chain,
        chain_prev: r.integrity!.prev,
      });
      for (const [key, value] of Object.entries(r.event)) assert.deepEqual(doc[key], value, `${r.id}.${key}`);
    }
    const stored = h.receiver.documents.get(`${CHECKPOINT_INDEX}/${checkpoint.id}`);
    assert.deepEqual(stored, {
      '@timestamp': new Date(checkpoint.receivedAtMs).toISOString(),
      ...(JSON.parse(checkpoint.line) as object),
    });
    assert.deepEqual(
      [...h.receiver.documents.keys()].filter((key) => key.startsWith(`${INDEX}/`)).length,
      events.length,
      'the events index holds the events only',
    );
    const action = h.receiver.bulkRequests
      .flatMap((r) => r.items)
      .find((item) => item.action.id === checkpoint.id)?.action;
    assert.deepEqual(action, { op: 'create', index: CHECKPOINT_INDEX, id: checkpoint.id });

    // A restart re-sends everything: every item is a 409, delivered, nothing dead-lettered or stored twice.
    const before = h.receiver.documents.size;
    await h.run(records).done;
    assert.deepEqual(h.deadLetter.records, []);
    assert.equal(h.receiver.documents.size, before);
    assert.ok(h.receiver.bulkRequests.at(-1)!.statuses.every((s) => s === 409));
  } finally {
    await h.close();
  }
});

void test('fast path and careful path give the same document for an event with integrity', () => {
  for (const r of chainedRecords(4)) {
    const spliced = documentBySplice(r, '2025-05-23T11:33:20.000Z');
    assert.ok(spliced, 'a plain line takes the fast path');
    assert.deepEqual(JSON.parse(documentByCopy(r, '2025-05-23T11:33:20.000Z')), JSON.parse(spliced));
  }
  // An event that has a `wirety_ship` field of its own takes the careful path: ours still complete.
  const [first] = chainedRecords(1);
  const line = JSON.stringify({ ...(JSON.parse(serverLine) as object), wirety_ship: 'theirs' });
  const own = makeRecord(first!.seq, line, { integrity: first!.integrity! });
  assert.equal(documentBySplice(own, 't'), undefined);
  const doc = JSON.parse(documentByCopy(own, 't')) as { wirety_ship: Record<string, unknown> };
  assert.deepEqual(doc.wirety_ship, {
    event_id: own.id,
    seq: own.seq,
    source: 'server',
    journal: JOURNAL,
    chain: first!.integrity!.chain,
    chain_prev: first!.integrity!.prev,
    overwritten: { wirety_ship: 'theirs' },
  });
});

void test('without integrity the document is unchanged; with it only the three fields are added', () => {
  for (const r of chainedRecords(4)) {
    const { integrity, ...rest } = r;
    const plain = rest as AuditRecord;
    const before = JSON.parse(documentBySplice(plain, 't')!) as { wirety_ship: Record<string, unknown> };
    const after = JSON.parse(documentBySplice(r, 't')!) as { wirety_ship: Record<string, unknown> };
    assert.deepEqual(Object.keys(before.wirety_ship), ['event_id', 'seq', 'source']);
    assert.deepEqual(after, {
      ...before,
      wirety_ship: {
        ...before.wirety_ship,
        journal: integrity!.journal,
        chain: integrity!.chain,
        chain_prev: integrity!.prev,
      },
    });
  }
});

void test('checkpoint_index: a date pattern from when the checkpoint was made; no ingest pipeline on checkpoints; bad names refused', () => {
  const events = chainedRecords(2);
  const checkpoint = checkpointRecord(events, 4);
  const encoder = createBulkEncoder({
    index: 'wirety-audit-%Y.%m.%d',
    op: 'index',
    pipeline: 'audit-enrich',
    checkpointIndex: 'audit-checkpoints-%Y.%m',
  });
  const lines = Buffer.from(encoder.encode([...events, checkpoint]).body)
    .toString('utf8')
    .split('\n');
  const month = new Date(checkpoint.receivedAtMs).toISOString().slice(0, 7).replace('-', '.');
  assert.equal(
    lines[4],
    `{"create":{"_index":"audit-checkpoints-${month}","pipeline":"_none","_id":${JSON.stringify(checkpoint.id)}}}`,
  );
  assert.match(
    lines[0]!,
    /^\{"index":\{"_index":"wirety-audit-2025\.05\.23","_id":/,
    'events keep op and pipeline',
  );
  assert.equal(encoder.indexOf(checkpoint), `audit-checkpoints-${month}`);
  const plain = createBulkEncoder({ index: 'x', op: 'create' }).encode([checkpoint]);
  assert.match(
    Buffer.from(plain.body).toString('utf8'),
    /^\{"create":\{"_index":"wirety-ship-checkpoints","_id":/,
  );

  const config = sinkConfig('http://127.0.0.1:1', { checkpoint_index: 'Checkpoints' });
  assert.deepEqual(validateElasticsearchSink(config), [
    'sinks.es.checkpoint_index: index name "Checkpoints" must be lowercase',
  ]);
  const reported: string[] = [];
  elasticsearchConfig.check?.(config, undefined, (path, message) =>
    reported.push(`${path.join('.')}: ${message}`),
  );
  assert.deepEqual(reported, ['sinks.es.checkpoint_index: index name "Checkpoints" must be lowercase']);
});
