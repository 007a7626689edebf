/**
 * Issue 13 in Splunk HEC, through the delivery loop to the HEC test receiver (which splits the
 * concatenated envelopes and refuses non-string field values, code 15): an event with `integrity`
 * carries `journal`, `chain`, `chain_prev` in its indexed fields after event_id and seq, the event
 * as it was; a checkpoint record arrives as its own sourcetype with fields {event_id}; an event
 * without `integrity` keeps the envelope it had; the batcher counts the bytes integrity adds.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { AuditRecord } from '../../../src/audit/record.js';
import { createHecEncoder } from '../../../src/sinks/splunk-hec/encode.js';
import { createSplunkHecCodec, newChannelId } from '../../../src/sinks/splunk-hec/index.js';
import { chainedRecords, checkpointRecord, JOURNAL } from '../integrity-records.js';
import { hecConfig, useHecHarnesses } from './hec-harness.js';

const withHarness = useHecHarnesses('hec-integrity-');

void describe('Splunk HEC: integrity fields and checkpoints', () => {
  void it('events carry journal, chain, chain_prev as indexed fields; the checkpoint has its own sourcetype', async () => {
    await withHarness({ ack: 'on' }, async (h) => {
      const events = chainedRecords(6);
      const checkpoint = checkpointRecord(events, 8);
      await h.run([...events, checkpoint]);
      assert.deepEqual(h.deadLetter.records, []);
      assert.equal(h.receiver.events.length, events.length + 1);
      for (const r of events) {
        const envelope = h.receiver.events.find((e) => e.fields?.event_id === r.id);
        assert.ok(envelope, `event ${r.id}`);
        assert.equal(envelope.sourcetype, 'wirety:audit');
        assert.deepEqual(envelope.event, r.event);
        assert.deepEqual(Object.entries(envelope.fields ?? {}), [
          ['event_id', r.id],
          ['seq', String(r.seq)],
          ['journal', JOURNAL],
          ['chain', r.integrity!.chain],
          ['chain_prev', r.integrity!.prev],
          ['action', r.event.action],
        ]);
        assert.ok(envelope.raw.includes(r.line), 'the line spliced in byte-for-byte');
      }
      const checkpoints = h.receiver.events.filter((e) => e.sourcetype === 'wirety_ship:checkpoint');
      assert.equal(checkpoints.length, 1);
      const [envelope] = checkpoints;
      assert.deepEqual(envelope!.event, JSON.parse(checkpoint.line));
      assert.ok(envelope!.raw.includes(checkpoint.line));
      assert.deepEqual(envelope!.fields, { event_id: checkpoint.id });
      assert.equal(envelope!.time, checkpoint.receivedAtMs / 1000);
      assert.equal(envelope!.host, 'ship-1');
      assert.equal(envelope!.source, 'wirety');
    });
  });

  void it('without integrity an envelope is unchanged; with it only the three fields are added', () => {
    const config = hecConfig('http://127.0.0.1:1', '/nonexistent', {});
    const encoder = createHecEncoder(config);
    for (const r of chainedRecords(4)) {
      const { integrity, ...rest } = r;
      const plain = rest as AuditRecord;
      const before = encoder.envelope(plain);
      assert.deepEqual(Object.keys((JSON.parse(before) as { fields: object }).fields), [
        'event_id',
        'seq',
        'action',
      ]);
      const inserted = `,"journal":"${integrity!.journal}","chain":"${integrity!.chain}","chain_prev":"${integrity!.prev}"`;
      assert.equal(encoder.envelope(r), before.replace(`"seq":"${r.seq}"`, `"seq":"${r.seq}"${inserted}`));
    }
  });

  void it('indexed_fields cannot replace the chain fields; the batcher counts the bytes integrity adds', () => {
    const config = {
      ...hecConfig('http://127.0.0.1:1', '/nonexistent', {}),
      indexed_fields: ['chain', 'action'],
    };
    const codec = createSplunkHecCodec(config, { channel: newChannelId() });
    const encoder = createHecEncoder(config);
    const [r] = chainedRecords(1);
    const fields = (JSON.parse(encoder.envelope(r!)) as { fields: Record<string, string> }).fields;
    assert.equal(fields.chain, r!.integrity!.chain);
    const { integrity: _, ...plain } = r!;
    const added = Buffer.byteLength(encoder.envelope(r!)) - Buffer.byteLength(encoder.envelope(plain));
    assert.equal(codec.recordExtraBytes?.(r!), added);
    assert.equal(codec.recordExtraBytes?.(plain as AuditRecord), 0);
    // A checkpoint's envelope stays within an event's overhead plus what the codec counts for it.
    const checkpoint = checkpointRecord([r!], 2);
    assert.ok(
      Buffer.byteLength(encoder.envelope(checkpoint)) <=
        checkpoint.bytes + (codec.recordOverheadBytes ?? 0) + (codec.recordExtraBytes?.(checkpoint) ?? 0),
    );
  });
});
