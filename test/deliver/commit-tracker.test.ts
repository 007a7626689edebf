import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createCommitTracker } from '../../src/deliver/commit-tracker.js';

void test('in-order completion commits each batch', () => {
  const t = createCommitTracker();
  const a = t.open(10);
  const b = t.open(20);
  assert.equal(t.finish(a), 10);
  assert.equal(t.finish(b), 20);
  assert.equal(t.pending, 0);
});

void test('out-of-order completion holds the commit point until the gap closes', () => {
  const t = createCommitTracker();
  const [a, b, c, d] = [t.open(3), t.open(6), t.open(9), t.open(12)];
  assert.equal(t.finish(c), undefined, 'batch 3 done, 1 and 2 still open');
  assert.equal(t.finish(b), undefined);
  assert.equal(t.pending, 3, 'batches 2 and 3 merged into one finished run');
  assert.equal(t.finish(a), 9, 'closing the gap commits through the last contiguous batch');
  assert.equal(t.pending, 1);
  const e = t.open(15);
  assert.equal(t.finish(e), undefined);
  assert.equal(t.finish(d), 15);
  assert.equal(t.pending, 0);
});

void test('every permutation of 4 completions yields non-decreasing, contiguous commits ending at the last', () => {
  const permutations = (xs: number[]): number[][] =>
    xs.length <= 1
      ? [xs]
      : xs.flatMap((x, i) => permutations([...xs.slice(0, i), ...xs.slice(i + 1)]).map((p) => [x, ...p]));
  for (const order of permutations([0, 1, 2, 3])) {
    const t = createCommitTracker();
    const lastSeqs = [5, 7, 8, 20];
    const tickets = lastSeqs.map((s) => t.open(s));
    const done = new Set<number>();
    const commits: number[] = [];
    for (const i of order) {
      done.add(i);
      const upTo = t.finish(tickets[i]!);
      if (upTo !== undefined) commits.push(upTo);
      // A commit may only cover batches that are all done.
      const covered = lastSeqs.filter((s) => s <= (commits.at(-1) ?? 0)).length;
      for (let k = 0; k < covered; k++)
        assert.ok(done.has(k), `order ${order.join()} committed past open batch ${k}`);
    }
    assert.deepEqual(
      [...commits].sort((x, y) => x - y),
      commits,
    );
    assert.equal(commits.at(-1), 20);
  }
});

void test('misuse is a bug and throws', () => {
  const t = createCommitTracker();
  const a = t.open(5);
  assert.throws(() => t.open(5), /seq order/);
  assert.equal(t.finish(a), 5);
  assert.throws(() => t.finish(a), /not open/);
  assert.throws(() => t.finish(99), /not open/);
});

void test('a batch stuck in retries while thousands of others finish keeps the window bounded', () => {
  const t = createCommitTracker();
  const stuck = t.open(1);
  let seq = 1;
  // Three slots: one stuck, two cycling.
  let a = t.open(++seq);
  let b = t.open(++seq);
  for (let i = 0; i < 10_000; i++) {
    assert.equal(t.finish(a), undefined);
    a = b;
    b = t.open(++seq);
    assert.ok(t.pending <= 2 * 3 + 1, `window grew to ${t.pending}`);
  }
  assert.equal(t.finish(stuck), seq - 2, 'the stuck batch finishing commits everything finished behind it');
  assert.equal(t.finish(b), undefined);
  assert.equal(t.finish(a), seq);
  assert.equal(t.pending, 0);
});
