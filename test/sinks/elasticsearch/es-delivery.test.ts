/**
 * The Elasticsearch sink inside the real delivery loop (createSinkWorker + createHttpTransport)
 * against the faithful `_bulk` receiver: partial failures, Retry-After, 413 splits, gzip and
 * restart resends, each ending with every event stored once or dead-lettered with its reason.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { gunzipSync } from 'node:zlib';
import type { AuditRecord } from '../../../src/audit/record.js';
import type { ElasticsearchSinkConfig } from '../../../src/config/types.js';
import { createHttpTransport } from '../../../src/deliver/http-transport.js';
import { createSinkWorker } from '../../../src/deliver/sink-worker.js';
import { createMemoryLogger } from '../../../src/observe/logger.js';
import { createStats, sinkStats } from '../../../src/observe/stats.js';
import { createElasticsearchCodec } from '../../../src/sinks/elasticsearch/index.js';
import { createArrayCursor, type ArrayCursor } from '../../helpers/array-cursor.js';
import { createFakeClock, type FakeClock } from '../../helpers/fake-clock.js';
import { createMemoryDeadLetter } from '../../helpers/memory-dead-letter.js';
import { makeRecords } from '../../helpers/records.js';
import { startBulkReceiver, type BulkReceiver, type ItemScript } from '../../receivers/bulk-receiver.js';

const INDEX = 'wirety-audit-2025.05.23';
const turn = () => new Promise<void>((resolve) => setImmediate(resolve));

function sinkConfig(url: string, overrides: Partial<ElasticsearchSinkConfig> = {}): ElasticsearchSinkConfig {
  return {
    type: 'elasticsearch',
    name: 'es',
    url,
    index: 'wirety-audit-%Y.%m.%d',
    op: 'create',
    startup_check: false,
    timeout_ms: 5000,
    gzip: false,
    tls: { insecure_skip_verify: false },
    auth: {},
    headers: {},
    batch: { max_events: 1000, max_bytes: 5 * 1024 * 1024, max_wait_ms: 1000 },
    retry: {
      initial_backoff_ms: 100,
      max_backoff_ms: 60_000,
      max_retry_after_ms: 300_000,
      max_network_backoff_ms: 60_000,
    },
    max_in_flight: 1,
    ...overrides,
  };
}

interface Harness {
  readonly receiver: BulkReceiver;
  readonly clock: FakeClock;
  readonly deadLetter: ReturnType<typeof createMemoryDeadLetter>;
  readonly stats: ReturnType<typeof createStats>;
  /** Runs a worker over `records` (a fresh cursor, as after a restart) until all is committed. */
  run(
    records: readonly AuditRecord[],
    options?: { drive?: boolean },
  ): { cursor: ArrayCursor; done: Promise<void> };
  close(): Promise<void>;
}

async function startHarness(overrides: Partial<ElasticsearchSinkConfig> = {}): Promise<Harness> {
  const receiver = await startBulkReceiver();
  const config = sinkConfig(receiver.url, overrides);
  const transport = createHttpTransport({
    url: config.url,
    timeoutMs: config.timeout_ms,
    gzip: config.gzip,
    tls: config.tls,
  });
  const clock = createFakeClock();
  const deadLetter = createMemoryDeadLetter();
  const stats = createStats();
  const controller = new AbortController();
  return {
    receiver,
    clock,
    deadLetter,
    stats,
    run(records, { drive = true } = {}) {
      const cursor = createArrayCursor(records);
      const worker = createSinkWorker({
        name: config.name,
        codec: createElasticsearchCodec(config),
        transport,
        cursor,
        batch: config.batch,
        retry: config.retry,
        maxInFlight: config.max_in_flight,
        clock,
        random: () => 0.5,
        deadLetter,
        stats,
        logger: createMemoryLogger(),
      });
      const running = worker.run(controller.signal);
      return { cursor, done: drive ? driveClock(running, clock) : running };
    },
    async close() {
      controller.abort();
      await transport.close();
      await receiver.close();
    },
  };
}

/**
 * Every wait of the loop ends only when the clock is advanced: advance each one as it starts. A loop
 * that keeps waiting (a regression that retries forever) fails the test instead of hanging it.
 */
async function driveClock(running: Promise<void>, clock: FakeClock, maxWaits = 200): Promise<void> {
  let finished = false;
  const end = running.then(() => {
    finished = true;
  });
  for (let waits = 0; !finished; waits++) {
    if (waits >= maxWaits) throw new Error(`delivery still waiting after ${maxWaits} clock waits`);
    const ms = await Promise.race([clock.nextSleep(), end.then(() => undefined)]);
    if (ms !== undefined) await clock.advance(ms);
  }
  await end;
}

const storedIds = (receiver: BulkReceiver) =>
  [...receiver.documents.keys()].map((key) => key.slice(INDEX.length + 1)).sort();
const ids = (records: readonly AuditRecord[]) => records.map((r) => r.id).sort();

test('one _bulk reply mixing 201, 409, 429, 503 and 400: only 429/503 items resent, 400 dead-lettered, nothing lost or doubled', async () => {
  const h = await startHarness();
  try {
    const records = makeRecords(15);
    const kind = (i: number) => ['new', 'stored', 'rate_limited', 'unavailable', 'bad'][i % 5]!;
    // Items answered 409 must really be stored already (as after an earlier, uncommitted delivery).
    await h.run(records.filter((_, i) => kind(i) === 'stored')).done;
    const first = h.receiver.requests.length;
    assert.equal(h.receiver.documents.size, 3);

    const script: ItemScript = (_doc, i, requestNumber) => {
      if (requestNumber !== first) return undefined; // later requests: behave like Elasticsearch
      return { rate_limited: 429, unavailable: 503, bad: 400 }[kind(i) as 'bad'];
    };
    h.receiver.scriptItems(script);
    const { cursor, done } = h.run(records);
    await done;

    const byKind = (k: string) => records.filter((_, i) => kind(i) === k);
    const sentAgain = [...byKind('rate_limited'), ...byKind('unavailable')];
    assert.deepEqual(
      h.receiver.bulkRequests
        .at(-1)
        ?.items.map((item) => item.action.id)
        .sort(),
      ids(sentAgain),
      'the retry carries exactly the 429 and 503 items',
    );
    for (const r of byKind('new')) assert.equal(h.receiver.sendCount(r.id), 1, `new ${r.id}`);
    for (const r of byKind('stored')) assert.equal(h.receiver.sendCount(r.id), 2, `stored ${r.id}`);
    for (const r of byKind('bad')) assert.equal(h.receiver.sendCount(r.id), 1, `bad ${r.id}`);
    for (const r of sentAgain) assert.equal(h.receiver.sendCount(r.id), 2, `retried ${r.id}`);

    const bad = byKind('bad');
    assert.deepEqual(h.deadLetter.records.map((d) => d.event_id).sort(), ids(bad));
    for (const dl of h.deadLetter.records) {
      assert.equal(dl.reason, 'rejected');
      assert.equal(dl.sink, 'es');
      assert.match(dl.detail, /^400 mapper_parsing_exception: failed to parse field \[time\]/);
      assert.equal(dl.line, records.find((r) => r.id === dl.event_id)!.line);
    }

    // Nothing lost: every event is stored or dead-lettered, never both; none was created twice.
    const good = records.filter((r) => !bad.includes(r));
    assert.deepEqual(storedIds(h.receiver), ids(good));
    const creations = new Map<string, number>();
    for (const req of h.receiver.bulkRequests) {
      req.items.forEach((item, i) => {
        if (req.statuses[i] === 201) creations.set(item.action.id, (creations.get(item.action.id) ?? 0) + 1);
      });
    }
    for (const r of good) assert.equal(creations.get(r.id), 1, `${r.id} created exactly once`);
    for (const r of bad) assert.equal(creations.get(r.id), undefined);
    assert.equal(sinkStats(h.stats, 'es').delivered, 3 + good.length);
    assert.equal(sinkStats(h.stats, 'es').rejected, bad.length);
    assert.deepEqual(cursor.commits.at(-1), 15);
  } finally {
    await h.close();
  }
});

test('whole-request 429 with Retry-After: no new request before the clock passes it', async () => {
  const h = await startHarness();
  try {
    const records = makeRecords(6);
    h.receiver.script({
      status: 429,
      headers: { 'retry-after': '30' },
      body: { error: 'busy', status: 429 },
    });
    const { done } = h.run(records, { drive: false });
    await h.receiver.waitForRequests(1);
    const waited = await h.clock.nextSleep();
    assert.ok(waited >= 30_000, `waited ${waited} ms`);
    await h.clock.advance(29_999);
    await turn();
    assert.equal(h.receiver.requests.length, 1, 'no second request before Retry-After');
    assert.equal(h.clock.pending(), 1);
    await h.clock.advance(1);
    await done;
    assert.equal(h.receiver.requests.length, 2);
    assert.deepEqual(storedIds(h.receiver), ids(records));
    assert.equal(sinkStats(h.stats, 'es').retries.rate_limited, 1);
  } finally {
    await h.close();
  }
});

test('413 is split (never resent as is) until the halves fit; every event stored', async () => {
  const h = await startHarness();
  try {
    const records = makeRecords(8);
    const tooLarge = { status: 413, headers: { connection: 'close' } } as const;
    h.receiver.script(tooLarge, tooLarge);
    await h.run(records).done;
    const sizes = h.receiver.requests.map((r) => r.body.toString('utf8').split('\n').length - 1);
    assert.deepEqual(sizes, [16, 8, 4, 4, 8], 'lines per request: 8 → 4 → 2 + 2, then the other 4');
    assert.deepEqual(storedIds(h.receiver), ids(records));
    for (const r of records) assert.ok(h.receiver.sendCount(r.id) <= 3);
    assert.equal(h.deadLetter.records.length, 0);
  } finally {
    await h.close();
  }
});

for (const gzip of [true, false]) {
  test(`gzip ${gzip ? 'on' : 'off'}: the receiver decodes exactly the encoded body`, async () => {
    const h = await startHarness({ gzip });
    try {
      const records = makeRecords(20);
      await h.run(records).done;
      const [req] = h.receiver.requests;
      const expected = Buffer.from(createElasticsearchCodec(sinkConfig(h.receiver.url)).encode(records).body);
      if (gzip) {
        assert.equal(req?.headers['content-encoding'], 'gzip');
        assert.deepEqual(gunzipSync(req.rawBody), expected);
      } else {
        assert.equal(req?.headers['content-encoding'], undefined);
        assert.deepEqual(req?.rawBody, expected);
      }
      assert.deepEqual(storedIds(h.receiver), ids(records));
    } finally {
      await h.close();
    }
  });
}

test('restart-style resend of already stored events: 409 counts as delivered, no duplicates', async () => {
  const h = await startHarness();
  try {
    const records = makeRecords(10);
    await h.run(records.slice(0, 6)).done;
    const before = new Map(h.receiver.documents);
    // As after a crash before the commit: the new cursor starts over, including the stored six.
    const { cursor, done } = h.run(records);
    await done;
    assert.deepEqual(storedIds(h.receiver), ids(records));
    for (const [key, doc] of before)
      assert.deepEqual(h.receiver.documents.get(key), doc, 'stored docs untouched');
    for (const r of records.slice(0, 6)) assert.equal(h.receiver.sendCount(r.id), 2);
    for (const r of records.slice(6)) assert.equal(h.receiver.sendCount(r.id), 1);
    assert.equal(h.deadLetter.records.length, 0);
    assert.equal(sinkStats(h.stats, 'es').delivered, 16);
    assert.equal(sinkStats(h.stats, 'es').retries.partial, undefined, 'no retry was needed');
    assert.deepEqual(cursor.commits.at(-1), 10);
  } finally {
    await h.close();
  }
});
