/**
 * A codec's per-record overhead counts toward batch.max_bytes, so a Splunk HEC request built from
 * a full batch stays within the configured cap (1 MiB by default) even though every event gains
 * an envelope.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createBatcher } from '../../src/batch/batcher.js';
import { createSplunkHecCodec } from '../../src/sinks/splunk-hec/index.js';
import type { SplunkHecSinkConfig } from '../../src/config/types.js';
import { makeRecords } from '../helpers/records.js';

const MiB = 1024 * 1024;

const hecConfig: SplunkHecSinkConfig = {
  type: 'splunk_hec',
  name: 'splunk',
  url: 'http://127.0.0.1:8088',
  timeout_ms: 30_000,
  gzip: false,
  tls: { insecure_skip_verify: false },
  auth: {},
  headers: {},
  token: 't',
  sourcetype: 'wirety:audit',
  source: 'wirety',
  host: 'a-rather-long-host-name.example.internal',
  indexed_fields: ['action', 'network_id', 'peer_id', 'actor_id'],
  metadata_fields: [
    'namespace',
    'pod',
    'pod_uid',
    'container',
    'node',
    'container_name',
    'container_id',
    'tag',
  ],
  ack: { enabled: false, poll_interval_ms: 2000, timeout_ms: 300_000, required: false },
  batch: { max_events: 100_000, max_bytes: MiB, max_wait_ms: 1000 },
  retry: {
    initial_backoff_ms: 500,
    max_backoff_ms: 300_000,
    max_retry_after_ms: 300_000,
    max_network_backoff_ms: 10_000,
  },
  max_in_flight: 1,
};

test('the overhead counts toward max_bytes', () => {
  const records = makeRecords(10);
  const plain = createBatcher({ max_events: 100, max_bytes: 1000, max_wait_ms: 1 });
  const withOverhead = createBatcher({ max_events: 100, max_bytes: 1000, max_wait_ms: 1 }, 400);
  plain.add(records, 0);
  withOverhead.add(records, 0);
  assert.equal(withOverhead.bytes, plain.bytes + 10 * 400);
  assert.ok(withOverhead.take().length < plain.take().length);
});

test('a full HEC batch encodes to at most batch.max_bytes', () => {
  const codec = createSplunkHecCodec(hecConfig, { channel: '6f1c1a52-5a43-4e38-9d5e-2b2b0f1f7a11' });
  assert.ok((codec.recordOverheadBytes ?? 0) > 100, 'the HEC codec declares its envelope overhead');
  const batcher = createBatcher(hecConfig.batch, codec.recordOverheadBytes);
  batcher.add(makeRecords(20_000), 0);
  assert.ok(batcher.isFull());
  const batch = batcher.take();
  const body = codec.encode(batch).body;
  assert.ok(body.length <= MiB, `request body ${body.length} bytes exceeds 1 MiB`);
  assert.ok(body.length > MiB * 0.6, `and the batch is not needlessly small (${body.length} bytes)`);
  const withoutOverhead = createBatcher(hecConfig.batch);
  withoutOverhead.add(makeRecords(20_000), 0);
  assert.ok(codec.encode(withoutOverhead.take()).body.length > MiB, 'line bytes alone would overshoot');
});
