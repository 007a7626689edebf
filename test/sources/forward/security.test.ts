/**
 * Shared-key handshake (HELO/PING/PONG with SHA-512 digests as in the Forward spec v1) with a raw
 * client, and TLS / mTLS with a throwaway CA made by the openssl CLI.
 */
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import { makeCertificates } from '../../helpers/certificates.js';
import { connectRaw, startHarness, texts } from './harness.js';

const sha512 = (...parts: (string | Uint8Array)[]) => {
  const hash = createHash('sha512');
  for (const part of parts) hash.update(part);
  return hash.digest('hex');
};

async function handshake(port: number, key: string) {
  const client = await connectRaw({ port });
  const helo = (await client.reply()) as [string, { nonce: Uint8Array; auth: string; keepalive: boolean }];
  assert.equal(helo[0], 'HELO');
  assert.equal(helo[1].nonce.length, 16);
  const salt = 'salt-1234';
  client.send(['PING', 'docker-host', salt, sha512(salt, 'docker-host', helo[1].nonce, key), '', '']);
  const pong = (await client.reply()) as [string, boolean, string, string, string];
  return { client, pong, nonce: helo[1].nonce, salt };
}

test('the right shared key: PONG true with the server digest, then events flow', async () => {
  const h = await startHarness({ shared_key: 's3cret-key', self_hostname: 'ship-1' });
  try {
    const { client, pong, nonce, salt } = await handshake(h.port, 's3cret-key');
    assert.deepEqual(pong, ['PONG', true, '', 'ship-1', sha512(salt, 'ship-1', nonce, 's3cret-key')]);
    client.send(['app', 1, { log: 'after auth' }, { chunk: 'a' }]);
    const batch = await h.batch();
    assert.deepEqual(texts(batch), ['after auth']);
    await batch.settled('stored');
    assert.deepEqual(await client.reply(), { ack: 'a' });
    client.end();
  } finally {
    await h.stop();
  }
});

test('a wrong shared key: PONG false, connection closed, logged with the peer and without the key', async () => {
  const h = await startHarness({ shared_key: 's3cret-key' });
  try {
    const { client, pong } = await handshake(h.port, 'wrong-key');
    assert.deepEqual(pong, ['PONG', false, 'shared_key mismatch', '', '']);
    await client.closed;
    const line = h.logger.entries.find((e) => e.message.includes('handshake refused'));
    assert.ok(line, 'the refusal is logged');
    assert.match(line.message, /127\.0\.0\.1:\d+/);
    assert.ok(!JSON.stringify(h.logger.entries).includes('s3cret-key'), 'the key is never logged');
    assert.equal(h.input.counters.requests, 0);
  } finally {
    await h.stop();
  }
});

test('no handshake when one is required: the first request is refused and nothing is queued', async () => {
  const h = await startHarness({ shared_key: 's3cret-key' });
  try {
    const client = await connectRaw({ port: h.port });
    assert.equal(((await client.reply()) as unknown[])[0], 'HELO');
    client.send(['app', 1, { log: 'sneaky' }, { chunk: 'x' }]);
    assert.deepEqual(await client.reply(), ['PONG', false, 'invalid ping message', '', '']);
    await client.closed;
    assert.equal(h.input.counters.requests, 0);
  } finally {
    await h.stop();
  }
});

let dir = '';
before(() => {
  dir = mkdtempSync(join(tmpdir(), 'forward-tls-'));
  makeCertificates(dir);
});
after(() => rmSync(dir, { recursive: true, force: true }));

test('TLS: a client that trusts the CA sends and gets its ack', async () => {
  const h = await startHarness({
    tls: { cert_file: join(dir, 'server.pem'), key_file: join(dir, 'server.key') },
  });
  try {
    const client = await connectRaw(
      { port: h.port },
      { ca: readFileSync(join(dir, 'ca.pem')), servername: 'ship.test' },
    );
    client.send(['app', 1, { log: 'over tls' }, { chunk: 't' }]);
    const batch = await h.batch();
    assert.deepEqual(texts(batch), ['over tls']);
    await batch.settled('stored');
    assert.deepEqual(await client.reply(), { ack: 't' });
    client.end();
  } finally {
    await h.stop();
  }
});

test('mTLS: a client without a certificate is refused, one with a CA-signed certificate is served', async () => {
  const h = await startHarness({
    tls: {
      cert_file: join(dir, 'server.pem'),
      key_file: join(dir, 'server.key'),
      client_ca_file: join(dir, 'ca.pem'),
    },
  });
  try {
    const ca = readFileSync(join(dir, 'ca.pem'));
    const anonymous = await connectRaw({ port: h.port }, { ca, servername: 'ship.test' }).catch(
      (error: Error) => error,
    );
    if (!(anonymous instanceof Error)) {
      anonymous.send(['app', 1, { log: 'anonymous' }]);
      await anonymous.closed; // TLS 1.3 reports the refusal after the client's handshake completes
    }
    const client = await connectRaw(
      { port: h.port },
      {
        ca,
        servername: 'ship.test',
        cert: readFileSync(join(dir, 'client.pem')),
        key: readFileSync(join(dir, 'client.key')),
      },
    );
    client.send(['app', 1, { log: 'mutual' }, { chunk: 'm' }]);
    const batch = await h.batch();
    assert.deepEqual(texts(batch), ['mutual']);
    await batch.settled('stored');
    assert.deepEqual(await client.reply(), { ack: 'm' });
    assert.equal(h.input.counters.requests, 1, 'the anonymous request never reached the queue');
    client.end();
  } finally {
    await h.stop();
  }
});
