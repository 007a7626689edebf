/**
 * `--check-config --online` against a Loki test receiver that answers as Loki (and its usual
 * gateway) does: /ready, the zero-stream push (422), 401 "no org id", a gateway's 401, buildinfo.
 * Every case asserts that nothing was stored.
 */
import assert from 'node:assert/strict';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { createLokiCodec } from '../../src/sinks/loki/index.js';
import { makeCertificates } from '../helpers/certificates.js';
import { lokiSinkConfig, startLokiReceiver, type LokiReceiver } from '../receivers/loki-receiver.js';
import { startScriptedReceiver } from '../receivers/scripted-receiver.js';
import { checkOne, closedPort, finding } from './check-helpers.js';

const PASSWORD = 'l0ki-gateway-pa55';
const BASIC = `Basic ${Buffer.from(`shipper:${PASSWORD}`).toString('base64')}`;

void describe('online check: Loki', () => {
  const receivers: LokiReceiver[] = [];
  const start = async (options: Parameters<typeof startLokiReceiver>[0] = {}) => {
    const receiver = await startLokiReceiver(options);
    receivers.push(receiver);
    return receiver;
  };
  after(async () => {
    for (const r of receivers) await r.close();
  });

  void it('all ok: reachable, ready, credentials and tenant accepted; only requests that store nothing', async () => {
    const loki = await start({ authorization: BASIC, requireTenant: true, version: '3.4.2' });
    const sink = loki.sinkConfig({ tenant: 'acme', auth: { username: 'shipper', password: PASSWORD } });
    const checked = await checkOne(sink);
    assert.equal(checked.status, 'ok', checked.line);
    assert.equal(
      checked.line,
      `ok   loki (${loki.url}): reachable, no TLS (http), ready, credentials accepted (tenant acme), ` +
        'structured metadata: not checked (Loki validates it only on an entry it would store; Loki 3.4.2 accepts it with schema v13 and tsdb)',
    );
    assert.deepEqual(
      loki.requests.map((r) => `${r.method} ${r.url}`),
      ['GET /ready', 'POST /loki/api/v1/push', 'GET /loki/api/v1/status/buildinfo'],
    );
    // The push is the run's own request with no streams: its headers, tenant and credentials.
    const push = loki.requests[1]!;
    const run = createLokiCodec(sink).encode([]);
    assert.equal(push.headers['content-type'], run.headers['content-type']);
    assert.equal(push.headers['x-scope-orgid'], 'acme');
    assert.equal(push.headers.authorization, BASIC);
    assert.deepEqual([...push.body], [...run.body]);
    assert.deepEqual(loki.stored(), []);
    assert.doesNotMatch(checked.line, new RegExp(PASSWORD));
  });

  void it('a wrong password: FAIL naming the refused credentials', async () => {
    const loki = await start({ authorization: BASIC });
    const checked = await checkOne(loki.sinkConfig({ auth: { username: 'shipper', password: 'wrong-one' } }));
    assert.equal(checked.status, 'fail');
    assert.match(checked.line, /^FAIL loki \(http:\/\/127\.0\.0\.1:\d+\): reachable, /);
    assert.equal(
      finding(checked, /credentials/).text,
      'credentials refused (HTTP 401: 401 Authorization Required)',
    );
    assert.deepEqual(loki.stored(), []);
  });

  void it('no tenant where Loki needs one: FAIL saying to set the tenant', async () => {
    const loki = await start({ requireTenant: true });
    const checked = await checkOne(loki.sinkConfig());
    assert.equal(checked.status, 'fail');
    assert.equal(
      finding(checked, /tenant/).text,
      'Loki needs a tenant (HTTP 401: no org id): set tenant (--loki-tenant)',
    );
  });

  void it('an unreachable port: FAIL naming the address, nothing else tried', async () => {
    const port = await closedPort();
    const checked = await checkOne(lokiSinkConfig(`http://127.0.0.1:${port}`));
    assert.equal(
      checked.line,
      `FAIL loki (http://127.0.0.1:${port}): unreachable: 127.0.0.1:${port} refused the connection (ECONNREFUSED)`,
    );
  });

  void it("a receiver that never answers: FAIL after the sink's timeout, naming the address", async () => {
    const silent = await startScriptedReceiver(() => ({ hang: true }));
    try {
      const checked = await checkOne(lokiSinkConfig(silent.url, { timeout_ms: 300 }));
      assert.equal(
        checked.line,
        `FAIL loki (${silent.url}): no reply from 127.0.0.1:${silent.port} within 300 ms`,
      );
      assert.equal(silent.requests.length, 1, 'nothing more is tried once the receiver is silent');
    } finally {
      await silent.close();
    }
  });

  void it('a Loki still starting (/ready 503): FAIL with its reason', async () => {
    const loki = await start();
    loki.setReady(false);
    const checked = await checkOne(loki.sinkConfig());
    assert.equal(checked.status, 'fail');
    assert.equal(
      finding(checked, /ready/).text,
      'not ready (HTTP 503: Ingester not ready: waiting for 15s after being ready)',
    );
  });

  void it('Loki 2.9 with structured metadata on: a warning naming both fixes; off: says so', async () => {
    const loki = await start({ version: '2.9.7', limits: { allowStructuredMetadata: false } });
    const on = await checkOne(loki.sinkConfig());
    assert.equal(on.status, 'warn');
    assert.match(
      finding(on, /structured metadata/).text,
      /Loki 2\.9\.7 refuses it unless limits_config\.allow_structured_metadata is true: set that, or structured_metadata: false$/,
    );
    const off = await checkOne(loki.sinkConfig({ structured_metadata: false }));
    assert.equal(off.status, 'ok', off.line);
    assert.equal(
      finding(off, /structured metadata/).text,
      'structured metadata: off (structured_metadata: false)',
    );
    assert.deepEqual(loki.stored(), []);
  });

  void describe('over https', () => {
    let dir = '';
    let loki: LokiReceiver;
    before(async () => {
      dir = await mkdtemp(join(tmpdir(), 'wirety-check-tls-'));
      makeCertificates(dir);
      const [key, cert] = await Promise.all([
        readFile(join(dir, 'server.key')),
        readFile(join(dir, 'server.pem')),
      ]);
      loki = await start({ tls: { key, cert } });
    });
    after(() => rm(dir, { recursive: true, force: true }));

    void it('TLS ok with the CA from tls.ca_file', async () => {
      const checked = await checkOne(
        loki.sinkConfig({ tls: { insecure_skip_verify: false, ca_file: join(dir, 'ca.pem') } }),
      );
      assert.equal(checked.status, 'ok', checked.line);
      assert.match(checked.line, /: reachable, TLS ok, ready, /);
    });

    void it('a certificate that does not verify: FAIL naming TLS', async () => {
      const checked = await checkOne(loki.sinkConfig());
      assert.equal(checked.status, 'fail');
      assert.match(
        checked.line,
        /^FAIL loki \(https:\/\/127\.0\.0\.1:\d+\): TLS failed with 127\.0\.0\.1:\d+ \([A-Z_]+: .+\): check tls\.ca_file/,
      );
    });

    void it('verification off: a warning', async () => {
      const checked = await checkOne(loki.sinkConfig({ tls: { insecure_skip_verify: true } }));
      assert.equal(checked.status, 'warn');
      assert.match(finding(checked, /TLS/).text, /^TLS NOT verified/);
    });
  });
});
