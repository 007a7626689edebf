/**
 * The file and forward inputs' configuration: keys and defaults, the flags that create them
 * (--file, --file-format, --forward) as the sink flags create sinks, the shared key as a secret
 * (variable or file, never a flag, never printed), and the checks with their errors.
 */
import assert from 'node:assert/strict';
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import type { FileInputSpec, ForwardInputSpec } from '../../src/config/types.js';
import { fails, failsFile, load, run, runFile, withFile } from './helpers.js';

const LOKI = ['--loki', 'http://loki:3100'];

describe('inputs of type file', () => {
  it('fills every default, keeps exclude as given (the *.gz/*.tmp rule is the input’s own)', async () => {
    const config = await runFile(
      "inputs:\n  pods:\n    type: file\n    include: ['/var/log/pods/*/*/*.log']\nsinks:\n  l: { type: loki, url: 'http://loki:3100' }\n",
    );
    assert.deepEqual(config.inputs, [
      {
        name: 'pods',
        type: 'file',
        include: ['/var/log/pods/*/*/*.log'],
        exclude: [],
        format: 'auto',
        streams: ['stdout'],
        read_from: 'beginning',
        max_open_files: 256,
        glob_interval_ms: 1000,
      } satisfies FileInputSpec,
    ]);
  });

  it('--file (repeatable) and --file-format create the input named "file"', async () => {
    const config = await run([...LOKI, '--file', '/a/*.log', '--file', '/b/*.log', '--file-format', 'cri']);
    const input = config.inputs[0] as FileInputSpec;
    assert.equal(config.inputs.length, 1);
    assert.equal(input.name, 'file');
    assert.equal(input.type, 'file');
    assert.deepEqual(input.include, ['/a/*.log', '/b/*.log']);
    assert.equal(input.format, 'cri');
  });

  it('--file adds to the file’s input named "file", and refuses one of another type', async () => {
    const config = await runFile(
      "inputs:\n  file:\n    type: file\n    include: ['/x/*.log']\nsinks:\n  l: { type: loki, url: 'http://l:3100' }\n",
      {},
      ['--file', '/y/*.log'],
    );
    assert.deepEqual((config.inputs[0] as FileInputSpec).include, ['/x/*.log', '/y/*.log']);
    const error = await failsFile('inputs:\n  file:\n    type: stdin\n', {}, ['--file', '/y/*.log']);
    assert.match(
      error.message,
      /inputs\.file\.type: is "stdin", but command line \(--file\) configures the file input named "file"/,
    );
  });

  it('a file input beside stdin: both run', async () => {
    const config = await runFile(
      "inputs:\n  stdin: { type: stdin }\nsinks:\n  l: { type: loki, url: 'http://l:3100' }\n",
      {},
      ['--file', '/y/*.log'],
    );
    assert.deepEqual(
      config.inputs.map((i) => `${i.name}:${i.type}`),
      ['stdin:stdin', 'file:file'],
    );
  });

  it('include is required; a bad glob and a bad format are errors naming the key', async () => {
    const missing = await failsFile(
      "inputs:\n  pods:\n    type: file\nsinks:\n  l: { type: loki, url: 'http://l:3100' }\n",
    );
    assert.match(missing.message, /inputs\.pods\.include: is required/);
    const bad = await failsFile(
      "inputs:\n  pods:\n    type: file\n    include: ['/var/log/[a-']\n    exclude: ['']\n    format: json\nsinks:\n  l: { type: loki, url: 'http://l:3100' }\n",
    );
    assert.match(bad.message, /inputs\.pods\.include\[0\]: is not a valid glob/);
    assert.match(bad.message, /inputs\.pods\.exclude\[0\]: is an empty glob/);
    assert.match(bad.message, /inputs\.pods\.format/);
  });

  it('is refused with a memory buffer, saying why', async () => {
    const error = await fails(['--file', '/a/*.log']); // only stdout: the buffer defaults to memory
    assert.match(
      error.message,
      /inputs\.file: a file input needs buffer\.type: disk: its positions are committed once lines are in the journal/,
    );
    assert.match(error.message, /--buffer disk/);
    const ok = await run(['--file', '/a/*.log', '--buffer', 'disk']);
    assert.equal(ok.buffer.type, 'disk');
  });

  it('--passthrough without a stdin input is an error (it copies standard input)', async () => {
    const error = await fails([...LOKI, '--file', '/a/*.log', '--passthrough']);
    assert.match(
      error.message,
      /input\.passthrough: copies standard input to stdout, and no stdin input is configured/,
    );
  });

  it('is described by --check-config', async () => {
    const command = await load([...LOKI, '--file', '/a/*.log', '--check-config']);
    assert.equal(command.kind, 'check');
    const summary = (command as { summary: string }).summary;
    assert.match(summary, /^input {8}file; /m);
    assert.match(
      summary,
      /^ {2}file: files \/a\/\*\.log \(never \*\.gz, \*\.tmp\); format auto; streams stdout/m,
    );
    assert.match(summary, /positions in <buffer\.data_dir>\/positions\/file\.json/);
  });
});

describe('inputs of type forward', () => {
  it('--forward creates the input named "forward" with every default', async () => {
    const config = await run([...LOKI, '--forward', '127.0.0.1:0']);
    assert.deepEqual(config.inputs, [
      {
        name: 'forward',
        type: 'forward',
        address: '127.0.0.1:0',
        tls: {},
        self_hostname: 'wirety-ship',
        streams: ['stdout'],
        line_key: 'log',
        max_request_bytes: 16 * 1024 * 1024,
        max_connections: 256,
        idle_timeout_ms: 0,
        partial_timeout_ms: 10_000,
      } satisfies ForwardInputSpec,
    ]);
  });

  it('a bad address, half a TLS pair and a client CA without TLS are errors', async () => {
    const error = await failsFile(
      "inputs:\n  d:\n    type: forward\n    address: 'localhost'\n    tls: { cert_file: /x.pem, client_ca_file: /ca.pem }\nsinks:\n  l: { type: loki, url: 'http://l:3100' }\n",
    );
    assert.match(error.message, /inputs\.d\.address: expected host:port or unix:\/\/\/path/);
    assert.match(error.message, /inputs\.d\.tls\.key_file: is required with tls\.cert_file/);
    const unix = await failsFile("inputs:\n  d: { type: forward, address: 'unix://run/x.sock' }\n");
    assert.match(unix.message, /inputs\.d\.address: a unix socket path must be absolute/);
  });

  it('the shared key: never a flag; the variable reaches every forward input; never printed', async () => {
    const flag = await fails([...LOKI, '--forward', '127.0.0.1:0', '--forward-shared-key', 'hunter2']);
    assert.doesNotMatch(flag.message, /hunter2/);
    assert.match(flag.message, /WIRETY_SHIP_FORWARD_SHARED_KEY/);
    assert.match(flag.message, /--forward-shared-key-file/);

    const env = { WIRETY_SHIP_FORWARD_SHARED_KEY: 's3cr3t-value' };
    const config = await run([...LOKI, '--forward', '127.0.0.1:0'], env);
    assert.equal((config.inputs[0] as ForwardInputSpec).shared_key, 's3cr3t-value');
    const check = await load([...LOKI, '--forward', '127.0.0.1:0', '--check-config'], env);
    const summary = (check as { summary: string }).summary;
    assert.doesNotMatch(summary, /s3cr3t-value/);
    assert.match(summary, /shared key \[redacted\]/);
  });

  it('the shared key variable without a forward input is ignored with a warning', async () => {
    const command = await load([...LOKI], { WIRETY_SHIP_FORWARD_SHARED_KEY: 'k' });
    assert.equal(command.kind, 'run');
    const warnings = (command as { warnings: readonly { message: string; where: { text: string } }[] })
      .warnings;
    assert.ok(
      warnings.some(
        (w) =>
          /WIRETY_SHIP_FORWARD_SHARED_KEY/.test(w.where.text) &&
          /no forward input is configured/.test(w.message),
      ),
      JSON.stringify(warnings),
    );
  });

  it('an unreadable or empty shared key file is a configuration error, the key never quoted', async () => {
    await withFile('', async (dir) => {
      await writeFile(join(dir, 'empty.key'), '\n');
      const missing = await fails(
        [...LOKI, '--forward', '127.0.0.1:0', '--forward-shared-key-file', join(dir, 'nope.key')],
        {},
        dir,
      );
      assert.match(
        missing.message,
        /inputs\.forward\.shared_key_file: cannot read ".*nope\.key": no such file/,
      );
      const empty = await fails(
        [...LOKI, '--forward', '127.0.0.1:0', '--forward-shared-key-file', 'empty.key'],
        {},
        dir,
      );
      assert.match(empty.message, /inputs\.forward\.shared_key_file: ".*empty\.key" is empty/);
    });
  });

  it('is described by --check-config', async () => {
    const command = await load([...LOKI, '--forward', '127.0.0.1:24224', '--check-config']);
    const summary = (command as { summary: string }).summary;
    assert.match(
      summary,
      /^ {2}forward: Fluent Forward on 127\.0\.0\.1:24224; no TLS; no shared key; streams stdout; line key log$/m,
    );
    assert.match(summary, /acked once journaled/);
  });
});
