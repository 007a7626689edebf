/**
 * The --help text and the --check-config summary, byte for byte: both are derived from the key
 * declarations (flags and variables beside each key, summary lines beside each block), so a change
 * to a declaration that moves a line or rewords it fails here. To change them on purpose, update
 * the files in test/config/pinned/ in the same commit (`PIN_UPDATE=1` rewrites them; review the diff).
 */
import assert from 'node:assert/strict';
import { readFile, writeFile } from 'node:fs/promises';
import { fileURLToPath } from 'node:url';
import { test } from 'node:test';
import { load, withFile } from './helpers.js';

const PINNED = new URL('pinned/', import.meta.url);
const PACKAGE_ROOT = fileURLToPath(new URL('../..', import.meta.url)).replace(/\/$/, '');
async function pinned(name: string, actual: string): Promise<string> {
  if (process.env.PIN_UPDATE === '1') await writeFile(new URL(name, PINNED), actual);
  return readFile(new URL(name, PINNED), 'utf8');
}

test('--help prints exactly the pinned text', async () => {
  const help = await load(['--help']);
  assert.equal(help.kind, 'help');
  const text = help.kind === 'help' ? help.text : '';
  const actual = text.replace(`(in ${PACKAGE_ROOT})`, '(in <package root>)');
  assert.equal(actual, await pinned('help.txt', actual));
});

/** The summary part of --check-config (the provenance table after it is tested in provenance.test.ts). */
async function summary(argv: string[], env: Record<string, string> = {}, file?: string): Promise<string> {
  const check = async (dir?: string) => {
    const command = await load(['--check-config', ...argv], env, dir);
    assert.equal(command.kind, 'check');
    const text = command.kind === 'check' ? command.summary : '';
    return (dir ? text.replaceAll(dir, '<dir>') : text).split('\nwhere each setting comes from')[0] ?? '';
  };
  return file === undefined ? check() : withFile(file, (dir) => check(dir));
}

test('--check-config prints exactly the pinned summaries', async () => {
  const runs = [
    await summary([]),
    await summary(['--passthrough']),
    await summary(['--loki', 'http://loki:3100']),
    await summary([
      '--loki',
      'http://loki:3100',
      '--fsync',
      'always',
      '--metrics-addr',
      '127.0.0.1:9431',
      '--log-level',
      'debug',
    ]),
    await summary(['--loki', 'http://loki:3100', '--buffer', 'memory', '--insecure-skip-verify']),
    await summary(
      ['--config', 'ship.yaml'],
      {},
      [
        'inputs:',
        '  main:',
        '    type: stdin',
        'input:',
        '  passthrough: true',
        '  max_depth: 7',
        'dead_letter:',
        '  max_files: 3',
        'buffer:',
        '  type: disk',
        '  fsync: never',
        'log:',
        '  progress_interval: 0',
        'metrics:',
        '  address: ":9431"',
        '  auth_failure_unready: 90s',
        '',
      ].join('\n'),
    ),
    await summary(
      ['--elasticsearch', 'https://es:9200', '--splunk-hec', 'https://splunk:8088', '--stdout', '--gzip'],
      {
        WIRETY_SHIP_SPLUNK_TOKEN: 'token',
        WIRETY_SHIP_ES_API_KEY: 'key',
      },
    ),
  ];
  const actual = runs.join('\n----\n');
  assert.equal(actual, await pinned('summaries.txt', actual));
});
