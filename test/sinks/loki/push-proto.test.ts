/**
 * The push protobuf checked without trusting its own definitions: the test receiver decodes with
 * push-proto.ts, so a wrong field number there would round-trip happily. Here the bytes are
 * compared with a sequence built by hand from docs/receivers.md §1, and the hot-path output is walked
 * tag by tag with a minimal reader written in this file.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { createPushBodyEncoder } from '../../../src/sinks/loki/encode.js';
import protobuf from 'protobufjs';
import {
  decodePushRequest,
  encodePushRequest,
  varintLen,
  writeVarint,
} from '../../../src/sinks/loki/push-proto.js';
import { makeRecord, serverLine } from '../../helpers/records.js';

const ascii = (s: string) => [...Buffer.from(s, 'utf8')];

// PushRequest{ streams: [ { labels: '{a="b"}', entries: [ { timestamp: {1748000000 s, 7 ns},
//   line: 'hi', structuredMetadata: [ {k: v} ] } ] } ] }, field by field:
const HAND_BUILT = Uint8Array.from([
  0x0a,
  33, // PushRequest.streams = 1, LEN
  0x0a,
  7,
  ...ascii('{a="b"}'), // StreamAdapter.labels = 1, LEN
  0x12,
  22, // StreamAdapter.entries = 2, LEN
  0x0a,
  8, // EntryAdapter.timestamp = 1, LEN
  0x08,
  0x80,
  0xba,
  0xc1,
  0xc1,
  0x06, // Timestamp.seconds = 1, VARINT 1748000000
  0x10,
  7, // Timestamp.nanos = 2, VARINT
  0x12,
  2,
  ...ascii('hi'), // EntryAdapter.line = 2, LEN
  0x1a,
  6, // EntryAdapter.structuredMetadata = 3, LEN
  0x0a,
  1,
  ...ascii('k'), // LabelPairAdapter.name = 1
  0x12,
  1,
  ...ascii('v'), // LabelPairAdapter.value = 2
]);

const TINY = {
  streams: [
    {
      labels: '{a="b"}',
      entries: [
        {
          timestamp: { seconds: 1748000000, nanos: 7 },
          line: 'hi',
          structuredMetadata: [{ name: 'k', value: 'v' }],
        },
      ],
    },
  ],
};

void test('the reference encoder produces the hand-built bytes of docs/receivers.md §1', () => {
  assert.deepEqual([...encodePushRequest(TINY)], [...HAND_BUILT]);
});

void test('decodePushRequest reads the hand-built bytes, seconds as bigint', () => {
  assert.deepEqual(decodePushRequest(HAND_BUILT), {
    streams: [
      {
        ...TINY.streams[0],
        entries: [{ ...TINY.streams[0]!.entries[0]!, timestamp: { seconds: 1748000000n, nanos: 7 } }],
      },
    ],
  });
});

void test('int64 seconds survive up to 2^53 in both directions', () => {
  for (const seconds of [2 ** 53 - 1, 2 ** 53, 2 ** 31, 2 ** 32 + 5]) {
    const bytes = encodePushRequest({
      streams: [
        {
          labels: '{a="b"}',
          entries: [{ timestamp: { seconds, nanos: 1 }, line: 'x', structuredMetadata: [] }],
        },
      ],
    });
    const decoded = decodePushRequest(bytes).streams[0]!.entries[0]!.timestamp.seconds;
    assert.equal(decoded, BigInt(seconds));
  }
});

void test('decodePushRequest throws on bytes that are not a PushRequest', () => {
  // Field 1 announced as LEN 50 with only 2 bytes behind it.
  assert.throws(() => decodePushRequest(Uint8Array.from([0x0a, 50, 1, 2])));
  // An unknown field 5 with wire type 7, which does not exist.
  assert.throws(() => decodePushRequest(Uint8Array.from([0x2f, 0x00])));
});

// --- A minimal protobuf reader, independent of protobufjs ---
type Field = { no: number; wire: number; varint?: bigint; bytes?: Buffer };
function readVarint(buf: Buffer, at: { pos: number }): bigint {
  let result = 0n;
  for (let shift = 0n; ; shift += 7n) {
    const b = buf[at.pos++];
    assert.ok(b !== undefined, 'truncated varint');
    result |= BigInt(b & 0x7f) << shift;
    if (b < 0x80) return result;
  }
}
function fields(buf: Buffer): Field[] {
  const out: Field[] = [];
  const at = { pos: 0 };
  while (at.pos < buf.length) {
    const key = Number(readVarint(buf, at));
    const field: Field = { no: key >> 3, wire: key & 7 };
    if (field.wire === 0) field.varint = readVarint(buf, at);
    else if (field.wire === 2) {
      const len = Number(readVarint(buf, at));
      field.bytes = buf.subarray(at.pos, at.pos + len);
      assert.equal(field.bytes.length, len, 'truncated LEN field');
      at.pos += len;
    } else assert.fail(`unexpected wire type ${field.wire}`);
    out.push(field);
  }
  return out;
}
const only = (fs: Field[], no: number, wire: number) => {
  const found = fs.filter((f) => f.no === no);
  assert.ok(
    found.every((f) => f.wire === wire),
    `field ${no} must have wire type ${wire}`,
  );
  return found;
};

void test('the hot-path encoder uses the field numbers and wire types of docs/receivers.md §1', () => {
  const encoder = createPushBodyEncoder({
    labels: { job: 'wirety' },
    label_fields: [],
    structured_metadata: true,
    structured_metadata_fields: ['peer_id'],
    timestamp: 'event',
  });
  const record = makeRecord(42, serverLine, { id: 'evt-42' });
  const top = fields(encoder.protobuf([record]));
  assert.deepEqual(
    top.map((f) => [f.no, f.wire]),
    [[1, 2]],
  );

  const stream = fields(top[0]!.bytes!);
  assert.equal(only(stream, 1, 2)[0]!.bytes!.toString(), '{job="wirety",source="server"}');
  assert.equal(only(stream, 3, 0).length, 0, 'hash is never set');
  const entries = only(stream, 2, 2);
  assert.equal(entries.length, 1);

  const entry = fields(entries[0]!.bytes!);
  assert.equal(only(entry, 4, 2).length, 0, 'parsed is never set');
  const ts = fields(only(entry, 1, 2)[0]!.bytes!);
  assert.equal(only(ts, 1, 0)[0]!.varint, 1748000000n);
  assert.equal(only(ts, 2, 0)[0]!.varint, 42n);
  assert.equal(only(entry, 2, 2)[0]!.bytes!.toString('utf8'), serverLine);
  const metadata = only(entry, 3, 2).map((m) => {
    const pair = fields(m.bytes!);
    return [only(pair, 1, 2)[0]!.bytes!.toString(), only(pair, 2, 2)[0]!.bytes!.toString()];
  });
  assert.deepEqual(metadata, [
    ['event_id', 'evt-42'],
    ['peer_id', 'peer-xyz789'],
  ]);
});

void test('hot-path varints match protobufjs int64 at every length boundary', () => {
  const values = [0, 1, 127, 128, 16383, 16384, 2 ** 21, 2 ** 28 - 1, 2 ** 28, 2 ** 31 - 1, 2 ** 31, 2 ** 32];
  values.push(2 ** 35, 2 ** 42 + 3, 2 ** 49, 2 ** 53 - 1, 2 ** 53, 2 ** 56, -1, -(2 ** 31), -1748000000);
  for (const v of values) {
    const expected = protobuf.Writer.create().int64(v).finish();
    const buf = Buffer.alloc(16);
    const end = writeVarint(buf, 0, v);
    assert.deepEqual([...buf.subarray(0, end)], [...expected], String(v));
    assert.equal(varintLen(v), expected.length, String(v));
  }
});
