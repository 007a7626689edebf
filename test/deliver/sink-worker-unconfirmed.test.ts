/**
 * Deliveries on the receiver's word alone (Outcome `delivered` with `unconfirmed`), and an
 * Acknowledger that cannot confirm at all answering with the outcome that stands for the request:
 * never re-sent when delivered, counted apart, warned about once; held like any configuration
 * fault when blocked.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { Unconfirmed } from '../../src/contract/outcome.js';
import { makeRecords } from '../helpers/records.js';
import { createFakeAcknowledger, defaultRetry, startWorkerHarness } from '../helpers/test-codec.js';

const never = new AbortController().signal;
const note: Unconfirmed = {
  code: 'ack_off',
  message: 'the receiver cannot confirm: counted on its 200',
  detail: 'HTTP 200 without an ackId',
};

void test('an ack answered "delivered, unconfirmed": each batch sent once, counted delivered and apart, one warning', async () => {
  const records = makeRecords(6);
  const acknowledger = createFakeAcknowledger([
    { kind: 'delivered', unconfirmed: note },
    { kind: 'delivered', unconfirmed: note },
    { kind: 'delivered', unconfirmed: note },
  ]);
  const h = await startWorkerHarness({
    records,
    acknowledger,
    batch: { max_events: 2 },
    reply: (_lines, index) => ({ status: 202, body: { ackId: index } }),
  });
  try {
    await h.drive(h.worker.run(never));
    assert.deepEqual(acknowledger.waited, [0, 1, 2]);
    assert.deepEqual(
      h.exchanges.flatMap((e) => e.lines),
      records.map((r) => r.line),
      'each record sent exactly once',
    );
    assert.equal(h.sink.delivered, 6);
    assert.deepEqual(h.sink.unconfirmed, { ack_off: 6 });
    assert.deepEqual(h.sink.retries, {});
    assert.deepEqual(h.cursor.commits.at(-1), 6);
    assert.deepEqual(
      h.logger.entries.map((e) => [e.level, e.message, e.fields]),
      [['warn', note.message, { sink: h.name, reason: note.detail, unconfirmed: 'ack_off' }]],
    );
  } finally {
    await h.close();
  }
});

void test('an ack answered "blocked": held at the maximum backoff with an error, then sent again', async () => {
  const records = makeRecords(2);
  const acknowledger = createFakeAcknowledger([{ kind: 'blocked', reason: 'ack is required' }, true]);
  const h = await startWorkerHarness({
    records,
    acknowledger,
    reply: (_lines, index) => ({ status: 202, body: { ackId: index } }),
  });
  try {
    await h.drive(h.worker.run(never));
    assert.equal(h.receiver.requests.length, 2, 'sent again after the hold');
    assert.ok(h.clock.sleeps.includes(defaultRetry.max_backoff_ms));
    assert.equal(h.sink.retries.blocked, 1);
    assert.deepEqual(h.sink.unconfirmed, {});
    assert.equal(h.sink.delivered, 2);
    assert.equal(h.sink.blockedSinceMs, undefined, 'cleared by the delivery');
    const errors = h.logger.entries.filter((e) => e.level === 'error');
    assert.deepEqual(
      errors.map((e) => e.fields?.reason),
      ['ack is required'],
    );
  } finally {
    await h.close();
  }
});
