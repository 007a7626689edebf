/**
 * `--check-config --online` against the Elasticsearch test receiver: `GET /` and
 * `_security/user/_has_privileges` answered as Elasticsearch does for keys with and without the
 * privileges a run needs. Every case asserts that nothing was written.
 */
import assert from 'node:assert/strict';
import { after, describe, it } from 'node:test';
import type { ElasticsearchSinkConfig } from '../../src/config/types.js';
import { sinkConfig } from '../helpers/es-harness.js';
import {
  startBulkReceiver,
  type BulkReceiver,
  type BulkReceiverOptions,
} from '../receivers/bulk-receiver.js';
import { checkOne, finding } from './check-helpers.js';

const API_KEY = 'VnVhQ2ZHY0JDZGJrUW0tZTVhT3g6dWkybHAyYXhUTm1zeWFrdzl0dk5udw==';
const TODAY = 'wirety-audit-2026.01.05';

void describe('online check: Elasticsearch', () => {
  const receivers: BulkReceiver[] = [];
  const start = async (options: BulkReceiverOptions = {}) => {
    const receiver = await startBulkReceiver({ authorization: `ApiKey ${API_KEY}`, ...options });
    receivers.push(receiver);
    return receiver;
  };
  after(async () => {
    for (const r of receivers) await r.close();
  });
  const sink = (es: BulkReceiver, overrides: Partial<ElasticsearchSinkConfig> = {}) =>
    sinkConfig(es.url, { auth: { api_key: API_KEY }, ...overrides });
  const nothingWritten = (es: BulkReceiver) => {
    assert.equal(es.documents.size, 0);
    assert.ok(es.requests.every((r) => !r.url.includes('_bulk')));
  };

  void it("all ok: cluster, credentials and the write privileges on today's index", async () => {
    const es = await start({ version: '8.15.0', clusterName: 'prod-logs' });
    const checked = await checkOne(sink(es));
    assert.equal(checked.status, 'ok', checked.line);
    assert.equal(
      checked.line,
      `ok   es (${es.url}): reachable, no TLS (http), Elasticsearch 8.15.0 (cluster prod-logs), credentials accepted, ` +
        `index writable ("create_doc" and "auto_configure" on ${TODAY})`,
    );
    const asked = es.requests.find((r) => r.url === '/_security/user/_has_privileges');
    assert.equal(asked?.method, 'POST');
    assert.deepEqual(JSON.parse(asked.body.toString()), {
      index: [{ names: [TODAY], privileges: ['create_doc', 'auto_configure'] }],
    });
    assert.equal(asked.headers.authorization, `ApiKey ${API_KEY}`);
    nothingWritten(es);
  });

  void it('a key without create_doc: FAIL naming the privilege and the index', async () => {
    const es = await start({ indexPrivileges: ['read', 'view_index_metadata'] });
    const checked = await checkOne(sink(es));
    assert.equal(checked.status, 'fail');
    assert.equal(
      finding(checked, /lack/).text,
      `the credentials lack the "create_doc" index privilege on ${TODAY}: grant it on the index pattern or data stream`,
    );
    nothingWritten(es);
  });

  void it('a least-privilege key (create_doc only, no monitor): passes with a warning about auto_configure', async () => {
    const es = await start({ indexPrivileges: ['create_doc'], clusterPrivileges: [] });
    const checked = await checkOne(sink(es));
    assert.equal(checked.status, 'warn', checked.line);
    assert.match(
      finding(checked, /GET \//).text,
      /^credentials accepted; GET \/ refused \(403\): they lack the "monitor" cluster privilege, which only the startup check needs/,
    );
    assert.match(
      finding(checked, /auto_configure/).text,
      /^index writable \("create_doc" on wirety-audit-2026\.01\.05\) but no/,
    );
    nothingWritten(es);
  });

  void it('write implies create_doc; a data stream is asked about by name; op index asks for "index"', async () => {
    const es = await start({ indexPrivileges: ['write', 'create_index'] });
    const stream = await checkOne(sink(es, { data_stream: 'logs-wirety.audit-default' }));
    assert.equal(stream.status, 'ok', stream.line);
    assert.match(
      stream.line,
      /index writable \("create_doc" and "auto_configure" on logs-wirety\.audit-default\)$/,
    );
    const indexOp = await checkOne(sink(es, { op: 'index', index: 'audit' }));
    assert.equal(indexOp.status, 'ok', indexOp.line);
    assert.match(indexOp.line, /index writable \("index" and "auto_configure" on audit\)$/);
    nothingWritten(es);
  });

  void it('a wrong API key: FAIL naming the credentials, before any privilege question', async () => {
    const es = await start();
    const checked = await checkOne(sink(es, { auth: { api_key: 'd3Jvbmcta2V5Ondyb25n' } }));
    assert.equal(checked.status, 'fail');
    assert.match(
      finding(checked, /credentials/).text,
      /^credentials refused \(HTTP 401: \{"error":\{"root_cause":\[\{"type":"security_exception"/,
    );
    assert.deepEqual(
      es.requests.map((r) => r.url),
      ['/'],
    );
    const none = await checkOne(sinkConfig(es.url));
    assert.match(
      finding(none, /credentials/).text,
      /^credentials required \(HTTP 401: .*\) and none are configured$/,
    );
  });

  void it('OpenSearch, and a cluster without security: the index is "not checked", with the reason', async () => {
    const opensearch = await start({ distribution: 'opensearch', version: '2.15.0' });
    const os = await checkOne(sink(opensearch));
    assert.equal(os.status, 'ok', os.line);
    assert.match(
      os.line,
      /OpenSearch 2\.15\.0 \(cluster test-cluster\), credentials accepted, index writable: not checked \(OpenSearch has no \/_security\/user\/_has_privileges API\)$/,
    );
    const open = await start({ security: false });
    const noSecurity = await checkOne(sink(open));
    assert.equal(noSecurity.status, 'ok', noSecurity.line);
    assert.match(
      finding(noSecurity, /not checked/).text,
      /^index writable: not checked \(\/_security\/user\/_has_privileges answered HTTP 500: security_exception: Security must be explicitly enabled/,
    );
    nothingWritten(opensearch);
    nothingWritten(open);
  });
});
