import assert from 'node:assert/strict';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { tmpdir } from 'node:os';
import { makeCertificates } from '../helpers/certificates.js';
import { run, runFile, sink, withFile } from './helpers.js';

describe('built-in defaults', () => {
  it('with no arguments: one stdout sink, memory buffer and every documented default', async () => {
    const config = await run([], {}, '/srv/ship');
    assert.deepEqual(config.input, {
      type: 'stdin',
      max_line_bytes: 256 * 1024,
      max_depth: 64,
      passthrough: false,
    });
    assert.deepEqual(config.audit, { unknown_actions: 'forward', not_json: 'dead_letter' });
    assert.deepEqual(config.dead_letter, {
      path: '/home/tester/.local/state/wirety-ship/dead-letter.ndjson',
      max_bytes: 100 * 1024 * 1024,
      max_files: 0,
    });
    assert.deepEqual(config.buffer, {
      type: 'memory',
      data_dir: '/home/tester/.local/state/wirety-ship/journal',
      fsync: 'interval',
      fsync_interval_ms: 1000,
      max_bytes: 16 * 1024 * 1024,
      segment_bytes: 64 * 1024 * 1024,
      when_full: 'block',
      new_sink_start: 'head',
    });
    assert.equal(config.shutdown_timeout_ms, 20_000);
    assert.deepEqual(config.log, { level: 'info', format: 'auto', progress_interval_ms: 10_000 });
    assert.deepEqual(config.metrics, { auth_failure_unready_ms: 300_000 });
    assert.equal(config.origin, 'flags and environment');
    assert.deepEqual(config.sinks, [
      {
        type: 'stdout',
        name: 'stdout',
        batch: { max_events: 1000, max_bytes: 1024 * 1024, max_wait_ms: 200 },
        retry: {
          initial_backoff_ms: 500,
          max_backoff_ms: 300_000,
          max_retry_after_ms: 300_000,
          max_network_backoff_ms: 10_000,
        },
        max_in_flight: 1,
      },
    ]);
  });

  it('buffer.type defaults to disk once a receiver is configured, and is honoured when given', async () => {
    const withReceiver = await run(['--loki', 'http://localhost:3100', '--stdout']);
    assert.equal(withReceiver.buffer.type, 'disk');
    assert.equal(withReceiver.buffer.max_bytes, 1024 ** 3);
    assert.equal((await run(['--passthrough'])).buffer.type, 'memory', 'passthrough only: nothing to keep');
    assert.equal((await run(['--buffer', 'disk'])).buffer.type, 'disk', 'stdout only, disk asked for');
  });

  it('returns a deeply frozen config', async () => {
    const config = await run([]);
    assert.ok(Object.isFrozen(config));
    assert.ok(Object.isFrozen(config.sinks));
    assert.ok(Object.isFrozen(config.sinks[0]?.batch));
  });

  it('with passthrough and no sink: no sink at all (validation and counting only)', async () => {
    const config = await run(['--passthrough']);
    assert.equal(config.input.passthrough, true);
    assert.deepEqual(config.sinks, []);
  });

  it('an empty sinks block also means the embedded stdout sink', async () => {
    const config = await runFile('sinks: {}\n');
    assert.deepEqual(
      config.sinks.map((s) => [s.name, s.type]),
      [['stdout', 'stdout']],
    );
  });

  it('fills each sink type with its own defaults', async () => {
    const config = await run(
      [
        '--loki',
        'http://loki:3100',
        '--elasticsearch',
        'https://es:9200',
        '--splunk-hec',
        'https://splunk:8088',
      ],
      { WIRETY_SHIP_SPLUNK_TOKEN: 't' },
    );
    const loki = sink(config, 'loki', 'loki');
    assert.deepEqual(loki.batch, { max_events: 10_000, max_bytes: 1024 * 1024, max_wait_ms: 1000 });
    assert.equal(loki.max_in_flight, 1);
    assert.deepEqual(loki.labels, { job: 'wirety' });
    assert.deepEqual(loki.label_fields, []);
    assert.equal(loki.structured_metadata, true);
    assert.deepEqual(loki.structured_metadata_fields, ['network_id', 'peer_id', 'actor_id']);
    assert.equal(loki.timestamp, 'event');
    assert.equal(loki.timeout_ms, 30_000);
    assert.equal(loki.gzip, false);
    assert.deepEqual(loki.tls, { insecure_skip_verify: false });
    assert.deepEqual(loki.auth, {});
    assert.deepEqual(loki.headers, {});

    const es = sink(config, 'elasticsearch', 'elasticsearch');
    assert.deepEqual(es.batch, { max_events: 5000, max_bytes: 5 * 1024 * 1024, max_wait_ms: 1000 });
    assert.equal(es.max_in_flight, 2);
    assert.equal(es.index, 'wirety-audit-%Y.%m.%d');
    assert.equal(es.op, 'create');
    assert.equal(es.startup_check, true);

    const splunk = sink(config, 'splunk', 'splunk_hec');
    assert.deepEqual(splunk.batch, { max_events: 5000, max_bytes: 1024 * 1024, max_wait_ms: 1000 });
    assert.equal(splunk.max_in_flight, 2);
    assert.equal(splunk.sourcetype, 'wirety:audit');
    assert.equal(splunk.source, 'wirety');
    assert.equal(splunk.host, 'test-host');
    assert.deepEqual(splunk.indexed_fields, ['action', 'network_id', 'peer_id', 'actor_id']);
    assert.deepEqual(splunk.ack, {
      enabled: false,
      poll_interval_ms: 2000,
      timeout_ms: 300_000,
      required: false,
    });
  });

  it("applies the file's defaults block under each sink's own settings, over the type defaults", async () => {
    const text = [
      'defaults:',
      '  batch: { max_wait: 5s, max_bytes: 2MiB }',
      '  retry: { max_backoff: 1m, max_network_backoff: 30s }',
      '  timeout: 10s',
      '  max_in_flight: 3',
      '  gzip: true',
      '  tls: { ca_file: ca.pem, server_name: logs.internal }',
      'sinks:',
      '  loki: { type: loki, url: "http://loki:3100", batch: { max_wait: 2s }, gzip: false }',
      '  es: { type: elasticsearch, url: "http://es:9200", retry: { max_network_backoff: 2s } }',
      '  out: { type: stdout }',
    ].join('\n');
    const config = await withFile(text, (dir) => {
      makeCertificates(dir); // ca.pem must exist: named files are read at load time
      return run(['--config', 'ship.yaml'], {}, dir);
    });
    const loki = sink(config, 'loki', 'loki');
    assert.deepEqual(loki.batch, { max_events: 10_000, max_bytes: 2 * 1024 * 1024, max_wait_ms: 2000 });
    assert.equal(loki.retry.max_backoff_ms, 60_000);
    assert.equal(loki.retry.initial_backoff_ms, 500);
    assert.equal(loki.retry.max_network_backoff_ms, 30_000);
    assert.equal(sink(config, 'es', 'elasticsearch').retry.max_network_backoff_ms, 2000);
    assert.equal(loki.timeout_ms, 10_000);
    assert.equal(loki.max_in_flight, 3);
    assert.equal(loki.gzip, false);
    assert.equal(loki.tls.server_name, 'logs.internal');
    assert.ok(loki.tls.ca_file?.endsWith('/ca.pem'));
    const out = sink(config, 'out', 'stdout');
    assert.equal(out.batch.max_wait_ms, 5000);
    assert.equal(out.max_in_flight, 3);
  });

  it('resolves relative paths from the working directory and keeps absolute ones', async () => {
    const cwd = join(tmpdir(), 'elsewhere');
    const config = await run(['--data-dir', 'data', '--dead-letter', '/var/log/dl.ndjson'], {}, cwd);
    assert.equal(config.buffer.data_dir, join(cwd, 'data'));
    assert.equal(config.dead_letter.path, '/var/log/dl.ndjson');
  });

  it('strips trailing slashes from sink URLs so endpoint paths append cleanly', async () => {
    const config = await run(['--loki', 'http://loki:3100/']);
    assert.equal(sink(config, 'loki', 'loki').url, 'http://loki:3100');
  });
});
