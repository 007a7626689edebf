/**
 * A wrong port gets plain words, not a parser or OpenSSL message: a real TCP listener on
 * 127.0.0.1:0 that answers bytes that are not HTTP, and a real plain-HTTP server addressed with
 * https://, each through the real transport.
 */
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import http from 'node:http';
import net, { type AddressInfo } from 'node:net';
import { createHttpTransport } from '../../src/transport/http-transport.js';
import { classifyLokiReply } from '../../src/sinks/loki/classify.js';
import type { SinkRequest } from '../../src/contract/sink.js';

const request: SinkRequest = { path: '/loki/api/v1/push', headers: {}, body: Buffer.from('x') };
const never = new AbortController().signal;
const sockets = new Set<net.Socket>();
let garbage: net.Server;
let plainHttp: http.Server;
const port = (server: net.Server | http.Server) => (server.address() as AddressInfo).port;

before(async () => {
  // What an SSH daemon (or any non-HTTP service) says when a client connects.
  garbage = net.createServer((socket) => {
    sockets.add(socket);
    socket.on('close', () => sockets.delete(socket));
    socket.on('error', () => undefined);
    socket.end('SSH-2.0-OpenSSH_9.6\r\n\x00\x01\x02 not http\r\n');
  });
  plainHttp = http.createServer((_req, res) => res.writeHead(204).end());
  await new Promise<void>((resolve) => garbage.listen(0, '127.0.0.1', resolve));
  await new Promise<void>((resolve) => plainHttp.listen(0, '127.0.0.1', resolve));
});
after(async () => {
  for (const s of sockets) s.destroy();
  plainHttp.closeAllConnections();
  await new Promise((resolve) => garbage.close(resolve));
  await new Promise((resolve) => plainHttp.close(resolve));
});

async function sendTo(url: string) {
  const transport = createHttpTransport({
    url,
    timeoutMs: 5_000,
    gzip: false,
    tls: { insecure_skip_verify: false },
  });
  try {
    return await transport.send(request, never);
  } finally {
    await transport.close();
  }
}

test('a port that answers bytes that are not HTTP: "did not answer HTTP (is it the right port?)"', async () => {
  const url = `http://127.0.0.1:${port(garbage)}`;
  const reply = await sendTo(url);
  assert.equal(reply.kind, 'network_error');
  assert.ok(reply.kind === 'network_error');
  assert.match(
    reply.message,
    /^the receiver at http:\/\/127\.0\.0\.1:\d+ did not answer HTTP \(is it the right port\?\)/,
  );
  assert.ok(reply.message.includes(url));
  assert.equal(reply.code, 'HTTP_PARSE_ERROR');
  // The words reach the reason the operator reads in the retry warning.
  const outcome = classifyLokiReply(reply);
  assert.ok(
    outcome.kind === 'retry' && outcome.reason.includes('did not answer HTTP (is it the right port?)'),
  );
});

test('https:// to a plain-HTTP port: "does not speak TLS: use http://, or check the port"', async () => {
  const url = `https://127.0.0.1:${port(plainHttp)}`;
  const reply = await sendTo(url);
  assert.equal(reply.kind, 'network_error');
  assert.ok(reply.kind === 'network_error');
  assert.equal(reply.message, `the receiver at ${url} does not speak TLS: use http://, or check the port`);
  assert.match(reply.code, /^(ERR_SSL_WRONG_VERSION_NUMBER|EPROTO)$/);
});

test('other failures keep their own message', async () => {
  const closed = net.createServer();
  await new Promise<void>((resolve) => closed.listen(0, '127.0.0.1', resolve));
  const url = `http://127.0.0.1:${port(closed)}`;
  await new Promise((resolve) => closed.close(resolve));
  const reply = await sendTo(url);
  assert.ok(reply.kind === 'network_error');
  assert.equal(reply.code, 'ECONNREFUSED');
  assert.doesNotMatch(reply.message, /right port|speak TLS/);
});
