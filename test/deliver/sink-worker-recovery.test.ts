/**
 * How soon delivery resumes once a receiver is back, with the default retry settings and the fake
 * clock: after a connection-level outage of any length the first attempt comes within
 * retry.max_network_backoff, and neither an outage nor a Retry-After-paced 429 storm inflates the
 * backoff of the receiver's own errors that follow.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { DEFAULTS } from '../../src/config/defaults.js';
import type { FakeClock } from '../helpers/fake-clock.js';
import { makeRecords } from '../helpers/records.js';
import { startWorkerHarness } from '../helpers/test-codec.js';
import type { ScriptedReply } from '../receivers/scripted-receiver.js';
import { seededRandom } from '../helpers/seeded-random.js';

const never = new AbortController().signal;
const SECOND = 1000;
const retry = { ...DEFAULTS.retry };

/**
 * Refuses connections for `outageMs` of fake time from the first attempt, then answers 204.
 * Returns how long after the receiver came back the first delivery arrived, and the attempts made.
 */
async function recoveryAfterOutage(
  random: () => number,
  outageMs: number,
): Promise<{ afterMs: number; attempts: number }> {
  // The reply function runs once the harness (and its clock) exists.
  const harness: { clock?: FakeClock } = {};
  let deliveredAt: number | undefined;
  const h = await startWorkerHarness({
    records: makeRecords(1),
    retry,
    random,
    reply: () => {
      deliveredAt ??= harness.clock!.now();
      return { status: 204 };
    },
  });
  harness.clock = h.clock;
  try {
    await h.receiver.down();
    const upAt = h.clock.now() + outageMs;
    let up = false;
    let settled = false;
    const run = h.worker.run(never).finally(() => (settled = true));
    while (!settled) {
      const ms = await Promise.race([h.clock.nextSleep(), run.then(() => undefined)]);
      if (ms === undefined) break;
      const wakeAt = h.clock.now() + ms;
      if (!up && wakeAt >= upAt) {
        await h.clock.advance(upAt - h.clock.now());
        await h.receiver.up();
        up = true;
      }
      await h.clock.advance(wakeAt - h.clock.now());
    }
    await run;
    assert.ok(up && deliveredAt !== undefined, 'delivered after the receiver came back');
    return { afterMs: deliveredAt - upAt, attempts: h.sink.requests };
  } finally {
    await h.close();
  }
}

void test('after a 60 s outage (connection refused) the first delivery comes within 30 s, whatever the random', async () => {
  const randoms: [string, () => number][] = [
    ...[0.05, 0.3, 0.5, 0.7, 0.94, 0.999, 1].map((r): [string, () => number] => [`always ${r}`, () => r]),
    ...[1, 2, 3].map((seed): [string, () => number] => [`seeded ${seed}`, seededRandom(seed)]),
  ];
  let worst = 0;
  for (const [name, random] of randoms) {
    const { afterMs, attempts } = await recoveryAfterOutage(random, 60 * SECOND);
    assert.ok(afterMs <= 30 * SECOND, `${name}: first delivery ${afterMs} ms after the receiver came back`);
    assert.ok(afterMs <= retry.max_network_backoff_ms, `${name}: within max_network_backoff (${afterMs} ms)`);
    // The cap must not become a hot loop: a refused attempt is followed by a real wait.
    assert.ok(attempts <= 200, `${name}: ${attempts} attempts in a 60 s outage`);
    worst = Math.max(worst, afterMs);
  }
  assert.ok(worst > 0, 'the receiver really was down when attempts were made');
});

void test('a longer outage (10 min) does not lengthen the recovery', async () => {
  const { afterMs } = await recoveryAfterOutage(() => 0.999, 10 * 60 * SECOND);
  assert.ok(
    afterMs <= retry.max_network_backoff_ms,
    `first delivery ${afterMs} ms after the receiver came back`,
  );
});

void test('429s paced by Retry-After do not inflate the backoff of a later 503', async () => {
  const storm: ScriptedReply[] = Array.from({ length: 12 }, () => ({
    status: 429,
    headers: { 'retry-after': '1' },
  }));
  const h = await startWorkerHarness({
    records: makeRecords(1),
    retry,
    random: () => 1,
    reply: (_lines, index) => [...storm, { status: 503 }][index] ?? { status: 204 },
  });
  try {
    await h.drive(h.worker.run(never));
    assert.equal(h.sink.delivered, 1);
    // Each 429 waits what the receiver asked; the 503 after them starts from initial_backoff.
    assert.deepEqual(h.clock.sleeps, [...storm.map(() => 1000), retry.initial_backoff_ms]);
  } finally {
    await h.close();
  }
});

void test('an outage does not inflate the backoff of the 503s that follow it', async () => {
  const h = await startWorkerHarness({
    records: makeRecords(1),
    retry,
    random: () => 1,
    reply: (_lines, index) => (index < 2 ? { status: 503 } : { status: 204 }),
  });
  try {
    await h.receiver.down();
    const run = h.worker.run(never);
    for (let i = 0; i < 9; i++) await h.clock.advance(await h.clock.nextSleep());
    const lastWait = await h.clock.nextSleep();
    await h.receiver.up();
    await h.clock.advance(lastWait);
    await h.drive(run);
    assert.equal(h.sink.retries.network, 10);
    assert.equal(h.sink.delivered, 1);
    const afterOutage = h.clock.sleeps.slice(10);
    assert.deepEqual(afterOutage, [retry.initial_backoff_ms, retry.initial_backoff_ms * 2]);
  } finally {
    await h.close();
  }
});
