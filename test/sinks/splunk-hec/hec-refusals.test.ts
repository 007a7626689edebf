/**
 * HEC refusals (docs/receivers.md §3): configuration faults (codes 7, 21, 22) keep the events and block
 * the sink; a data error dead-letters only the event HEC names with `invalid-event-number` (the
 * ones before it were indexed, the ones after it are sent again), or, without that field, the
 * request is halved until the bad event is alone.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { HecEnvelope } from '../../receivers/hec-receiver.js';
import {
  expectedIds,
  MAX_BACKOFF_MS,
  SINK,
  storedIds,
  type HecHarness,
  useHecHarnesses,
} from './hec-harness.js';

const withHarness = useHecHarnesses('hec-refusals-');

/** Makes the receiver refuse the events of these record numbers (0-based) with `code`. */
function refuseRecords(h: HecHarness, numbers: readonly number[], code: number): string[] {
  const bad = numbers.map((n) => expectedIds(n + 1)[n]!);
  h.receiver.setEventCheck((e: HecEnvelope) => (bad.includes(String(e.fields?.event_id)) ? code : undefined));
  return bad;
}

const dead = (h: HecHarness) => h.deadLetter.records.map((r) => [r.event_id, r.reason, r.detail, r.sink]);

void describe('Splunk HEC refusals', () => {
  const configFaults: [number, RegExp][] = [
    [21, /HEC code 21: Invalid token/],
    [22, /HEC code 22: Token disabled/],
    [
      7,
      /HEC code 7: Incorrect index \(the token may not write to the configured index: fix the sink's `index`/,
    ],
  ];
  for (const [code, reason] of configFaults) {
    void it(`code ${code} (HTTP 400) → kept, loud error, max backoff, /readyz failing; never dead-lettered`, async () => {
      await withHarness({}, async (h) => {
        h.receiver.replyNext(code, code);
        const running = h.run(5);
        await h.driveUntil(() => h.logger.entries.some((e) => e.level === 'error'));
        assert.ok(h.sink.blockedSinceMs !== undefined, 'the sink is reported blocked (/readyz)');
        assert.match(String(h.sink.lastError), reason);
        await running;

        const errors = h.logger.entries.filter((e) => e.level === 'error');
        assert.equal(errors.length, 2, 'an error on every refused attempt');
        for (const e of errors) {
          assert.equal(e.fields?.sink, SINK);
          assert.match(String(e.fields?.reason), reason);
        }
        assert.deepEqual(h.clock.sleeps.slice(0, 2), [MAX_BACKOFF_MS, MAX_BACKOFF_MS]);
        assert.equal(h.sink.retries.blocked, 2);
        assert.deepEqual(h.deadLetter.records, []);
        assert.deepEqual(storedIds(h.receiver), expectedIds(5), 'delivered once HEC accepts');
        assert.equal(h.sink.blockedSinceMs, undefined);
      });
    });
  }

  for (const ack of ['off', 'on'] as const) {
    void it(`invalid-event-number N (ack ${ack}): [0,N) delivered, N dead-lettered with HEC's text, (N,end] re-sent`, async () => {
      await withHarness({ ack }, async (h) => {
        const [bad] = refuseRecords(h, [2], 15);
        await h.run(10);
        const good = expectedIds(10).filter((id) => id !== bad);
        assert.deepEqual(storedIds(h.receiver), good, 'every other event stored exactly once');
        assert.deepEqual(dead(h), [[bad, 'rejected', 'HEC code 15: Error in handling indexed fields', SINK]]);
        // Request 1: events 0–4, HEC indexes 0 and 1 and refuses 2; request 2: 3 and 4; request 3: 5–9.
        assert.deepEqual(
          h.eventRequests().map((r) => r.body.toString('utf8').match(/"event_id"/g)?.length),
          [5, 2, 5],
        );
        assert.equal(h.sink.delivered, 9);
        assert.equal(h.sink.rejected, 1);
        assert.equal(h.commits.at(-1), 10);
        if (ack === 'on') {
          // The error reply had no ackId: 0 and 1 count on Splunk's word; the others were confirmed.
          assert.deepEqual(
            h.receiver.events.map((e) => e.ackId),
            [undefined, undefined, 0, 0, 1, 1, 1, 1, 1],
          );
          assert.deepEqual(
            h.receiver.confirmations.map((c) => c.ackId),
            [0, 1],
          );
        }
      });
    });
  }

  void it('several bad events in one batch: each dead-lettered alone, the rest stored once', async () => {
    await withHarness({}, async (h) => {
      const bad = refuseRecords(h, [0, 3, 4], 13);
      await h.run(5);
      assert.deepEqual(storedIds(h.receiver), [expectedIds(5)[1], expectedIds(5)[2]]);
      assert.deepEqual(
        dead(h).map(([id, , detail]) => [id, detail]),
        bad.map((id) => [id, 'HEC code 13: Event field cannot be blank']),
      );
      assert.equal(h.eventRequests().length, 3, '0–4 → 1–4 → 4');
      assert.equal(h.sink.delivered, 2);
      assert.equal(h.commits.at(-1), 5);
    });
  });

  void it('no invalid-event-number: the request is halved until the bad event is alone, only it dead-lettered', async () => {
    await withHarness({ receiver: { invalidEventNumber: false } }, async (h) => {
      const [bad] = refuseRecords(h, [2], 6);
      await h.run(5);
      assert.deepEqual(
        storedIds(h.receiver),
        expectedIds(5).filter((id) => id !== bad),
        'every other event stored exactly once',
      );
      assert.deepEqual(dead(h), [[bad, 'rejected', 'HEC code 6: Invalid data format', SINK]]);
      // [0–4] refused → [0–2] refused → [0,1] stored, [2] refused alone; [3,4] stored.
      assert.deepEqual(
        h.eventRequests().map((r) => r.body.toString('utf8').match(/"event_id"/g)?.length),
        [5, 3, 2, 1, 2],
      );
      assert.equal(h.sink.retries.bisect, 2);
      assert.equal(h.sink.delivered, 4);
      assert.equal(h.commits.at(-1), 5);
    });
  });
});
