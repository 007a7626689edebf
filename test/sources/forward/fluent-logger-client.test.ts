/**
 * The published npm client @fluent-org/logger as a second, independent implementation of the
 * protocol: every event mode, with acks (emit resolves only once the ack came back), and the
 * shared-key handshake.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { FluentClient, type EventModes } from '@fluent-org/logger';
import { startHarness, type Harness } from './harness.js';

/** Settles every batch `stored` in the background; returns the lines' texts seen so far. */
function drain(h: Harness): string[] {
  const seen: string[] = [];
  void (async () => {
    for (;;) {
      const batch = await h.batch().catch(() => undefined);
      if (!batch) return;
      for (const line of batch.lines)
        seen.push(line.framed.kind === 'line' ? line.framed.text : `<${line.framed.kind}>`);
      await batch.settled('stored');
    }
  })();
  return seen;
}

for (const eventMode of ['Message', 'Forward', 'PackedForward', 'CompressedPackedForward'] as EventModes[]) {
  test(`@fluent-org/logger in ${eventMode} mode with acks`, async () => {
    const h = await startHarness();
    const seen = drain(h);
    const client = new FluentClient('docker', {
      eventMode,
      socket: { host: '127.0.0.1', port: h.port, disableReconnect: true },
      ack: { ackTimeout: 20_000 },
      milliseconds: true,
    });
    try {
      await client.connect();
      await Promise.all(
        Array.from({ length: 20 }, (_, i) =>
          client.emit('wirety', { source: 'stdout', container_name: '/wirety', log: `line ${i}` }),
        ),
      );
      assert.deepEqual([...seen].sort(), Array.from({ length: 20 }, (_, i) => `line ${i}`).sort());
      assert.ok(h.input.counters.acks >= 1);
    } finally {
      await client.shutdown();
      await h.stop();
    }
  });
}

test('@fluent-org/logger with the right shared key passes the handshake', async () => {
  const h = await startHarness({ shared_key: 'correct horse', self_hostname: 'ship' });
  const seen = drain(h);
  const client = new FluentClient('docker', {
    eventMode: 'Message',
    socket: { host: '127.0.0.1', port: h.port, disableReconnect: true },
    security: { clientHostname: 'docker-host', sharedKey: 'correct horse' },
    ack: { ackTimeout: 20_000 },
  });
  try {
    await client.connect();
    await client.emit('wirety', { log: 'authenticated' });
    assert.deepEqual(seen, ['authenticated']);
  } finally {
    await client.shutdown();
    await h.stop();
  }
});
