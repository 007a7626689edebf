import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { interpolateString, interpolateTree } from '../../src/config/interpolate.js';
import { failsFile, runFile, sink } from './helpers.js';

describe('interpolateString', () => {
  const env = { HOST: 'loki', EMPTY: '', PORT: '3100' };
  const value = (text: string) => {
    const result = interpolateString(text, env);
    assert.ok('value' in result, `unexpected problem for ${text}`);
    return result.value;
  };

  it('replaces ${VAR} with the variable, several times in one value', () => {
    assert.equal(value('http://${HOST}:${PORT}'), 'http://loki:3100');
  });

  it('uses the default when the variable is unset or empty, the value otherwise', () => {
    assert.equal(value('${NOPE:-fallback}'), 'fallback');
    assert.equal(value('${EMPTY:-fallback}'), 'fallback');
    assert.equal(value('${HOST:-fallback}'), 'loki');
    assert.equal(value('${NOPE:-}'), '');
  });

  it('keeps a set-but-empty variable without default as an empty string', () => {
    assert.equal(value('[${EMPTY}]'), '[]');
  });

  it('treats $${ as a literal ${ and leaves other dollars alone', () => {
    assert.equal(value('$${HOST}'), '${HOST}');
    assert.equal(value('price $5 and $$'), 'price $5 and $$');
  });

  it('does not scan substituted text again', () => {
    const result = interpolateString('${A}', { A: '${B}', B: 'no' });
    assert.deepEqual(result, { value: '${B}' });
  });

  it('reports an unset variable by name, without echoing a default or a value', () => {
    const result = interpolateString('${MISSING}', env);
    assert.ok('problem' in result);
    assert.match(result.problem.message, /environment variable MISSING is not set/);
  });

  it('reports malformed expressions without echoing their text', () => {
    for (const text of ['${PW:hunter2}', '${1X}', 'abc ${OPEN']) {
      const result = interpolateString(text, env);
      assert.ok('problem' in result, text);
      assert.doesNotMatch(JSON.stringify(result), /hunter2/);
    }
  });
});

describe('interpolateTree', () => {
  it('substitutes in values only, never in keys, and lists every variable referenced', () => {
    const result = interpolateTree({ '${KEY}': '${VAL}', list: ['${VAL}', 5, true] }, { KEY: 'k', VAL: 'v' });
    assert.deepEqual(result.value, { '${KEY}': 'v', list: ['v', 5, true] });
    assert.deepEqual([...result.variables].sort(), ['VAL']);
    assert.deepEqual(result.problems, []);
  });

  it('gives the key path of each problem', () => {
    const result = interpolateTree({ sinks: { loki: { tenant: '${NOPE}' } } }, {});
    assert.deepEqual(result.problems[0]?.path, ['sinks', 'loki', 'tenant']);
  });
});

describe('interpolation in the config file', () => {
  const file = [
    'sinks:',
    '  splunk:',
    '    type: splunk_hec',
    '    url: ${SPLUNK_URL:-https://splunk.example:8088}',
    '    token: ${TOKEN}',
    '    sourcetype: ${SOURCETYPE}',
    '    source: "$${not_a_var}"',
    '    max_in_flight: ${IN_FLIGHT:-4}',
    '',
  ].join('\n');

  it('fills values, defaults and escapes; a number from a variable becomes a number', async () => {
    const config = await runFile(file, { TOKEN: 'tok', SOURCETYPE: 'st' });
    const splunk = sink(config, 'splunk', 'splunk_hec');
    assert.equal(splunk.url, 'https://splunk.example:8088');
    assert.equal(splunk.token, 'tok');
    assert.equal(splunk.sourcetype, 'st');
    assert.equal(splunk.source, '${not_a_var}');
    assert.equal(splunk.max_in_flight, 4);
  });

  it('cannot inject YAML structure through a variable', async () => {
    const injected = 'x\nindex: evil\ntoken_file: /etc/passwd';
    const config = await runFile(file, { TOKEN: 'tok', SOURCETYPE: injected });
    const splunk = sink(config, 'splunk', 'splunk_hec');
    assert.equal(splunk.sourcetype, injected);
    assert.equal(splunk.index, undefined);
    assert.equal(splunk.token_file, undefined);
    const flow = await runFile(file, { TOKEN: 'tok', SOURCETYPE: '{a: 1}' });
    assert.equal(sink(flow, 'splunk', 'splunk_hec').sourcetype, '{a: 1}');
  });

  it('reports an unset variable with its name, the key and the file line', async () => {
    const error = await failsFile(file, { SOURCETYPE: 'st' });
    assert.match(error.message, /^ship\.yaml:5: sinks\.splunk\.token: environment variable TOKEN is not set/);
    assert.equal(error.key, 'sinks.splunk.token');
    assert.equal(error.line, 5);
    assert.equal(error.file, 'ship.yaml');
  });

  it('does not substitute in keys', async () => {
    const error = await failsFile('sinks:\n  ${NAME}:\n    type: stdout\n', { NAME: 'out' });
    assert.match(error.message, /sinks\.\$\{NAME\}: is not a valid sink name/);
  });

  it('never reports a variable the file references as an unknown WIRETY_SHIP_ setting', async () => {
    const config = await runFile(file.replace('${TOKEN}', '${WIRETY_SHIP_MY_TOKEN}'), {
      WIRETY_SHIP_MY_TOKEN: 'tok',
      SOURCETYPE: 'st',
    });
    assert.equal(sink(config, 'splunk', 'splunk_hec').token, 'tok');
  });
});
