/**
 * The Splunk HEC sink end to end through the shared delivery loop: real transport, real
 * credentials (token file), the HEC test receiver on a socket, and a fake clock the test drives.
 */
import assert from 'node:assert/strict';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import {
  expectedIds,
  MAX_BACKOFF_MS,
  startHecHarness,
  storedIds as ids,
  TOKEN,
  type HecHarnessOptions,
} from './hec-harness.js';

let dir: string;
before(async () => {
  dir = await mkdtemp(join(tmpdir(), 'hec-delivery-'));
});
after(async () => {
  await rm(dir, { recursive: true, force: true });
});

const harness = (options: HecHarnessOptions = {}) => startHecHarness(dir, options);

void describe('Splunk HEC delivery through the shared loop', () => {
  void it('ack false for a while, then true → each event delivered exactly once (gzip on)', async () => {
    const h = await harness({ ack: 'on', gzip: true });
    try {
      h.receiver.setAckDecider((_id, poll) => poll >= 3);
      await h.run(10);
      assert.deepEqual(ids(h.receiver), expectedIds(10));
      assert.equal(h.receiver.requests.at(0)?.headers['content-encoding'], 'gzip');
      assert.deepEqual(h.receiver.acksPolled, [[0], [0], [0], [1], [1], [1]]);
      assert.equal(h.commits.at(-1), 10);
      assert.equal(h.sink.delivered, 10);
      assert.deepEqual(h.deadLetter.records, []);
    } finally {
      await h.close();
    }
  });

  void it('ack never true → the batch is sent again (at-least-once), then delivered', async () => {
    const h = await harness({ ack: 'on' });
    try {
      // The first request's ackId is never confirmed (lost before indexing); later ones are.
      h.receiver.setAckDecider((id) => id !== 0);
      await h.run(5);
      assert.deepEqual(ids(h.receiver), [...expectedIds(5), ...expectedIds(5)]);
      assert.equal(h.receiver.events.at(-1)?.ackId, 1);
      assert.equal(h.sink.retries.ack_timeout, 1);
      assert.equal(h.sink.delivered, 5);
      assert.equal(h.commits.at(-1), 5);
      assert.deepEqual(h.deadLetter.records, []);
    } finally {
      await h.close();
    }
  });

  void it('code 9 (server busy, Retry-After) → waits as told, retried, then delivered', async () => {
    const h = await harness();
    try {
      h.receiver.replyNext({
        status: 503,
        headers: { 'content-type': 'application/json', 'retry-after': '7' },
        body: { text: 'Server is busy', code: 9 },
      });
      await h.run(5);
      assert.deepEqual(ids(h.receiver), expectedIds(5));
      const eventRequests = h.receiver.requests.filter((r) => r.url === '/services/collector/event');
      assert.equal(eventRequests.length, 2);
      assert.ok(h.clock.sleeps.includes(7_000), `Retry-After honoured: ${JSON.stringify(h.clock.sleeps)}`);
      assert.equal(h.sink.retries.rate_limited, 1);
      assert.equal(h.commits.at(-1), 5);
    } finally {
      await h.close();
    }
  });

  void it('code 4 (invalid token) → kept, a loud error, delivered once the token file is fixed', async () => {
    const h = await harness({ fileToken: 'stale-token-from-last-rotation' });
    try {
      const running = h.run(5);
      await h.driveUntil(() => h.logger.entries.some((e) => e.level === 'error'));
      assert.deepEqual(h.receiver.events, []);
      assert.deepEqual(h.deadLetter.records, []);
      assert.ok(h.sink.blockedSinceMs !== undefined);
      await writeFile(h.tokenFile, TOKEN + '\n');
      await running;

      assert.deepEqual(ids(h.receiver), expectedIds(5));
      assert.deepEqual(h.deadLetter.records, []);
      assert.equal(h.commits.at(-1), 5);
      const errors = h.logger.entries.filter((e) => e.level === 'error');
      assert.ok(errors.length >= 1);
      assert.match(JSON.stringify(errors[0]), /HEC code 4: Invalid token/);
      assert.ok(h.clock.sleeps.includes(MAX_BACKOFF_MS), 'blocked waits at the maximum backoff');
      const logged = JSON.stringify(h.logger.entries);
      assert.ok(!logged.includes(TOKEN) && !logged.includes('stale-token'), 'no token in the logs');
      assert.equal(h.sink.blockedSinceMs, undefined);
    } finally {
      await h.close();
    }
  });
});
