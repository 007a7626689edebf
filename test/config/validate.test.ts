import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { fails, failsFile, runFile } from './helpers.js';

const LOKI = ['sinks:', '  loki:', '    type: loki', '    url: http://loki:3100'];
const file = (...extra: string[]) => [...LOKI, ...extra, ''].join('\n');

describe('unknown keys', () => {
  it('names the full key path, the file and line, and suggests the close key', async () => {
    const error = await failsFile(file('    tenat: acme'));
    assert.equal(error.message, 'ship.yaml:5: sinks.loki.tenat: unknown key; did you mean "tenant"?');
    assert.equal(error.key, 'sinks.loki.tenat');
    assert.equal(error.file, 'ship.yaml');
    assert.equal(error.line, 5);
  });

  it('suggests nothing when no key is close', async () => {
    const error = await failsFile('buffer:\n  zebra: 1\n');
    assert.equal(error.message, 'ship.yaml:2: buffer.zebra: unknown key');
  });

  it('finds unknown keys at every level, including the top and nested blocks', async () => {
    assert.match(
      (await failsFile('sink: {}\n')).message,
      /^ship\.yaml:1: sink: unknown key; did you mean "sinks"\?/,
    );
    assert.match(
      (await failsFile(file('    batch: { max_event: 5 }'))).message,
      /ship\.yaml:5: sinks\.loki\.batch\.max_event: unknown key; did you mean "max_events"\?/,
    );
    assert.match(
      (await failsFile('defaults:\n  tls: { insecure: true }\n')).message,
      /defaults\.tls\.insecure: unknown key; did you mean "insecure_skip_verify"\?/,
    );
  });

  it('says which sink types have a key that is unknown for this one', async () => {
    const error = await failsFile(file('    index: audit'));
    assert.match(
      error.message,
      /sinks\.loki\.index: unknown key\n {2}hint: "index" is a setting of elasticsearch and splunk_hec sinks/,
    );
  });

  it('reports every problem of the file in one error, in file order', async () => {
    const error = await failsFile(file('    tenat: acme', '    gzip: maybe'));
    assert.equal(error.problems.length, 2);
    assert.match(
      error.message,
      /^2 problems:\n- ship\.yaml:5: .*tenat.*\n- ship\.yaml:6: sinks\.loki\.gzip: must be true or false/,
    );
  });
});

describe('types and values', () => {
  it('names the key and the expected type', async () => {
    assert.match(
      (await failsFile(file('    max_in_flight: many'))).message,
      /ship\.yaml:5: sinks\.loki\.max_in_flight: must be a whole number/,
    );
    assert.match(
      (await failsFile(file('    labels: [a, b]'))).message,
      /sinks\.loki\.labels: must be a block of "key: value" settings/,
    );
    assert.match(
      (await failsFile(file('    label_fields: action'))).message,
      /sinks\.loki\.label_fields: must be a list/,
    );
    assert.match(
      (await failsFile('shutdown_timeout: [1]\n')).message,
      /shutdown_timeout: must be a duration with its unit, such as "500ms"/,
    );
    assert.match(
      (await failsFile('dead_letter: { max_files: -1 }\n')).message,
      /dead_letter\.max_files: must be at least 0/,
    );
  });

  it('input.max_depth: an integer from 1 to 1000 (deeper comes close to overflowing the encoders)', async () => {
    assert.equal((await runFile('input: { max_depth: 8 }\n')).input.max_depth, 8);
    assert.equal((await runFile('input: { max_depth: 1000 }\n')).input.max_depth, 1000);
    assert.match(
      (await failsFile('input: { max_depth: 0 }\n')).message,
      /input\.max_depth: must be at least 1/,
    );
    assert.match(
      (await failsFile('input: { max_depth: 1001 }\n')).message,
      /input\.max_depth: must be at most 1000/,
    );
    assert.match((await failsFile('input: { max_depth: 2.5 }\n')).message, /input\.max_depth: must be an? /);
  });

  it('lists the allowed values of an enum, with a suggestion', async () => {
    const error = await failsFile('buffer:\n  fsync: alway\n');
    assert.equal(
      error.message,
      'ship.yaml:2: buffer.fsync: "alway" is not one of always, interval, never; did you mean "always"?',
    );
  });

  it('accepts unambiguous text for numbers and switches, and numbers for text', async () => {
    const config = await runFile(file('    max_in_flight: "3"', '    gzip: "true"', '    tenant: 42'));
    const loki = config.sinks[0];
    assert.ok(loki?.type === 'loki');
    assert.equal(loki.max_in_flight, 3);
    assert.equal(loki.gzip, true);
    assert.equal(loki.tenant, '42');
  });

  it('refuses an empty value instead of guessing one', async () => {
    const error = await failsFile(file('    tenant:'));
    assert.match(
      error.message,
      /ship\.yaml:5: sinks\.loki\.tenant: has no value\n {2}hint: give it a value, or delete the line/,
    );
  });

  it('names the variable for a bad enum value that came from the environment', async () => {
    const error = await fails([], { WIRETY_SHIP_BUFFER: 'tape' });
    assert.match(
      error.message,
      /^environment variable WIRETY_SHIP_BUFFER: buffer\.type: "tape" is not one of disk, memory/,
    );
  });

  it('names the flag for a bad enum value from the command line', async () => {
    const error = await fails(['--log-level', 'verbose']);
    assert.match(
      error.message,
      /^command line \(--log-level\): log\.level: "verbose" is not one of debug, info, warn, error/,
    );
  });
});

describe('sinks', () => {
  it('an unknown type lists the valid ones and suggests the close one', async () => {
    const error = await failsFile('sinks:\n  es:\n    type: elasticserch\n');
    assert.match(
      error.message,
      /ship\.yaml:3: sinks\.es\.type: unknown sink type "elasticserch"; did you mean "elasticsearch"\?/,
    );
    assert.match(error.message, /valid types: loki, elasticsearch, splunk_hec, stdout/);
  });

  it('a sink without type says so', async () => {
    const error = await failsFile('sinks:\n  es:\n    url: https://es:9200\n');
    assert.match(
      error.message,
      /ship\.yaml:2: sinks\.es\.type: is required\n {2}hint: one of loki, elasticsearch, splunk_hec, stdout/,
    );
  });

  it('sink names must be usable as file names', async () => {
    const error = await failsFile('sinks:\n  My.Sink:\n    type: stdout\n');
    assert.match(error.message, /ship\.yaml:2: sinks\.My\.Sink: is not a valid sink name/);
  });
});

describe('YAML itself', () => {
  it('a syntax error names the file and line, never the text of the line', async () => {
    const error = await failsFile('sinks:\n  loki:\n    password: "s3cret-value\n    type: loki\n');
    assert.match(error.message, /^ship\.yaml:\d+: YAML syntax error/);
    assert.doesNotMatch(error.message, /s3cret-value/);
    assert.equal(error.file, 'ship.yaml');
    assert.ok(error.line !== undefined && error.line >= 3);
  });

  it('a syntax error never quotes the offending token (it may be a secret)', async () => {
    const error = await failsFile('sinks:\n  loki: { type: loki, password: ${hunter2} }\n');
    assert.match(error.message, /^ship\.yaml:2: YAML syntax error: /);
    assert.match(error.message, /quote values that hold \$\{/);
    assert.doesNotMatch(error.message, /hunter2/);
    assert.equal(error.problems.length, 1);
  });

  it('refuses YAML alias bombs', async () => {
    const lines = ['a: &a [x, x, x, x, x, x, x, x, x, x]'];
    for (const [name, prev] of [
      ['b', 'a'],
      ['c', 'b'],
      ['d', 'c'],
      ['e', 'd'],
    ]) {
      lines.push(`${name}: &${name} [${Array(10).fill(`*${prev}`).join(', ')}]`);
    }
    const error = await failsFile(lines.join('\n') + '\n');
    assert.match(error.message, /too many YAML aliases/);
  });

  it('duplicate keys are an error', async () => {
    const error = await failsFile('log:\n  level: info\n  level: debug\n');
    assert.match(error.message, /ship\.yaml:3: YAML syntax error: Map keys must be unique/);
  });

  it('the file must be a mapping; an empty file is the defaults', async () => {
    assert.match((await failsFile('- a\n- b\n')).message, /ship\.yaml:1: the file must be a mapping/);
    const config = await runFile('# nothing here\n');
    assert.equal(config.sinks[0]?.type, 'stdout');
  });

  it('a "__proto__" key is an unknown key, not a prototype', async () => {
    const error = await failsFile('log:\n  __proto__: { level: debug }\n');
    assert.match(error.message, /log\.__proto__: unknown key/);
  });
});
