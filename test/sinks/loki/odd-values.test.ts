// One odd value never makes the Loki encoder throw and never fails a whole push. Every body is
// decoded by the test receiver, which refuses what Loki refuses: U+FFFD in a label value, label
// values over 2048 bytes, structured metadata over 64 KiB or 128 pairs per entry.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { AuditRecord } from '../../../src/audit/record.js';
import { METADATA_BUDGET_BYTES } from '../../../src/sinks/loki/encode.js';
import { createLokiCodec } from '../../../src/sinks/loki/index.js';
import { validateLokiLabels } from '../../../src/sinks/loki/labels.js';
import {
  makeRecord,
  makeRecords,
  nestedArrays,
  recordWithRawFields,
  serverLine,
} from '../../helpers/records.js';
import { decodeLokiPush, lokiSinkConfig, parseLokiLabels } from '../../receivers/loki-receiver.js';

const config = lokiSinkConfig('http://127.0.0.1:1', {
  label_fields: ['level'],
  structured_metadata_fields: ['network_id', 'peer_id', 'actor_id'],
});
const codec = () => createLokiCodec(config);

const oddRecord = recordWithRawFields;
const deep = nestedArrays;

/** Encodes [normal, odd, normal]; returns the request and the decoded entries (throws if Loki would refuse the push). */
function encodeAround(odd: AuditRecord) {
  const [a, b] = makeRecords(2, 1);
  const records = [a!, { ...odd, seq: 2, id: 'test-2' }, { ...b!, seq: 3, id: 'test-3' }];
  const request = codec().encode(records);
  const entries = decodeLokiPush(Buffer.from(request.body)).flatMap((s) => s.entries);
  entries.sort((x, y) => (x.metadata.event_id! < y.metadata.event_id! ? -1 : 1));
  assert.deepEqual(
    entries.map((e) => e.line),
    records.map((r) => r.line),
    'every entry, its line byte for byte',
  );
  return { request, entries, odd: entries[1]! };
}

void test('a metadata value too deep to serialise (peer_id nested 10,000 deep) is left out and reported', () => {
  const { request, odd } = encodeAround(oddRecord(2, { peer_id: deep(10_000) }));
  assert.equal(odd.metadata.peer_id, undefined);
  assert.equal(odd.metadata.network_id, 'net-abc123', 'the other fields stay');
  assert.equal(odd.metadata.event_id, 'test-2');
  assert.equal(request.omitted?.length, 1);
  assert.deepEqual(
    { ...request.omitted[0], reason: undefined },
    { index: 1, field: 'peer_id', reason: undefined },
  );
  assert.match(request.omitted[0]!.reason, /cannot be serialised as JSON \(RangeError: Maximum call stack/);
});

void test('a label field holding a value too deep to serialise omits that label, never throws', () => {
  const { odd, entries, request } = encodeAround(oddRecord(2, { level: deep(10_000) }));
  assert.equal(odd.labels.level, undefined);
  assert.equal(entries[0]!.labels.level, 'info');
  assert.equal(request.omitted, undefined, 'labels are not metadata: nothing reported');
});

void test('U+FFFD and lone surrogates in a label value travel as \\uFFFD, which Loki’s lexer accepts', () => {
  for (const [value, expected] of [
    ['caf\uFFFD', 'caf\uFFFD'],
    ['a\uD800b', 'a\uFFFDb'],
    ['\uDC00x\uD83C', '\uFFFDx\uFFFD'],
    ['ok 🎉', 'ok 🎉'],
  ] as const) {
    const record = makeRecord(2, JSON.stringify({ ...(JSON.parse(serverLine) as object), level: value }));
    const { odd, request } = encodeAround(record);
    assert.equal(odd.labels.level, expected, JSON.stringify(value));
    const labelString = decodeLokiPush(Buffer.from(request.body)).find(
      (s) => s.labels.level === expected,
    )!.labelString;
    assert.ok(!labelString.includes('\uFFFD'), 'no raw U+FFFD on the wire');
    assert.deepEqual(parseLokiLabels(labelString).level, expected);
  }
});

void test('a 200 KiB label value is cut to 2048 bytes on a character boundary', () => {
  const value = 'a' + '🎉'.repeat(50 * 1024); // 200 KiB; an odd start puts every pair on an odd index
  const record = makeRecord(2, JSON.stringify({ ...(JSON.parse(serverLine) as object), level: value }));
  const { odd } = encodeAround(record);
  const label = odd.labels.level!;
  assert.ok(Buffer.byteLength(label) <= 2048, `${Buffer.byteLength(label)} bytes`);
  assert.ok(Buffer.byteLength(label) > 2040, 'cut at the limit, not far below it');
  assert.ok(value.startsWith(label), 'a prefix of the value');
  assert.ok(!label.includes('\uFFFD'), 'no half character');
});

void test('a 200 KiB metadata value is left out: the entry stays under Loki’s 64 KB, the push is accepted', () => {
  const big = 'p'.repeat(200 * 1024);
  const { odd, request } = encodeAround(oddRecord(2, { peer_id: JSON.stringify(big) }));
  assert.equal(odd.metadata.peer_id, undefined);
  assert.equal(odd.metadata.network_id, 'net-abc123');
  assert.equal(odd.metadata.actor_id, 'alice', 'fields after the big one still fit');
  assert.deepEqual(
    request.omitted?.map((o) => [o.index, o.field]),
    [[1, 'peer_id']],
  );
  assert.match(request.omitted[0]!.reason, /over Loki's limit \(64000 bytes of names and values\)/);
});

void test('the metadata budget keeps fields in order while they fit, names included', () => {
  const network = 'n'.repeat(40_000);
  const peer = 'p'.repeat(30_000);
  const { odd, request } = encodeAround(
    oddRecord(2, { network_id: JSON.stringify(network), peer_id: JSON.stringify(peer) }),
  );
  assert.equal(odd.metadata.network_id, network);
  assert.equal(odd.metadata.peer_id, undefined);
  assert.equal(odd.metadata.actor_id, 'alice');
  const used = Object.entries(odd.metadata).reduce((n, [k, v]) => n + k.length + v.length, 0);
  assert.ok(used <= METADATA_BUDGET_BYTES);
  assert.deepEqual(
    request.omitted?.map((o) => o.field),
    ['peer_id'],
  );
});

void test('huge numbers: exact digits up to 1e308; a number out of range (1e400 → Infinity) is left out', () => {
  const { odd, request } = encodeAround(
    oddRecord(2, { network_id: '1e21', peer_id: '1e308', actor_id: '1e400', level: '-1e400' }),
  );
  assert.equal(odd.metadata.network_id, '1000000000000000000000');
  assert.equal(odd.metadata.peer_id, BigInt(1e308).toString());
  assert.equal(odd.metadata.actor_id, undefined, 'never the text "Infinity"');
  assert.equal(odd.labels.level, undefined, 'nor as a label');
  assert.deepEqual(
    request.omitted?.map((o) => [o.field, o.reason]),
    [['actor_id', 'is a number out of range (JSON.parse made it Infinity): it has no exact text']],
  );
});

void test('a lone surrogate in a metadata value is written as U+FFFD without breaking the byte count', () => {
  const { odd } = encodeAround(oddRecord(2, { peer_id: '"a\\ud800b"', actor_id: '"\\udc00"' }));
  assert.equal(odd.metadata.peer_id, 'a\uFFFDb');
  assert.equal(odd.metadata.actor_id, '\uFFFD');
});

void test('config: at most 123 structured_metadata_fields (128 pairs with event_id and the 4 chain names)', () => {
  const fields = (n: number) => Array.from({ length: n }, (_, i) => `f${i}`);
  const check = (n: number) =>
    validateLokiLabels({
      name: 'loki',
      labels: { job: 'w' },
      label_fields: [],
      structured_metadata_fields: fields(n),
    });
  assert.deepEqual(check(123), []);
  assert.deepEqual(check(124), [
    "sinks.loki.structured_metadata_fields: 124 fields plus event_id and the 4 chain names (seq, journal, chain, chain_prev) is more than Loki's limit of 128 structured metadata pairs per entry",
  ]);
});
