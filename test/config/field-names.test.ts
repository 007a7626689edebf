/**
 * Event field names in label_fields, structured_metadata_fields and indexed_fields are checked
 * against the audit event catalogue: a certain misspelling is an error (78), any other unknown
 * name a warning with "did you mean"; and the --loki-structured-metadata-field flag.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { CATALOGUE_FIELDS } from '../../src/audit/catalogue.js';
import { certainTypo } from '../../src/config/check-field-names.js';
import type { Problem } from '../../src/config/config-error.js';
import { fails, failsFile, load, sink, withFile, type Env } from './helpers.js';

const LOKI = ['--loki', 'http://loki:3100'];

/** Loads argv/env and returns the config and the warnings of a run. */
async function loaded(argv: string[], env: Env = {}, cwd?: string) {
  const command = await load(argv, env, cwd);
  assert.equal(command.kind, 'run');
  return command;
}

const texts = (warnings: readonly Problem[]) =>
  warnings.map((w) => `${w.where.text}: ${w.key ?? ''}: ${w.message} | ${w.hint ?? ''}`);

describe('event field names checked against the catalogue', () => {
  it('lists every field of the catalogue', () => {
    for (const field of ['action', 'actor_id', 'network_id', 'peer_id', 'target_user_id', 'rule_count'])
      assert.ok(CATALOGUE_FIELDS.includes(field), field);
    assert.ok(!CATALOGUE_FIELDS.includes('event_id'));
  });

  it('a field that differs from a catalogue field only by case, separator or two swapped letters is an error', async () => {
    const cases: [string, string, string][] = [
      ['--loki-label-field', 'Action', 'action'],
      ['--loki-structured-metadata-field', 'netwrok_id', 'network_id'],
      ['--loki-structured-metadata-field', 'Peer_ID', 'peer_id'],
    ];
    for (const [flag, name, meant] of cases) {
      const error = await fails([...LOKI, flag, name]);
      assert.match(error.message, new RegExp(`command line \\(${flag}\\): sinks\\.loki\\.`));
      assert.match(
        error.message,
        new RegExp(`"${name}" is not a field of any audit event; did you mean "${meant}"\\?`),
      );
    }
    assert.equal(certainTypo('peer-id'), 'peer_id');
    assert.equal(certainTypo('peer.id'), 'peer_id');
    assert.equal(certainTypo('peer_ip'), undefined, 'a one-letter change may be another field');
    assert.equal(certainTypo('user_id'), undefined);
  });

  it('names the file line of the misspelt Splunk indexed field', async () => {
    const file = [
      'sinks:',
      '  splunk:',
      '    type: splunk_hec',
      '    url: https://splunk:8088',
      '    token: ${HEC_TOKEN:-test-token}',
      '    indexed_fields:',
      '      - action',
      '      - Network-ID',
      '',
    ].join('\n');
    const error = await failsFile(file);
    assert.match(
      error.message,
      /ship\.yaml:8: sinks\.splunk\.indexed_fields\[1\]: "Network-ID" is not a field of any audit event; did you mean "network_id"\?/,
    );
  });

  it('any other name outside the catalogue is a warning, with a suggestion when one is close', async () => {
    const { config, warnings } = await loaded([
      ...LOKI,
      '--loki-label-field',
      'acton',
      '--loki-structured-metadata-field',
      'tenant_colour',
    ]);
    // Still configured as written: a newer wirety may write the field.
    assert.deepEqual(sink(config, 'loki', 'loki').label_fields, ['acton']);
    assert.deepEqual(texts(warnings), [
      'command line (--loki-label-field): sinks.loki.label_fields[0]: "acton" is not a field of any audit event in the catalogue: unless your wirety writes it, no event will carry this label; did you mean "action"? | fix it if it is a typo (field names are listed per action in docs/audit-events.md)',
      'command line (--loki-structured-metadata-field): sinks.loki.structured_metadata_fields[3]: "tenant_colour" is not a field of any audit event in the catalogue: unless your wirety writes it, no event will carry this structured metadata | fix it if it is a typo (field names are listed per action in docs/audit-events.md)',
    ]);
  });

  it('warns about a Splunk indexed field no event has, naming the file line', async () => {
    const file = [
      'sinks:',
      '  hec:',
      '    type: splunk_hec',
      '    url: https://splunk:8088',
      '    token: ${HEC_TOKEN:-test-token}',
      '    indexed_fields: [action, peer_ip, event_id, seq]',
      '',
    ].join('\n');
    const { warnings } = await withFile(file, (dir) => loaded(['--config', 'ship.yaml'], {}, dir));
    assert.equal(warnings.length, 1, texts(warnings).join('\n'));
    assert.equal(warnings[0]?.where.text, 'ship.yaml:6');
    assert.equal(warnings[0]?.key, 'sinks.hec.indexed_fields[1]');
    assert.match(
      warnings[0]?.message ?? '',
      /"peer_ip" .* no event will carry this indexed field; did you mean "peer_id"\?/,
    );
  });

  it('the defaults and catalogue fields give no warning', async () => {
    const { warnings } = await loaded(
      [...LOKI, '--splunk-hec', 'https://splunk:8088', '--loki-label-field', 'action'],
      {
        WIRETY_SHIP_SPLUNK_TOKEN: 't',
        WIRETY_SHIP_LOKI_STRUCTURED_METADATA_FIELDS: 'group_id,target_user_id',
      },
    );
    assert.deepEqual(warnings, []);
  });
});

describe('--loki-structured-metadata-field', () => {
  it('adds to the default metadata fields, repeatable, and from its variable', async () => {
    const { config } = await loaded(
      [
        ...LOKI,
        '--loki-structured-metadata-field',
        'group_id',
        '--loki-structured-metadata-field',
        'policy_id',
      ],
      { WIRETY_SHIP_LOKI_STRUCTURED_METADATA_FIELDS: 'route_id' },
    );
    assert.deepEqual(sink(config, 'loki', 'loki').structured_metadata_fields, [
      'network_id',
      'peer_id',
      'actor_id',
      'route_id',
      'group_id',
      'policy_id',
    ]);
  });

  it("adds to the file's list", async () => {
    const file =
      'sinks:\n  loki:\n    type: loki\n    url: http://loki:3100\n    structured_metadata_fields: [peer_id]\n';
    const { config } = await withFile(file, (dir) =>
      loaded(['--config', 'ship.yaml', '--loki-structured-metadata-field', 'group_id'], {}, dir),
    );
    assert.deepEqual(sink(config, 'loki', 'loki').structured_metadata_fields, ['peer_id', 'group_id']);
  });

  it('contradicts --loki-structured-metadata false', async () => {
    const error = await fails([
      ...LOKI,
      '--loki-structured-metadata',
      'false',
      '--loki-structured-metadata-field',
      'group_id',
    ]);
    assert.match(error.message, /structured_metadata_fields: has no effect with structured_metadata: false/);
  });
});

describe('a variable of a sink nothing else configures', () => {
  it('is ignored with a warning instead of a 78 "url is required", and never shows its value', async () => {
    const { config, warnings } = await loaded(LOKI, {
      WIRETY_SHIP_ES_API_KEY: 'c2VjcmV0LWtleQ==',
      WIRETY_SHIP_SPLUNK_TOKEN: 'hec-token-123',
    });
    assert.deepEqual(
      config.sinks.map((s) => s.name),
      ['loki'],
    );
    assert.deepEqual(texts(warnings), [
      'environment variable WIRETY_SHIP_ES_API_KEY: : is set, but no Elasticsearch sink is configured, so it is ignored | to ship there, add --elasticsearch <url>, WIRETY_SHIP_ES_URL or a sink named "elasticsearch" in the config file; otherwise unset it',
      'environment variable WIRETY_SHIP_SPLUNK_TOKEN: : is set, but no Splunk HEC sink is configured, so it is ignored | to ship there, add --splunk-hec <url>, WIRETY_SHIP_SPLUNK_URL or a sink named "splunk" in the config file; otherwise unset it',
    ]);
    assert.doesNotMatch(JSON.stringify(warnings), /c2VjcmV0|hec-token/);
  });

  it('with no sink at all, the embedded stdout default still runs', async () => {
    const { config, warnings } = await loaded([], { WIRETY_SHIP_LOKI_PASSWORD: 'pw' });
    assert.deepEqual(
      config.sinks.map((s) => s.type),
      ['stdout'],
    );
    assert.equal(warnings.length, 1);
  });

  it('applies when the URL comes from a flag, its variable or the file', async () => {
    const viaFlag = await loaded(['--elasticsearch', 'https://es:9200'], { WIRETY_SHIP_ES_API_KEY: 'k' });
    assert.equal(sink(viaFlag.config, 'elasticsearch', 'elasticsearch').auth.api_key, 'k');
    const viaEnv = await loaded([], { WIRETY_SHIP_ES_URL: 'https://es:9200', WIRETY_SHIP_ES_API_KEY: 'k' });
    assert.equal(sink(viaEnv.config, 'elasticsearch', 'elasticsearch').auth.api_key, 'k');
    const file = 'sinks:\n  elasticsearch:\n    type: elasticsearch\n    url: https://es:9200\n';
    const viaFile = await withFile(file, (dir) =>
      loaded(['--config', 'ship.yaml'], { WIRETY_SHIP_ES_API_KEY: 'k' }, dir),
    );
    assert.equal(sink(viaFile.config, 'elasticsearch', 'elasticsearch').auth.api_key, 'k');
    assert.deepEqual([...viaFlag.warnings, ...viaEnv.warnings, ...viaFile.warnings], []);
  });

  it('names the file sink of that type it does not reach, and stays silent when the file uses it as ${…}', async () => {
    const fileWith = (apiKey: string) =>
      `sinks:\n  es-prod:\n    type: elasticsearch\n    url: https://es:9200\n${apiKey}`;
    const unused = await withFile(fileWith(''), (dir) =>
      loaded(['--config', 'ship.yaml'], { WIRETY_SHIP_ES_API_KEY: 'k' }, dir),
    );
    assert.deepEqual(texts(unused.warnings), [
      'environment variable WIRETY_SHIP_ES_API_KEY: : is set, but it only applies to the sink named "elasticsearch", which is not configured, so it is ignored | for the file\'s sink "es-prod", write ${WIRETY_SHIP_ES_API_KEY} at its key in the file',
    ]);
    const used = await withFile(fileWith('    auth: { api_key: "${WIRETY_SHIP_ES_API_KEY}" }\n'), (dir) =>
      loaded(['--config', 'ship.yaml'], { WIRETY_SHIP_ES_API_KEY: 'k' }, dir),
    );
    assert.deepEqual(used.warnings, []);
    assert.deepEqual(
      used.config.sinks.map((s) => s.name),
      ['es-prod'],
    );
  });

  it('a flag of that sink without its URL is still an error: it was typed for this run', async () => {
    const error = await fails(['--es-index', 'audit'], { WIRETY_SHIP_ES_API_KEY: 'k' });
    assert.match(error.message, /sinks\.elasticsearch\.url: is required/);
  });
});
