/**
 * Journal records keep only the event fields the configured sinks read (src/audit/projection.ts,
 * src/pipeline/event-projection.ts). What sinks see must not change: the kept fields have their
 * parsed values, the Elasticsearch splice still spots repeated keys, its careful path still
 * ships every field, and a record read back from disk holds the same projection.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import {
  createEventProjector,
  eventKeyCount,
  keepWholeEvent,
  wholeEvent,
} from '../../src/audit/projection.js';
import type { AuditEvent, AuditRecord } from '../../src/audit/record.js';
import { decodeFrame, encodeBatch } from '../../src/journal/disk/record-codec.js';
import { eventProjectorFor } from '../../src/pipeline/event-projection.js';
import { documentByCopy, documentBySplice } from '../../src/sinks/elasticsearch/encode.js';
import type { SinkConfig } from '../../src/config/types.js';
import { makeRecord, serverLine } from '../helpers/records.js';

const ts = '2025-05-23T11:33:20.000Z';
const projected = (line: string, fields: string[] = []): AuditRecord => {
  const record = makeRecord(1, line);
  return { ...record, event: createEventProjector(fields)(record.event as AuditEvent) };
};

test('a projection keeps time and the asked fields with their parsed values, nothing else', () => {
  const event = JSON.parse(serverLine) as AuditEvent;
  const kept = createEventProjector(['peer_name', 'actor_id', 'absent'])(event);
  assert.deepEqual(Object.fromEntries(Object.entries(kept)), {
    time: 1748000000,
    peer_name: 'office-laptop',
    actor_id: 'alice',
  });
  assert.deepEqual(Object.keys(kept).sort(), ['actor_id', 'peer_name', 'time']);
  assert.equal(eventKeyCount(kept), Object.keys(event).length, 'remembers the whole key count');
  assert.equal(keepWholeEvent(event), event);
});

test('a field named __proto__ is kept as data, never as the prototype', () => {
  const event = JSON.parse('{"time":1,"__proto__":{"x":1}}') as AuditEvent;
  const kept = createEventProjector(['__proto__'])(event);
  assert.equal(Object.getPrototypeOf(kept), Object.prototype);
  assert.deepEqual(Object.getOwnPropertyDescriptor(kept, '__proto__')?.value, { x: 1 });
});

test('wholeEvent parses the line again for a projection, and returns a whole event as it is', () => {
  const record = projected(serverLine);
  assert.deepEqual(wholeEvent(record), JSON.parse(serverLine));
  const whole = makeRecord(1, serverLine);
  assert.equal(wholeEvent(whole), whole.event);
});

test('Elasticsearch on a projected record: repeats still take the careful path, which ships every field', () => {
  const base = '"level":"info","log_type":"audit","time":1748000000,"action":"peer.create"';
  const plain = `{${base},"peer_name":"a","message":"audit"}`;
  assert.ok(documentBySplice(projected(plain), ts), 'no repeat: spliced');
  const repeated = `{${base},"peer_name":"a","peer_name":"b","message":"audit"}`;
  assert.equal(documentBySplice(projected(repeated), ts), undefined, 'a repeat: careful path');
  const copy = JSON.parse(documentByCopy(projected(serverLine), ts)) as Record<string, unknown>;
  for (const [key, value] of Object.entries(JSON.parse(serverLine) as Record<string, unknown>)) {
    assert.deepEqual(copy[key], value, key);
  }
});

test('a record read back from the journal holds the same projection as the one written', () => {
  const project = createEventProjector(['peer_name']);
  const written = makeRecord(7, serverLine);
  const { buffer, ends } = encodeBatch([{ ...written, event: written.event as AuditEvent }], 7);
  const read = decodeFrame(buffer, 0, ends[0]!, 'j-', project);
  assert.deepEqual(Object.fromEntries(Object.entries(read.event)), {
    time: 1748000000,
    peer_name: 'office-laptop',
  });
  assert.equal(eventKeyCount(read.event), Object.keys(written.event).length);
});

test('the pipeline keeps the union of the fields its sinks read; an unknown sink kind keeps all', () => {
  const event = JSON.parse(serverLine) as AuditEvent;
  const sinks = [
    {
      type: 'loki',
      label_fields: ['action'],
      structured_metadata: true,
      structured_metadata_fields: ['actor_id'],
    },
    { type: 'loki', label_fields: [], structured_metadata: false, structured_metadata_fields: ['remote_ip'] },
    { type: 'splunk_hec', indexed_fields: ['peer_id'] },
    { type: 'elasticsearch' },
  ] as unknown as SinkConfig[];
  assert.deepEqual(Object.keys(eventProjectorFor(sinks)(event)).sort(), [
    'action',
    'actor_id',
    'peer_id',
    'time',
  ]);
  const unknown = [{ type: 'carrier-pigeon' }] as unknown as SinkConfig[];
  assert.equal(eventProjectorFor(unknown)(event), event);
});
