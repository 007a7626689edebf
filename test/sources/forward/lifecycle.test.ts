/**
 * Shutdown (stop accepting, finish what was received, ack what was journaled, close), close()
 * idempotence, unix sockets, max_connections and the idle timeout (on the injected clock).
 */
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { connect } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { createFakeClock } from '../../helpers/fake-clock.js';
import { createMemoryLogger } from '../../../src/observe/logger.js';
import { createForwardInput } from '../../../src/sources/forward/index.js';
import { connectRaw, startHarness, texts, waitFor } from './harness.js';

test('on abort: no new connections; the held batch and the requests already received are acked once stored; then the connection ends', async () => {
  const h = await startHarness();
  try {
    const client = await connectRaw({ port: h.port });
    client.send(['app', 1, { log: 'in flight' }, { chunk: 'c1' }]);
    const held = await h.batch();
    client.send(['app', 1, { log: 'received before the signal' }, { chunk: 'c2' }]);
    await waitFor(() => h.input.counters.requests === 2);

    h.controller.abort();
    const refused = await new Promise<string>((resolve) => {
      const s = connect({ host: '127.0.0.1', port: h.port });
      s.once('connect', () => resolve('connected'));
      s.once('error', (e: NodeJS.ErrnoException) => resolve(e.code ?? 'error'));
    });
    assert.equal(refused, 'ECONNREFUSED');

    await held.settled('stored');
    assert.deepEqual(await client.reply(), { ack: 'c1' });
    const last = await h.batch();
    assert.deepEqual(texts(last), ['received before the signal']);
    await last.settled('stored');
    assert.deepEqual(await client.reply(), { ack: 'c2' });
    await assert.rejects(h.batch(), /the input ended/);
    await client.closed;
  } finally {
    await h.stop();
    await h.input.close(); // idempotent
  }
});

test('close() without batches() having run, twice, resolves', async () => {
  const input = createForwardInput({ address: '127.0.0.1:0', logger: createMemoryLogger() });
  await input.listen();
  await Promise.all([input.close(), input.close()]);
  await input.close();
});

test('a unix socket address', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'forward-unix-'));
  const path = join(dir, 'ship.sock');
  const h = await startHarness({ address: `unix://${path}` });
  try {
    const client = await connectRaw({ path });
    client.send(['app', 1, { log: 'over unix' }, { chunk: 'u' }]);
    const batch = await h.batch();
    assert.deepEqual(texts(batch), ['over unix']);
    assert.match(batch.source, /^forward:unix#\d+$/);
    await batch.settled('stored');
    assert.deepEqual(await client.reply(), { ack: 'u' });
    client.end();
  } finally {
    await h.stop();
    rmSync(dir, { recursive: true, force: true });
  }
});

test('max_connections: a connection over the limit is dropped and logged', async () => {
  const h = await startHarness({ max_connections: 1 });
  try {
    const first = await connectRaw({ port: h.port });
    const second = await connectRaw({ port: h.port });
    await second.closed;
    assert.ok(h.logger.entries.some((e) => /max_connections \(1\) reached/.test(e.message)));
    first.send(['app', 1, { log: 'first still served' }]);
    const batch = await h.batch();
    assert.deepEqual(texts(batch), ['first still served']);
    await batch.settled('stored');
    first.end();
  } finally {
    await h.stop();
  }
});

test('idle_timeout closes a quiet connection, never one whose requests wait for the journal', async () => {
  const clock = createFakeClock();
  const h = await startHarness({ clock, idle_timeout: 1000 });
  try {
    const quiet = await connectRaw({ port: h.port });
    const waiting = await connectRaw({ port: h.port });
    waiting.send(['app', 1, { log: 'held' }, { chunk: 'w' }]);
    const held = await h.batch();
    await clock.advance(1500);
    await quiet.closed;
    assert.ok(h.logger.entries.some((e) => /idle for 1000 ms/.test(e.message)));
    assert.equal(waiting.socket.destroyed, false);
    await held.settled('stored');
    assert.deepEqual(await waiting.reply(), { ack: 'w' });
    waiting.end();
  } finally {
    await h.stop();
  }
});
