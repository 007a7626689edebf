/**
 * The delivery loop's flow control: concurrent batches, contiguous in-order commits, and shutdown
 * (abort) that never commits what is not final.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createSinkWorker } from '../../src/deliver/sink-worker.js';
import { createMemoryLogger } from '../../src/observe/logger.js';
import { createStats } from '../../src/observe/stats.js';
import type { SinkCodec, Transport } from '../../src/contract/sink.js';
import { createArrayCursor } from '../helpers/array-cursor.js';
import { createFakeClock } from '../helpers/fake-clock.js';
import { createMemoryDeadLetter } from '../helpers/memory-dead-letter.js';
import { makeRecords } from '../helpers/records.js';
import { defaultRetry, startWorkerHarness } from '../helpers/test-codec.js';

const never = new AbortController().signal;
const turn = () => new Promise<void>((resolve) => setImmediate(resolve));
const firstSeq = (lines: string[]) => Number(/peer-name-(\d+)/.exec(lines[0] ?? '')?.[1]);

function gate(): { promise: Promise<void>; release: () => void } {
  let release!: () => void;
  const promise = new Promise<void>((resolve) => (release = resolve));
  return { promise, release };
}

/** Observes the real transport: how many sends were out at once, and when replies came back. */
function observe() {
  let current = 0;
  const state = { maxConcurrent: 0, replies: 0 };
  let waiters: { count: number; resolve: () => void }[] = [];
  const wrap = (inner: Transport): Transport => ({
    async send(request, signal) {
      current++;
      state.maxConcurrent = Math.max(state.maxConcurrent, current);
      try {
        return await inner.send(request, signal);
      } finally {
        current--;
        state.replies++;
        for (const w of waiters.filter((x) => state.replies >= x.count)) w.resolve();
        waiters = waiters.filter((x) => state.replies < x.count);
      }
    },
    close: () => inner.close(),
  });
  // Resolves once `count` replies are back and everything they set off synchronously has run.
  const replies = (count: number) =>
    new Promise<void>((resolve) => {
      if (state.replies >= count) resolve();
      else waiters.push({ count, resolve });
    }).then(turn);
  return { state, wrap, replies };
}

void test('max_in_flight 3, out-of-order completion => commits contiguous and in order', async () => {
  const records = makeRecords(12);
  const gates = new Map([1, 4, 7, 10].map((seq) => [seq, gate()]));
  const seen = observe();
  const h = await startWorkerHarness({
    records,
    maxInFlight: 3,
    batch: { max_events: 3 },
    wrapTransport: seen.wrap,
    reply: (lines) => ({ gate: gates.get(firstSeq(lines))!.promise, then: { status: 204 } }),
  });
  try {
    const run = h.worker.run(never);
    await h.receiver.waitForRequests(3);
    assert.equal(seen.state.replies, 0, 'three batches out at once, none answered yet');

    gates.get(7)!.release(); // batch 3 finishes first
    await seen.replies(1);
    assert.deepEqual(h.cursor.commits, [], 'batch 3 done, but 1 and 2 are not: no commit');
    await h.receiver.waitForRequests(4); // its slot went to batch 4

    gates.get(10)!.release();
    await seen.replies(2);
    assert.deepEqual(h.cursor.commits, []);

    gates.get(1)!.release();
    await seen.replies(3);
    assert.deepEqual(h.cursor.commits, [3], 'batch 1 done: commit through it only');

    gates.get(4)!.release();
    await run;
    assert.deepEqual(h.cursor.commits, [3, 12], 'the gap closed: commit through batch 4');
    assert.equal(seen.state.maxConcurrent, 3, 'never more than max_in_flight requests at once');
    assert.deepEqual([...h.deliveredLines()].sort(), records.map((r) => r.line).sort());
    assert.equal(h.sink.delivered, 12);
    assert.equal(h.sink.inFlight, 0);
  } finally {
    for (const g of gates.values()) g.release();
    await h.close();
  }
});

void test('max_in_flight 1 sends one batch at a time, in cursor order', async () => {
  const records = makeRecords(10);
  const seen = observe();
  const h = await startWorkerHarness({
    records,
    maxInFlight: 1,
    batch: { max_events: 3 },
    wrapTransport: seen.wrap,
  });
  try {
    await h.worker.run(never);
    assert.equal(seen.state.maxConcurrent, 1);
    assert.deepEqual(
      h.deliveredLines(),
      records.map((r) => r.line),
    );
    assert.deepEqual(h.cursor.commits, [3, 6, 9, 10]);
  } finally {
    await h.close();
  }
});

void test(
  'abort during a retry wait => run resolves promptly, nothing past the final batches committed',
  { timeout: 10_000 },
  async () => {
    const records = makeRecords(4);
    const h = await startWorkerHarness({
      records,
      batch: { max_events: 2 },
      reply: (_lines, index) => (index === 0 ? { status: 204 } : { status: 503 }),
    });
    try {
      const controller = new AbortController();
      const run = h.worker.run(controller.signal);
      await h.clock.nextSleep();
      assert.equal(h.receiver.requests.length, 2);
      controller.abort(new Error('SIGTERM'));
      await run;
      assert.deepEqual(h.cursor.commits, [2], 'only the delivered first batch');
      assert.equal(h.clock.pending(), 0, 'the retry wait was cancelled');
      assert.equal(h.receiver.requests.length, 2);
      assert.equal(h.deadLetter.records.length, 0);
      assert.equal(h.sink.delivered, 2);
    } finally {
      await h.close();
    }
  },
);

void test('a run after an aborted one delivers what the aborted run had taken but not finished', async () => {
  const records = makeRecords(4);
  const h = await startWorkerHarness({
    records,
    batch: { max_events: 2 },
    reply: (_lines, index) => (index === 1 ? { status: 503 } : { status: 204 }),
  });
  try {
    const controller = new AbortController();
    const first = h.worker.run(controller.signal);
    await h.clock.nextSleep();
    controller.abort();
    await first;
    assert.deepEqual(h.cursor.commits, [2]);
    await h.worker.run(never);
    assert.deepEqual(h.cursor.commits, [2, 4]);
    assert.deepEqual(
      h.deliveredLines(),
      records.map((r) => r.line),
    );
  } finally {
    await h.close();
  }
});

void test(
  'abort during a request that never answers => run resolves promptly, nothing committed',
  { timeout: 10_000 },
  async () => {
    const h = await startWorkerHarness({
      records: makeRecords(3),
      timeoutMs: 60_000,
      reply: () => ({ hang: true }),
    });
    try {
      const controller = new AbortController();
      const run = h.worker.run(controller.signal);
      await h.receiver.waitForRequests(1);
      const started = Date.now();
      controller.abort();
      await run;
      assert.ok(Date.now() - started < 2000);
      assert.deepEqual(h.cursor.commits, []);
      assert.equal(h.sink.inFlight, 0);
    } finally {
      await h.close();
    }
  },
);

void test('abort while waiting for input resolves; an already aborted signal sends nothing', async () => {
  const h = await startWorkerHarness({ records: [], ended: false });
  try {
    const controller = new AbortController();
    const run = h.worker.run(controller.signal);
    await turn();
    controller.abort();
    await run;
    const aborted = AbortSignal.abort();
    h.cursor.push(...makeRecords(2));
    await h.worker.run(aborted);
    assert.equal(h.receiver.requests.length, 0);
    assert.deepEqual(h.cursor.commits, []);
  } finally {
    await h.close();
  }
});

void test('with live input: a partial batch goes out after max_wait_ms; run ends once input ends and all is committed', async () => {
  const records = makeRecords(4);
  const h = await startWorkerHarness({
    records: records.slice(0, 2),
    ended: false,
    batch: { max_wait_ms: 1000 },
  });
  try {
    const run = h.worker.run(never);
    assert.equal(await h.clock.nextSleep(), 1000);
    assert.equal(h.receiver.requests.length, 0, 'held until the batch is old enough');
    await h.clock.advance(1000);
    await h.receiver.waitForRequests(1);
    h.cursor.push(...records.slice(2));
    h.cursor.end();
    await run;
    assert.deepEqual(
      h.deliveredLines(),
      records.map((r) => r.line),
    );
    assert.deepEqual(h.cursor.commits, [2, 4]);
  } finally {
    await h.close();
  }
});

void test('a bug (a throwing classify) rejects run and commits nothing', async () => {
  // (A throwing encode is a record's problem, not a bug of the loop: encode-guard.test.ts.)
  const codec: SinkCodec = {
    kind: 'stdout',
    encode: () => ({ path: '/', headers: {}, body: Buffer.alloc(0) }),
    classify: (): never => {
      throw new Error('codec bug');
    },
  };
  // In-process Transport: every request gets a 200, which classify then fails on.
  const transport: Transport = {
    send: () => Promise.resolve({ kind: 'response', status: 200, headers: {}, body: '' }),
    close: () => Promise.resolve(),
  };
  const cursor = createArrayCursor(makeRecords(2));
  const worker = createSinkWorker({
    runtime: {
      name: 'buggy',
      codec,
      transport,
      batch: { max_events: 10, max_bytes: 1e6, max_wait_ms: 100 },
      retry: defaultRetry,
      maxInFlight: 2,
    },
    cursor,
    clock: createFakeClock(),
    deadLetter: createMemoryDeadLetter(),
    stats: createStats(),
    logger: createMemoryLogger(),
  });
  await assert.rejects(worker.run(never), /codec bug/);
  assert.deepEqual(cursor.commits, []);
});
