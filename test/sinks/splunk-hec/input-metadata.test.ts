/**
 * Input metadata as Splunk HEC indexed `fields`, through the delivery loop to the HEC test
 * receiver (which splits the concatenated envelopes and refuses non-string field values, code 15):
 * Kubernetes and Docker names as fields, none for stdin records, only the configured names; the
 * batcher counts the bytes metadata adds (exactly, and nothing for records without it).
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { createBatcher } from '../../../src/batch/batcher.js';
import { createSplunkHecCodec, newChannelId } from '../../../src/sinks/splunk-hec/index.js';
import { createHecEncoder } from '../../../src/sinks/splunk-hec/encode.js';
import { docker, kubernetesProd, mixedRecords } from '../../helpers/input-metadata.js';
import { makeRecord, serverLine } from '../../helpers/records.js';
import { hecConfig, useHecHarnesses } from './hec-harness.js';

const withHarness = useHecHarnesses('hec-metadata-');

void describe('Splunk HEC: input metadata as indexed fields', () => {
  void it('Kubernetes and Docker metadata become string fields after the event fields; stdin records get none', async () => {
    await withHarness({}, async (h) => {
      const records = mixedRecords();
      await h.run(records);
      assert.deepEqual(h.deadLetter.records, []);
      const fieldsOf = (i: number) =>
        h.receiver.events.find((e) => e.fields?.event_id === records[i]!.id)?.fields;
      assert.deepEqual(fieldsOf(0), {
        event_id: records[0]!.id,
        seq: String(records[0]!.seq),
        action: 'peer.create',
        ...kubernetesProd,
      });
      assert.equal(fieldsOf(1)?.namespace, 'staging');
      assert.deepEqual(fieldsOf(2), {
        event_id: records[2]!.id,
        seq: String(records[2]!.seq),
        action: 'peer.create',
        ...docker,
      });
      assert.deepEqual(Object.keys(fieldsOf(3) ?? {}), ['event_id', 'seq', 'action']);
      for (const [i, r] of records.entries()) {
        assert.deepEqual(
          h.receiver.events.find((e) => e.fields?.event_id === r.id)?.event,
          r.event,
          `event ${i}`,
        );
      }
    });
  });

  void it('through the delivery loop, a request of metadata records stays within batch.max_bytes', async () => {
    const plain = makeRecord(1, serverLine);
    const config = hecConfig('http://127.0.0.1:1', '/nonexistent', {});
    const overhead = createSplunkHecCodec(config, { channel: newChannelId() }).recordOverheadBytes ?? 0;
    const maxBytes = (plain.bytes + overhead) * 10;
    await withHarness({ batch: { max_events: 1000, max_bytes: maxBytes } }, async (h) => {
      // Long names (Kubernetes allows 253 characters for pod and node names): ~500 bytes each.
      const metadata = { ...kubernetesProd, pod: 'p'.repeat(253), node: 'n'.repeat(253) };
      const records = Array.from({ length: 30 }, (_, i) => makeRecord(i + 1, serverLine, { metadata }));
      await h.run(records);
      const sizes = h.eventRequests().map((r) => r.body.length);
      assert.equal(h.receiver.events.length, 30);
      for (const size of sizes) assert.ok(size <= maxBytes, `request of ${size} bytes over ${maxBytes}`);
    });
  });

  void it('only the configured names, and none that indexed_fields already sends', () => {
    const encoder = createHecEncoder({
      host: 'h',
      source: 's',
      sourcetype: 'wirety:audit',
      indexed_fields: ['action', 'namespace'],
      metadata_fields: ['namespace', 'container_name'],
    });
    const record = makeRecord(1, serverLine, { metadata: { ...kubernetesProd, ...docker } });
    const envelope = JSON.parse(encoder.envelope(record)) as { fields: Record<string, string> };
    assert.deepEqual(envelope.fields, {
      event_id: 'test-1',
      seq: '1',
      action: 'peer.create',
      container_name: 'wirety',
    });
  });

  void it('the batcher counts exactly the bytes metadata adds, and nothing for records without it', () => {
    const config = hecConfig('http://127.0.0.1:1', '/nonexistent', {});
    const codec = createSplunkHecCodec(config, { channel: newChannelId() });
    const encoder = createHecEncoder(config);
    const plain = makeRecord(1, serverLine);
    const tagged = { ...plain, metadata: kubernetesProd };
    const added = Buffer.byteLength(encoder.envelope(tagged)) - Buffer.byteLength(encoder.envelope(plain));
    assert.ok(added > 100);
    assert.equal(codec.recordExtraBytes?.(tagged), added);
    assert.equal(codec.recordExtraBytes?.(plain), 0);

    // A batch sized for plain records: metadata records fill it sooner, by the bytes they add.
    const overhead = codec.recordOverheadBytes ?? 0;
    const perPlain = plain.bytes + overhead;
    const batch = { max_events: 1000, max_bytes: perPlain * 10, max_wait_ms: 1000 };
    const extra = (r: typeof plain) => codec.recordExtraBytes!(r);
    const plainBatcher = createBatcher(batch, overhead, extra);
    const same = Array.from({ length: 20 }, (_, i) => makeRecord(i + 1, serverLine));
    plainBatcher.add(same, 0);
    assert.equal(plainBatcher.take().length, 10, 'no metadata: sized as before');
    const metaBatcher = createBatcher(batch, overhead, extra);
    metaBatcher.add(
      same.map((r) => ({ ...r, metadata: kubernetesProd })),
      0,
    );
    const taken = metaBatcher.take();
    assert.ok(taken.length < 10, `metadata records count their fields (${taken.length})`);
    const body = createHecEncoder(config).encode(taken).body.length;
    assert.ok(body <= batch.max_bytes, `the body (${body}) stays within max_bytes`);
  });
});
