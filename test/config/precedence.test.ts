import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { fails, failsFile, run, runFile, sink, withFile } from './helpers.js';

const FILE = [
  'shutdown_timeout: 5s',
  'log: { level: warn }',
  'buffer: { type: memory, fsync: never }',
  'sinks:',
  '  loki:',
  '    type: loki',
  '    url: http://file-loki:3100',
  '    tenant: file-tenant',
  '    labels: { team: sec }',
  '    label_fields: [action]',
  '  archive:',
  '    type: loki',
  '    url: http://archive:3100',
  '',
].join('\n');

describe('precedence: defaults < file < environment < flags', () => {
  it('the file overrides defaults', async () => {
    const config = await runFile(FILE);
    assert.equal(config.shutdown_timeout_ms, 5000);
    assert.equal(config.log.level, 'warn');
    assert.equal(config.buffer.type, 'memory');
    assert.equal(config.buffer.fsync_interval_ms, 1000);
    assert.match(config.origin, /ship\.yaml$/);
  });

  it('environment variables override the file, flags override both', async () => {
    const env = {
      WIRETY_SHIP_SHUTDOWN_TIMEOUT: '7s',
      WIRETY_SHIP_LOG_LEVEL: 'debug',
      WIRETY_SHIP_LOKI_TENANT: 'env-tenant',
    };
    const fromEnv = await runFile(FILE, env);
    assert.equal(fromEnv.shutdown_timeout_ms, 7000);
    assert.equal(fromEnv.log.level, 'debug');
    assert.equal(sink(fromEnv, 'loki', 'loki').tenant, 'env-tenant');

    const fromFlags = await runFile(FILE, env, ['--shutdown-timeout', '9s', '--loki-tenant', 'flag-tenant']);
    assert.equal(fromFlags.shutdown_timeout_ms, 9000);
    assert.equal(fromFlags.log.level, 'debug');
    assert.equal(sink(fromFlags, 'loki', 'loki').tenant, 'flag-tenant');
  });

  it('a flag sink completes the file sink of that name and leaves other sinks alone', async () => {
    const config = await runFile(FILE, {}, ['--loki', 'http://flag-loki:3100', '--gzip']);
    const loki = sink(config, 'loki', 'loki');
    assert.equal(loki.url, 'http://flag-loki:3100');
    assert.equal(loki.tenant, 'file-tenant');
    assert.equal(sink(config, 'archive', 'loki').url, 'http://archive:3100');
    assert.deepEqual(
      config.sinks.map((s) => s.name),
      ['loki', 'archive'],
    );
    assert.equal(loki.gzip, true, '--gzip reaches every HTTP sink');
    assert.equal(sink(config, 'archive', 'loki').gzip, true);
  });

  it('repeatable flags and list variables add to the file, a label of the same name is replaced', async () => {
    const config = await runFile(FILE, { WIRETY_SHIP_LOKI_LABELS: 'env=staging,region=eu' }, [
      '--loki-label',
      'env=prod',
      '--loki-label-field',
      'level',
      '--loki-label-field',
      'action',
    ]);
    const loki = sink(config, 'loki', 'loki');
    assert.deepEqual(loki.labels, { team: 'sec', env: 'prod', region: 'eu' });
    assert.deepEqual(loki.label_fields, ['action', 'level']);
  });

  it('flag labels add to the default job label when the file sets none', async () => {
    const config = await run(['--loki', 'http://loki:3100', '--loki-label', 'env=prod']);
    assert.deepEqual(sink(config, 'loki', 'loki').labels, { job: 'wirety', env: 'prod' });
  });

  it('refuses to complete a file sink of another type', async () => {
    const error = await failsFile('sinks:\n  loki:\n    type: stdout\n', {}, ['--loki-tenant', 'acme']);
    assert.match(
      error.message,
      /ship\.yaml:3: sinks\.loki\.type: is "stdout", but command line \(--loki-tenant\) configures the loki sink named "loki"/,
    );
  });

  it('reads the config file named by WIRETY_SHIP_CONFIG, and --config beats it', async () => {
    await withFile(FILE, async (dir) => {
      const config = await run([], { WIRETY_SHIP_CONFIG: 'ship.yaml' }, dir);
      assert.equal(config.shutdown_timeout_ms, 5000);
      const error = await fails(['--config', 'missing.yaml'], { WIRETY_SHIP_CONFIG: 'ship.yaml' }, dir);
      assert.match(
        error.message,
        /command line \(--config\): cannot read config file "missing\.yaml": no such file/,
      );
    });
  });

  it('names the variable when the file it names is missing', async () => {
    const error = await fails([], { WIRETY_SHIP_CONFIG: '/nonexistent/ship.yaml' });
    assert.match(error.message, /environment variable WIRETY_SHIP_CONFIG: cannot read config file/);
  });
});

describe('environment variables', () => {
  it('map to their keys, switches read true/false/1/0, empty ones are ignored', async () => {
    const config = await run([], {
      WIRETY_SHIP_LOKI_URL: 'http://loki:3100',
      WIRETY_SHIP_LOKI_USERNAME: 'alice',
      WIRETY_SHIP_LOKI_PASSWORD: 'pw',
      WIRETY_SHIP_LOKI_LABEL_FIELDS: 'action, level',
      WIRETY_SHIP_PASSTHROUGH: '1',
      WIRETY_SHIP_GZIP: 'true',
      WIRETY_SHIP_DATA_DIR: '',
      WIRETY_SHIP_METRICS_ADDR: '127.0.0.1:9431',
      WIRETY_SHIP_UNKNOWN_ACTIONS: 'dead_letter',
      WIRETY_SHIP_FSYNC: 'always',
      WIRETY_SHIP_BUFFER: 'memory',
      WIRETY_SHIP_LOG_FORMAT: 'json',
    });
    const loki = sink(config, 'loki', 'loki');
    assert.deepEqual(loki.auth, { username: 'alice', password: 'pw' });
    assert.deepEqual(loki.label_fields, ['action', 'level']);
    assert.equal(loki.gzip, true);
    assert.equal(config.input.passthrough, true);
    assert.equal(config.buffer.data_dir, '/home/tester/.local/state/wirety-ship/journal');
    assert.equal(config.metrics.address, '127.0.0.1:9431');
    assert.equal(config.audit.unknown_actions, 'dead_letter');
    assert.equal(config.buffer.fsync, 'always');
    assert.equal(config.buffer.type, 'memory');
    assert.equal(config.log.format, 'json');
  });

  it('a false switch turns a file setting off and never creates a sink', async () => {
    const config = await runFile('input: { passthrough: true }\n', {
      WIRETY_SHIP_PASSTHROUGH: 'false',
      WIRETY_SHIP_SPLUNK_ACK: '0',
      WIRETY_SHIP_STDOUT: 'false',
    });
    assert.equal(config.input.passthrough, false);
    assert.deepEqual(
      config.sinks.map((s) => s.name),
      ['stdout'],
    );
  });
});
