/**
 * An ack leaves only in settled('stored') of the batch holding the request: a consumer that holds
 * the batch (a journal that is full or still fsyncing) holds the ack; `unstored` never acks.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { connectRaw, startHarness, texts, waitFor } from './harness.js';

test('no ack before the batch is settled stored, then exactly one', async () => {
  const h = await startHarness();
  try {
    const client = await connectRaw({ port: h.port });
    client.send(['app', 1, { log: 'held' }, { chunk: 'held-chunk' }]);
    const batch = await h.batch();
    assert.deepEqual(texts(batch), ['held']);
    // A later request on the same connection is read and queued meanwhile, but not acked either.
    client.send(['app', 2, { log: 'queued' }, { chunk: 'queued-chunk' }]);
    await waitFor(() => h.input.counters.requests === 2);
    assert.equal(h.input.counters.acks, 0, 'no ack may be written while the batch is held');
    assert.deepEqual(client.replies, []);

    await batch.settled('stored');
    assert.equal(h.input.counters.acks, 1);
    assert.deepEqual(await client.reply(), { ack: 'held-chunk' });

    const second = await h.batch();
    assert.deepEqual(texts(second), ['queued']);
    assert.equal(h.input.counters.acks, 1);
    await second.settled('stored');
    assert.deepEqual(await client.reply(), { ack: 'queued-chunk' });
    client.end();
  } finally {
    await h.stop();
  }
});

test('a batch settled unstored is never acked and its connection is closed so the client re-sends', async () => {
  const h = await startHarness();
  try {
    const client = await connectRaw({ port: h.port });
    client.send(['app', 1, { log: 'not journaled' }, { chunk: 'lost-chunk' }]);
    const batch = await h.batch();
    await batch.settled('unstored');
    await client.closed;
    assert.equal(h.input.counters.acks, 0);
    assert.deepEqual(client.replies, []);
    assert.ok(
      h.logger.entries.some(
        (e) => e.message.includes('could not be journaled') && e.message.includes('127.0.0.1'),
      ),
    );

    // The re-sent request on a new connection is acked once stored.
    const again = await connectRaw({ port: h.port });
    again.send(['app', 1, { log: 'not journaled' }, { chunk: 'lost-chunk' }]);
    const retry = await h.batch();
    assert.match(retry.lines[0]!.id ?? '', /^fwd-[\w-]{32}$/);
    assert.equal(retry.lines[0]!.id, batch.lines[0]!.id, 'a re-sent chunk gives its events the same ids');
    await retry.settled('stored');
    assert.deepEqual(await again.reply(), { ack: 'lost-chunk' });
    again.end();
  } finally {
    await h.stop();
  }
});

test('several requests grouped in one batch are all acked, in order, only when it is settled', async () => {
  const h = await startHarness();
  try {
    const client = await connectRaw({ port: h.port });
    client.send(['app', 1, { log: 'first' }, { chunk: 'c0' }]);
    const first = await h.batch();
    // While the first batch is held, three more requests arrive and wait together.
    for (const i of [1, 2, 3]) client.send(['app', 1, { log: `next ${i}` }, { chunk: `c${i}` }]);
    await waitFor(() => h.input.counters.requests === 4);
    await first.settled('stored');
    const grouped = await h.batch();
    assert.deepEqual(texts(grouped), ['next 1', 'next 2', 'next 3']);
    assert.equal(new Set(grouped.lines.map((l) => l.id)).size, 3, 'different events never share an id');
    assert.equal(h.input.counters.acks, 1);
    await grouped.settled('stored');
    assert.deepEqual(
      [await client.reply(), await client.reply(), await client.reply(), await client.reply()],
      [{ ack: 'c0' }, { ack: 'c1' }, { ack: 'c2' }, { ack: 'c3' }],
    );
    client.end();
  } finally {
    await h.stop();
  }
});

test('grouping never takes a later request of a connection ahead of one that did not fit', async () => {
  const h = await startHarness({ max_batch_lines: 3 });
  try {
    const client = await connectRaw({ port: h.port });
    client.send(['app', 1, { log: 'held' }, { chunk: 'k0' }]);
    const held = await h.batch();
    client.send([
      'app',
      [
        [1, { log: 'a1' }],
        [1, { log: 'a2' }],
      ],
      { chunk: 'kA' },
    ]);
    client.send([
      'app',
      [
        [1, { log: 'b1' }],
        [1, { log: 'b2' }],
      ],
      { chunk: 'kB' },
    ]);
    client.send(['app', [[1, { log: 'c1' }]], { chunk: 'kC' }]);
    await waitFor(() => h.input.counters.requests === 4);
    await held.settled('stored');
    const batches: string[][] = [];
    while (batches.flat().length < 5) {
      const batch = await h.batch();
      batches.push(texts(batch));
      await batch.settled('stored');
    }
    assert.deepEqual(batches, [
      ['a1', 'a2'],
      ['b1', 'b2', 'c1'],
    ]);
    const acks = [];
    for (let i = 0; i < 4; i++) acks.push(await client.reply());
    assert.deepEqual(acks, [{ ack: 'k0' }, { ack: 'kA' }, { ack: 'kB' }, { ack: 'kC' }]);
    client.end();
  } finally {
    await h.stop();
  }
});
