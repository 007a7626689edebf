/**
 * Input metadata in Elasticsearch documents, through the delivery loop to the `_bulk` test
 * receiver (which parses every document and refuses duplicate keys): Kubernetes names as Elastic's
 * `kubernetes.*` objects, Docker's as ECS `container.{name,id}` plus `wirety_ship.tag`, only present
 * names, nothing for stdin records; an event that already has a `kubernetes` or `container` field
 * keeps its value under `wirety_ship.overwritten`.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { AuditRecord } from '../../../src/audit/record.js';
import { documentByCopy, documentBySplice } from '../../../src/sinks/elasticsearch/encode.js';
import { INDEX, startEsHarness } from '../../helpers/es-harness.js';
import { docker, kubernetesProd, mixedRecords } from '../../helpers/input-metadata.js';
import { makeRecord, serverLine } from '../../helpers/records.js';

async function store(records: readonly AuditRecord[]): Promise<Map<string, Record<string, unknown>>> {
  const h = await startEsHarness();
  try {
    await h.run(records).done;
    assert.deepEqual(h.deadLetter.records, []);
    const byId = new Map<string, Record<string, unknown>>();
    for (const r of records) {
      const doc = h.receiver.documents.get(`${INDEX}/${r.id}`);
      assert.ok(doc, `document ${r.id} stored`);
      byId.set(r.id, doc);
    }
    return byId;
  } finally {
    await h.close();
  }
}

void test('Kubernetes metadata → kubernetes.{namespace, pod.{name,uid}, container.name, node.name}; Docker → container.{name,id} + wirety_ship.tag; stdin → none', async () => {
  const records = mixedRecords();
  const docs = await store(records);

  const prod = docs.get(records[0]!.id)!;
  assert.deepEqual(prod.kubernetes, {
    namespace: 'prod',
    pod: { name: kubernetesProd.pod, uid: kubernetesProd.pod_uid },
    container: { name: 'wirety-server' },
    node: { name: 'node-1' },
  });
  assert.equal(prod.container, undefined);
  assert.deepEqual(prod.wirety_ship, { event_id: records[0]!.id, seq: records[0]!.seq, source: 'server' });
  assert.equal((docs.get(records[1]!.id)!.kubernetes as { namespace: string }).namespace, 'staging');

  const fromDocker = docs.get(records[2]!.id)!;
  assert.deepEqual(fromDocker.container, { name: docker.container_name, id: docker.container_id });
  assert.equal(fromDocker.kubernetes, undefined);
  assert.deepEqual(fromDocker.wirety_ship, {
    event_id: records[2]!.id,
    seq: records[2]!.seq,
    source: 'server',
    tag: docker.tag,
  });

  const plain = docs.get(records[3]!.id)!;
  assert.equal(plain.kubernetes, undefined);
  assert.equal(plain.container, undefined);
  assert.deepEqual(Object.keys(plain.wirety_ship as object), ['event_id', 'seq', 'source']);

  // Every event field is still there, unchanged.
  for (const r of records) {
    const doc = docs.get(r.id)!;
    for (const [key, value] of Object.entries(r.event)) assert.deepEqual(doc[key], value, `${r.id}.${key}`);
  }
});

void test('only present names: a path without a pod uid, a Forward record without a container id', () => {
  const base = makeRecord(1, serverLine);
  const partial = { ...base, metadata: { namespace: 'prod', node: 'n1', container_name: 'w' } };
  const doc = JSON.parse(documentBySplice(partial, '2025-05-23T11:33:20.000Z')!) as Record<string, unknown>;
  assert.deepEqual(doc.kubernetes, { namespace: 'prod', node: { name: 'n1' } });
  assert.deepEqual(doc.container, { name: 'w' });
  assert.equal((doc.wirety_ship as { tag?: string }).tag, undefined);
  const nodeOnly = { ...base, metadata: { node: 'n1' } };
  const doc2 = JSON.parse(documentBySplice(nodeOnly, 't')!) as Record<string, unknown>;
  assert.deepEqual(doc2.kubernetes, { node: { name: 'n1' } });
  assert.equal(doc2.container, undefined);
});

void test('an event with its own kubernetes/container field: ours is written, the event value kept under wirety_ship.overwritten, never a duplicate key', async () => {
  const line = JSON.stringify({
    ...(JSON.parse(serverLine) as object),
    kubernetes: 'from-the-event',
    container: { name: 'event-side' },
  });
  const k8s = makeRecord(1, line, { metadata: kubernetesProd });
  const dock = makeRecord(2, line, { metadata: docker });
  const none = makeRecord(3, line);
  assert.equal(documentBySplice(k8s, 't'), undefined, 'the fast path steps aside');

  const docs = await store([k8s, dock, none]);
  const a = docs.get(k8s.id)!;
  assert.equal((a.kubernetes as { namespace: string }).namespace, 'prod');
  assert.deepEqual(a.container, { name: 'event-side' }, 'no Docker metadata: the event field stays');
  assert.deepEqual((a.wirety_ship as { overwritten: unknown }).overwritten, { kubernetes: 'from-the-event' });
  const b = docs.get(dock.id)!;
  assert.deepEqual(b.container, { name: docker.container_name, id: docker.container_id });
  assert.equal(b.kubernetes, 'from-the-event');
  assert.deepEqual((b.wirety_ship as { overwritten: unknown }).overwritten, {
    container: { name: 'event-side' },
  });
  const c = docs.get(none.id)!;
  assert.equal(c.kubernetes, 'from-the-event', 'without metadata the event is shipped as it is');
  assert.equal((c.wirety_ship as { overwritten?: unknown }).overwritten, undefined);
  // The careful path gives the same document the fast path would have, for a plain metadata record.
  const plain = makeRecord(4, serverLine, { metadata: kubernetesProd });
  assert.deepEqual(JSON.parse(documentByCopy(plain, 't')), JSON.parse(documentBySplice(plain, 't')!));
});
