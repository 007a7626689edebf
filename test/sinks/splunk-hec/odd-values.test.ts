// One odd value never makes the HEC encoder throw: an indexed field value with no faithful text
// (too deep to serialise, a number out of range) is left out of `fields` and reported; the event is
// still the line, verbatim.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { AuditRecord } from '../../../src/audit/record.js';
import { createHecEncoder } from '../../../src/sinks/splunk-hec/encode.js';
import { makeRecords, nestedArrays, recordWithRawFields } from '../../helpers/records.js';
import { splitConcatenatedJson } from '../../receivers/hec-receiver.js';

const encoder = createHecEncoder({
  host: 'ship-1',
  source: 'wirety',
  sourcetype: 'wirety:audit',
  indexed_fields: ['action', 'network_id', 'peer_id', 'actor_id'],
});

interface Envelope {
  fields: Record<string, string>;
}

/** Encodes [normal, odd, normal]; returns the request and the odd record's envelope. */
function encodeAround(odd: AuditRecord) {
  const [a, b] = makeRecords(2, 1);
  const records = [a!, { ...odd, seq: 2, id: 'test-2' }, { ...b!, seq: 3, id: 'test-3' }];
  const request = encoder.encode(records);
  const raw = splitConcatenatedJson(Buffer.from(request.body).toString('utf8'));
  assert.ok(Array.isArray(raw) && raw.length === 3, 'three well-formed envelopes');
  const envelopes = raw.map((text) => JSON.parse(text) as Envelope);
  // Compared as text: re-serialising a 10,000-level event would overflow the test's own stack.
  raw.forEach((text, i) =>
    assert.ok(text.includes(`"event":${records[i]!.line},"fields"`), `event ${i} is its line, verbatim`),
  );
  return { request, odd: envelopes[1]! };
}

void test('an indexed field nested 10,000 deep is left out of fields and reported, never thrown', () => {
  const { request, odd } = encodeAround(recordWithRawFields(2, { peer_id: nestedArrays(10_000) }));
  assert.deepEqual(odd.fields, {
    event_id: 'test-2',
    seq: '2',
    action: 'peer.create',
    network_id: 'net-abc123',
    actor_id: 'alice',
  });
  assert.deepEqual(
    request.omitted?.map((o) => [o.index, o.field]),
    [[1, 'peer_id']],
  );
  assert.match(request.omitted[0]!.reason, /cannot be serialised as JSON \(RangeError: Maximum call stack/);
});

void test('huge numbers: plain digits up to 1e308; out of range (1e400) is left out and reported', () => {
  const { request, odd } = encodeAround(recordWithRawFields(2, { network_id: '1e308', peer_id: '-1e400' }));
  assert.equal(odd.fields.network_id, '1' + '0'.repeat(308), 'the shortest digits, as JSON wrote them');
  assert.equal(odd.fields.peer_id, undefined);
  assert.deepEqual(
    request.omitted?.map((o) => [o.field, o.reason]),
    [['peer_id', 'is a number out of range (JSON.parse made it Infinity): it has no exact text']],
  );
});

void test('lone surrogates and U+FFFD in indexed values stay well-formed JSON escapes', () => {
  const { request, odd } = encodeAround(
    recordWithRawFields(2, { peer_id: '"a\\ud800b"', actor_id: '"\\udc00\\ufffd"' }),
  );
  assert.equal(odd.fields.peer_id, 'a\uD800b');
  assert.equal(odd.fields.actor_id, '\uDC00\uFFFD');
  assert.equal(request.omitted, undefined);
});

void test('a 200 KiB indexed value is sent whole (HEC has no per-field limit; the batch size counts it)', () => {
  const big = 'p'.repeat(200 * 1024);
  const { odd, request } = encodeAround(recordWithRawFields(2, { peer_id: JSON.stringify(big) }));
  assert.equal(odd.fields.peer_id, big);
  assert.equal(request.omitted, undefined);
});
