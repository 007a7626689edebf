/**
 * A consumer that stops settling (a full journal under when_full: block) stops the reads: the
 * server holds at most about queue_high_water_bytes, the client's socket buffer fills, and once
 * the consumer settles again every request arrives — nothing dropped.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { connectRaw, pack, startHarness } from './harness.js';

/** Resolves once `read()` has given the same value on 20 checks 10 ms apart (buffers are full). */
async function steady(read: () => number): Promise<number> {
  let last = read();
  let same = 0;
  while (same < 20) {
    await new Promise((resolve) => setTimeout(resolve, 10));
    const now = read();
    same = now === last ? same + 1 : 0;
    last = now;
  }
  return last;
}

const limits = [
  { name: "the connection's own high-water mark", options: { queue_high_water_bytes: 256 * 1024 } },
  {
    name: 'the total of all connections',
    options: { queue_high_water_bytes: 1 << 30, max_queued_bytes: 256 * 1024 },
  },
];

for (const { name, options } of limits) {
  test(`a held batch pauses the socket (${name}); the client sees TCP backpressure; nothing is dropped`, async () => {
    const highWater = 256 * 1024;
    const h = await startHarness(options);
    try {
      const client = await connectRaw({ port: h.port });
      const request = (i: number) =>
        pack(['app', i, { log: `${String(i).padStart(8, '0')} ${'z'.repeat(1000)}` }]);
      const size = request(0).length;
      const total = Math.ceil((24 * 1024 * 1024) / size);
      let accepted = true;
      for (let i = 0; i < total; i += 64) {
        const chunk = Buffer.concat(
          Array.from({ length: Math.min(64, total - i) }, (_, j) => request(i + j)),
        );
        accepted = client.write(chunk) && accepted;
      }
      assert.equal(accepted, false, 'write() reported a full buffer');

      const held = await h.batch(); // the first batch is never settled while we look
      const buffered = await steady(() => client.socket.writableLength);
      const received = h.input.counters.requests;
      assert.ok(buffered > 8 * 1024 * 1024, `the client's write buffer stays full (${buffered} bytes)`);
      assert.ok(
        received * size < highWater + 2 * 65536 + held.lines.length * size,
        `the server holds little (${received} requests)`,
      );

      // The journal takes batches again: every request arrives, in order.
      let next = 0;
      for (const line of held.lines)
        assert.ok(
          line.framed.kind === 'line' && line.framed.text.startsWith(String(next++).padStart(8, '0')),
        );
      await held.settled('stored');
      while (next < total) {
        const batch = await h.batch();
        for (const line of batch.lines) {
          assert.ok(
            line.framed.kind === 'line' && line.framed.text.startsWith(String(next).padStart(8, '0')),
            `line ${next} in order`,
          );
          next++;
        }
        await batch.settled('stored');
      }
      assert.equal(h.input.counters.events, total);
      assert.equal(h.input.counters.held_bytes, 0, 'every held byte is released once settled');
      assert.equal(client.socket.writableLength, 0);
      client.end();
    } finally {
      await h.stop();
    }
  });
}
