import { test } from 'node:test';
import assert from 'node:assert/strict';
import { getEventListeners } from 'node:events';
import { createBatcher } from '../../src/batch/batcher.js';
import { nextBatch } from '../../src/batch/batch-loop.js';
import type { AuditRecord } from '../../src/audit/record.js';
import { createArrayCursor } from '../helpers/array-cursor.js';
import { createFakeClock } from '../helpers/fake-clock.js';
import { makeRecords } from '../helpers/records.js';

const seqs = (records: readonly AuditRecord[] | undefined) => records?.map((r) => r.seq);
const config = { max_events: 3, max_bytes: 1e9, max_wait_ms: 500 };

/** Tracks whether a promise has settled yet, without waiting on it. */
function watch<T>(promise: Promise<T>): { readonly done: boolean; readonly result: Promise<T> } {
  const state = { done: false, result: promise };
  void promise.then(
    () => (state.done = true),
    () => (state.done = true),
  );
  return state;
}
const turn = () => new Promise<void>((resolve) => setImmediate(resolve));

void test('flushes on count without waiting, and keeps going from where it stopped', async () => {
  const clock = createFakeClock();
  const cursor = createArrayCursor(makeRecords(7), { ended: false });
  const batcher = createBatcher(config);
  const signal = new AbortController().signal;
  assert.deepEqual(seqs(await nextBatch(cursor, batcher, clock, signal)), [1, 2, 3]);
  assert.deepEqual(seqs(await nextBatch(cursor, batcher, clock, signal)), [4, 5, 6]);
  assert.deepEqual(clock.sleeps, [], 'a full batch never waits');
});

void test('flushes on bytes', async () => {
  const clock = createFakeClock();
  const records = makeRecords(6);
  const cursor = createArrayCursor(records, { ended: false });
  const limit = records[0]!.bytes + records[1]!.bytes;
  const batcher = createBatcher({ max_events: 100, max_bytes: limit, max_wait_ms: 500 });
  const signal = new AbortController().signal;
  assert.deepEqual(seqs(await nextBatch(cursor, batcher, clock, signal)), [1, 2]);
  assert.deepEqual(seqs(await nextBatch(cursor, batcher, clock, signal)), [3, 4]);
  assert.deepEqual(clock.sleeps, []);
});

void test('flushes a partial batch only once max_wait_ms has passed on the clock', async () => {
  const clock = createFakeClock();
  const cursor = createArrayCursor(makeRecords(2), { ended: false });
  const signal = new AbortController().signal;
  const pending = watch(nextBatch(cursor, createBatcher(config), clock, signal));
  assert.equal(await clock.nextSleep(), 500);
  await clock.advance(499);
  await turn();
  assert.equal(pending.done, false, 'nothing before the deadline');
  await clock.advance(1);
  assert.deepEqual(seqs(await pending.result), [1, 2]);
  assert.equal(clock.pending(), 0);
  assert.equal(getEventListeners(signal, 'abort').length, 0, 'no listener left on the caller signal');
});

void test('records arriving during the wait fill the batch before the deadline; the losing sleep is aborted', async () => {
  const clock = createFakeClock();
  const records = makeRecords(3);
  const cursor = createArrayCursor(records.slice(0, 1), { ended: false });
  const signal = new AbortController().signal;
  const pending = watch(nextBatch(cursor, createBatcher(config), clock, signal));
  await clock.nextSleep();
  cursor.push(records[1]!, records[2]!);
  assert.deepEqual(seqs(await pending.result), [1, 2, 3]);
  assert.equal(clock.pending(), 0, 'the deadline sleep was cancelled');
});

void test('input end flushes what is there at once, then reports the end', async () => {
  const clock = createFakeClock();
  const cursor = createArrayCursor(makeRecords(2), { ended: false });
  const batcher = createBatcher(config);
  const signal = new AbortController().signal;
  const pending = watch(nextBatch(cursor, batcher, clock, signal));
  await clock.nextSleep();
  cursor.end();
  assert.deepEqual(seqs(await pending.result), [1, 2]);
  assert.equal(await nextBatch(cursor, batcher, clock, signal), undefined);
  assert.equal(clock.pending(), 0);
});

void test('an ended cursor with records is flushed without any sleep', async () => {
  const clock = createFakeClock();
  const cursor = createArrayCursor(makeRecords(4));
  const batcher = createBatcher(config);
  const signal = new AbortController().signal;
  assert.deepEqual(seqs(await nextBatch(cursor, batcher, clock, signal)), [1, 2, 3]);
  assert.deepEqual(seqs(await nextBatch(cursor, batcher, clock, signal)), [4]);
  assert.equal(await nextBatch(cursor, batcher, clock, signal), undefined);
  assert.deepEqual(clock.sleeps, []);
});

void test('abort resolves promptly with undefined and leaves no sleep or listener behind', async () => {
  const clock = createFakeClock();
  const cursor = createArrayCursor(makeRecords(1), { ended: false });
  const controller = new AbortController();
  const pending = nextBatch(cursor, createBatcher(config), clock, controller.signal);
  await clock.nextSleep();
  controller.abort(new Error('stop'));
  assert.equal(await pending, undefined);
  assert.equal(clock.pending(), 0);

  const idle = new AbortController();
  const empty = createArrayCursor([], { ended: false });
  const waiting = nextBatch(empty, createBatcher(config), clock, idle.signal);
  await turn();
  idle.abort();
  assert.equal(await waiting, undefined);
});

void test('many waits leave no listeners on the caller signal', async () => {
  const clock = createFakeClock();
  const records = makeRecords(20);
  const cursor = createArrayCursor([], { ended: false });
  const signal = new AbortController().signal;
  const batcher = createBatcher({ max_events: 1, max_bytes: 1e9, max_wait_ms: 500 });
  for (const record of records) {
    const pending = nextBatch(cursor, batcher, clock, signal);
    await turn();
    cursor.push(record);
    assert.deepEqual(seqs(await pending), [record.seq]);
  }
  assert.equal(getEventListeners(signal, 'abort').length, 0);
});

void test('a partial batch is woken when the records to fill it are there or at its deadline, not by every record', async () => {
  const clock = createFakeClock();
  const cursor = createArrayCursor([], { ended: false });
  let takes = 0;
  const counted = { ...cursor, take: (n: number, b: number) => (takes++, cursor.take(n, b)) };
  const signal = new AbortController().signal;
  const records = makeRecords(4);
  const pending = watch(nextBatch(counted, createBatcher({ ...config, max_events: 4 }), clock, signal));
  await turn();
  cursor.push(records[0]!);
  assert.equal(await clock.nextSleep(), 500, 'the first record starts the deadline');
  const takesWithOne = takes;
  cursor.push(records[1]!);
  cursor.push(records[2]!);
  await turn();
  assert.equal(takes, takesWithOne, 'two more records, the batch still has room: the loop sleeps on');
  assert.equal(pending.done, false);
  cursor.push(records[3]!);
  assert.deepEqual(seqs(await pending.result), [1, 2, 3, 4], 'the fourth fills it: sent before the deadline');
  assert.equal(clock.pending(), 0, 'the deadline timer is cleared');
  assert.equal(getEventListeners(signal, 'abort').length, 0);
});
