/**
 * The delivery loop against failures it must ride out: every retryable reply is retried (with the
 * receiver's Retry-After honoured), forever, and every event reaches the receiver exactly once in a
 * successful request.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { makeRecords } from '../helpers/records.js';
import { startWorkerHarness, type WorkerHarness } from '../helpers/test-codec.js';
import type { ScriptedReply } from '../receivers/scripted-receiver.js';

const turn = () => new Promise<void>((resolve) => setImmediate(resolve));
const never = new AbortController().signal;

function assertAllOnce(h: WorkerHarness, lines: readonly string[]): void {
  assert.deepEqual(h.deliveredLines(), lines, 'every event exactly once in a successful request, in order');
  assert.equal(h.deadLetter.records.length, 0);
  assert.equal(h.sink.delivered, lines.length);
  assert.equal(h.sink.inFlight, 0);
  assert.equal(h.sink.lastError, undefined);
}

/** A reply function that plays `plan` in order, then answers 204. */
const plan =
  (...replies: ScriptedReply[]) =>
  (_lines: string[], index: number): ScriptedReply =>
    replies[index] ?? { status: 204 };

void test('429 with Retry-After: 7 => no new attempt before 7 s of clock time', async () => {
  const records = makeRecords(3);
  const h = await startWorkerHarness({
    records,
    reply: plan({ status: 429, headers: { 'retry-after': '7' } }),
  });
  try {
    const run = h.worker.run(never);
    await h.receiver.waitForRequests(1);
    const waited = await h.clock.nextSleep();
    assert.ok(waited >= 7000, `slept ${waited}`);
    await h.clock.advance(6999);
    await turn();
    assert.equal(h.receiver.requests.length, 1, 'no attempt before Retry-After');
    assert.equal(h.clock.pending(), 1);
    await h.clock.advance(1);
    await run;
    assert.equal(h.receiver.requests.length, 2);
    assertAllOnce(
      h,
      records.map((r) => r.line),
    );
    assert.equal(h.sink.retries.rate_limited, 1);
    assert.deepEqual(h.cursor.commits, [3]);
  } finally {
    await h.close();
  }
});

void test('Retry-After as an HTTP date is honoured', async () => {
  const records = makeRecords(2);
  let retryAt = '';
  const h = await startWorkerHarness({
    records,
    reply: (_lines, index) =>
      index === 0 ? { status: 503, headers: { 'retry-after': retryAt } } : { status: 204 },
  });
  try {
    retryAt = new Date(h.clock.now() + 20_000).toUTCString();
    const run = h.worker.run(never);
    const waited = await h.clock.nextSleep();
    assert.equal(waited, 20_000);
    await h.clock.advance(19_999);
    await turn();
    assert.equal(h.receiver.requests.length, 1);
    await h.clock.advance(1);
    await run;
    assertAllOnce(
      h,
      records.map((r) => r.line),
    );
  } finally {
    await h.close();
  }
});

void test('500, 503, a reset and a reply slower than the timeout are all retried; nothing lost', async () => {
  const records = makeRecords(4);
  const h = await startWorkerHarness({
    records,
    timeoutMs: 200,
    reply: plan({ status: 500 }, { status: 503 }, { reset: true }, { hang: true }),
  });
  try {
    await h.drive(h.worker.run(never));
    assert.equal(h.receiver.requests.length, 5);
    assertAllOnce(
      h,
      records.map((r) => r.line),
    );
    assert.deepEqual(h.sink.retries, { server_error: 2, network: 1, timeout: 1 });
    assert.equal(h.sink.requests, 5);
    assert.deepEqual(h.cursor.commits, [4]);
  } finally {
    await h.close();
  }
});

void test('receiver down (connection refused) for a while, then up => everything delivered once', async () => {
  const records = makeRecords(6);
  const h = await startWorkerHarness({ records, batch: { max_events: 2 } });
  try {
    await h.receiver.down();
    const run = h.worker.run(never);
    for (let i = 0; i < 4; i++) await h.clock.advance(await h.clock.nextSleep());
    const fifthWait = await h.clock.nextSleep();
    assert.equal(h.exchanges.length, 0);
    assert.equal(h.sink.retries.network, 5, 'five refused attempts, each followed by a wait');
    assert.match(h.sink.lastError ?? '', /ECONNREFUSED/);
    assert.deepEqual(h.cursor.commits, []);
    await h.receiver.up();
    await h.clock.advance(fifthWait);
    await h.drive(run);
    assertAllOnce(
      h,
      records.map((r) => r.line),
    );
    assert.deepEqual(h.cursor.commits, [2, 4, 6]);
    assert.equal(
      h.logger.entries.filter((e) => e.level === 'info' && e.message.includes('recovered')).length,
      1,
    );
  } finally {
    await h.close();
  }
});

void test('no retry limit: 60 consecutive 503s then a 204 => delivered; warnings rate-limited', async () => {
  const records = makeRecords(5);
  const h = await startWorkerHarness({
    records,
    retry: { initial_backoff_ms: 1000, max_backoff_ms: 10_000 },
    reply: (_lines, index) => (index < 60 ? { status: 503 } : { status: 204 }),
  });
  try {
    await h.drive(h.worker.run(never));
    assert.equal(h.receiver.requests.length, 61);
    assertAllOnce(
      h,
      records.map((r) => r.line),
    );
    assert.equal(h.sink.retries.server_error, 60);
    const warnings = h.logger.entries.filter((e) => e.level === 'warn');
    // ~9.5 minutes of backoff at 10 s: one warning per 30 s at most, not sixty.
    assert.ok(warnings.length >= 2 && warnings.length <= 21, `${warnings.length} warnings`);
    assert.ok(warnings.slice(1).every((w) => typeof w.fields?.suppressed === 'number'));
    assert.deepEqual(h.cursor.commits, [5]);
  } finally {
    await h.close();
  }
});

void test('backoff grows exponentially with full jitter between attempts', async () => {
  const records = makeRecords(1);
  const h = await startWorkerHarness({
    records,
    random: () => 0.5,
    retry: { initial_backoff_ms: 100, max_backoff_ms: 1000 },
    reply: (_lines, index) => (index < 6 ? { status: 502 } : { status: 204 }),
  });
  try {
    await h.drive(h.worker.run(never));
    assert.deepEqual(h.clock.sleeps, [50, 100, 200, 400, 500, 500]);
  } finally {
    await h.close();
  }
});
