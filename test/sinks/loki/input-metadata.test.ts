/**
 * Input metadata in Loki: `metadata_labels` become stream labels (one stream per namespace and
 * container), `metadata_structured` structured metadata, through the delivery loop to a Loki test
 * receiver that decodes snappy + protobuf; records without metadata keep the labels they had;
 * `structured_metadata: false` sends none; high-cardinality names are refused as labels.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { AuditRecord } from '../../../src/audit/record.js';
import type { LokiSinkConfig } from '../../../src/config/types.js';
import { createLokiCodec } from '../../../src/sinks/loki/index.js';
import { validateLokiLabels } from '../../../src/sinks/loki/labels.js';
import { docker, kubernetesProd, mixedRecords } from '../../helpers/input-metadata.js';
import { startWorkerHarness } from '../../helpers/test-codec.js';
import { lokiSinkConfig, startLokiReceiver, type LokiEntry } from '../../receivers/loki-receiver.js';

const never = new AbortController().signal;

async function deliver(records: readonly AuditRecord[], sink: Partial<LokiSinkConfig> = {}) {
  const loki = await startLokiReceiver();
  const codec = createLokiCodec(loki.sinkConfig(sink));
  const h = await startWorkerHarness({ records, sink: { codec, receiver: loki } });
  try {
    await h.worker.run(never);
    assert.deepEqual(h.deadLetter.records, []);
    return {
      stored: loki.stored(),
      streams: loki.pushes.flatMap((p) => p.streams.map((s) => s.labelString)),
    };
  } finally {
    await h.close();
  }
}

const byId = (stored: readonly LokiEntry[], id: string): LokiEntry => {
  const entry = stored.find((e) => e.metadata.event_id === id);
  assert.ok(entry, `entry ${id} stored`);
  return entry;
};

void test('Kubernetes and Docker metadata: labels per namespace/container, the rest structured; none for stdin records', async () => {
  const records = mixedRecords();
  const { stored, streams } = await deliver(records);
  assert.equal(stored.length, records.length);
  for (const r of records) assert.equal(byId(stored, r.id).line, r.line, 'line byte-for-byte');

  const prod = byId(stored, records[0]!.id);
  assert.deepEqual(prod.labels, {
    job: 'wirety',
    source: 'server',
    namespace: 'prod',
    container: 'wirety-server',
  });
  assert.deepEqual(prod.metadata, {
    event_id: records[0]!.id,
    pod: kubernetesProd.pod,
    pod_uid: kubernetesProd.pod_uid,
    node: 'node-1',
  });
  assert.deepEqual(byId(stored, records[1]!.id).labels, {
    job: 'wirety',
    source: 'agent',
    namespace: 'staging',
    container: 'wirety-server',
  });
  const fromDocker = byId(stored, records[2]!.id);
  assert.deepEqual(fromDocker.labels, { job: 'wirety', source: 'server', container_name: 'wirety' });
  assert.deepEqual(fromDocker.metadata, {
    event_id: records[2]!.id,
    container_id: docker.container_id,
    tag: docker.tag,
  });
  const plain = byId(stored, records[3]!.id);
  assert.deepEqual(plain.labels, { job: 'wirety', source: 'agent' }, 'stdin records keep their labels');
  assert.deepEqual(plain.metadata, { event_id: records[3]!.id });

  // Streams are keyed by the full label set: prod and staging never share one.
  assert.equal(new Set(streams).size, streams.length, 'one stream per label set in a push');
  assert.ok(streams.includes('{container="wirety-server",job="wirety",namespace="prod",source="server"}'));
  assert.ok(streams.includes('{container="wirety-server",job="wirety",namespace="staging",source="agent"}'));
});

void test('configured names only: an empty metadata_labels puts nothing in labels, a shorter metadata_structured sends less', async () => {
  const records = mixedRecords();
  const { stored } = await deliver(records, {
    metadata_labels: [],
    metadata_structured: ['namespace', 'pod'],
  });
  const prod = byId(stored, records[0]!.id);
  assert.deepEqual(prod.labels, { job: 'wirety', source: 'server' });
  assert.deepEqual(prod.metadata, { event_id: records[0]!.id, namespace: 'prod', pod: kubernetesProd.pod });
  assert.deepEqual(
    byId(stored, records[2]!.id).metadata,
    { event_id: records[2]!.id },
    'docker names not listed',
  );
});

void test('structured_metadata: false: metadata labels still apply, structured names go nowhere', async () => {
  const records = mixedRecords();
  const { stored } = await deliver(records, { structured_metadata: false });
  assert.equal(stored.length, records.length);
  for (const e of stored) assert.deepEqual(e.metadata, {});
  const prod = stored.find((e) => e.line === records[0]!.line);
  assert.deepEqual(prod?.labels, {
    job: 'wirety',
    source: 'server',
    namespace: 'prod',
    container: 'wirety-server',
  });
});

void test('labels: pod, pod_uid and container_id refused with a pointer to metadata_structured; unknown names and clashes refused', () => {
  const config = (overrides: Partial<LokiSinkConfig>) => lokiSinkConfig('http://127.0.0.1:1', overrides);
  const errors = (overrides: Partial<LokiSinkConfig>) => validateLokiLabels(config(overrides));
  assert.deepEqual(errors({}), [], 'the defaults are valid');
  for (const name of ['pod', 'pod_uid', 'container_id']) {
    const [message] = errors({ metadata_labels: ['namespace', name], metadata_structured: [] });
    assert.match(
      message ?? '',
      new RegExp(
        `^sinks\\.loki\\.metadata_labels: \`${name}\` is high-cardinality .*Put it in metadata_structured instead\\.$`,
      ),
    );
  }
  assert.throws(() => createLokiCodec(config({ metadata_labels: ['pod'] })), /high-cardinality/);
  assert.match(
    errors({ metadata_labels: ['namespce'] })[0] ?? '',
    /"namespce" is not an input metadata name \(known: namespace, pod/,
  );
  assert.match(
    errors({ metadata_structured: ['podd'] })[0] ?? '',
    /metadata_structured: "podd" is not an input metadata name/,
  );
  assert.match(
    errors({ labels: { job: 'w', namespace: 'x' } })[0] ?? '',
    /metadata_labels: "namespace" is listed twice or is also a static label/,
  );
  assert.match(
    errors({ metadata_structured: ['namespace'] })[0] ?? '',
    /"namespace" is already a stream label/,
  );
  assert.match(
    errors({ structured_metadata_fields: ['tag'] })[0] ?? '',
    /metadata_structured: "tag" is listed twice or is also in structured_metadata_fields/,
  );
  const many = Object.fromEntries(Array.from({ length: 12 }, (_, i) => [`l${i}`, 'v']));
  assert.match(errors({ labels: many })[0] ?? '', /16 labels per stream .* is more than Loki's limit of 15/);
});
