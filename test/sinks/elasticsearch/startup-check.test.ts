import assert from 'node:assert/strict';
import { after, describe, test } from 'node:test';
import { createCredentials } from '../../../src/transport/credentials.js';
import { createHttpTransport } from '../../../src/transport/http-transport.js';
import { createMemoryLogger } from '../../../src/observe/logger.js';
import { checkCluster } from '../../../src/sinks/elasticsearch/startup-check.js';
import type { Transport } from '../../../src/contract/sink.js';
import { startBulkReceiver, type BulkReceiverOptions } from '../../receivers/bulk-receiver.js';

const PASSWORD = 's3cret-pa55word';

describe('startup check (GET /)', () => {
  const cleanup: (() => Promise<void>)[] = [];
  after(async () => {
    for (const fn of cleanup.reverse()) await fn();
  });

  async function setup(options: BulkReceiverOptions = {}, password?: string) {
    const receiver = await startBulkReceiver(options);
    const credentials =
      password === undefined ? undefined : createCredentials({ username: 'shipper', password });
    const transport: Transport = createHttpTransport({
      url: receiver.url,
      timeoutMs: 5000,
      gzip: false,
      tls: { insecure_skip_verify: false },
      ...(credentials ? { credentials } : {}),
    });
    cleanup.push(
      () => transport.close(),
      () => receiver.close(),
    );
    return { receiver, transport, logger: createMemoryLogger() };
  }

  test('logs cluster name, distribution and version of Elasticsearch at info', async () => {
    const { receiver, transport, logger } = await setup({ version: '8.15.0', clusterName: 'prod-logs' });
    await checkCluster(transport, logger, new AbortController().signal, 'es-main');
    assert.equal(receiver.requests[0]?.method, 'GET');
    assert.equal(receiver.requests[0]?.url, '/');
    const info = logger.entries.filter((e) => e.level === 'info');
    assert.equal(info.length, 1);
    assert.match(info[0]!.message, /Elasticsearch 8\.15\.0/);
    assert.deepEqual(info[0]!.fields, {
      sink: 'es-main',
      cluster_name: 'prod-logs',
      distribution: 'elasticsearch',
      version: '8.15.0',
    });
  });

  test('recognises OpenSearch by version.distribution', async () => {
    const { transport, logger } = await setup({ distribution: 'opensearch', version: '2.15.0' });
    await checkCluster(transport, logger, new AbortController().signal);
    const [entry] = logger.entries;
    assert.equal(entry?.level, 'info');
    assert.match(entry.message, /OpenSearch 2\.15\.0/);
    assert.equal(entry.fields?.distribution, 'opensearch');
  });

  test('credentials refused: a loud warning without URL or secret, and it returns', async () => {
    const { receiver, transport, logger } = await setup(
      { authorization: 'Basic dGhlLXJpZ2h0LW9uZQ==' },
      PASSWORD,
    );
    await checkCluster(transport, logger, new AbortController().signal, 'es-main');
    assert.equal(receiver.requests.length, 1);
    assert.equal(logger.entries.length, 1);
    const [entry] = logger.entries;
    assert.equal(entry?.level, 'warn');
    assert.match(
      entry.message,
      /^credentials rejected by elasticsearch sink "es-main"; events are kept and retried$/,
    );
    const logged = JSON.stringify(logger.entries);
    assert.ok(!logged.includes(PASSWORD));
    assert.ok(!logged.includes(Buffer.from(`shipper:${PASSWORD}`).toString('base64')));
    assert.ok(!logged.includes(receiver.url) && !logged.includes('127.0.0.1'));
  });

  test('403 (no "monitor" privilege): says so, not "credentials rejected", and names no user', async () => {
    const { receiver, transport, logger } = await setup();
    const reason =
      'action [cluster:monitor/main] is unauthorized for API key id [k3y-1d] of user [wirety-shipper], ' +
      'this action is granted by the cluster privileges [monitor,manage,all]';
    receiver.script({
      status: 403,
      body: {
        error: { root_cause: [{ type: 'security_exception', reason }], type: 'security_exception', reason },
        status: 403,
      },
    });
    await checkCluster(transport, logger, new AbortController().signal, 'es-main');
    assert.equal(logger.entries.length, 1);
    const [entry] = logger.entries;
    assert.equal(entry?.level, 'warn');
    assert.match(
      entry.message,
      /^elasticsearch sink "es-main" accepted the credentials but refused GET \/ \(403\): they lack the "monitor" cluster privilege, which only the startup check needs/,
    );
    assert.match(entry.message, /delivery is not affected; grant "monitor" or set startup_check: false$/);
    assert.doesNotMatch(entry.message, /credentials rejected/);
    assert.equal(entry.fields?.status, 403);
    assert.ok(!JSON.stringify(logger.entries).match(/wirety-shipper|k3y-1d/), 'the user is not repeated');
  });

  test('an unreachable cluster is a warning, never an exception', async () => {
    const { receiver, transport, logger } = await setup();
    await receiver.down();
    await checkCluster(transport, logger, new AbortController().signal);
    assert.equal(logger.entries.length, 1);
    assert.equal(logger.entries[0]?.level, 'warn');
    assert.match(logger.entries[0].message, /cannot reach .*events are kept and retried/);
  });

  test('an unexpected status or body is a warning', async () => {
    const { receiver, transport, logger } = await setup();
    receiver.script({ status: 503, body: 'starting' }, { status: 200, body: '<html>proxy</html>' });
    await checkCluster(transport, logger, new AbortController().signal);
    await checkCluster(transport, logger, new AbortController().signal);
    assert.deepEqual(
      logger.entries.map((e) => [e.level, e.fields?.status]),
      [
        ['warn', 503],
        ['warn', 200],
      ],
    );
  });

  test('an aborted check resolves quietly (shutdown during startup)', async () => {
    const { receiver, transport, logger } = await setup();
    let release!: () => void;
    receiver.script({ gate: new Promise<void>((r) => (release = r)), then: { status: 200, body: '{}' } });
    const controller = new AbortController();
    const check = checkCluster(transport, logger, controller.signal);
    await receiver.waitForRequests(1);
    controller.abort(new Error('shutdown'));
    await check;
    release();
    assert.ok(logger.entries.every((e) => e.level === 'debug'));
  });

  test('a check the sink closes before the cluster answers says nothing (a restart with nothing to deliver)', async () => {
    const { receiver, transport, logger } = await setup();
    receiver.script({ hang: true });
    const check = checkCluster(transport, logger, new AbortController().signal, 'es-main');
    await receiver.waitForRequests(1);
    await transport.close(); // the pipeline closes its sinks once there is nothing left to deliver
    await check;
    assert.deepEqual(
      logger.entries.filter((e) => e.level !== 'debug').map((e) => e.message),
      [],
      'no "cannot reach" for a request we cut ourselves',
    );
  });
});
