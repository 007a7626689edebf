import { test } from 'node:test';
import assert from 'node:assert/strict';
import { defaultStatusOutcome, statusStep } from '../../src/sinks/status-ladder.js';

test('the default ladder: each status to its step and its default outcome', () => {
  const table: [number, string, string][] = [
    [200, 'success', 'delivered'],
    [204, 'success', 'delivered'],
    [429, 'rate_limited', 'retry'],
    [408, 'request_timeout', 'retry'],
    [500, 'server_error', 'retry'],
    [503, 'server_error', 'retry'],
    [413, 'too_large', 'split'],
    [401, 'unauthorized', 'blocked'],
    [403, 'unauthorized', 'blocked'],
    [404, 'not_found', 'blocked'],
    [301, 'redirect', 'blocked'],
    [400, 'bad_request', 'rejected'],
    [422, 'client_error', 'rejected'],
    [100, 'unexpected', 'retry'],
  ];
  for (const [status, step, kind] of table) {
    assert.equal(statusStep(status), step, `HTTP ${status}`);
    assert.equal(defaultStatusOutcome(statusStep(status), 'r').kind, kind, `HTTP ${status}`);
  }
});

test('retries carry Retry-After when the receiver sent one', () => {
  assert.deepEqual(defaultStatusOutcome('rate_limited', 'slow down', '7'), {
    kind: 'retry',
    class: 'rate_limited',
    reason: 'slow down',
    retryAfter: '7',
  });
  assert.deepEqual(defaultStatusOutcome('request_timeout', 't'), {
    kind: 'retry',
    class: 'timeout',
    reason: 't',
  });
});
