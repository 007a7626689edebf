import assert from 'node:assert/strict';
import { test } from 'node:test';
import { encode } from '@msgpack/msgpack';
import { createFrameScanner, FrameError } from '../../../src/sources/forward/frame-scanner.js';

const values: unknown[] = [
  null,
  0,
  -1,
  2 ** 40,
  1.5,
  'x'.repeat(40),
  'y'.repeat(300),
  'z'.repeat(70_000),
  new Uint8Array(300),
  [],
  {},
  ['tag', [[1, { log: 'a', nested: { deep: [1, 2, { k: 'v' }] } }]], { chunk: 'c' }],
  Object.fromEntries(Array.from({ length: 20 }, (_, i) => [`k${i}`, i])),
  Array.from({ length: 70_000 }, (_, i) => i % 3),
];
const stream = Buffer.concat(values.map((v) => Buffer.from(encode(v))));
const expected = values.map((v) => Buffer.from(encode(v)));

test('values fed one byte at a time come out whole and in order', () => {
  const scanner = createFrameScanner({ maxFrameBytes: 1 << 20 });
  const frames: Buffer[] = [];
  for (let i = 0; i < stream.length; i++) frames.push(...scanner.push(stream.subarray(i, i + 1)));
  assert.deepEqual(frames, expected);
  assert.equal(scanner.bufferedBytes, 0);
});

test('all values in one chunk, and in chunks of odd sizes', () => {
  for (const size of [stream.length, 3, 1000, 65536]) {
    const scanner = createFrameScanner({ maxFrameBytes: 1 << 20 });
    const frames: Buffer[] = [];
    for (let i = 0; i < stream.length; i += size) frames.push(...scanner.push(stream.subarray(i, i + size)));
    assert.deepEqual(frames, expected, `chunk size ${size}`);
  }
});

test('a header declaring more than the limit is refused before its payload', () => {
  const scanner = createFrameScanner({ maxFrameBytes: 16 << 20 });
  const header = Buffer.from([0x92, 0xc6, 0, 0, 0, 0]);
  header.writeUInt32BE(100 << 20, 2);
  assert.throws(
    () => scanner.push(header),
    (error: unknown) => error instanceof FrameError && error.code === 'too_large',
  );
});

test('an array header declaring more items than the limit has bytes for is refused', () => {
  const scanner = createFrameScanner({ maxFrameBytes: 1000 });
  assert.throws(
    () => scanner.push(Buffer.from([0xdd, 0xff, 0xff, 0xff, 0xff])),
    (error: unknown) => error instanceof FrameError && error.code === 'too_large',
  );
});

test('nesting deeper than maxDepth and the reserved byte 0xc1 are errors', () => {
  assert.throws(
    () => createFrameScanner({ maxFrameBytes: 1000, maxDepth: 8 }).push(Buffer.alloc(20, 0x91)),
    (e: unknown) => e instanceof FrameError && e.code === 'too_deep',
  );
  assert.throws(
    () => createFrameScanner({ maxFrameBytes: 1000 }).push(Buffer.from([0x91, 0xc1])),
    (e: unknown) => e instanceof FrameError && e.code === 'malformed',
  );
});
