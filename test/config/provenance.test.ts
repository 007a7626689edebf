/**
 * Where each effective value comes from: an environment variable that beats the mounted file is
 * never silent in --check-config, the Docker image's own environment only moves defaults (it sits
 * below the file), and the default state directory does not depend on the working directory.
 */
import assert from 'node:assert/strict';
import { readFile } from 'node:fs/promises';
import { describe, it } from 'node:test';
import { stateDirectory } from '../../src/config/defaults.js';
import { SETTINGS } from '../../src/config/settings.js';
import { load, run, withFile, type Env } from './helpers.js';

const FILE = [
  'buffer:',
  '  data_dir: /srv/from-file/journal',
  'dead_letter:',
  '  path: /srv/from-file/dead.ndjson',
  'sinks:',
  '  loki:',
  '    type: loki',
  '    url: http://loki:3100',
  '    tenant: acme',
  '    label_fields: [action]',
  '    auth: { username: u, password: "${PW}" }',
  '',
].join('\n');

async function check(env: Env, argv: string[] = [], text = FILE): Promise<string> {
  const command = await withFile(text, (dir) =>
    load(['--config', 'ship.yaml', '--check-config', ...argv], env, dir),
  );
  assert.equal(command.kind, 'check');
  return command.kind === 'check' ? command.summary : '';
}

/** The provenance row of `key`: its value and its history, or undefined when it is not listed. */
function row(summary: string, key: string): string | undefined {
  const part = summary.slice(summary.indexOf('where each setting comes from'));
  return part
    .split('\n')
    .find((line) => line.trimStart().startsWith(`${key} `))
    ?.trim()
    .replace(/ {2,}/g, '  ');
}

/** ENV lines of the Dockerfile's runtime stage: what every container starts with. */
async function dockerfileEnv(): Promise<Env> {
  const text = await readFile(new URL('../../Dockerfile', import.meta.url), 'utf8');
  const runtime = text.slice(text.lastIndexOf('\nFROM '));
  const env: Record<string, string> = {};
  for (const [, body] of runtime.matchAll(/^ENV ((?:.*\\\n)*.*)$/gm)) {
    for (const [, name, value] of (body ?? '').replace(/\\\n/g, ' ').matchAll(/(\w+)=(\S+)/g))
      env[name!] = value!;
  }
  return env;
}

describe('--check-config: where each value comes from', () => {
  it('names the file line of each value the file sets, and secrets only as [redacted]', async () => {
    const summary = await check({ PW: 'pa55-w0rd' });
    assert.equal(row(summary, 'buffer.data_dir'), 'buffer.data_dir  /srv/from-file/journal  ship.yaml:2');
    assert.equal(row(summary, 'sinks.loki.tenant'), 'sinks.loki.tenant  acme  ship.yaml:9');
    assert.equal(
      row(summary, 'sinks.loki.auth.password'),
      'sinks.loki.auth.password  [redacted]  ship.yaml:11',
    );
    assert.doesNotMatch(summary, /pa55-w0rd/);
    assert.equal(row(summary, 'buffer.fsync'), undefined, 'defaults are not listed one by one');
    assert.match(summary, /any key not listed has its built-in default/);
  });

  it('says when an environment variable or a flag overrides the file (env beats file, flag beats env)', async () => {
    const summary = await check(
      { PW: 'x', WIRETY_SHIP_DATA_DIR: '/srv/from-env', WIRETY_SHIP_LOKI_TENANT: 'env-tenant' },
      ['--loki-tenant', 'flag-tenant', '--loki-label-field', 'level'],
    );
    assert.equal(
      row(summary, 'buffer.data_dir'),
      'buffer.data_dir  /srv/from-env  ship.yaml:2, overridden by environment variable WIRETY_SHIP_DATA_DIR',
    );
    assert.match(summary, /disk journal in \/srv\/from-env;/);
    assert.equal(
      row(summary, 'sinks.loki.tenant'),
      'sinks.loki.tenant  flag-tenant  ship.yaml:9, overridden by environment variable WIRETY_SHIP_LOKI_TENANT, overridden by command line (--loki-tenant)',
    );
    assert.equal(
      row(summary, 'sinks.loki.label_fields'),
      'sinks.loki.label_fields  [action, level]  ship.yaml:10, extended by command line (--loki-label-field)',
    );
  });

  it("the Docker image's environment sits below a mounted file, and alone puts state under /var/lib/wirety-ship", async () => {
    const image = await dockerfileEnv();
    const ours = SETTINGS.flatMap((s) => (s.env ? [s.env] : []));
    assert.deepEqual(
      Object.keys(image).filter((name) => ours.includes(name)),
      [],
      'the image sets no WIRETY_SHIP_* setting (each would beat the mounted file)',
    );
    const mounted = await check({ ...image, PW: 'x' });
    assert.equal(row(mounted, 'buffer.data_dir'), 'buffer.data_dir  /srv/from-file/journal  ship.yaml:2');
    assert.equal(
      row(mounted, 'dead_letter.path'),
      'dead_letter.path  /srv/from-file/dead.ndjson  ship.yaml:4',
    );

    // A receiver, so the buffer is the disk journal (stdout alone buffers in memory).
    const alone = await check(image, [], 'sinks: { loki: { type: loki, url: "http://loki:3100" } }\n');
    assert.equal(
      row(alone, 'buffer.data_dir'),
      'buffer.data_dir  /var/lib/wirety-ship/journal  default (state directory /var/lib/wirety-ship, from XDG_STATE_HOME)',
    );
    assert.match(
      row(alone, 'dead_letter.path') ?? '',
      /^dead_letter\.path {2}\/var\/lib\/wirety-ship\/dead-letter\.ndjson {2}default/,
    );
  });
});

describe('the default state directory', () => {
  it('is absolute and the same from any working directory', async () => {
    const a = await run([], {}, '/srv/one');
    const b = await run([], {}, '/tmp/two');
    assert.equal(a.buffer.data_dir, '/home/tester/.local/state/wirety-ship/journal');
    assert.equal(b.buffer.data_dir, a.buffer.data_dir);
    assert.equal(b.dead_letter.path, '/home/tester/.local/state/wirety-ship/dead-letter.ndjson');
  });

  it('follows XDG_STATE_HOME when absolute, else /var/lib/wirety-ship for root, else ~/.local/state', () => {
    const user = { uid: 1000, home: '/home/u' };
    assert.equal(stateDirectory({ XDG_STATE_HOME: '/state' }, user).dir, '/state/wirety-ship');
    assert.equal(
      stateDirectory({ XDG_STATE_HOME: 'relative' }, user).dir,
      '/home/u/.local/state/wirety-ship',
    );
    assert.equal(stateDirectory({}, user).dir, '/home/u/.local/state/wirety-ship');
    assert.equal(stateDirectory({}, { uid: 0, home: '/root' }).dir, '/var/lib/wirety-ship');
    assert.equal(
      stateDirectory({ XDG_STATE_HOME: '/var/lib' }, { uid: 0, home: '/root' }).dir,
      '/var/lib/wirety-ship',
    );
  });
});
