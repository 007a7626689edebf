/**
 * The Splunk HEC sink end to end through the shared delivery loop: real transport, real
 * credentials (token file), the HEC test receiver on a socket, and a fake clock the test drives.
 */
import assert from 'node:assert/strict';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import type { SplunkHecSinkConfig } from '../../../src/config/types.js';
import { createCredentials } from '../../../src/deliver/credentials.js';
import { createHttpTransport } from '../../../src/deliver/http-transport.js';
import { createSinkWorker } from '../../../src/deliver/sink-worker.js';
import { createMemoryLogger } from '../../../src/observe/logger.js';
import { createStats, sinkStats } from '../../../src/observe/stats.js';
import {
  createHecAcknowledger,
  createSplunkHecCodec,
  newChannelId,
} from '../../../src/sinks/splunk-hec/index.js';
import { createArrayCursor } from '../../helpers/array-cursor.js';
import { createFakeClock, type FakeClock } from '../../helpers/fake-clock.js';
import { createMemoryDeadLetter } from '../../helpers/memory-dead-letter.js';
import { makeRecords } from '../../helpers/records.js';
import { startHecReceiver, type HecReceiver } from '../../receivers/hec-receiver.js';

const TOKEN = '3f1e9c1a-hec-delivery-token';
const MAX_BACKOFF_MS = 30_000;
const POLL_MS = 1_000;
const ACK_TIMEOUT_MS = 10_000;

let dir: string;
before(async () => {
  dir = await mkdtemp(join(tmpdir(), 'hec-delivery-'));
});
after(async () => {
  await rm(dir, { recursive: true, force: true });
});

function hecConfig(url: string, ack: boolean, gzip: boolean): SplunkHecSinkConfig {
  return {
    type: 'splunk_hec',
    name: 'splunk',
    url,
    timeout_ms: 5_000,
    gzip,
    tls: { insecure_skip_verify: false },
    auth: {},
    headers: {},
    batch: { max_events: 5, max_bytes: 1 << 20, max_wait_ms: 1_000 },
    retry: {
      initial_backoff_ms: 200,
      max_backoff_ms: MAX_BACKOFF_MS,
      max_retry_after_ms: 60_000,
      max_network_backoff_ms: MAX_BACKOFF_MS,
    },
    max_in_flight: 1,
    host: 'ship-1',
    source: 'wirety',
    sourcetype: 'wirety:audit',
    indexed_fields: ['action'],
    ack: { enabled: ack, poll_interval_ms: POLL_MS, timeout_ms: ACK_TIMEOUT_MS },
  };
}

/** Real time the sink may spend neither finishing nor sleeping before the test fails as stuck. */
const STUCK_MS = 5_000;

/** Advances the fake clock through every sleep the sink starts, in order, until `until` holds. */
async function driveUntil(clock: FakeClock, cursor: { next: number }, until: () => boolean): Promise<void> {
  let since = Date.now();
  while (!until()) {
    if (cursor.next < clock.sleeps.length) {
      await clock.advance(clock.sleeps[cursor.next++]!);
      since = Date.now();
    } else if (Date.now() - since > STUCK_MS) {
      throw new Error(
        `stuck: the sink neither finished nor slept (sleeps so far: ${clock.sleeps.join(', ')})`,
      );
    } else {
      await new Promise((resolve) => setTimeout(resolve, 1));
    }
  }
}

interface Harness {
  readonly receiver: HecReceiver;
  readonly clock: FakeClock;
  readonly logger: ReturnType<typeof createMemoryLogger>;
  readonly deadLetter: ReturnType<typeof createMemoryDeadLetter>;
  readonly stats: ReturnType<typeof createStats>;
  readonly commits: number[];
  readonly tokenFile: string;
  /** Runs the sink over `count` records until it has committed them all. */
  run(count: number): Promise<void>;
  /** Drives the clock until `until` holds (while `run` is in progress). */
  driveUntil(until: () => boolean): Promise<void>;
  close(): Promise<void>;
}

async function harness(
  options: { ack?: boolean; gzip?: boolean; fileToken?: string } = {},
): Promise<Harness> {
  const receiver = await startHecReceiver({ ack: options.ack ?? false, token: TOKEN });
  const tokenFile = join(dir, `token-${Math.random().toString(36).slice(2)}`);
  await writeFile(tokenFile, (options.fileToken ?? TOKEN) + '\n');
  const config = hecConfig(receiver.url, options.ack ?? false, options.gzip ?? false);
  const clock = createFakeClock();
  const logger = createMemoryLogger();
  const deadLetter = createMemoryDeadLetter();
  const stats = createStats();
  const credentials = createCredentials({}, { scheme: 'Splunk', tokenFile })!;
  const transport = createHttpTransport({
    url: config.url,
    timeoutMs: config.timeout_ms,
    gzip: config.gzip,
    tls: config.tls,
    credentials,
  });
  const channel = newChannelId();
  const acknowledger = config.ack.enabled
    ? createHecAcknowledger({
        transport,
        channel,
        clock,
        pollIntervalMs: POLL_MS,
        timeoutMs: ACK_TIMEOUT_MS,
        logger,
      })
    : undefined;
  const commits: number[] = [];
  const sleepCursor = { next: 0 };
  return {
    receiver,
    clock,
    logger,
    deadLetter,
    stats,
    commits,
    tokenFile,
    driveUntil: (until) => driveUntil(clock, sleepCursor, until),
    async run(count) {
      const cursor = createArrayCursor(makeRecords(count));
      const worker = createSinkWorker({
        name: config.name,
        codec: createSplunkHecCodec(config, { channel }),
        transport,
        credentials,
        ...(acknowledger ? { acknowledger } : {}),
        cursor,
        batch: config.batch,
        retry: config.retry,
        maxInFlight: config.max_in_flight,
        clock,
        random: () => 0.5,
        deadLetter,
        stats,
        logger,
      });
      let done = false;
      const running = worker.run(new AbortController().signal).finally(() => (done = true));
      await driveUntil(clock, sleepCursor, () => done);
      await running;
      commits.push(...cursor.commits);
    },
    async close() {
      await acknowledger?.close();
      await transport.close();
      await receiver.close();
    },
  };
}

const ids = (receiver: HecReceiver) => receiver.events.map((e) => e.fields?.event_id);
const expectedIds = (n: number) => makeRecords(n).map((r) => r.id);

void describe('Splunk HEC delivery through the shared loop', () => {
  void it('ack false for a while, then true → each event delivered exactly once (gzip on)', async () => {
    const h = await harness({ ack: true, gzip: true });
    try {
      h.receiver.setAckDecider((_id, poll) => poll >= 3);
      await h.run(10);
      assert.deepEqual(ids(h.receiver), expectedIds(10));
      assert.equal(h.receiver.requests.at(0)?.headers['content-encoding'], 'gzip');
      assert.deepEqual(h.receiver.acksPolled, [[0], [0], [0], [1], [1], [1]]);
      assert.equal(h.commits.at(-1), 10);
      assert.equal(sinkStats(h.stats, 'splunk').delivered, 10);
      assert.deepEqual(h.deadLetter.records, []);
    } finally {
      await h.close();
    }
  });

  void it('ack never true → the batch is sent again (at-least-once), then delivered', async () => {
    const h = await harness({ ack: true });
    try {
      // The first request's ackId is never confirmed (lost before indexing); later ones are.
      h.receiver.setAckDecider((id) => id !== 0);
      await h.run(5);
      assert.deepEqual(ids(h.receiver), [...expectedIds(5), ...expectedIds(5)]);
      assert.equal(h.receiver.events.at(-1)?.ackId, 1);
      assert.equal(sinkStats(h.stats, 'splunk').retries.ack_timeout, 1);
      assert.equal(sinkStats(h.stats, 'splunk').delivered, 5);
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
      assert.equal(sinkStats(h.stats, 'splunk').retries.rate_limited, 1);
      assert.equal(h.commits.at(-1), 5);
    } finally {
      await h.close();
    }
  });

  void it('code 6 (invalid data format) → dead-lettered with the reason, never resent', async () => {
    const h = await harness();
    try {
      h.receiver.replyNext(6);
      await h.run(5);
      assert.equal(h.receiver.requests.length, 1);
      assert.deepEqual(
        h.deadLetter.records.map((r) => [r.reason, r.detail, r.sink, r.event_id]),
        expectedIds(5).map((id) => ['rejected', 'HEC code 6: Invalid data format', 'splunk', id]),
      );
      assert.equal(h.commits.at(-1), 5, 'dead-lettered records are final');
      assert.equal(sinkStats(h.stats, 'splunk').rejected, 5);
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
      assert.ok(sinkStats(h.stats, 'splunk').blockedSinceMs !== undefined);
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
      assert.equal(sinkStats(h.stats, 'splunk').blockedSinceMs, undefined);
    } finally {
      await h.close();
    }
  });
});
