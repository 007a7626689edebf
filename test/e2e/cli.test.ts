/**
 * The CLI as users run it: the embedded stdout default, passthrough, help/version, config
 * errors and their exit code (every problem at once, files the config names, where each value
 * came from), a machine not ready to run it (exit 74 before anything is created), and every kind
 * of bad input through the real process.
 */
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { runCli } from '../helpers/run-cli.js';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..');
let dir: string;
before(async () => {
  dir = await mkdtemp(path.join(os.tmpdir(), 'ws-e2e-cli-'));
});
after(async () => {
  await rm(dir, { recursive: true, force: true });
});

const server = (n: number, extra = '') =>
  `{"level":"info","log_type":"audit","time":${1748000000 + n},"actor_id":"alice","actor_email":"alice@example.com","remote_ip":"10.0.0.5","action":"peer.create","network_id":"net-1","peer_id":"peer-${n}","peer_name":"laptop-${n}"${extra},"message":"audit"}`;

const deadLetters = async (file: string) =>
  (await readFile(file, 'utf8'))
    .trimEnd()
    .split('\n')
    .filter((l) => l !== '')
    .map(
      (l) =>
        JSON.parse(l) as {
          reason: string;
          line?: string;
          line_base64?: string;
          line_bytes: number;
          truncated: boolean;
          detail: string;
        },
    );

const summaryOf = (stderr: string) =>
  stderr
    .split('\n')
    .filter((l) => l.startsWith('{'))
    .map((l) => JSON.parse(l) as Record<string, unknown>)
    .find((l) => l.msg === 'summary');

test('no config: valid audit lines come out on stdout unchanged, the summary on stderr', async () => {
  const input = [server(1), '{"level":"info","msg":"listening"}', server(2), 'garbage'].join('\n') + '\n';
  const r = await runCli(
    ['--buffer', 'memory', '--dead-letter', path.join(dir, 'dl-default.ndjson')],
    input,
    { cwd: dir },
  );
  assert.equal(r.code, 0, r.stderr);
  assert.equal(r.stdout.toString(), server(1) + '\n' + server(2) + '\n');
  const summary = summaryOf(r.stderr);
  assert.equal(summary?.lines_read, 4);
  assert.equal(summary?.valid, 2);
  assert.equal(summary?.not_audit, 1);
  assert.equal(summary?.not_json, 1);
});

test('--passthrough copies the input unchanged to stdout and ships nothing there itself', async () => {
  const input = Buffer.from(
    ['\uFEFF' + server(1), 'not json', server(2) + '\r', ''].join('\n') + 'tail-without-newline',
  );
  const r = await runCli(
    ['--passthrough', '--buffer', 'memory', '--dead-letter', path.join(dir, 'dl-pass.ndjson')],
    input,
    {
      cwd: dir,
    },
  );
  assert.equal(r.code, 0, r.stderr);
  assert.deepEqual(r.stdout, input);
});

test('--help and --version', async () => {
  const help = await runCli(['--help'], '');
  assert.equal(help.code, 0);
  assert.match(help.stdout.toString(), /--loki/);
  assert.match(help.stdout.toString(), /WIRETY_SHIP_/);
  const version = await runCli(['--version'], '');
  const pkg = JSON.parse(await readFile(path.join(root, 'package.json'), 'utf8')) as { version: string };
  assert.equal(version.code, 0);
  assert.match(version.stdout.toString(), new RegExp(pkg.version.replaceAll('.', '\\.')));
});

test('a config typo exits 78 and names the key, the file and a suggestion', async () => {
  const file = path.join(dir, 'typo.yaml');
  await writeFile(file, 'sinks:\n  loki:\n    type: loki\n    url: http://127.0.0.1:1\n    tenat: acme\n');
  const r = await runCli(['--config', file], '');
  assert.equal(r.code, 78);
  assert.match(r.stderr, /tenat/);
  assert.match(r.stderr, /tenant/);
  assert.match(r.stderr, /typo\.yaml/);
  const check = await runCli(['--config', file, '--check-config'], '');
  assert.equal(check.code, 78);
});

test('--check-config on a valid file exits 0 without reading stdin or printing secrets', async () => {
  const file = path.join(dir, 'ok.yaml');
  await writeFile(
    file,
    'sinks:\n  loki:\n    type: loki\n    url: http://127.0.0.1:1\n    auth:\n      username: u\n      password: ${LOKI_PW}\n',
  );
  const r = await runCli(['--config', file, '--check-config'], '', { env: { LOKI_PW: 's3cr3t-value' } });
  assert.equal(r.code, 0, r.stderr);
  assert.doesNotMatch(r.stdout.toString() + r.stderr, /s3cr3t-value/);
});

test('a secret given as a flag is refused (it would show in ps)', async () => {
  const r = await runCli(['--splunk-hec', 'http://127.0.0.1:1', '--splunk-token', 'abc-secret'], '');
  assert.equal(r.code, 78);
  assert.match(r.stderr, /WIRETY_SHIP_SPLUNK_TOKEN|token-file/);
  assert.doesNotMatch(r.stderr, /abc-secret/);
});

test('bad input: each kind gets a verdict, rejected lines are dead-lettered, nothing is lost', async () => {
  const tenMb = Buffer.alloc(10 * 1024 * 1024, 0x61);
  const invalidUtf8 = Buffer.from([0x7b, 0x22, 0x61, 0x22, 0x3a, 0xff, 0x7d]);
  const parts: Buffer[] = [
    Buffer.from(server(1) + '\r\n'),
    Buffer.from('{"log_type":"audit","time":17480\n'), // truncated JSON
    tenMb,
    Buffer.from('\n'),
    invalidUtf8,
    Buffer.from('\n\n   \n'), // empty and whitespace-only lines
    Buffer.from(server(2).replace('"time":1748000002', '"time":"1748000002"') + '\n'), // wrong type
    Buffer.from(server(3).replace('peer.create', 'peer.teleport') + '\n'), // unknown action: forwarded
    Buffer.from(server(4)), // last line without newline
  ];
  const file = path.join(dir, 'dl-bad.ndjson');
  const r = await runCli(['--buffer', 'memory', '--dead-letter', file], Buffer.concat(parts), { cwd: dir });
  assert.equal(r.code, 0, r.stderr);
  assert.deepEqual(r.stdout.toString().trimEnd().split('\n'), [
    server(1),
    server(3).replace('peer.create', 'peer.teleport'),
    server(4),
  ]);
  const dead = await deadLetters(file);
  assert.deepEqual(
    dead.map((d) => d.reason),
    ['not_json', 'line_too_long', 'invalid_utf8', 'invalid'],
  );
  assert.equal(dead[1]!.line_bytes, tenMb.length);
  assert.equal(dead[1]!.truncated, true);
  assert.ok((dead[1]!.line ?? '').length <= 4096);
  assert.deepEqual(Buffer.from(dead[2]!.line_base64!, 'base64'), invalidUtf8);
  assert.match(dead[3]!.detail, /time/);
  const summary = summaryOf(r.stderr)!;
  assert.equal(summary.lines_read, 9);
  assert.equal(summary.valid, 3);
  assert.equal(summary.invalid, 3);
  assert.equal(summary.not_json, 1);
  assert.equal(summary.empty, 2, 'the empty and the whitespace-only line have their own bucket');
  assert.equal(summary.unknown_actions, 1);
  assert.match(r.stderr, /peer\.teleport/, 'the unknown action is warned about');
});

test('an example config from the repo passes --check-config', async () => {
  const r = await runCli(
    ['--config', path.join(root, 'config', 'wirety-ship.example.yaml'), '--check-config'],
    '',
    {
      env: {
        LOKI_USERNAME: 'wirety',
        LOKI_PASSWORD: 'x',
        ES_API_KEY: 'y',
        SPLUNK_HEC_TOKEN: 'z',
      },
    },
  );
  assert.equal(r.code, 0, r.stderr + r.stdout.toString());
});

test('a missing ca_file: exit 78 naming the key, the file and the reason, from --check-config and a run, leaving nothing behind', async () => {
  const state = path.join(dir, 'missing-ca-state');
  const file = path.join(dir, 'missing-ca.yaml');
  await writeFile(
    file,
    'sinks:\n  loki:\n    type: loki\n    url: https://127.0.0.1:1\n    tls:\n      ca_file: ./no-ca.pem\n',
  );
  const expected = `missing-ca.yaml:6: sinks.loki.tls.ca_file: cannot read "${path.join(dir, 'no-ca.pem')}": no such file`;
  for (const extra of [['--check-config'], []]) {
    const r = await runCli(['--config', file, ...extra], server(1) + '\n', {
      cwd: dir,
      env: { XDG_STATE_HOME: state },
    });
    assert.equal(r.code, 78, r.stderr);
    assert.ok(r.stderr.includes(expected), r.stderr);
    assert.doesNotMatch(r.stderr, /internal error|\n {4}at /, 'no stack trace');
  }
  assert.equal(existsSync(state), false, 'no journal, cursor, lock or dead-letter file was created');
});

test('a metrics port in use: exit 74 from --check-config and a run, before any state is created', async () => {
  const busy = net.createServer();
  await new Promise<void>((resolve) => busy.listen(0, '127.0.0.1', resolve));
  const address = `127.0.0.1:${(busy.address() as net.AddressInfo).port}`;
  const state = path.join(dir, 'busy-port-state');
  try {
    for (const extra of [['--check-config'], []]) {
      const r = await runCli(['--metrics-addr', address, ...extra], server(1) + '\n', {
        cwd: dir,
        env: { XDG_STATE_HOME: state },
      });
      assert.equal(r.code, 74, r.stderr);
      assert.match(r.stderr, new RegExp(`${address} is in use by another process`));
    }
    assert.equal(existsSync(state), false, 'nothing was created');
  } finally {
    busy.close();
  }
});

test('every problem of the file, the environment and the flags in one run (exit 78)', async () => {
  const file = path.join(dir, 'many.yaml');
  await writeFile(
    file,
    'shutdown_timeout: 20\nbuffer:\n  fsync: alway\nsinks:\n  loki: { type: loki, url: "http://127.0.0.1:1", tenat: x }\n',
  );
  const r = await runCli(['--config', file, '--lokki', 'http://x'], '', {
    env: { WIRETY_SHIP_LOKI_TENNANT: 'x' },
  });
  assert.equal(r.code, 78);
  assert.match(r.stderr, /5 problems:/);
  assert.match(r.stderr, /many\.yaml:1: shutdown_timeout: 20 has no unit: did you mean 20s\?/);
  assert.match(r.stderr, /many\.yaml:3: buffer\.fsync: "alway" is not one of/);
  assert.match(r.stderr, /many\.yaml:5: sinks\.loki\.tenat: unknown key; did you mean "tenant"\?/);
  assert.match(r.stderr, /command line \(--lokki\): unknown flag --lokki; did you mean --loki\?/);
  assert.match(r.stderr, /environment variable WIRETY_SHIP_LOKI_TENNANT: is not a wirety-ship setting/);
});

test('--check-config says which value beats the mounted file, and where each one came from', async () => {
  const file = path.join(dir, 'mounted.yaml');
  // `type: disk`: with no receiver configured the buffer would default to memory.
  await writeFile(file, `buffer:\n  type: disk\n  data_dir: ${path.join(dir, 'from-file')}\n`);
  const r = await runCli(['--config', file, '--check-config'], '', {
    env: {
      WIRETY_SHIP_DATA_DIR: path.join(dir, 'from-env'),
      XDG_STATE_HOME: path.join(dir, 'mounted-state'),
    },
  });
  assert.equal(r.code, 0, r.stderr);
  const out = r.stdout.toString();
  assert.match(out, new RegExp(`disk journal in ${path.join(dir, 'from-env')};`));
  assert.match(
    out,
    new RegExp(
      `buffer\\.data_dir +${path.join(dir, 'from-env')} +${file}:3, overridden by environment variable WIRETY_SHIP_DATA_DIR`,
    ),
  );
  assert.match(
    out,
    new RegExp(
      `dead_letter\\.path +${path.join(dir, 'mounted-state')}/wirety-ship/dead-letter\\.ndjson +default`,
    ),
  );
});
