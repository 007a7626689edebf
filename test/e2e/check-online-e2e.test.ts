/**
 * `wirety-ship --check-config --online` as users run it: the built CLI against Loki, Elasticsearch
 * and Splunk HEC test receivers, configured from flags and the environment. Exit 0 when every sink
 * passes, 69 when one fails; nothing reaches a receiver's store, no data dir is created, and no
 * secret is printed.
 */
import assert from 'node:assert/strict';
import { mkdtemp, readdir, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { runCli } from '../helpers/run-cli.js';
import { startBulkReceiver, type BulkReceiver } from '../receivers/bulk-receiver.js';
import { startHecReceiver, type HecReceiver } from '../receivers/hec-receiver.js';
import { startLokiReceiver, type LokiReceiver } from '../receivers/loki-receiver.js';

const LOKI_PASSWORD = 'e2e-l0ki-pa55word';
const ES_API_KEY = 'ZTJlLWtleS1pZDplMmUta2V5LXNlY3JldA==';
const HEC_TOKEN = 'e2e-hec-token-0b1c';

void describe('--check-config --online (CLI)', () => {
  let dir = '';
  let loki: LokiReceiver;
  let es: BulkReceiver;
  let hec: HecReceiver;
  before(async () => {
    dir = await mkdtemp(join(tmpdir(), 'ws-e2e-online-'));
    loki = await startLokiReceiver({
      authorization: `Basic ${Buffer.from(`shipper:${LOKI_PASSWORD}`).toString('base64')}`,
      requireTenant: true,
    });
    es = await startBulkReceiver({ authorization: `ApiKey ${ES_API_KEY}` });
    hec = await startHecReceiver({ token: HEC_TOKEN, ack: true });
  });
  after(async () => {
    await Promise.all([loki.close(), es.close(), hec.close()]);
    await rm(dir, { recursive: true, force: true });
  });

  const args = [
    '--check-config',
    '--online',
    '--loki',
    '',
    '--loki-tenant',
    'acme',
    '--loki-username',
    'shipper',
    '--elasticsearch',
    '',
    '--splunk-hec',
    '',
    '--splunk-ack',
  ];
  const run = (token: string) => {
    const argv = [...args];
    argv[3] = loki.url;
    argv[9] = es.url;
    argv[11] = hec.url;
    return runCli(argv, '', {
      cwd: dir,
      timeoutMs: 30_000,
      env: {
        WIRETY_SHIP_LOKI_PASSWORD: LOKI_PASSWORD,
        WIRETY_SHIP_ES_API_KEY: ES_API_KEY,
        WIRETY_SHIP_SPLUNK_TOKEN: token,
      },
    });
  };
  const assertNothingStoredOrPrinted = async (output: string) => {
    assert.deepEqual(loki.stored(), []);
    assert.equal(es.documents.size, 0);
    assert.deepEqual(hec.events, []);
    assert.deepEqual(await readdir(dir), [], 'no data dir or dead-letter file is created');
    for (const secret of [LOKI_PASSWORD, ES_API_KEY, HEC_TOKEN]) assert.ok(!output.includes(secret));
  };

  void it('every sink passes: the summary, one ok line per sink, exit 0', async () => {
    const r = await run(HEC_TOKEN);
    const out = r.stdout.toString();
    assert.equal(r.code, 0, out + r.stderr);
    assert.match(out, /^wirety-ship: configuration is valid/);
    const lines = out.split('\n');
    assert.ok(lines.includes('online check (requests that store nothing):'));
    assert.ok(
      lines.includes(
        `ok   loki (${loki.url}): reachable, no TLS (http), ready, credentials accepted (tenant acme), ` +
          'structured metadata: not checked (Loki validates it only on an entry it would store; Loki 3.4.2 accepts it with schema v13 and tsdb)',
      ),
      out,
    );
    assert.ok(
      lines.some((l) =>
        l.startsWith(`ok   elasticsearch (${es.url}): reachable, no TLS (http), Elasticsearch 8.15.0`),
      ),
      out,
    );
    assert.ok(
      lines.includes(
        `ok   splunk (${hec.url}): reachable, no TLS (http), healthy, token accepted, ack: on (the token confirms indexing)`,
      ),
      out,
    );
    assert.equal(lines.at(-2), 'online check: 3 sinks passed');
    await assertNothingStoredOrPrinted(out + r.stderr);
  });

  void it('a wrong HEC token: FAIL naming the token, the others still ok, exit 69', async () => {
    const r = await run('not-the-token');
    const out = r.stdout.toString();
    assert.equal(r.code, 69, out + r.stderr);
    assert.match(
      out,
      /\nFAIL splunk \(http:\/\/127\.0\.0\.1:\d+\): reachable, .*token refused \(HEC code 4: Invalid token \(HTTP 403\)\)\n/,
    );
    assert.match(out, /\nok {3}loki /);
    assert.match(out, /\nok {3}elasticsearch /);
    assert.match(out, /\nonline check: 1 of 3 sinks failed \(exit 69\)\n$/);
    await assertNothingStoredOrPrinted(out + r.stderr);
  });

  void it('--online without --check-config is a configuration error (78), nothing sent', async () => {
    const before = loki.requests.length;
    const r = await runCli(['--online', '--loki', loki.url], '', { cwd: dir, timeoutMs: 10_000 });
    assert.equal(r.code, 78);
    assert.match(r.stderr, /--online only works together with --check-config/);
    assert.equal(loki.requests.length, before);
  });
});
