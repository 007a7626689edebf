import assert from 'node:assert/strict';
import { readFile } from 'node:fs/promises';
import { fileURLToPath } from 'node:url';
import { describe, it } from 'node:test';
import { DEFAULTS } from '../../src/config/defaults.js';
import { fileSchema } from '../../src/config/file-schema.js';
import { SETTINGS } from '../../src/config/settings.js';
import { fails, load, run, sink } from './helpers.js';

const root = fileURLToPath(new URL('../../', import.meta.url));
const EXAMPLE = 'config/wirety-ship.example.yaml';
const ENV = { LOKI_USERNAME: 'wirety', LOKI_PASSWORD: 'pw', ES_API_KEY: 'key', SPLUNK_HEC_TOKEN: 'tok' };

describe('config/wirety-ship.example.yaml', () => {
  it('loads with its variables set and configures all three sinks from them', async () => {
    const config = await run(['--config', EXAMPLE], ENV, root);
    assert.deepEqual(
      config.sinks.map((s) => [s.name, s.type]),
      [
        ['loki', 'loki'],
        ['elasticsearch', 'elasticsearch'],
        ['splunk', 'splunk_hec'],
      ],
    );
    assert.equal(sink(config, 'loki', 'loki').auth.password, 'pw');
    assert.equal(sink(config, 'elasticsearch', 'elasticsearch').auth.api_key, 'key');
    assert.equal(sink(config, 'splunk', 'splunk_hec').token, 'tok');
  });

  it('states the built-in defaults (loading it changes nothing but the sinks)', async () => {
    const fromExample = await run(['--config', EXAMPLE], ENV, root);
    const flagSinks = await run(
      [
        '--loki',
        'http://localhost:3100',
        '--elasticsearch',
        'https://localhost:9200',
        '--splunk-hec',
        'https://localhost:8088',
      ],
      { WIRETY_SHIP_SPLUNK_TOKEN: 'tok' },
      root,
    );
    // Built-in defaults with the same receivers (without any, buffer.type would default to memory).
    const { sinks: _a, origin: _b, ...exampleRest } = fromExample;
    const { sinks: _c, origin: _d, ...builtInRest } = flagSinks;
    assert.deepEqual(exampleRest, builtInRest);
    for (const name of ['loki', 'elasticsearch', 'splunk']) {
      const a = fromExample.sinks.find((s) => s.name === name) as unknown as Record<string, unknown>;
      const b = flagSinks.sinks.find((s) => s.name === name) as unknown as Record<string, unknown>;
      for (const key of [
        'batch',
        'retry',
        'max_in_flight',
        'timeout_ms',
        'gzip',
        'labels',
        'structured_metadata',
        'index',
        'op',
        'ack',
        'indexed_fields',
      ]) {
        assert.deepEqual(a[key], b[key], `${name}.${key} in the example differs from the default`);
      }
    }
  });

  it('names the missing variable when a secret is not set', async () => {
    const error = await fails(['--config', EXAMPLE], { ...ENV, SPLUNK_HEC_TOKEN: undefined }, root);
    assert.match(
      error.message,
      /wirety-ship\.example\.yaml:\d+: sinks\.splunk\.token: environment variable SPLUNK_HEC_TOKEN is not set/,
    );
  });

  it('passes --check-config', async () => {
    assert.equal((await load(['--config', EXAMPLE, '--check-config'], ENV, root)).kind, 'check');
  });
});

describe('docs/config.md', () => {
  const keys = (schema: unknown, prefix: string): string[] => {
    const node = schema as {
      properties?: Record<string, unknown>;
      additionalProperties?: { oneOf?: unknown[] };
    };
    const own = Object.entries(node.properties ?? {}).flatMap(([key, sub]) => [
      `${prefix}${key}`,
      ...keys(sub, `${prefix}${key}.`),
    ]);
    const sinks = (node.additionalProperties?.oneOf ?? []).flatMap((s) => keys(s, ''));
    return [...own, ...sinks];
  };

  it('documents every key of the file and every flag and variable', async () => {
    const doc = await readFile(`${root}docs/config.md`, 'utf8');
    for (const key of new Set(keys(fileSchema, ''))) {
      const last = key.split('.').pop() ?? key;
      assert.ok(doc.includes(`\`${key}\``) || doc.includes(last), `docs/config.md lacks ${key}`);
    }
    for (const setting of SETTINGS) {
      if (setting.flag) assert.ok(doc.includes(`--${setting.flag}`), `docs lack --${setting.flag}`);
      if (setting.env) assert.ok(doc.includes(setting.env), `docs lack ${setting.env}`);
    }
    assert.ok(doc.includes(DEFAULTS.dead_letter.file_name));
    assert.ok(doc.includes(`${DEFAULTS.buffer.dir_name}`));
  });
});
