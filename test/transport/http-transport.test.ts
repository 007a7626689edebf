import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import type { ServerResponse } from 'node:http';
import https from 'node:https';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gunzipSync } from 'node:zlib';
import { createHttpTransport, MAX_BODY_BYTES } from '../../src/transport/http-transport.js';
import { createCredentials } from '../../src/transport/credentials.js';
import type { SinkRequest } from '../../src/contract/sink.js';
import { makeCertificates } from '../helpers/certificates.js';
import { startScriptedReceiver, type ScriptedReceiver } from '../receivers/scripted-receiver.js';
import { echoesOf, revealsSecret } from '../helpers/secret-forms.js';

const noTls = { insecure_skip_verify: false };
const request = (body = 'hello\n', path = '/ingest'): SinkRequest => ({
  path,
  headers: { 'Content-Type': 'application/x-ndjson' },
  body: Buffer.from(body),
});
const never = new AbortController().signal;

void describe('plain HTTP', () => {
  let receiver: ScriptedReceiver;
  before(async () => {
    receiver = await startScriptedReceiver(() => ({ status: 204 }));
  });
  after(() => receiver.close());

  void test('a 2xx reply comes back with status, lower-cased headers and the whole body', async () => {
    const transport = createHttpTransport({ url: receiver.url, timeoutMs: 5000, gzip: false, tls: noTls });
    try {
      receiver.script({ status: 200, headers: { 'X-Answer': '42' }, body: { took: 3, errors: false } });
      const reply = await transport.send(request('line-1\n'), never);
      assert.equal(reply.kind, 'response');
      assert.ok(reply.kind === 'response');
      assert.equal(reply.status, 200);
      assert.equal(reply.headers['x-answer'], '42');
      assert.deepEqual(JSON.parse(reply.body), { took: 3, errors: false });
      const got = receiver.requests.at(-1)!;
      assert.equal(got.method, 'POST');
      assert.equal(got.url, '/ingest');
      assert.equal(got.body.toString(), 'line-1\n');
    } finally {
      await transport.close();
    }
  });

  void test('codec headers, extra headers and credentials are all sent', async () => {
    const credentials = createCredentials({ bearer_token: 'tok-abc-123' });
    const transport = createHttpTransport({
      url: receiver.url,
      timeoutMs: 5000,
      gzip: false,
      tls: noTls,
      headers: { 'X-Scope-OrgID': 'tenant-1' },
      credentials,
    });
    try {
      await transport.send(request(), never);
      const got = receiver.requests.at(-1)!;
      assert.equal(got.headers['content-type'], 'application/x-ndjson');
      assert.equal(got.headers['x-scope-orgid'], 'tenant-1');
      assert.equal(got.headers.authorization, 'Bearer tok-abc-123');
      assert.equal(got.headers['content-encoding'], undefined);
    } finally {
      await transport.close();
    }
  });

  void test('gzip: the body is compressed on the wire and marked Content-Encoding: gzip', async () => {
    const transport = createHttpTransport({ url: receiver.url, timeoutMs: 5000, gzip: true, tls: noTls });
    try {
      const body = 'x'.repeat(10_000) + '\n';
      await transport.send(request(body), never);
      const got = receiver.requests.at(-1)!;
      assert.equal(got.headers['content-encoding'], 'gzip');
      assert.ok(got.rawBody.length < 1000, 'compressed on the wire');
      assert.equal(gunzipSync(got.rawBody).toString(), body);
    } finally {
      await transport.close();
    }
  });

  void test('a base URL path prefix is joined with the request path', async () => {
    const transport = createHttpTransport({
      url: `${receiver.url}/proxy/loki/`,
      timeoutMs: 5000,
      gzip: false,
      tls: noTls,
    });
    try {
      await transport.send(request('x', '/loki/api/v1/push?x=1'), never);
      assert.equal(receiver.requests.at(-1)!.url, '/proxy/loki/loki/api/v1/push?x=1');
    } finally {
      await transport.close();
    }
  });

  void test('bodies are always read: many requests over one connection do not stall', async () => {
    const transport = createHttpTransport({
      url: receiver.url,
      timeoutMs: 5000,
      gzip: false,
      tls: noTls,
      connections: 1,
    });
    try {
      for (let i = 0; i < 5; i++) receiver.script({ status: 400, body: `error ${i}` });
      for (let i = 0; i < 5; i++) {
        const reply = await transport.send(request(), never);
        assert.ok(reply.kind === 'response' && reply.body === `error ${i}`);
      }
    } finally {
      await transport.close();
    }
  });

  void test('a huge response body is kept only up to the cap', async () => {
    const transport = createHttpTransport({ url: receiver.url, timeoutMs: 10_000, gzip: false, tls: noTls });
    try {
      receiver.script({ status: 500, body: 'e'.repeat(MAX_BODY_BYTES + 1024 * 1024) });
      const reply = await transport.send(request(), never);
      assert.ok(reply.kind === 'response');
      assert.equal(reply.status, 500);
      assert.equal(reply.body.length, MAX_BODY_BYTES);
      assert.equal(reply.truncated, true, 'a cut reply says so');
      // The connection is usable afterwards.
      const next = await transport.send(request(), never);
      assert.ok(next.kind === 'response' && next.status === 204);
      assert.equal(next.truncated, undefined, 'a whole reply is not marked');
    } finally {
      await transport.close();
    }
  });

  void test('maxBodyBytes sets the read limit: a reply of exactly the limit is whole, one byte more is truncated', async () => {
    const transport = createHttpTransport({
      url: receiver.url,
      timeoutMs: 5000,
      gzip: false,
      tls: noTls,
      maxBodyBytes: 100,
    });
    try {
      receiver.script({ status: 200, body: 'a'.repeat(100) }, { status: 200, body: 'b'.repeat(101) });
      const whole = await transport.send(request(), never);
      assert.ok(whole.kind === 'response' && whole.body.length === 100 && whole.truncated === undefined);
      const cut = await transport.send(request(), never);
      assert.ok(cut.kind === 'response');
      assert.equal(cut.body, 'b'.repeat(100));
      assert.equal(cut.truncated, true);
    } finally {
      await transport.close();
    }
  });

  void test('a connection reset is a network_error value', async () => {
    const transport = createHttpTransport({ url: receiver.url, timeoutMs: 5000, gzip: false, tls: noTls });
    try {
      receiver.script({ reset: true });
      const reply = await transport.send(request(), never);
      assert.equal(reply.kind, 'network_error');
      assert.ok(reply.kind === 'network_error');
      assert.match(reply.code, /^(UND_ERR_SOCKET|ECONNRESET|EPIPE)$/);
    } finally {
      await transport.close();
    }
  });

  void test('a reply slower than timeoutMs is a timeout value', async () => {
    const transport = createHttpTransport({ url: receiver.url, timeoutMs: 200, gzip: false, tls: noTls });
    try {
      receiver.script({ hang: true });
      const started = Date.now();
      const reply = await transport.send(request(), never);
      assert.deepEqual(reply, { kind: 'timeout', afterMs: 200 });
      assert.ok(Date.now() - started < 5000);
    } finally {
      await transport.close();
    }
  });

  void test("the caller's abort rejects with the signal's reason (not a timeout value)", async () => {
    const transport = createHttpTransport({ url: receiver.url, timeoutMs: 30_000, gzip: false, tls: noTls });
    try {
      receiver.script({ hang: true });
      const controller = new AbortController();
      const count = receiver.requests.length;
      const sending = transport.send(request(), controller.signal);
      await receiver.waitForRequests(count + 1);
      const reason = new Error('shutting down');
      controller.abort(reason);
      await assert.rejects(sending, (error) => error === reason);
    } finally {
      await transport.close();
    }
  });

  void test('close() is idempotent', async () => {
    const transport = createHttpTransport({ url: receiver.url, timeoutMs: 5000, gzip: false, tls: noTls });
    await transport.send(request(), never);
    await transport.close();
    await transport.close();
  });
});

void test('connection refused is a network_error value without credentials in it', async () => {
  const receiver = await startScriptedReceiver(() => ({ status: 204 }));
  try {
    await receiver.down();
    const transport = createHttpTransport({
      url: receiver.url,
      timeoutMs: 5000,
      gzip: false,
      tls: noTls,
      credentials: createCredentials({ bearer_token: 'refused-secret-token' }),
    });
    try {
      const reply = await transport.send(request(), never);
      assert.equal(reply.kind, 'network_error');
      assert.ok(reply.kind === 'network_error');
      assert.equal(reply.code, 'ECONNREFUSED');
      assert.ok(!JSON.stringify(reply).includes('refused-secret-token'));
    } finally {
      await transport.close();
    }
  } finally {
    await receiver.close();
  }
});

void describe('receivers that echo our credentials', () => {
  // A gateway that decodes the Authorization header it got and quotes it, in every form, in its
  // error body and in a header.
  const echoing = () =>
    startScriptedReceiver((req) => {
      const echo = echoesOf(String(req.headers.authorization)).join('\n');
      return {
        status: 401,
        headers: { 'x-debug-auth': echoesOf(String(req.headers.authorization))[0]! },
        body: { error: `invalid credentials; got:\n${echo}` },
      };
    });

  void test('the decoded basic credentials in any form never come back from send()', async () => {
    const receiver = await echoing();
    const password = 'Lk9Qv7Wm"pa\\ss/wörd&<x> %+';
    const transport = createHttpTransport({
      url: receiver.url,
      timeoutMs: 5000,
      gzip: false,
      tls: noTls,
      credentials: createCredentials({ username: 'shipper', password }),
    });
    try {
      const reply = await transport.send(request(), never);
      assert.ok(reply.kind === 'response' && reply.status === 401);
      assert.match(reply.body, /redacted/);
      const seen = JSON.stringify(reply);
      assert.equal(revealsSecret(seen, password, 'shipper'), undefined, seen);
      assert.equal(revealsSecret(reply.body, password, 'shipper'), undefined, reply.body);
    } finally {
      await transport.close();
      await receiver.close();
    }
  });

  void test('a token re-read from its file is redacted from its first use, and the replaced one still is', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'wirety-echo-'));
    const receiver = await echoing();
    const file = join(dir, 'token');
    await writeFile(file, 'first-Tq8Zk2-token\n');
    const credentials = createCredentials({ bearer_token_file: file })!;
    const transport = createHttpTransport({
      url: receiver.url,
      timeoutMs: 5000,
      gzip: false,
      tls: noTls,
      credentials,
    });
    try {
      await transport.send(request(), never);
      await writeFile(file, 'second-Rw4Yp6-token\n');
      await credentials.refresh();
      // A proxy that still quotes the request before the rotation, and the current one.
      receiver.script({ status: 502, body: `${echoesOf('Bearer first-Tq8Zk2-token').join(' ')}` });
      const old = await transport.send(request(), never);
      const current = await transport.send(request(), never);
      assert.equal(receiver.requests.at(-1)!.headers.authorization, 'Bearer second-Rw4Yp6-token');
      for (const reply of [old, current]) {
        const seen = JSON.stringify(reply);
        assert.equal(revealsSecret(seen, 'first-Tq8Zk2-token'), undefined, seen);
        assert.equal(revealsSecret(seen, 'second-Rw4Yp6-token'), undefined, seen);
      }
    } finally {
      await transport.close();
      await receiver.close();
      await rm(dir, { recursive: true, force: true });
    }
  });
});

void test('a URL with userinfo is refused without echoing the password', () => {
  assert.throws(
    () =>
      createHttpTransport({
        url: 'https://elastic:hunter2@es.example:9200',
        timeoutMs: 1000,
        gzip: false,
        tls: noTls,
      }),
    (error: Error) => {
      assert.match(error.message, /auth/);
      assert.ok(!error.message.includes('hunter2'));
      return true;
    },
  );
  assert.throws(
    () => createHttpTransport({ url: 'not a url :hunter2', timeoutMs: 1000, gzip: false, tls: noTls }),
    (error: Error) => {
      assert.ok(!error.message.includes('hunter2'));
      return true;
    },
  );
});

void test('an unreadable TLS file is an error naming it', () => {
  assert.throws(
    () =>
      createHttpTransport({
        url: 'https://127.0.0.1:1',
        timeoutMs: 1000,
        gzip: false,
        tls: { insecure_skip_verify: false, ca_file: '/nonexistent/wirety/ca.pem' },
      }),
    /tls\.ca_file \/nonexistent\/wirety\/ca\.pem/,
  );
});

void describe('HTTPS', () => {
  let dir = '';
  let server: https.Server;
  let url = '';
  let mtlsServer: https.Server;
  let mtlsUrl = '';
  const file = (name: string) => join(dir, name);

  before(async () => {
    dir = await mkdtemp(join(tmpdir(), 'wirety-tls-'));
    makeCertificates(dir);
    const key = await readFile(file('server.key'));
    const cert = await readFile(file('server.pem'));
    const ca = await readFile(file('ca.pem'));
    const reply = (_req: unknown, res: ServerResponse) => {
      res.writeHead(200, { 'content-type': 'text/plain' });
      res.end('secure');
    };
    server = https.createServer({ key, cert }, (req, res) => req.resume().on('end', () => reply(req, res)));
    mtlsServer = https.createServer(
      { key, cert, ca, requestCert: true, rejectUnauthorized: true },
      (req, res) => req.resume().on('end', () => reply(req, res)),
    );
    url = await listen(server);
    mtlsUrl = await listen(mtlsServer);
  });
  after(async () => {
    await Promise.all([stop(server), stop(mtlsServer)]);
    await rm(dir, { recursive: true, force: true });
  });

  const send = async (target: string, tls: Parameters<typeof createHttpTransport>[0]['tls']) => {
    const transport = createHttpTransport({ url: target, timeoutMs: 5000, gzip: false, tls });
    try {
      return await transport.send(request(), never);
    } finally {
      await transport.close();
    }
  };

  void test('with ca_file the self-signed chain verifies', async () => {
    const reply = await send(url, { insecure_skip_verify: false, ca_file: file('ca.pem') });
    assert.ok(reply.kind === 'response' && reply.status === 200 && reply.body === 'secure');
  });

  void test('without ca_file verification is on by default and fails as a network_error', async () => {
    const reply = await send(url, { insecure_skip_verify: false });
    assert.equal(reply.kind, 'network_error');
    assert.ok(reply.kind === 'network_error');
    assert.match(reply.code, /CERT|SIGNATURE|SELF_SIGNED/);
  });

  void test('insecure_skip_verify turns verification off', async () => {
    const reply = await send(url, { insecure_skip_verify: true });
    assert.ok(reply.kind === 'response' && reply.status === 200);
  });

  void test('server_name sets the name the certificate is checked against', async () => {
    const good = await send(url, {
      insecure_skip_verify: false,
      ca_file: file('ca.pem'),
      server_name: 'ship.test',
    });
    assert.ok(good.kind === 'response' && good.status === 200);
    const bad = await send(url, {
      insecure_skip_verify: false,
      ca_file: file('ca.pem'),
      server_name: 'other.test',
    });
    assert.ok(bad.kind === 'network_error');
    assert.equal(bad.code, 'ERR_TLS_CERT_ALTNAME_INVALID');
  });

  void test('cert_file and key_file are presented for mutual TLS', async () => {
    const withCert = await send(mtlsUrl, {
      insecure_skip_verify: false,
      ca_file: file('ca.pem'),
      cert_file: file('client.pem'),
      key_file: file('client.key'),
    });
    assert.ok(withCert.kind === 'response' && withCert.status === 200);
    const without = await send(mtlsUrl, { insecure_skip_verify: false, ca_file: file('ca.pem') });
    assert.equal(without.kind, 'network_error');
  });
});

function listen(server: https.Server): Promise<string> {
  return new Promise((resolve) =>
    server.listen(0, '127.0.0.1', () =>
      resolve(`https://127.0.0.1:${(server.address() as AddressInfo).port}`),
    ),
  );
}

function stop(server: https.Server): Promise<void> {
  return new Promise((resolve) => {
    server.closeAllConnections();
    server.close(() => resolve());
  });
}
