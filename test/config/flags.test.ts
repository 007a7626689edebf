import assert from 'node:assert/strict';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import { makeCertificates } from '../helpers/certificates.js';
import { SETTINGS } from '../../src/config/settings.js';
import { fails, load, run, sink } from './helpers.js';

describe('help and version', () => {
  it('--help returns the help text listing every flag with its variable, and examples', async () => {
    for (const argv of [['--help'], ['-h'], ['--loki', 'x', '--no-such-flag', '-h']]) {
      const command = await load(argv);
      assert.equal(command.kind, 'help');
      const text = command.kind === 'help' ? command.text : '';
      for (const setting of SETTINGS) {
        if (setting.flag) assert.ok(text.includes(`--${setting.flag}`), `help lacks --${setting.flag}`);
        if (setting.env) assert.ok(text.includes(setting.env), `help lacks ${setting.env}`);
      }
      assert.match(text, /Examples:\n {2}AUDIT_LOG=true wirety-server \| wirety-ship/);
    }
  });

  it('--version returns the package version', async () => {
    const pkg = JSON.parse(await readFile(new URL('../../package.json', import.meta.url), 'utf8')) as {
      version: string;
    };
    for (const argv of [['--version'], ['-V']]) {
      assert.deepEqual(await load(argv), { kind: 'version', text: `wirety-ship ${pkg.version}` });
    }
  });
});

describe('--check-config', () => {
  it('returns kind check with a summary of input, buffer and sinks, secrets redacted', async () => {
    const command = await load(
      ['--check-config', '--loki', 'https://loki:3100', '--loki-username', 'alice', '--insecure-skip-verify'],
      {
        WIRETY_SHIP_LOKI_PASSWORD: 'pa55-word',
      },
    );
    assert.equal(command.kind, 'check');
    if (command.kind !== 'check') return;
    assert.equal(command.config.sinks[0]?.name, 'loki');
    assert.match(command.summary, /^wirety-ship: configuration is valid/);
    assert.match(command.summary, /input +stdin/);
    assert.match(command.summary, /buffer +disk journal in /);
    assert.match(command.summary, /loki \[loki\] https:\/\/loki:3100/);
    assert.match(command.summary, /password \[redacted\]/);
    assert.match(command.summary, /WARNING: TLS certificate verification is OFF for loki/);
    assert.doesNotMatch(command.summary, /pa55-word/);
  });

  it('says so when passthrough leaves no sink', async () => {
    const command = await load(['--check-config', '--passthrough']);
    assert.ok(command.kind === 'check');
    assert.match(command.summary, /sinks +none: passthrough mode/);
  });

  it('without --check-config the kind is run', async () => {
    assert.equal((await load([])).kind, 'run');
  });

  it('--online asks for the online check; without --check-config it is an error, not a run', async () => {
    const online = await load(['--check-config', '--online', '--loki', 'http://loki:3100']);
    assert.ok(online.kind === 'check' && online.online);
    const offline = await load(['--check-config', '--loki', 'http://loki:3100']);
    assert.ok(offline.kind === 'check' && !offline.online);
    const error = await fails(['--online', '--loki', 'http://loki:3100']);
    assert.match(error.message, /--online only works together with --check-config/);
  });
});

describe('flags to config', () => {
  it('maps every flag to its key', async () => {
    // The files the flags name must exist: they are read and checked at load time.
    const dir = await mkdtemp(join(tmpdir(), 'wirety-ship-flags-'));
    after(() => rm(dir, { recursive: true, force: true }));
    makeCertificates(dir);
    for (const name of ['pw.txt', 'es-pw', 'hec']) await writeFile(join(dir, name), 'secret\n');
    const config = await run(
      [
        '--loki',
        'https://loki:3100',
        '--loki-tenant',
        'acme',
        '--loki-username',
        'u',
        '--loki-password-file',
        'pw.txt',
        '--elasticsearch',
        'https://es:9200',
        '--es-index',
        'audit-%Y',
        '--es-username',
        'e',
        '--es-password-file',
        join(dir, 'es-pw'),
        '--splunk-hec',
        'https://splunk:8088',
        '--splunk-token-file',
        join(dir, 'hec'),
        '--splunk-ack',
        '--splunk-index',
        'sec',
        '--stdout',
        '--ca-file',
        join(dir, 'ca.pem'),
        '--insecure-skip-verify',
        '--max-line-bytes',
        '64KiB',
        '--unknown-actions',
        'dead_letter',
        '--dead-letter',
        '/var/dl.ndjson',
        '--buffer',
        'memory',
        '--data-dir',
        '/var/data',
        '--fsync',
        'never',
        '--shutdown-timeout',
        '25s',
        '--metrics-addr',
        ':9431',
        '--log-level',
        'debug',
        '--log-format',
        'text',
      ],
      {},
      dir,
    );
    const l = sink(config, 'loki', 'loki');
    assert.equal(l.tenant, 'acme');
    assert.deepEqual(l.auth, { username: 'u', password_file: join(dir, 'pw.txt') });
    assert.deepEqual(l.tls, { ca_file: join(dir, 'ca.pem'), insecure_skip_verify: true });
    const e = sink(config, 'elasticsearch', 'elasticsearch');
    assert.equal(e.index, 'audit-%Y');
    assert.deepEqual(e.auth, { username: 'e', password_file: join(dir, 'es-pw') });
    assert.equal(e.tls.insecure_skip_verify, true);
    const s = sink(config, 'splunk', 'splunk_hec');
    assert.equal(s.token_file, join(dir, 'hec'));
    assert.equal(s.ack.enabled, true);
    assert.equal(s.index, 'sec');
    sink(config, 'stdout', 'stdout');
    assert.deepEqual(
      config.sinks.map((x) => x.name),
      ['loki', 'elasticsearch', 'splunk', 'stdout'],
    );
    assert.equal(config.input.max_line_bytes, 65536);
    assert.equal(config.audit.unknown_actions, 'dead_letter');
    assert.equal(config.dead_letter.path, '/var/dl.ndjson');
    assert.equal(config.buffer.type, 'memory');
    assert.equal(config.buffer.data_dir, '/var/data');
    assert.equal(config.buffer.fsync, 'never');
    assert.equal(config.shutdown_timeout_ms, 25_000);
    assert.equal(config.metrics.address, ':9431');
    assert.deepEqual(config.log, { level: 'debug', format: 'text', progress_interval_ms: 10_000 });
  });

  it('accepts --flag=value and the data stream flag', async () => {
    const config = await run(
      ['--elasticsearch=https://es:9200', '--es-data-stream=logs-wirety.audit-default'],
      { WIRETY_SHIP_ES_API_KEY: 'k' },
    );
    const e = sink(config, 'elasticsearch', 'elasticsearch');
    assert.equal(e.data_stream, 'logs-wirety.audit-default');
    assert.equal(e.auth.api_key, 'k');
  });
});

describe('--loki-structured-metadata', () => {
  it('false (flag or variable) turns structured metadata off; it is on by default', async () => {
    const on = sink(await run(['--loki', 'http://loki:3100']), 'loki', 'loki');
    assert.equal(on.structured_metadata, true);
    for (const [argv, env] of [
      [['--loki', 'http://loki:3100', '--loki-structured-metadata', 'false'], {}],
      [['--loki', 'http://loki:3100', '--loki-structured-metadata=false'], {}],
      [['--loki', 'http://loki:3100'], { WIRETY_SHIP_LOKI_STRUCTURED_METADATA: 'false' }],
      [
        ['--loki', 'http://loki:3100', '--loki-structured-metadata', 'false'],
        { WIRETY_SHIP_LOKI_STRUCTURED_METADATA: 'true' },
      ],
    ] as const) {
      const l = sink(await run([...argv], env), 'loki', 'loki');
      assert.equal(l.structured_metadata, false, argv.join(' '));
    }
  });

  it('a value other than true or false is an error naming the flag', async () => {
    const error = await fails(['--loki', 'http://loki:3100', '--loki-structured-metadata', 'off']);
    assert.match(
      error.message,
      /^command line \(--loki-structured-metadata\): sinks\.loki\.structured_metadata: must be true or false/,
    );
  });

  it('--check-config says whether metadata is sent', async () => {
    const on = await load(['--check-config', '--loki', 'http://loki:3100']);
    assert.match(on.kind === 'check' ? on.summary : '', /metadata event_id,network_id,peer_id,actor_id;/);
    const off = await load([
      '--check-config',
      '--loki',
      'http://loki:3100',
      '--loki-structured-metadata',
      'false',
    ]);
    assert.match(off.kind === 'check' ? off.summary : '', /metadata off \(structured_metadata: false\)/);
  });
});

describe('bad command lines', () => {
  it('refuses secrets as flag values, names the variable and the file flag, never echoes the value', async () => {
    const cases: [string[], RegExp][] = [
      [['--loki-password=hunter2'], /WIRETY_SHIP_LOKI_PASSWORD.*--loki-password-file/],
      [['--loki-password', 'hunter2'], /WIRETY_SHIP_LOKI_PASSWORD/],
      [['--loki-bearer-token', 'hunter2'], /WIRETY_SHIP_LOKI_BEARER_TOKEN.*--loki-bearer-token-file/],
      [['--es-password', 'hunter2'], /WIRETY_SHIP_ES_PASSWORD.*--es-password-file/],
      [['--es-api-key=hunter2'], /WIRETY_SHIP_ES_API_KEY.*--es-api-key-file/],
      [['--splunk-token', 'hunter2'], /WIRETY_SHIP_SPLUNK_TOKEN.*--splunk-token-file/],
      [['--splunk-hec-token', 'hunter2'], /WIRETY_SHIP_SPLUNK_TOKEN/],
      [['--token', 'hunter2'], /WIRETY_SHIP_SPLUNK_TOKEN/],
    ];
    for (const [argv, hint] of cases) {
      const error = await fails(['--loki', 'http://loki:3100', ...argv]);
      assert.match(error.message, /secrets are not accepted as command-line values/);
      assert.match(error.message, hint);
      assert.doesNotMatch(error.message, /hunter2/);
    }
  });

  it('unknown flags get a suggestion and never echo their value', async () => {
    const error = await fails(['--loki-tenat=acme-secret']);
    assert.equal(
      error.message,
      'command line (--loki-tenat): unknown flag --loki-tenat; did you mean --loki-tenant?\n  hint: run wirety-ship --help for the list of flags',
    );
    assert.match((await fails(['-x'])).message, /unknown flag -x/);
  });

  it('arguments that are not flags are refused; a YAML file name gets a hint', async () => {
    assert.match(
      (await fails(['ship.yaml'])).message,
      /unexpected argument #1.*\n {2}hint: to use "ship\.yaml" as the config file, write --config ship\.yaml/,
    );
    const error = await fails(['--loki-username', 'u', 'p4ss']);
    assert.doesNotMatch(error.message, /p4ss/);
  });

  it('a flag without its value is an error naming the flag', async () => {
    assert.match((await fails(['--loki'])).message, /^command line \(--loki\): needs a value: --loki <url>$/);
  });
});

describe('WIRETY_SHIP_* variables', () => {
  it('an unknown one is an error with a suggestion', async () => {
    const error = await fails([], { WIRETY_SHIP_LOKI_PASWORD: 'x' });
    assert.match(
      error.message,
      /^environment variable WIRETY_SHIP_LOKI_PASWORD: is not a wirety-ship setting; did you mean WIRETY_SHIP_LOKI_PASSWORD\?/,
    );
    assert.doesNotMatch(error.message, /: x\b/);
  });

  it('Kubernetes and Docker link variables and other prefixes are ignored', async () => {
    const config = await run([], {
      WIRETY_SHIP_SERVICE_HOST: '10.0.0.1',
      WIRETY_SHIP_SERVICE_PORT: '9431',
      WIRETY_SHIP_PORT: 'tcp://10.0.0.1:9431',
      WIRETY_SHIP_PORT_9431_TCP_ADDR: '10.0.0.1',
      HOME: '/root',
    });
    assert.equal(config.sinks.length, 1);
  });

  it('a switch variable with a non-boolean value names the variable', async () => {
    const error = await fails([], { WIRETY_SHIP_PASSTHROUGH: 'yes please' });
    assert.match(
      error.message,
      /^environment variable WIRETY_SHIP_PASSTHROUGH: "yes please" is not a switch value\n {2}hint: use true or false/,
    );
  });

  it('a label without "=" names its source', async () => {
    const error = await fails(['--loki', 'http://loki:3100', '--loki-label', 'oops']);
    assert.match(
      error.message,
      /command line \(--loki-label\): sinks\.loki\.labels: each label must be written name=value/,
    );
  });
});
