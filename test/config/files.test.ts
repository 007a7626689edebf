/**
 * Files the configuration names are read at load time: a missing or unusable one is a config error
 * (exit 78) naming the key, the file and the reason, reported with the other problems, never a
 * crash after the pipeline started. Secret files' content never appears in a message.
 */
import assert from 'node:assert/strict';
import { chmod, copyFile, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { execFileSync } from 'node:child_process';
import { makeCertificates } from '../helpers/certificates.js';
import { failsFile, runFile } from './helpers.js';

let dir = '';
const file = (name: string) => join(dir, name);
const loki = (...lines: string[]) =>
  [
    'sinks:',
    '  loki:',
    '    type: loki',
    '    url: https://loki:3100',
    ...lines.map((l) => `    ${l}`),
    '',
  ].join('\n');

before(async () => {
  dir = await mkdtemp(join(tmpdir(), 'wirety-ship-files-'));
  makeCertificates(dir);
  await writeFile(file('token'), 'hec-token-value-1f2e\n');
  await writeFile(file('empty'), '\n');
  await writeFile(file('not-pem.der'), Buffer.from([0x30, 0x82, 0x01, 0x0a]));
  execFileSync(
    'openssl',
    ['pkey', '-in', 'client.key', '-out', 'locked.key', '-aes256', '-passout', 'pass:pw'],
    {
      cwd: dir,
      stdio: 'pipe',
    },
  );
  await copyFile(file('client.key'), file('unreadable.key'));
  await chmod(file('unreadable.key'), 0o000);
});
after(() => rm(dir, { recursive: true, force: true }));

describe('files named by the config', () => {
  it('accepts readable files of the right kind (a CA, a client certificate with its key, a token)', async () => {
    const config = await runFile(
      loki(
        `tls: { ca_file: ${file('ca.pem')}, cert_file: ${file('client.pem')}, key_file: ${file('client.key')} }`,
        `auth: { bearer_token_file: ${file('token')} }`,
      ),
    );
    assert.equal(config.sinks[0]?.type, 'loki');
  });

  it('a missing ca_file names the key, the line, the file and the reason', async () => {
    const error = await failsFile(loki('tls:', `  ca_file: ${file('missing-ca.pem')}`));
    assert.equal(
      error.message,
      `ship.yaml:6: sinks.loki.tls.ca_file: cannot read "${file('missing-ca.pem')}": no such file`,
    );
    assert.equal(error.key, 'sinks.loki.tls.ca_file');
    assert.equal(error.line, 6);
  });

  it('names every unusable file at once, each with its reason', async () => {
    const error = await failsFile(
      [
        'defaults:',
        `  tls: { ca_file: ${file('not-pem.der')} }`,
        'sinks:',
        '  loki:',
        '    type: loki',
        '    url: https://loki:3100',
        `    auth: { username: u, password_file: ${file('empty')} }`,
        '  es:',
        '    type: elasticsearch',
        '    url: https://es:9200',
        `    tls: { ca_file: ${file('ca.pem')}, cert_file: ${file('client.pem')}, key_file: ${file('locked.key')} }`,
        `    auth: { api_key_file: ${dir} }`,
        '  hec:',
        '    type: splunk_hec',
        '    url: https://splunk:8088',
        `    token_file: ${file('token')}`,
        `    tls: { cert_file: ${file('server.pem')}, key_file: ${file('client.key')} }`,
        '',
      ].join('\n'),
    );
    const text = error.message;
    assert.match(text, /ship\.yaml:2: defaults\.tls\.ca_file: ".*not-pem\.der" is not a PEM file/);
    assert.equal(
      (text.match(/not-pem\.der/g) ?? []).length,
      1,
      'a defaults file is reported once, not per sink',
    );
    assert.match(text, /ship\.yaml:7: sinks\.loki\.auth\.password_file: ".*empty" is empty/);
    assert.match(
      text,
      /ship\.yaml:11: sinks\.es\.tls\.key_file: ".*locked\.key" is an encrypted private key/,
    );
    assert.match(text, /ship\.yaml:12: sinks\.es\.auth\.api_key_file: cannot read ".*": it is a directory/);
    assert.match(
      text,
      /ship\.yaml:17: sinks\.hec\.tls\.key_file: ".*client\.key" is not the key of the certificate in ".*server\.pem"/,
    );
    assert.doesNotMatch(text, /hec-token-value/, 'no secret file content');
  });

  it('a flag applied to every sink is reported once, naming the flag', async () => {
    const error = await failsFile(
      [
        'sinks:',
        '  a: { type: loki, url: "https://loki:3100" }',
        '  b: { type: elasticsearch, url: "https://es:9200" }',
        '',
      ].join('\n'),
      {},
      ['--ca-file', file('nope.pem')],
    );
    assert.equal(
      error.message,
      `command line (--ca-file): sinks.a.tls.ca_file: cannot read "${file('nope.pem')}": no such file`,
    );
  });

  it('an unreadable file says permission denied (skipped as root, who can read anything)', async (t) => {
    if (process.getuid?.() === 0) return t.skip('root reads every file');
    const error = await failsFile(
      loki(`tls: { cert_file: ${file('client.pem')}, key_file: ${file('unreadable.key')} }`),
    );
    assert.match(error.message, /sinks\.loki\.tls\.key_file: cannot read ".*": permission denied/);
  });
});
