/**
 * Docker's partial pieces (lines over 16 KiB) joined back into one line: in order, out of order,
 * interleaved from two containers; over max_line_bytes → too_long; never finished → handed over
 * rejected with reason partial_timeout when the (injected) clock passes partial_timeout.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { createFakeClock } from '../../helpers/fake-clock.js';
import { connectRaw, startHarness, texts } from './harness.js';

const piece = (container: string, id: string, ordinal: number, last: boolean, log: string) => ({
  container_id: container.repeat(64).slice(0, 64),
  container_name: `/${container}`,
  source: 'stdout',
  log,
  partial_message: 'true',
  partial_id: id,
  partial_ordinal: String(ordinal),
  partial_last: last ? 'true' : 'false',
});

test('pieces are joined in ordinal order, whatever order they come in, and interleaved containers stay apart', async () => {
  const h = await startHarness();
  try {
    const client = await connectRaw({ port: h.port });
    const a = 'a'.repeat(64);
    const b = 'b'.repeat(64);
    const pieces = [
      piece('a', a, 2, false, 'A2-'),
      piece('b', b, 1, false, 'B1-'),
      piece('a', a, 1, false, 'A1-'),
      piece('b', b, 2, true, 'B2'),
      piece('a', a, 3, true, 'A3'),
    ];
    for (const [i, p] of pieces.entries()) client.send(['docker', 1_748_000_000, p, { chunk: `p${i}` }]);
    const lines: string[] = [];
    const meta: unknown[] = [];
    while (lines.length < 2) {
      const batch = await h.batch();
      lines.push(...texts(batch));
      meta.push(...batch.lines.map((l) => l.metadata));
      await batch.settled('stored');
    }
    assert.deepEqual(lines, ['B1-B2', 'A1-A2-A3']);
    assert.deepEqual(meta[0], { tag: 'docker', container_name: 'b', container_id: 'bbbbbbbbbbbb' });
    for (let i = 0; i < pieces.length; i++) assert.deepEqual(await client.reply(), { ack: `p${i}` });
    client.end();
  } finally {
    await h.stop();
  }
});

test('a joined line over max_line_bytes becomes too_long with its prefix and real length', async () => {
  const h = await startHarness({ max_line_bytes: 1000, prefix_bytes: 100 });
  try {
    const client = await connectRaw({ port: h.port });
    const id = 'c'.repeat(64);
    for (let i = 1; i <= 5; i++)
      client.send(['docker', 1, piece('c', id, i, i === 5, String(i).repeat(400))]);
    let framed;
    while (!framed) {
      const batch = await h.batch();
      framed = batch.lines[0]?.framed;
      await batch.settled('stored');
    }
    assert.equal(framed.kind, 'too_long');
    assert.equal(framed.bytes, 2000);
    assert.equal(framed.kind === 'too_long' ? framed.prefix.toString() : '', '1'.repeat(100));
    client.end();
  } finally {
    await h.stop();
  }
});

test('a partial line whose last piece never comes is handed over rejected after partial_timeout', async () => {
  const clock = createFakeClock();
  const h = await startHarness({ clock, partial_timeout: 10_000 });
  try {
    const client = await connectRaw({ port: h.port });
    const id = 'd'.repeat(64);
    client.send(['docker', 1, piece('d', id, 1, false, 'first half, '), { chunk: 'k1' }]);
    const empty = await h.batch();
    assert.deepEqual(empty.lines, [], 'a lone piece yields no line yet');
    await empty.settled('stored');
    assert.deepEqual(await client.reply(), { ack: 'k1' });

    await clock.advance(9_000);
    assert.equal(h.input.counters.partial_timeouts, 0);
    await clock.advance(4_000);
    const batch = await h.batch();
    assert.equal(batch.source, `forward:127.0.0.1:${client.socket.localPort}`);
    const line = batch.lines[0]!;
    assert.deepEqual(line.framed.kind === 'line' ? line.framed.text : '', 'first half, ');
    assert.equal(line.rejected?.reason, 'partial_timeout');
    assert.match(line.rejected?.detail ?? '', /1 piece\(s\) received.*last piece never came/);
    await batch.settled('stored');
    client.end();
  } finally {
    await h.stop();
  }
});
