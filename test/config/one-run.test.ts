/**
 * One run reports every problem of the flags, the file, the environment and the files the file
 * names: a user fixes them all at once instead of meeting new ones after each fix. Echoes of a
 * problem already reported (a bad value's later consequences) are left out.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { failsFile } from './helpers.js';

describe('every problem in one run', () => {
  it('reports independent problems of the file, the environment and the flags together', async () => {
    const error = await failsFile(
      [
        'shutdown_timeout: 20', // 1: a duration without a unit
        'buffer:',
        '  fsync: alway', // 3: not one of the values
        '  max_bytes:', // 4: empty
        'sinks:',
        '  loki:',
        '    type: loki',
        '    url: ${LOKI_URL}', // 8: unset variable
        '    tenat: acme', // 9: unknown key
        '    tls: { ca_file: /nonexistent/wirety/ca.pem }', // 10: missing file
        '    headers: { Content-Type: x }', // 11: cross-check
        '',
      ].join('\n'),
      { WIRETY_SHIP_LOKI_TENNANT: 'acme', WIRETY_SHIP_PASSTHROUGH: 'maybe' },
      ['--lokki', 'http://loki:3100', '--loki-password', 'hunter2-secret', '--check-config'],
    );
    const expected = [
      /^- ship\.yaml:1: shutdown_timeout: 20 has no unit: did you mean 20s\?/m,
      /^- ship\.yaml:3: buffer\.fsync: "alway" is not one of always, interval, never; did you mean "always"\?/m,
      /^- ship\.yaml:4: buffer\.max_bytes: has no value/m,
      /^- ship\.yaml:8: sinks\.loki\.url: environment variable LOKI_URL is not set/m,
      /^- ship\.yaml:9: sinks\.loki\.tenat: unknown key; did you mean "tenant"\?/m,
      /^- ship\.yaml:10: sinks\.loki\.tls\.ca_file: cannot read "\/nonexistent\/wirety\/ca\.pem": no such file/m,
      /^- ship\.yaml:11: sinks\.loki\.headers\.Content-Type: is set by wirety-ship itself/m,
      /^- command line \(--lokki\): unknown flag --lokki; did you mean --loki\?/m,
      /^- command line \(--loki-password\): secrets are not accepted as command-line values/m,
      /^- environment variable WIRETY_SHIP_LOKI_TENNANT: is not a wirety-ship setting; did you mean WIRETY_SHIP_LOKI_TENANT\?/m,
      /^- environment variable WIRETY_SHIP_PASSTHROUGH: "maybe" is not a switch value/m,
    ];
    assert.equal(error.problems.length, expected.length, error.message);
    assert.match(error.message, new RegExp(`^${expected.length} problems:\n`));
    for (const pattern of expected) assert.match(error.message, pattern);
    assert.doesNotMatch(error.message, /hunter2-secret/);
  });

  it('leaves out echoes: an unset URL is not also "not a valid URL", an empty one not also "required"', async () => {
    const error = await failsFile(
      [
        'sinks:',
        '  a: { type: loki, url: "${NOT_SET}" }',
        '  b:',
        '    type: loki',
        '    url:',
        '  c: { type: lokki, url: "http://x" }',
        '',
      ].join('\n'),
    );
    assert.deepEqual(
      error.problems.map((p) => `${p.key}: ${p.message}`),
      [
        'sinks.a.url: environment variable NOT_SET is not set',
        'sinks.b.url: has no value',
        'sinks.c.type: unknown sink type "lokki"; did you mean "loki"?',
      ],
    );
  });

  it('checks the rest of a sink whose one value has the wrong type', async () => {
    const error = await failsFile(
      [
        'sinks:',
        '  a:',
        '    type: loki',
        '    url: "http://x"',
        '    batch: { max_events: many }',
        '    auth: { username: u }',
        '',
      ].join('\n'),
    );
    assert.deepEqual(
      error.problems.map((p) => p.key),
      ['sinks.a.batch.max_events', 'sinks.a.auth.username'],
    );
  });
});
