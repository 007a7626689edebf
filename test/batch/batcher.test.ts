import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createBatcher } from '../../src/batch/batcher.js';
import { makeRecord, makeRecords } from '../helpers/records.js';

const seqs = (records: readonly { seq: number }[]) => records.map((r) => r.seq);

void test('full at max_events; take returns exactly max_events and keeps the rest in order', () => {
  const b = createBatcher({ max_events: 3, max_bytes: 1e9, max_wait_ms: 1000 });
  b.add(makeRecords(2), 0);
  assert.equal(b.isFull(), false);
  b.add(makeRecords(3, 3), 5);
  assert.equal(b.isFull(), true);
  assert.deepEqual(seqs(b.take()), [1, 2, 3]);
  assert.equal(b.isFull(), false);
  assert.deepEqual(seqs(b.take()), [4, 5]);
  assert.equal(b.count, 0);
  assert.deepEqual(b.take(), []);
});

void test('full at max_bytes (sum of record.bytes); a batch never exceeds it unless it is one record', () => {
  const records = makeRecords(10);
  const limit = records[0]!.bytes + records[1]!.bytes + 10;
  const b = createBatcher({ max_events: 100, max_bytes: limit, max_wait_ms: 1000 });
  b.add(records.slice(0, 2), 0);
  assert.equal(b.isFull(), false);
  assert.deepEqual(b.room(), { events: 98, bytes: 10 });
  b.add(records.slice(2, 3), 0);
  assert.equal(b.isFull(), true);
  const batch = b.take();
  assert.deepEqual(seqs(batch), [1, 2]);
  assert.ok(batch.reduce((n, r) => n + r.bytes, 0) <= limit);
  assert.deepEqual(seqs(b.take()), [3]);
});

void test('a single record larger than max_bytes is a batch of one', () => {
  const big = makeRecord(1, JSON.stringify({ log_type: 'audit', pad: 'x'.repeat(500) }));
  const b = createBatcher({ max_events: 100, max_bytes: 100, max_wait_ms: 1000 });
  b.add([big, ...makeRecords(1, 2)], 0);
  assert.equal(b.isFull(), true);
  assert.deepEqual(seqs(b.take()), [1]);
  assert.deepEqual(seqs(b.take()), [2]);
});

void test('deadline is the first record time plus max_wait_ms, and restarts after an emptying take', () => {
  const b = createBatcher({ max_events: 2, max_bytes: 1e9, max_wait_ms: 250 });
  assert.equal(b.deadline(), undefined);
  b.add(makeRecords(1), 1000);
  b.add(makeRecords(1, 2), 1100);
  assert.equal(b.deadline(), 1250);
  b.add(makeRecords(1, 3), 1200);
  b.take();
  assert.equal(b.deadline(), 1250, 'leftovers keep the age they already have');
  b.take();
  assert.equal(b.deadline(), undefined);
  b.add(makeRecords(1, 4), 2000);
  assert.equal(b.deadline(), 2250);
});

void test('room tells the next take how much still fits', () => {
  const records = makeRecords(2);
  const b = createBatcher({ max_events: 5, max_bytes: 10_000, max_wait_ms: 1 });
  b.add(records, 0);
  assert.deepEqual(b.room(), { events: 3, bytes: 10_000 - records[0]!.bytes - records[1]!.bytes });
  assert.equal(b.bytes, records[0]!.bytes + records[1]!.bytes);
});
