/**
 * A record the sink cannot encode never stops the sink: it is dead-lettered as encode_failed (for
 * this sink only) and every other record of its batch is delivered. Omitted values are counted once
 * per event however often its batch is re-encoded.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { AuditRecord } from '../../src/audit/record.js';
import { createEncodeGuard } from '../../src/deliver/encode-guard.js';
import { createMemoryLogger } from '../../src/observe/logger.js';
import { createStats, sinkStats } from '../../src/observe/stats.js';
import { createElasticsearchCodec } from '../../src/sinks/elasticsearch/index.js';
import type { SinkCodec } from '../../src/contract/sink.js';
import { makeRecords, nestedArrays, recordWithRawFields } from '../helpers/records.js';
import { createTestCodec, startWorkerHarness } from '../helpers/test-codec.js';

const never = new AbortController().signal;
const POISON = 'poison-peer';

/** The test codec, but encode throws (as JSON.stringify would) for any batch holding a poisoned record. */
function poisoned(codec: SinkCodec, calls: (readonly AuditRecord[])[] = []): SinkCodec {
  return {
    ...codec,
    encode(records) {
      calls.push(records);
      if (records.some((r) => r.line.includes(POISON))) {
        throw new RangeError('Maximum call stack size exceeded');
      }
      return codec.encode(records);
    },
  };
}

/** n records; those at the given 1-based seqs carry the poison. */
function recordsWithPoisonAt(n: number, seqs: readonly number[]): AuditRecord[] {
  return makeRecords(n).map((r) =>
    seqs.includes(r.seq)
      ? { ...r, line: r.line.replace(/"peer_name":"[^"]*"/, `"peer_name":"${POISON}"`) }
      : r,
  );
}

function guard(codec: SinkCodec) {
  const stats = createStats();
  const logger = createMemoryLogger();
  const sink = sinkStats(stats, 'sink');
  return { sink, logger, guard: createEncodeGuard({ name: 'sink', codec, sink, logger }) };
}

void test('delivery loop: the unencodable records are dead-lettered as encode_failed, the rest delivered once', async () => {
  const records = recordsWithPoisonAt(10, [4, 7]);
  const h = await startWorkerHarness({ records, wrapCodec: (c) => poisoned(c) });
  try {
    await h.drive(h.worker.run(never)); // before the guard: rejected with the RangeError
    assert.deepEqual(
      h.deadLetter.records.map((d) => [d.reason, d.seq, d.event_id, d.sink, d.detail, d.line]),
      [4, 7].map((seq) => [
        'encode_failed',
        seq,
        `test-${seq}`,
        h.name,
        'RangeError: Maximum call stack size exceeded',
        records[seq - 1]!.line,
      ]),
    );
    assert.deepEqual(
      h.deliveredLines(),
      records.filter((r) => ![4, 7].includes(r.seq)).map((r) => r.line),
    );
    assert.equal(h.receiver.requests.length, 1, 'the rest went out in one request');
    assert.deepEqual(
      { delivered: h.sink.delivered, encodeFailed: h.sink.encodeFailed, rejected: h.sink.rejected },
      { delivered: 8, encodeFailed: 2, rejected: 0 },
    );
    assert.equal(h.stats.deadLettered, 2);
    assert.deepEqual(h.cursor.commits, [10], 'committed past the dead-lettered ones');
    assert.equal(
      h.logger.entries.filter((e) => e.level === 'error' && /dead-lettered as encode_failed/.test(e.message))
        .length,
      2,
    );
  } finally {
    await h.close();
  }
});

void test('delivery loop: a batch of only unencodable records is all dead-lettered, nothing sent', async () => {
  const records = recordsWithPoisonAt(3, [1, 2, 3]);
  const h = await startWorkerHarness({ records, wrapCodec: (c) => poisoned(c) });
  try {
    await h.drive(h.worker.run(never));
    assert.equal(h.receiver.requests.length, 0);
    assert.deepEqual(
      h.deadLetter.records.map((d) => d.reason),
      ['encode_failed', 'encode_failed', 'encode_failed'],
    );
    assert.deepEqual(h.cursor.commits, [3]);
  } finally {
    await h.close();
  }
});

void test('delivery loop: a retried batch does not dead-letter the unencodable record twice', async () => {
  const records = recordsWithPoisonAt(5, [2]);
  const h = await startWorkerHarness({
    records,
    wrapCodec: (c) => poisoned(c),
    reply: (_lines, index) => (index === 0 ? { status: 503 } : { status: 204 }),
  });
  try {
    await h.drive(h.worker.run(never));
    assert.equal(h.deadLetter.records.length, 1);
    assert.equal(h.receiver.requests.length, 2, 'one 503, one success');
    assert.deepEqual(h.exchanges[1]!.lines, h.exchanges[0]!.lines, 'the same four records re-sent');
    assert.equal(h.sink.delivered, 4);
  } finally {
    await h.close();
  }
});

void test('hot path: a batch that encodes is encoded once, never record by record', () => {
  const calls: (readonly AuditRecord[])[] = [];
  const { guard: g } = guard(poisoned(createTestCodec(), calls));
  const records = makeRecords(50);
  const result = g.encode(records);
  assert.equal(calls.length, 1);
  assert.equal(result.records, records);
  assert.deepEqual(result.failed, []);
  assert.ok(result.request);
});

void test('records that encode alone but not together: no request, the caller sends halves', () => {
  const together: SinkCodec = {
    ...createTestCodec(),
    encode(records) {
      if (records.length > 1) throw new RangeError('Invalid string length');
      return createTestCodec().encode(records);
    },
  };
  const { guard: g } = guard(together);
  const records = makeRecords(4);
  const result = g.encode(records);
  assert.deepEqual(result.failed, []);
  assert.deepEqual(result.records, records);
  assert.equal(result.request, undefined);
  assert.equal(result.error, 'RangeError: Invalid string length');
});

void test('the Elasticsearch codec: a deep event it cannot copy is isolated, the others encoded', () => {
  const codec = createElasticsearchCodec({
    type: 'elasticsearch',
    name: 'es',
    url: 'http://127.0.0.1:1',
    timeout_ms: 1000,
    gzip: false,
    tls: { insecure_skip_verify: false },
    auth: {},
    headers: {},
    batch: { max_events: 100, max_bytes: 1 << 20, max_wait_ms: 1000 },
    retry: {
      initial_backoff_ms: 100,
      max_backoff_ms: 1000,
      max_retry_after_ms: 1000,
      max_network_backoff_ms: 1000,
    },
    max_in_flight: 1,
    index: 'wirety-audit-%Y.%m.%d',
    op: 'create',
    startup_check: false,
  });
  const [a, c] = makeRecords(2);
  const deep = recordWithRawFields(2, { peer_name: '"R\\u0026D"', peer_id: nestedArrays(10_000) });
  const { guard: g } = guard(codec);
  const result = g.encode([a!, deep, { ...c!, seq: 3 }]);
  assert.deepEqual(
    result.failed.map((f) => [f.record.seq, f.error]),
    [[2, 'RangeError: Maximum call stack size exceeded']],
  );
  assert.deepEqual(
    result.records.map((r) => r.seq),
    [1, 3],
  );
  assert.equal(
    Buffer.from(result.request!.body).toString().split('\n').length,
    5,
    'two action + document pairs',
  );
});

void test('omitted values are counted once per event, however often the batch is re-encoded, and logged once', () => {
  const omitting: SinkCodec = {
    ...createTestCodec(),
    encode(records) {
      const omitted = records.flatMap((r, index) =>
        r.seq % 2 === 0
          ? [{ index, field: 'peer_id', reason: 'cannot be serialised as JSON (RangeError)' }]
          : [],
      );
      return { ...createTestCodec().encode(records), omitted };
    },
  };
  const { guard: g, sink, logger } = guard(omitting);
  const records = makeRecords(10);
  g.encode(records); // seqs 2, 4, 6, 8, 10
  g.encode(records); // a retry
  g.encode(records.slice(0, 5)); // a split half
  assert.equal(sink.valuesOmitted, 5);
  g.encode(makeRecords(2, 11)); // seq 12: new
  assert.equal(sink.valuesOmitted, 6);
  const warnings = logger.entries.filter((e) => e.level === 'warn');
  assert.equal(warnings.length, 1, 'once per field and reason');
  assert.deepEqual(
    { ...warnings[0]!.fields, note: undefined },
    {
      sink: 'sink',
      field: 'peer_id',
      reason: 'cannot be serialised as JSON (RangeError)',
      event_id: 'test-2',
      note: undefined,
    },
  );
});
