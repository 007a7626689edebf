import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { createCredentials } from '../../../src/transport/credentials.js';
import { createHttpTransport } from '../../../src/transport/http-transport.js';
import { probeAckMode } from '../../../src/sinks/splunk-hec/ack-probe.js';
import { startHecReceiver, type HecReceiver } from '../../receivers/hec-receiver.js';

const TOKEN = 'probe-token';
const live = new AbortController().signal;

async function probe(receiver: HecReceiver, token = TOKEN) {
  const transport = createHttpTransport({
    url: receiver.url,
    timeoutMs: 5_000,
    gzip: false,
    tls: { insecure_skip_verify: false },
    credentials: createCredentials({}, { scheme: 'Splunk', token })!,
  });
  try {
    return await probeAckMode(transport, live);
  } finally {
    await transport.close();
  }
}

void describe("HEC token's ack mode, probed without sending an event", () => {
  void it('on, off, refused by a proxy, unknown when the token is refused; nothing indexed', async () => {
    const acking = await startHecReceiver({ token: TOKEN, ack: true });
    const plain = await startHecReceiver({ token: TOKEN, ack: false });
    try {
      assert.deepEqual(await probe(acking), { ack: 'on' });
      assert.deepEqual(await probe(plain), { ack: 'off', reason: 'HEC code 14: ACK is disabled (HTTP 400)' });
      acking.refusePolls({ status: 404, body: 'Not Found' });
      assert.deepEqual(await probe(acking), { ack: 'refused', reason: 'HTTP 404' });
      acking.refusePolls(undefined);
      assert.deepEqual(await probe(acking, 'wrong'), {
        ack: 'unknown',
        reason: 'HEC code 4: Invalid token (HTTP 403)',
      });
      assert.deepEqual([...acking.events, ...plain.events], []);
    } finally {
      await acking.close();
      await plain.close();
    }
  });
});
