import { test } from 'node:test';
import assert from 'node:assert/strict';
import { parseRetryAfter } from '../../src/deliver/retry-after.js';

const now = Date.UTC(2025, 4, 23, 12, 0, 0); // Fri, 23 May 2025 12:00:00 GMT

void test('delta-seconds become milliseconds', () => {
  assert.equal(parseRetryAfter('7', now), 7000);
  assert.equal(parseRetryAfter('0', now), 0);
  assert.equal(parseRetryAfter(' 120 ', now), 120_000);
});

void test('IMF-fixdate is the time left until then', () => {
  assert.equal(parseRetryAfter('Fri, 23 May 2025 12:00:30 GMT', now), 30_000);
});

void test('obsolete RFC 850 and asctime dates are understood', () => {
  assert.equal(parseRetryAfter('Friday, 23-May-25 12:01:00 GMT', now), 60_000);
  assert.equal(parseRetryAfter('Fri May 23 12:00:05 2025', now), 5_000);
  assert.equal(parseRetryAfter('Fri May  3 12:00:00 2025', Date.UTC(2025, 4, 3, 11, 59, 0)), 60_000);
});

void test('a date in the past means retry now', () => {
  assert.equal(parseRetryAfter('Thu, 22 May 2025 12:00:00 GMT', now), 0);
});

void test('absent or garbage is undefined', () => {
  for (const value of [
    undefined,
    '',
    'soon',
    '-5',
    '1.5',
    '7s',
    'Fri, 32 May 2025 12:00:00 GMT',
    'Fri, 23 Foo 2025 12:00:00 GMT',
    'hello 2025',
  ]) {
    assert.equal(parseRetryAfter(value, now), undefined, String(value));
  }
});
