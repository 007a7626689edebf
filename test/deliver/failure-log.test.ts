import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createFailureLog, WARN_INTERVAL_MS } from '../../src/deliver/failure-log.js';
import { createMemoryLogger } from '../../src/observe/logger.js';
import { createFakeClock } from '../helpers/fake-clock.js';

void test('retry warnings: the first at once, then at most one per interval with the suppressed count', async () => {
  const clock = createFakeClock();
  const logger = createMemoryLogger();
  const log = createFailureLog('loki', logger, clock);
  log.retrying('HTTP 503', 'server_error', 100);
  for (let i = 0; i < 50; i++) log.retrying('HTTP 503', 'server_error', 100);
  assert.equal(logger.entries.length, 1);
  assert.equal(logger.entries[0]!.level, 'warn');
  assert.equal(logger.entries[0]!.fields?.sink, 'loki');
  assert.equal(logger.entries[0]!.fields?.reason, 'HTTP 503');
  await clock.advance(WARN_INTERVAL_MS);
  log.retrying('HTTP 503', 'server_error', 100);
  assert.equal(logger.entries.length, 2);
  assert.equal(logger.entries[1]!.fields?.suppressed, 50);
});

void test('recovery is logged once at info, and the next outage warns at once', () => {
  const clock = createFakeClock();
  const logger = createMemoryLogger();
  const log = createFailureLog('es', logger, clock);
  log.succeeded();
  assert.equal(logger.entries.length, 0, 'no recovery without a failure');
  log.retrying('ECONNREFUSED', 'network', 100);
  log.retrying('ECONNREFUSED', 'network', 100);
  log.succeeded();
  log.succeeded();
  assert.deepEqual(
    logger.entries.map((e) => e.level),
    ['warn', 'info'],
  );
  assert.equal(logger.entries[1]!.fields?.failed_attempts, 2);
  log.retrying('HTTP 429', 'rate_limited', 100);
  assert.equal(logger.entries.length, 3);
});

void test('blocked is an error on every attempt', () => {
  const logger = createMemoryLogger();
  const log = createFailureLog('hec', logger, createFakeClock());
  for (let i = 0; i < 3; i++) log.blocked('HTTP 401', 30_000);
  assert.deepEqual(
    logger.entries.map((e) => [e.level, e.fields?.sink, e.fields?.reason]),
    Array(3).fill(['error', 'hec', 'HTTP 401']),
  );
});

void test("deliveries on the receiver's word alone: one warning per kind per process", () => {
  const clock = createFakeClock();
  const logger = createMemoryLogger();
  const log = createFailureLog('splunk', logger, clock);
  const ackOff = { code: 'ack_off', message: 'ack is off on the token', detail: 'HTTP 200' };
  for (let i = 0; i < 5; i++) log.unconfirmed(ackOff);
  log.unconfirmed({ code: 'non_hec_reply', message: 'not a HEC reply', detail: 'HTTP 204' });
  log.unconfirmed(ackOff);
  assert.deepEqual(
    logger.entries.map((e) => [e.level, e.message, e.fields]),
    [
      ['warn', 'ack is off on the token', { sink: 'splunk', reason: 'HTTP 200', unconfirmed: 'ack_off' }],
      ['warn', 'not a HEC reply', { sink: 'splunk', reason: 'HTTP 204', unconfirmed: 'non_hec_reply' }],
    ],
  );
});
