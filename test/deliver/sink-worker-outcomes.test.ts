/**
 * The delivery loop acting on each kind of outcome: permanent refusals are dead-lettered with the
 * receiver's reason and never resent; 413 splits; blocked sinks keep their records; partial
 * results resend only what must be retried; acknowledgements decide delivery.
 */
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { DeadLetterRecord } from '../../src/dead-letter/dead-letter.js';
import { createCredentials } from '../../src/transport/credentials.js';
import { makeRecord, makeRecords } from '../helpers/records.js';
import { createFakeAcknowledger, startWorkerHarness } from '../helpers/test-codec.js';

const never = new AbortController().signal;
const turn = () => new Promise<void>((resolve) => setImmediate(resolve));

let dir = '';
before(async () => {
  dir = await mkdtemp(join(tmpdir(), 'wirety-worker-'));
});
after(async () => {
  await rm(dir, { recursive: true, force: true });
});

void test('400 => every record dead-lettered with the receiver message, never resent, committed', async () => {
  const records = makeRecords(3);
  const h = await startWorkerHarness({
    records,
    source: '/var/log/wirety.log',
    reply: () => ({ status: 400, body: 'entry for stream has timestamp too old' }),
  });
  try {
    await h.drive(h.worker.run(never));
    assert.equal(h.receiver.requests.length, 1, 'never resent');
    assert.deepEqual(
      h.deadLetter.records,
      records.map((r): DeadLetterRecord => ({
        reason: 'rejected',
        detail: 'entry for stream has timestamp too old',
        source: '/var/log/wirety.log',
        sink: h.name,
        event_id: r.id,
        seq: r.seq,
        line: r.line,
        line_bytes: r.bytes,
        truncated: false,
      })),
    );
    assert.equal(h.sink.rejected, 3);
    assert.equal(h.sink.delivered, 0);
    assert.equal(h.stats.deadLettered, 3);
    assert.deepEqual(h.cursor.commits, [3]);
    assert.deepEqual(h.clock.sleeps, []);
  } finally {
    await h.close();
  }
});

void test('the dead-letter source label defaults to stdin', async () => {
  const h = await startWorkerHarness({
    records: makeRecords(1),
    reply: () => ({ status: 422, body: 'bad' }),
  });
  try {
    await h.worker.run(never);
    assert.equal(h.deadLetter.records[0]?.source, 'stdin');
  } finally {
    await h.close();
  }
});

void test('413 => split in halves until accepted; all delivered once, in order', async () => {
  const records = makeRecords(5);
  const h = await startWorkerHarness({
    records,
    reply: (lines) => (lines.length > 1 ? { status: 413 } : { status: 204 }),
  });
  try {
    await h.worker.run(never);
    assert.deepEqual(
      h.deliveredLines(),
      records.map((r) => r.line),
    );
    assert.deepEqual(
      h.exchanges.map((e) => e.lines.length),
      [5, 3, 2, 1, 1, 1, 2, 1, 1],
    );
    assert.equal(h.deadLetter.records.length, 0);
    assert.equal(h.sink.delivered, 5);
    assert.deepEqual(h.cursor.commits, [5]);
  } finally {
    await h.close();
  }
});

void test('a single record still too large after splitting is dead-lettered; the rest delivered', async () => {
  const records = makeRecords(4);
  const huge = makeRecord(3, JSON.stringify({ ...records[2]!.event, pad: 'HUGE'.repeat(1000) }));
  records[2] = huge;
  const h = await startWorkerHarness({
    records,
    reply: (lines) => (lines.some((l) => l.includes('HUGE')) ? { status: 413 } : { status: 204 }),
  });
  try {
    await h.worker.run(never);
    assert.deepEqual(h.deliveredLines(), [records[0]!.line, records[1]!.line, records[3]!.line]);
    assert.equal(h.deadLetter.records.length, 1);
    assert.equal(h.deadLetter.records[0]!.seq, 3);
    assert.equal(h.deadLetter.records[0]!.detail, 'too large for the receiver (HTTP 413)');
    assert.equal(h.deadLetter.records[0]!.line, huge.line);
    assert.equal(h.sink.rejected, 1);
    assert.equal(h.sink.delivered, 3);
    assert.deepEqual(h.cursor.commits, [4]);
  } finally {
    await h.close();
  }
});

void test('bisect => halves until each refused record is alone; only it is dead-lettered, with its own reason', async () => {
  const records = makeRecords(8);
  const bad = makeRecord(6, JSON.stringify({ ...records[5]!.event, pad: 'BAD' }));
  records[5] = bad;
  const h = await startWorkerHarness({
    records,
    reply: (lines) =>
      lines.some((l) => l.includes('BAD'))
        ? { status: 400, body: `bisect: ${lines.length} entries, one refused` }
        : { status: 204 },
  });
  try {
    await h.worker.run(never);
    assert.deepEqual(
      h.deliveredLines(),
      records.filter((r) => r !== bad).map((r) => r.line),
    );
    assert.equal(h.deadLetter.records.length, 1);
    assert.equal(h.deadLetter.records[0]!.seq, 6);
    assert.equal(h.deadLetter.records[0]!.detail, 'bisect: 1 entries, one refused');
    // 8 → 4+4 → (2+2) → (1+1): 1 + 2 + 2 + 2 requests, log2(8) levels below the first.
    assert.equal(h.receiver.requests.length, 7);
    assert.equal(h.sink.retries.bisect, 3);
    assert.deepEqual(h.cursor.commits, [8]);
  } finally {
    await h.close();
  }
});

void test('retry with splitAfter => halves once that many came in a row, after the backoff; a lone record keeps retrying', async () => {
  const records = makeRecords(4);
  const tooBig = { status: 429, headers: { 'x-split-after': '2' } };
  const h = await startWorkerHarness({
    records,
    // The whole batch: 429, 503 (the streak starts over), 429, 429 → split. Each half of two:
    // 429, 429 → split. Record 1 alone: 429 twice more, then accepted; the others at once.
    reply: (lines, index) => {
      if (lines.length === 4) return index === 1 ? { status: 503 } : tooBig;
      if (lines.length === 2) return tooBig;
      return lines[0] === records[0]!.line && index < 8 ? tooBig : { status: 204 };
    },
  });
  try {
    await h.drive(h.worker.run(never));
    assert.deepEqual(
      h.exchanges.map((e) => e.lines.length),
      [4, 4, 4, 4, 2, 2, 1, 1, 1, 1, 2, 2, 1, 1],
    );
    assert.deepEqual(h.clock.sleeps, [100, 200, 400, 800, 100, 200, 100, 200, 100, 200]);
    assert.deepEqual(
      h.deliveredLines(),
      records.map((r) => r.line),
    );
    assert.deepEqual(h.deadLetter.records, [], 'never dead-lettered for a retry outcome');
    assert.equal(h.sink.retries.split, 3);
    assert.deepEqual(h.cursor.commits, [4]);
  } finally {
    await h.close();
  }
});

void test('401 => records kept, retried at max backoff, error logged each time, token re-read, blocked state cleared', async () => {
  const tokenFile = join(dir, 'token');
  await writeFile(tokenFile, 'old-token-value\n');
  const credentials = createCredentials({ bearer_token_file: tokenFile })!;
  const records = makeRecords(3);
  const h = await startWorkerHarness({
    records,
    credentials,
    retry: { max_backoff_ms: 30_000 },
    reply: (_lines, _index, request) =>
      request.headers.authorization === 'Bearer new-token-value'
        ? { status: 204 }
        : { status: 401, body: 'invalid token' },
  });
  try {
    const run = h.worker.run(never);
    assert.equal(await h.clock.nextSleep(), 30_000);
    assert.equal(h.sink.blockedSinceMs, h.clock.now());
    // Refused again with the same token: still blocked, a second error.
    await h.clock.advance(30_000);
    assert.equal(await h.clock.nextSleep(), 30_000);
    assert.equal(
      credentials.headers().authorization,
      'Bearer old-token-value',
      'refresh re-read the same token',
    );
    assert.deepEqual(h.cursor.commits, []);
    // The token is rotated during the wait: it is re-read right before the next attempt.
    await writeFile(tokenFile, 'new-token-value\n');
    await h.clock.advance(30_000);
    await run;
    assert.equal(credentials.headers().authorization, 'Bearer new-token-value', 'rotated token picked up');
    const errors = h.logger.entries.filter((e) => e.level === 'error');
    assert.equal(errors.length, 2, 'an error on every blocked attempt');
    for (const e of errors) {
      assert.equal(e.fields?.sink, h.name);
      assert.equal(e.fields?.reason, 'HTTP 401');
    }
    assert.ok(!JSON.stringify(h.logger.entries).includes('token-value'), 'no secret in logs');
    assert.equal(h.sink.blockedSinceMs, undefined);
    assert.equal(h.sink.retries.blocked, 2);
    assert.deepEqual(
      h.deliveredLines(),
      records.map((r) => r.line),
    );
    assert.deepEqual(
      h.receiver.requests.map((r) => r.headers.authorization),
      ['Bearer old-token-value', 'Bearer old-token-value', 'Bearer new-token-value'],
    );
    assert.deepEqual(h.cursor.commits, [3]);
  } finally {
    await h.close();
  }
});

void test('partial => rejected items dead-lettered with their reasons, only retry items resent', async () => {
  const records = makeRecords(5);
  const h = await startWorkerHarness({
    records,
    reply: (_lines, index) =>
      index === 0
        ? { status: 207, body: { retry: [1, 3], rejected: [[0, 'mapper_parsing_exception: field [time]']] } }
        : { status: 204 },
  });
  try {
    await h.drive(h.worker.run(never));
    assert.equal(h.exchanges.length, 2);
    assert.deepEqual(h.exchanges[1]!.lines, [records[1]!.line, records[3]!.line]);
    assert.equal(h.deadLetter.records.length, 1);
    assert.equal(h.deadLetter.records[0]!.seq, 1);
    assert.equal(h.deadLetter.records[0]!.detail, 'mapper_parsing_exception: field [time]');
    assert.equal(h.sink.delivered, 4);
    assert.equal(h.sink.rejected, 1);
    assert.equal(h.sink.retries.partial, 1);
    assert.deepEqual(h.cursor.commits, [5]);
  } finally {
    await h.close();
  }
});

void test('partial with blocked items => delivered ones counted and never resent; the rest kept at max backoff, sink blocked, error logged', async () => {
  const records = makeRecords(5);
  const h = await startWorkerHarness({
    records,
    retry: { max_backoff_ms: 30_000 },
    reply: (_lines, index) =>
      index === 0
        ? {
            status: 207,
            body: {
              retry: [1, 3],
              rejected: [[4, 'mapper_parsing_exception']],
              blocked: 'no such index [a]',
            },
          }
        : { status: 204 },
  });
  try {
    const run = h.worker.run(never);
    assert.equal(await h.clock.nextSleep(), 30_000, 'the blocked wait, not a jittered backoff');
    assert.equal(h.sink.delivered, 2, 'the delivered items count at once');
    assert.equal(h.sink.rejected, 1);
    assert.equal(h.sink.blockedSinceMs, h.clock.now());
    assert.equal(h.sink.lastError, 'no such index [a]');
    const errors = h.logger.entries.filter((e) => e.level === 'error');
    assert.equal(errors.length, 1);
    assert.equal(errors[0]!.fields?.reason, 'no such index [a]');
    assert.deepEqual(h.cursor.commits, [], 'kept: nothing committed while blocked');
    await h.clock.advance(30_000);
    await run;
    assert.deepEqual(
      h.exchanges[1]!.lines,
      [records[1]!.line, records[3]!.line],
      'only the kept items resent',
    );
    assert.equal(h.exchanges.length, 2);
    assert.equal(h.sink.delivered, 4);
    assert.equal(h.sink.blockedSinceMs, undefined, 'unblocked once they went through');
    assert.equal(h.sink.retries.blocked, 1);
    assert.equal(h.sink.retries.partial, undefined);
    assert.deepEqual(h.cursor.commits, [5]);
  } finally {
    await h.close();
  }
});

void test('awaiting_ack: an acknowledged batch is delivered without resending', async () => {
  const records = makeRecords(2);
  const acknowledger = createFakeAcknowledger([true]);
  const h = await startWorkerHarness({
    records,
    acknowledger,
    reply: () => ({ status: 202, body: { ackId: 7 } }),
  });
  try {
    await h.worker.run(never);
    assert.deepEqual(acknowledger.waited, [7]);
    assert.equal(h.receiver.requests.length, 1);
    assert.equal(h.sink.delivered, 2);
    assert.deepEqual(h.cursor.commits, [2]);
  } finally {
    await h.close();
  }
});

void test('awaiting_ack: an ack that never came => the same records are sent again', async () => {
  const records = makeRecords(2);
  const acknowledger = createFakeAcknowledger([false, true]);
  const h = await startWorkerHarness({
    records,
    acknowledger,
    reply: (_lines, index) => ({ status: 202, body: { ackId: index + 1 } }),
  });
  try {
    await h.drive(h.worker.run(never));
    assert.deepEqual(acknowledger.waited, [1, 2]);
    assert.deepEqual(
      h.exchanges.map((e) => e.lines),
      [records.map((r) => r.line), records.map((r) => r.line)],
    );
    assert.equal(h.sink.retries.ack_timeout, 1);
    assert.equal(h.sink.delivered, 2);
    assert.deepEqual(h.cursor.commits, [2]);
  } finally {
    await h.close();
  }
});

void test('a dead-letter write is awaited before the batch counts as final', async () => {
  let release!: () => void;
  let started!: () => void;
  const written: DeadLetterRecord[] = [];
  const gate = new Promise<void>((resolve) => (release = resolve));
  const writeStarted = new Promise<void>((resolve) => (started = resolve));
  const slowDeadLetter = {
    write: async (more: readonly DeadLetterRecord[]) => {
      started();
      await gate;
      written.push(...more);
    },
    close: () => Promise.resolve(),
  };
  const h = await startWorkerHarness({
    records: makeRecords(2),
    deadLetter: slowDeadLetter,
    reply: () => ({ status: 400, body: 'nope' }),
  });
  try {
    const run = h.worker.run(never);
    await writeStarted;
    for (let i = 0; i < 5; i++) await turn();
    assert.deepEqual(h.cursor.commits, [], 'not committed while the dead-letter write is pending');
    release();
    await run;
    assert.equal(written.length, 2);
    assert.deepEqual(h.cursor.commits, [2]);
    assert.equal(h.stats.deadLettered, 2);
  } finally {
    await h.close();
  }
});
