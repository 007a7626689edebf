import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { Outcome } from '../../src/deliver/outcome.js';
import { createRetryPolicy } from '../../src/deliver/retry-policy.js';

const config = { initial_backoff_ms: 100, max_backoff_ms: 10_000, max_retry_after_ms: 60_000 };
const now = Date.UTC(2025, 4, 23, 12, 0, 0);
const retry = (retryAfter?: string): Outcome => ({
  kind: 'retry',
  class: 'server_error',
  reason: 'HTTP 503',
  ...(retryAfter === undefined ? {} : { retryAfter }),
});
const partial: Outcome = { kind: 'partial', retry: [0], rejected: [], retryReason: 'item 429' };
const blocked: Outcome = { kind: 'blocked', reason: 'HTTP 401' };

void test('exponential backoff with full jitter, capped at max_backoff_ms', () => {
  // [attempt, random, expected]
  const table: [number, number, number][] = [
    [0, 0, 0],
    [0, 0.5, 50],
    [0, 1, 100],
    [1, 1, 200],
    [3, 0.5, 400],
    [6, 1, 6400],
    [7, 1, 10_000],
    [7, 0.5, 5_000],
    [20, 1, 10_000],
    [1000, 1, 10_000],
    [Number.MAX_SAFE_INTEGER, 0.5, 5_000],
  ];
  for (const [attempt, r, expected] of table) {
    const policy = createRetryPolicy(config, () => r);
    for (const outcome of [retry(), partial]) {
      const delay = policy.delayFor(outcome, attempt, now);
      assert.equal(delay, expected, `${outcome.kind} attempt ${attempt} random ${r}`);
      assert.ok(Number.isFinite(delay));
    }
  }
});

void test('blocked waits the maximum backoff whatever the attempt or random', () => {
  for (const r of [0, 0.5, 1]) {
    for (const attempt of [0, 5, 10_000]) {
      assert.equal(createRetryPolicy(config, () => r).delayFor(blocked, attempt, now), 10_000);
    }
  }
});

void test('a partial with blocked items waits the maximum backoff, even with a shorter Retry-After', () => {
  const partialBlocked: Outcome = { ...partial, blockedReason: 'no such index', retryAfter: '1' };
  for (const r of [0, 0.5, 1]) {
    for (const attempt of [0, 5]) {
      assert.equal(createRetryPolicy(config, () => r).delayFor(partialBlocked, attempt, now), 10_000);
    }
  }
});

void test('Retry-After (seconds or date) is never undercut, and capped at max_retry_after_ms', () => {
  const cases: [Outcome, number, number, number][] = [
    // outcome, attempt, random, expected
    [retry('7'), 0, 0, 7000],
    [retry('7'), 0, 1, 7000], // backoff 100 < 7000
    [retry('7'), 10, 1, 10_000], // backoff 10000 > 7000: the longer one wins
    [retry('Fri, 23 May 2025 12:00:30 GMT'), 0, 0.5, 30_000],
    [retry('Thu, 22 May 2025 12:00:00 GMT'), 0, 1, 100], // past date: backoff alone
    [retry('3600'), 0, 0, 60_000], // capped
    [retry('garbage'), 2, 1, 400],
    [{ ...partial, retryAfter: '20' }, 0, 0, 20_000],
  ];
  for (const [outcome, attempt, r, expected] of cases) {
    assert.equal(
      createRetryPolicy(config, () => r).delayFor(outcome, attempt, now),
      expected,
      JSON.stringify(outcome),
    );
  }
});

void test('there is no attempt limit: a huge attempt number still yields a finite delay to retry after', () => {
  const policy = createRetryPolicy(config, () => 1);
  for (const attempt of [60, 1e6, 1e300, Infinity]) {
    const delay = policy.delayFor(retry(), attempt, now);
    assert.equal(delay, 10_000);
  }
});

void test('a zero initial backoff does not turn into NaN at huge attempts', () => {
  const policy = createRetryPolicy({ ...config, initial_backoff_ms: 0 }, () => 1);
  assert.equal(policy.delayFor(retry(), 10, now), 0);
  assert.equal(policy.delayFor(retry(), 5000, now), 0);
  assert.equal(policy.delayFor(retry(), Infinity, now), 0);
});
