import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createSecretScrubber } from '../../src/transport/secret-scrubber.js';
import { echoForms, revealsSecret } from '../helpers/secret-forms.js';

const USER = 'shipper';
const SECRETS = [
  'hunter2-Xy9',
  // Every character class an encoder treats differently: quote, backslash, slash, &, <, >, space,
  // %, +, a Latin-1 letter and an astral emoji (a UTF-16 surrogate pair).
  'Lk9Qv7Wm"pa\\ss/wörd&<x> %+😀',
  "o'neil=pa;ss\ttab",
];

void test('the oracle sees every echo form when nothing is scrubbed', () => {
  for (const secret of SECRETS) {
    for (const [name, form] of Object.entries(echoForms(secret, USER))) {
      assert.notEqual(revealsSecret(`upstream said: ${form}`, secret, USER), undefined, name);
    }
  }
});

void test('every echo form of a secret, alone or inside user:secret, is redacted', () => {
  for (const secret of SECRETS) {
    const scrubber = createSecretScrubber(() => [secret, `${USER}:${secret}`]);
    for (const [name, form] of Object.entries(echoForms(secret, USER))) {
      const text = `upstream said: ${form} (request 42)`;
      const clean = scrubber.scrub(text);
      assert.equal(
        revealsSecret(clean, secret, USER),
        undefined,
        `${name} of ${JSON.stringify(secret)}: ${clean}`,
      );
      assert.match(clean, /\[redacted\]/, name);
      assert.ok(clean.startsWith('upstream said: ') && clean.endsWith(' (request 42)'), `${name}: ${clean}`);
    }
  }
});

void test('a token is redacted in base64 whatever text surrounds it, without being told the user', () => {
  const token = 'tok-7Fq2-Zp9w';
  const scrubber = createSecretScrubber(() => [token]);
  for (const prefix of ['', 'a', 'ab', 'abc', 'user:', 'Bearer ']) {
    const encoded = Buffer.from(`${prefix}${token} and more`).toString('base64');
    const clean = scrubber.scrub(`header was ${encoded}`);
    assert.equal(revealsSecret(clean, token), undefined, `prefix ${JSON.stringify(prefix)}: ${clean}`);
  }
});

void test('text without a secret comes back unchanged', () => {
  const scrubber = createSecretScrubber(() => ['s3cret-value', 'ZZZ']);
  for (const text of [
    '',
    'HTTP 503 Service Unavailable',
    '{"error":{"type":"x","reason":"y"}}',
    'ÿ😀 %41 \\u0041',
  ]) {
    assert.equal(scrubber.scrub(text), text);
  }
  assert.equal(createSecretScrubber(() => []).scrub('anything at all'), 'anything at all');
});

void test('short secrets are redacted too', () => {
  const scrubber = createSecretScrubber(() => ['pw']);
  assert.equal(scrubber.scrub('wrong pw given'), 'wrong [redacted] given');
});

void test('the set follows new secrets and never forgets old ones (a rotated token may still be echoed)', () => {
  let current = ['token-one-AAAA'];
  const scrubber = createSecretScrubber(() => current);
  assert.equal(scrubber.scrub('token-one-AAAA'), '[redacted]');
  current = ['token-two-BBBB'];
  assert.equal(scrubber.scrub('token-two-BBBB / token-one-AAAA'), '[redacted] / [redacted]');
});

void test('a long run of backslashes costs linear time (no catastrophic backtracking)', () => {
  const scrubber = createSecretScrubber(() => ['"quoted\\secret']);
  const text = '\\'.repeat(256 * 1024) + 'x';
  const started = performance.now();
  assert.equal(scrubber.scrub(text), text);
  // Quadratic backtracking takes hours on this input; linear takes milliseconds.
  assert.ok(performance.now() - started < 5000, `${Math.round(performance.now() - started)} ms`);
});
