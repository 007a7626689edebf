/**
 * Docker's record shape: `log` is the line, `source` selects the stream (stdout by default),
 * container name / short id / tag become metadata; `line_key` with the `message` fallback; a record
 * without a line is dead-lettered, not skipped; bytes that are not UTF-8 stay as they were sent.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { connectRaw, pack, startHarness } from './harness.js';

const docker = (source: string, log: string) => ({
  container_id: 'f'.repeat(64),
  container_name: '/wirety-server',
  source,
  log,
});

test('stdout only by default; stderr is counted, not handed over', async () => {
  const h = await startHarness();
  try {
    const client = await connectRaw({ port: h.port });
    client.send([
      '0123456789ab',
      [
        [1, docker('stderr', 'err line')],
        [1, docker('stdout', 'out line')],
      ],
    ]);
    const batch = await h.batch();
    assert.deepEqual(
      batch.lines.map((l) => (l.framed.kind === 'line' ? l.framed.text : '')),
      ['out line'],
    );
    assert.deepEqual(batch.lines[0]!.metadata, {
      tag: '0123456789ab',
      container_name: 'wirety-server',
      container_id: 'ffffffffffff',
    });
    assert.equal(h.input.counters.filtered_stream, 1);
    assert.equal(batch.lines[0]!.id, undefined, 'without a chunk the journal assigns the id');
    await batch.settled('stored');
    client.end();
  } finally {
    await h.stop();
  }
});

test('streams: [stdout, stderr] keeps both', async () => {
  const h = await startHarness({ streams: ['stdout', 'stderr'] });
  try {
    const client = await connectRaw({ port: h.port });
    client.send([
      't',
      [
        [1, docker('stderr', 'err line')],
        [1, docker('stdout', 'out line')],
      ],
    ]);
    const batch = await h.batch();
    assert.equal(batch.lines.length, 2);
    await batch.settled('stored');
    client.end();
  } finally {
    await h.stop();
  }
});

test('line_key, the message fallback, and a record with no line dead-lettered with its JSON', async () => {
  const h = await startHarness({ line_key: 'msg' });
  try {
    const client = await connectRaw({ port: h.port });
    client.send([
      't',
      [
        [1, { msg: 'by line_key' }],
        [1, { message: 'by fallback' }],
        [1, { level: 'info', n: 3 }],
      ],
    ]);
    const batch = await h.batch();
    const [byKey, byFallback, none] = batch.lines;
    assert.equal(byKey!.framed.kind === 'line' && byKey!.framed.text, 'by line_key');
    assert.equal(byFallback!.framed.kind === 'line' && byFallback!.framed.text, 'by fallback');
    assert.equal(none!.rejected?.reason, 'forward_no_line');
    assert.match(none!.rejected?.detail ?? '', /"msg" and "message" are absent \(keys: level,n\)/);
    assert.equal(none!.framed.kind === 'line' && none!.framed.text, '{"level":"info","n":3}');
    await batch.settled('stored');
    client.end();
  } finally {
    await h.stop();
  }
});

test('a log value that is not UTF-8 reaches ingest as invalid_utf8 with its exact bytes', async () => {
  const h = await startHarness();
  try {
    const client = await connectRaw({ port: h.port });
    const raw = Buffer.from([0x7b, 0xff, 0xfe, 0x7d]);
    // ['t', 1, {log: <str of raw bytes>}] written by hand: an encoder would refuse invalid UTF-8.
    client.write(
      Buffer.concat([
        Buffer.from([0x93]),
        pack('t'),
        pack(1),
        Buffer.from([0x81]),
        pack('log'),
        Buffer.from([0xa4]),
        raw,
      ]),
    );
    const batch = await h.batch();
    const framed = batch.lines[0]!.framed;
    assert.equal(framed.kind, 'invalid_utf8');
    assert.deepEqual(framed.kind === 'invalid_utf8' && framed.raw, raw);
    await batch.settled('stored');
    client.end();
  } finally {
    await h.stop();
  }
});
