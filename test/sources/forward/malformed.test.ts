/**
 * Bad input closes that one connection with a log line naming the peer; the listener keeps
 * serving other clients; nothing is queued from the bad request and nothing acked is lost.
 */
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { test } from 'node:test';
import { gzipSync } from 'node:zlib';
import { connectRaw, pack, startHarness, texts, waitFor, type Harness } from './harness.js';

/** A healthy client still gets its request through and acked. */
async function stillServes(h: Harness, tag: string): Promise<void> {
  const client = await connectRaw({ port: h.port });
  client.send(['app', 1, { log: `healthy ${tag}` }, { chunk: tag }]);
  const batch = await h.batch();
  assert.deepEqual(texts(batch), [`healthy ${tag}`]);
  await batch.settled('stored');
  assert.deepEqual(await client.reply(), { ack: tag });
  client.end();
}

async function refused(h: Harness, bytes: Buffer, pattern: RegExp, endAfter = false): Promise<void> {
  const bad = await connectRaw({ port: h.port });
  const peer = `127.0.0.1:${bad.socket.localPort}`;
  bad.write(bytes);
  if (endAfter) bad.end();
  await bad.closed;
  const line = h.logger.entries.find((e) => e.level === 'warn' && e.message.includes(peer));
  assert.ok(line, `a warning names the peer ${peer}`);
  assert.match(line.message, pattern);
}

const cases: [string, () => Buffer, RegExp, boolean?][] = [
  [
    'random bytes',
    () => Buffer.concat([Buffer.from([0x93, 0xc1]), randomBytes(4096)]),
    /reserved msgpack byte 0xc1/,
  ],
  ['a non-array request', () => pack({ log: 'a map' }), /must be an array, got map/],
  ['a tag that is not a string', () => pack([42, 1, { log: 'x' }]), /tag must be a string/],
  ['a record that is not a map', () => pack(['app', 1, ['not', 'a', 'map']]), /record must be a map/],
  [
    'a time of the wrong type',
    () => pack(['app', [[true, { log: 'x' }]]]),
    /time must be an integer or an EventTime/,
  ],
  [
    'option.size not matching the entries',
    () => pack(['app', [[1, { log: 'x' }]], { size: 3 }]),
    /option.size is 3 but the request holds 1/,
  ],
  [
    'an unknown compression',
    () => pack(['app', Buffer.from('x'), { compressed: 'zstd' }]),
    /unsupported compression "zstd"/,
  ],
  [
    'truncated msgpack (the client ends mid-request)',
    () => pack(['app', 1, { log: 'cut short' }]).subarray(0, 10),
    /ended the connection in the middle of a request/,
    true,
  ],
  [
    'packed entries that are not msgpack',
    () => pack(['app', Buffer.from([0x92, 0x01, 0xc1]), {}]),
    /packed entries are not valid msgpack/,
  ],
];

test('each kind of malformed request closes only its connection, logged with the peer', async () => {
  const h = await startHarness();
  try {
    for (const [name, bytes, pattern, endAfter] of cases) {
      await refused(h, bytes(), pattern, endAfter);
      await stillServes(h, name.replace(/\W+/g, '-'));
    }
    assert.equal(h.input.counters.protocol_errors, cases.length);
    await waitFor(() => h.input.counters.held_bytes === 0);
  } finally {
    await h.stop();
  }
});

test('a declared length of 100 MiB is refused at its header, before any payload is sent or allocated', async () => {
  const h = await startHarness({ max_request_bytes: 16 * 1024 * 1024 });
  try {
    const header = Buffer.from([0x93, 0xa3, 0x61, 0x70, 0x70, 0xc6, 0, 0, 0, 0]);
    header.writeUInt32BE(100 * 1024 * 1024, 6);
    const rssBefore = process.memoryUsage().arrayBuffers;
    await refused(h, header, /at least 104857\d+ bytes is over the 16777216-byte limit/);
    assert.ok(
      process.memoryUsage().arrayBuffers - rssBefore < 50 * 1024 * 1024,
      'nothing near 100 MiB was allocated',
    );
    await stillServes(h, 'after-100MiB');
  } finally {
    await h.stop();
  }
});

test('a gzip bomb is stopped at max_request_bytes while inflating', async () => {
  const h = await startHarness({ max_request_bytes: 1024 * 1024 });
  try {
    // 64 MiB of zeros compresses to ~64 KiB: far under the limit on the wire, far over it inflated.
    const bomb = gzipSync(Buffer.alloc(64 * 1024 * 1024));
    assert.ok(bomb.length < 1024 * 1024);
    await refused(
      h,
      pack(['app', bomb, { compressed: 'gzip' }]),
      /gzip entries expand past the 1048576-byte request limit/,
    );
    await stillServes(h, 'after-bomb');
  } finally {
    await h.stop();
  }
});

test('a request over max_request_bytes closes the connection with the reason', async () => {
  const h = await startHarness({ max_request_bytes: 64 * 1024 });
  try {
    await refused(h, pack(['app', [[1, { log: 'y'.repeat(70 * 1024) }]]]), /over the 65536-byte limit/);
    await stillServes(h, 'after-large');
  } finally {
    await h.stop();
  }
});

test('requests queued before the bad one on the same connection are still handed over and acked', async () => {
  const h = await startHarness();
  try {
    const client = await connectRaw({ port: h.port });
    client.write(Buffer.concat([pack(['app', 1, { log: 'good before' }, { chunk: 'g' }]), pack('garbage')]));
    await client.closed;
    const batch = await h.batch();
    assert.deepEqual(texts(batch), ['good before']);
    await batch.settled('stored');
  } finally {
    await h.stop();
  }
});
