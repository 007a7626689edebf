import assert from 'node:assert/strict';
import { gzipSync } from 'node:zlib';
import { test } from 'node:test';
import { collectLines, connectRaw, eventTime, eventTimeExt8, pack, startHarness, texts } from './harness.js';

const record = (log: string) => ({
  container_id: 'a'.repeat(64),
  container_name: '/wirety',
  source: 'stdout',
  log,
});

test('Message mode with an integer time and with an EventTime (fixext8 and ext8)', async () => {
  const h = await startHarness();
  try {
    const client = await connectRaw({ port: h.port });
    client.send(['docker.abc', 1_748_000_000, record('int time'), {}]);
    client.send(['docker.abc', eventTime(1_748_000_000, 123), record('fixext8 time')]);
    // ext8 EventTime, hand-encoded: [tag, <ext8>, {log: …}]
    client.write(
      Buffer.concat([
        Buffer.from([0x93]),
        pack('docker.abc'),
        eventTimeExt8(1_748_000_000, 5),
        pack(record('ext8 time')),
      ]),
    );
    const lines = await collectLines(h, 3);
    assert.deepEqual(
      lines.map((l) => (l.framed.kind === 'line' ? l.framed.text : '')),
      ['int time', 'fixext8 time', 'ext8 time'],
    );
    assert.deepEqual(lines[0]!.metadata, {
      tag: 'docker.abc',
      container_name: 'wirety',
      container_id: 'aaaaaaaaaaaa',
    });
    client.end();
  } finally {
    await h.stop();
  }
});

test('Forward, PackedForward (bin and str) and CompressedPackedForward with two gzip members, each acked with its chunk', async () => {
  const h = await startHarness();
  try {
    const client = await connectRaw({ port: h.port });
    const entries = (prefix: string, n: number) =>
      Buffer.concat(Array.from({ length: n }, (_, i) => pack([1_748_000_000 + i, record(`${prefix} ${i}`)])));
    client.send([
      'app',
      [
        [1, record('fwd 0')],
        [eventTime(2, 0), record('fwd 1')],
      ],
      { chunk: 'c-forward', size: 2 },
    ]);
    client.send(['app', entries('bin', 3), { chunk: 'c-bin', size: 3 }]);
    // str: fluentd's out_forward sends the packed entries as a msgpack str (raw bytes, header 0xdb).
    const strEntries = entries('str', 2);
    const strHeader = Buffer.alloc(5);
    strHeader[0] = 0xdb;
    strHeader.writeUInt32BE(strEntries.length, 1);
    client.write(
      Buffer.concat([Buffer.from([0x93]), pack('app'), strHeader, strEntries, pack({ chunk: 'c-str' })]),
    );
    const twoMembers = Buffer.concat([gzipSync(entries('gz-a', 2)), gzipSync(entries('gz-b', 2))]);
    client.send(['app', twoMembers, { compressed: 'gzip', chunk: 'c-gzip', size: 4 }]);
    client.send(['app', [[3, record('no chunk')]]]);

    const seen: string[] = [];
    while (seen.length < 12) {
      const batch = await h.batch();
      seen.push(...texts(batch));
      await batch.settled('stored');
    }
    assert.deepEqual(seen, [
      'fwd 0',
      'fwd 1',
      'bin 0',
      'bin 1',
      'bin 2',
      'str 0',
      'str 1',
      'gz-a 0',
      'gz-a 1',
      'gz-b 0',
      'gz-b 1',
      'no chunk',
    ]);
    const acks = [await client.reply(), await client.reply(), await client.reply(), await client.reply()];
    assert.deepEqual(acks, [{ ack: 'c-forward' }, { ack: 'c-bin' }, { ack: 'c-str' }, { ack: 'c-gzip' }]);
    assert.equal(h.input.counters.acks, 4, 'the request without chunk is not acked');
    client.end();
  } finally {
    await h.stop();
  }
});

test('a request split across many TCP writes, and many requests in one write', async () => {
  const h = await startHarness();
  try {
    const client = await connectRaw({ port: h.port });
    client.socket.setNoDelay(true);
    const big = pack([
      'app',
      Array.from({ length: 200 }, (_, i) => [i, record(`split ${i} ${'x'.repeat(100)}`)]),
      { chunk: 'split' },
    ]);
    for (let i = 0; i < big.length; i += 7) {
      await new Promise<void>((resolve) => client.socket.write(big.subarray(i, i + 7), () => resolve()));
    }
    const lines = await collectLines(h, 200);
    assert.equal(lines.length, 200);
    assert.deepEqual(await client.reply(), { ack: 'split' });

    const many = Buffer.concat(
      Array.from({ length: 500 }, (_, i) => pack(['app', i, record(`one ${i}`), { chunk: `m${i}` }])),
    );
    client.write(many);
    const oneByOne = await collectLines(h, 500);
    assert.deepEqual(
      oneByOne.map((l) => (l.framed.kind === 'line' ? l.framed.text : '')),
      Array.from({ length: 500 }, (_, i) => `one ${i}`),
    );
    for (let i = 0; i < 500; i++) assert.deepEqual(await client.reply(), { ack: `m${i}` });
    client.end();
  } finally {
    await h.stop();
  }
});

test('a nil heartbeat is ignored', async () => {
  const h = await startHarness();
  try {
    const client = await connectRaw({ port: h.port });
    client.write(Buffer.from([0xc0, 0xc0]));
    client.send(['app', 1, record('after heartbeats'), { chunk: 'h' }]);
    assert.deepEqual(texts(await h.batch().then(async (b) => (await b.settled('stored'), b))), [
      'after heartbeats',
    ]);
    assert.deepEqual(await client.reply(), { ack: 'h' });
    assert.equal(h.input.counters.heartbeats, 2);
    client.end();
  } finally {
    await h.stop();
  }
});
