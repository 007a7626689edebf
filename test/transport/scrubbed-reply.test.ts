/**
 * Scrubbing changes what is said about a reply, never what is done with it: a secret that also
 * occurs in a reply's own content (a numeric password in `"status":201`, a token spelled like a
 * JSON literal) must not turn a success into an endless retry.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createCredentials } from '../../src/transport/credentials.js';
import { createHttpTransport } from '../../src/transport/http-transport.js';
import type { HttpReply } from '../../src/contract/outcome.js';
import { decideExactly, readBoth, scrubReply, WITHHELD } from '../../src/transport/scrubbed-reply.js';
import { createSecretScrubber } from '../../src/transport/secret-scrubber.js';
import { createSinkWorker } from '../../src/deliver/sink-worker.js';
import { createMemoryLogger } from '../../src/observe/logger.js';
import { createStats, sinkStats } from '../../src/observe/stats.js';
import { createElasticsearchCodec } from '../../src/sinks/elasticsearch/index.js';
import { readAckReply } from '../../src/sinks/splunk-hec/ack-reply.js';
import { createArrayCursor } from '../helpers/array-cursor.js';
import { sinkConfig } from '../helpers/es-harness.js';
import { createFakeClock } from '../helpers/fake-clock.js';
import { createMemoryDeadLetter } from '../helpers/memory-dead-letter.js';
import { makeRecords } from '../helpers/records.js';
import { startBulkReceiver } from '../receivers/bulk-receiver.js';

const never = new AbortController().signal;
const response = (status: number, body: unknown): HttpReply => ({
  kind: 'response',
  status,
  headers: { 'content-type': 'application/json' },
  body: typeof body === 'string' ? body : JSON.stringify(body),
});

/** The shared test sink config, with the small batches and short waits these tests drive. */
const esConfig = (url: string) =>
  sinkConfig(url, {
    batch: { max_events: 100, max_bytes: 5 * 1024 * 1024, max_wait_ms: 1000 },
    retry: {
      initial_backoff_ms: 100,
      max_backoff_ms: 1000,
      max_retry_after_ms: 1000,
      max_network_backoff_ms: 1000,
    },
  });

void test('a reply without secrets is handed on as is and read once', () => {
  const scrubber = createSecretScrubber(() => ['s3cret-value']);
  const reply = scrubReply(response(503, 'busy'), scrubber);
  assert.deepEqual(reply, response(503, 'busy'));
  let reads = 0;
  const { decided, described } = readBoth(reply, () => ++reads);
  assert.equal(reads, 1);
  assert.equal(decided, described);
});

void test('Elasticsearch with the password "201": the bulk reply still counts as delivered, end to end', async () => {
  const receiver = await startBulkReceiver();
  const config = esConfig(receiver.url);
  const credentials = createCredentials({ username: 'elastic', password: '201' })!;
  const transport = createHttpTransport({
    url: receiver.url,
    timeoutMs: 5000,
    gzip: false,
    tls: config.tls,
    credentials,
  });
  const clock = createFakeClock();
  const stats = createStats();
  const deadLetter = createMemoryDeadLetter();
  const records = makeRecords(3);
  const cursor = createArrayCursor(records);
  try {
    const worker = createSinkWorker({
      runtime: {
        name: 'es',
        codec: createElasticsearchCodec(config),
        transport,
        credentials,
        batch: config.batch,
        retry: config.retry,
        maxInFlight: 1,
      },
      cursor,
      clock,
      random: () => 1,
      deadLetter,
      stats,
      logger: createMemoryLogger(),
    });
    // With the reply's `"status":201` scrubbed the bulk reply would not parse, and be retried forever.
    await Promise.race([
      worker.run(never),
      clock.nextSleep().then((ms) => assert.fail(`the worker waited ${ms} ms to retry a delivered batch`)),
    ]);
    assert.equal(sinkStats(stats, 'es').delivered, 3);
    assert.equal(receiver.documents.size, 3);
    assert.equal(receiver.requests.length, 1);
    assert.deepEqual(cursor.commits, [3]);
  } finally {
    await transport.close();
    await receiver.close();
  }
});

void test('the decision comes from the exact reply; words that cannot be shown without the secret are withheld', () => {
  const scrubber = createSecretScrubber(() => ['201']);
  const codec = createElasticsearchCodec(esConfig('http://127.0.0.1:9'));
  const records = makeRecords(2);
  const body = {
    took: 1,
    errors: true,
    items: [
      { create: { _index: 'i', status: 201 } },
      {
        create: {
          _index: 'i',
          status: 400,
          error: { type: 'mapper_parsing_exception', reason: 'bad value 201' },
        },
      },
    ],
  };
  const reply = scrubReply(response(200, body), scrubber);
  // Read naively, the scrubbed reply is no longer JSON: a retry of both documents.
  assert.equal(codec.classify(reply, records).kind, 'retry');
  const outcome = decideExactly(reply, (r) => codec.classify(r, records));
  assert.deepEqual(outcome, {
    kind: 'partial',
    retry: [],
    rejected: [{ index: 1, reason: WITHHELD }],
    retryReason: WITHHELD,
  });
});

void test('words come from the scrubbed reply when both readings agree', () => {
  const scrubber = createSecretScrubber(() => ['hunter2-Xy9']);
  const codec = createElasticsearchCodec(esConfig('http://127.0.0.1:9'));
  const records = makeRecords(1);
  const reply = scrubReply(
    response(400, { error: { type: 'security_exception', reason: 'bad password hunter2-Xy9' }, status: 400 }),
    scrubber,
  );
  assert.deepEqual(
    decideExactly(reply, (r) => codec.classify(r, records)),
    {
      kind: 'rejected',
      reason: '400 security_exception: bad password [redacted]',
    },
  );
});

void test('Splunk ack ids are read from the exact reply, even with a token spelled "true"', () => {
  const scrubber = createSecretScrubber(() => ['true']);
  const reply = scrubReply(response(200, { acks: { '0': true, '1': false } }), scrubber);
  assert.deepEqual(readAckReply(reply), { kind: 'acks', indexed: [0] });
  const refused = scrubReply(response(503, { text: 'Server is busy: true', code: 9 }), scrubber);
  assert.deepEqual(readAckReply(refused), {
    kind: 'failed',
    reason: 'HEC code 9: Server is busy: [redacted] (HTTP 503)',
  });
});
