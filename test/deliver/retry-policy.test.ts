import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { Outcome } from '../../src/contract/outcome.js';
import { createRetryPolicy } from '../../src/deliver/retry-policy.js';

const config = {
  initial_backoff_ms: 100,
  max_backoff_ms: 10_000,
  max_retry_after_ms: 60_000,
  max_network_backoff_ms: 2_000,
};
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

const network: Outcome = { kind: 'retry', class: 'network', reason: 'ECONNREFUSED' };

void test('a connection failure waits at most max_network_backoff_ms (or max_backoff_ms when smaller)', () => {
  // [attempt, random, expected] with max_network_backoff_ms 2000 under max_backoff_ms 10000
  const table: [number, number, number][] = [
    [0, 1, 100],
    [3, 1, 800],
    [4, 1, 1600],
    [5, 1, 2000],
    [5, 0.5, 1000],
    [1000, 1, 2000],
  ];
  for (const [attempt, r, expected] of table) {
    assert.equal(
      createRetryPolicy(config, () => r).delayFor(network, attempt, now),
      expected,
      `attempt ${attempt}`,
    );
  }
  const smallMax = createRetryPolicy({ ...config, max_backoff_ms: 1500 }, () => 1);
  assert.equal(smallMax.delayFor(network, 50, now), 1500);
  // Other classes keep the full cap.
  assert.equal(createRetryPolicy(config, () => 1).delayFor(retry(), 50, now), 10_000);
});

void test('batchBackoff: connection failures and the receiver’s own failures are separate streaks', () => {
  const backoff = createRetryPolicy(config, () => 1).batchBackoff();
  const waits = [network, network, network, network, network, network].map((o) => backoff.next(o, now));
  assert.deepEqual(waits, [100, 200, 400, 800, 1600, 2000]);
  // The receiver answers: its 503s start from initial_backoff, not from the outage's count.
  assert.deepEqual(
    [retry(), retry(), retry()].map((o) => backoff.next(o, now)),
    [100, 200, 400],
  );
  // A reply reset the connection streak; the receiver streak goes on where it was.
  assert.deepEqual(
    [network, retry()].map((o) => backoff.next(o, now)),
    [100, 800],
  );
});

void test('batchBackoff: a wait set by Retry-After restarts the receiver streak; a shorter Retry-After does not', () => {
  const backoff = createRetryPolicy(config, () => 1).batchBackoff();
  assert.deepEqual(
    [retry(), retry(), retry()].map((o) => backoff.next(o, now)),
    [100, 200, 400],
  );
  assert.equal(
    backoff.next(retry('5'), now),
    5000,
    'Retry-After 5 s is longer than the backoff: it sets the wait',
  );
  assert.equal(backoff.next(retry(), now), 100, 'the next 503 starts from initial_backoff again');
  assert.equal(backoff.next(retry(), now), 200);
  // Retry-After: 0 is shorter than our backoff: ours applies and the streak keeps growing.
  assert.deepEqual(
    [retry('0'), retry('0'), retry()].map((o) => backoff.next(o, now)),
    [400, 800, 1600],
  );
  // Blocked waits the maximum and counts as a failure of the receiver.
  assert.equal(backoff.next(blocked, now), 10_000);
  assert.equal(backoff.next(retry(), now), 6400);
});
