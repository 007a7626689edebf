/**
 * Indexer acknowledgement that cannot work as set up (docs/receivers.md §3): a token with ack off, an
 * ack endpoint that refuses polls, a 2xx that is not HEC's. HEC accepted the data, so it is never
 * posted again: each batch counts as delivered on HEC's 200, with one warning per process and the
 * wirety_ship_sink_unconfirmed_total metric, unless `ack.required` blocks the sink instead.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { createMetrics } from '../../../src/monitor/metrics.js';
import type { HecScript } from '../../receivers/hec-receiver.js';
import {
  expectedIds,
  MAX_BACKOFF_MS,
  SINK,
  storedIds,
  type HecHarness,
  useHecHarnesses,
} from './hec-harness.js';

const GUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
const ACK_OFF_WARNING =
  "Splunk HEC: the token has indexer acknowledgement off: events are counted on HEC's 200; enable useACK on the token for end-to-end confirmation";

const withHarness = useHecHarnesses('hec-ack-fallback-');

const warnings = (h: HecHarness) => h.logger.entries.filter((e) => e.level === 'warn');
const polls = (h: HecHarness) => h.receiver.requests.filter((r) => r.url === '/services/collector/ack');

void describe('Splunk HEC: indexer acknowledgement unavailable', () => {
  void it('ack on, token with ack off (200 without ackId): each event stored once, counted on the 200, one warning, a metric', async () => {
    await withHarness({ ack: 'on', receiver: { ack: false } }, async (h) => {
      await h.run(12);
      assert.deepEqual(storedIds(h.receiver), expectedIds(12), 'each event stored exactly once');
      assert.equal(h.eventRequests().length, 3, 'three batches, none posted again');
      assert.deepEqual(polls(h), [], 'no ackId, nothing to poll');
      assert.equal(h.sink.delivered, 12);
      assert.deepEqual(h.sink.unconfirmed, { ack_off: 12 });
      assert.deepEqual(h.sink.retries, {});
      assert.equal(h.commits.at(-1), 12);
      assert.deepEqual(h.deadLetter.records, []);
      assert.deepEqual(
        warnings(h).map((w) => [w.message, w.fields?.sink, w.fields?.unconfirmed, w.fields?.reason]),
        [[ACK_OFF_WARNING, SINK, 'ack_off', 'HEC code 0: Success (HTTP 200) without an ackId']],
        'one warning per process, not one per batch',
      );
      const metrics = await createMetrics({
        stats: h.stats,
        sinks: [SINK],
        version: 'test',
        now: () => 0,
      }).registry.metrics();
      assert.match(metrics, /wirety_ship_sink_unconfirmed_total\{sink="splunk",reason="non_hec_reply"\} 0/);
      assert.match(metrics, /wirety_ship_sink_unconfirmed_total\{sink="splunk",reason="ack_off"\} 12/);
    });
  });

  const refusals: [string, HecScript, string][] = [
    ['code 14 "ACK is disabled"', 14, 'HEC code 14: ACK is disabled (HTTP 400)'],
    ['code 10', 10, 'HEC code 10: Data channel is missing (HTTP 400)'],
    ['code 11', 11, 'HEC code 11: Invalid data channel (HTTP 400)'],
    ['a proxy 404', { status: 404, body: 'Not Found' }, 'HTTP 404'],
    ['a proxy 405', { status: 405, body: 'Method Not Allowed' }, 'HTTP 405'],
  ];
  for (const [what, refusal, reason] of refusals) {
    void it(`ack poll refused with ${what}: each batch HEC accepted is delivered once, never re-posted`, async () => {
      await withHarness({ ack: 'on' }, async (h) => {
        h.receiver.refusePolls(refusal);
        await h.run(10);
        assert.deepEqual(storedIds(h.receiver), expectedIds(10), 'each event stored exactly once');
        assert.equal(h.eventRequests().length, 2, 'no batch posted twice');
        assert.equal(polls(h).length, 2, 'one refused poll per batch, then no more');
        assert.equal(h.sink.delivered, 10);
        assert.deepEqual(h.sink.unconfirmed, { ack_poll_refused: 10 });
        assert.equal(h.sink.retries.ack_timeout, undefined);
        assert.equal(h.commits.at(-1), 10);
        assert.deepEqual(h.deadLetter.records, []);
        assert.deepEqual(
          warnings(h).map((w) => [w.fields?.unconfirmed, w.fields?.reason]),
          [['ack_poll_refused', reason]],
        );
        assert.match(
          warnings(h)[0]!.message,
          /refuses indexer acknowledgement polls: events are counted on HEC's 200/,
        );
      });
    });
  }

  void it('ack.required with a token that has ack off: blocked (loud error, kept, never dead-lettered), delivered once ack is on', async () => {
    await withHarness({ ack: 'required', receiver: { ack: false } }, async (h) => {
      const running = h.run(5);
      await h.driveUntil(() => h.logger.entries.filter((e) => e.level === 'error').length >= 2);
      assert.ok(h.sink.blockedSinceMs !== undefined, '/readyz will report the sink');
      assert.match(
        String(h.sink.lastError),
        /^ack\.required is set but the token has indexer acknowledgement off/,
      );
      assert.ok(h.clock.sleeps.includes(MAX_BACKOFF_MS), 'held at the maximum backoff');
      assert.equal(h.sink.delivered, 0);
      assert.deepEqual(h.deadLetter.records, []);

      h.receiver.setAck(true); // the Splunk admin enables useACK on the token
      await running;
      assert.equal(h.sink.delivered, 5);
      assert.deepEqual(h.sink.unconfirmed, {});
      assert.equal(h.sink.blockedSinceMs, undefined);
      const confirmed = h.receiver.events.filter((e) => e.ackId !== undefined);
      assert.deepEqual(
        confirmed.map((e) => e.fields?.event_id),
        expectedIds(5),
        'delivered once confirmed by an ack',
      );
      // Each post while blocked was accepted (and stored) by HEC: the documented cost of requiring ack.
      assert.equal(h.receiver.events.length, 5 * h.eventRequests().length);
      assert.equal(h.commits.at(-1), 5);
    });
  });

  for (const ack of ['off', 'on'] as const) {
    void it(`a 2xx that is not a HEC reply (ack ${ack}): delivered on the status with one warning, not re-posted`, async () => {
      await withHarness({ ack }, async (h) => {
        h.receiver.replyNext(
          { status: 200, headers: { 'content-type': 'text/html' }, body: '<html>OK</html>' },
          { status: 204 },
        );
        await h.run(15);
        assert.equal(h.eventRequests().length, 3, 'each batch posted once');
        assert.deepEqual(
          storedIds(h.receiver),
          expectedIds(15).slice(10),
          'HEC itself got the third batch only',
        );
        assert.equal(h.sink.delivered, 15);
        assert.deepEqual(h.sink.unconfirmed, { non_hec_reply: 10 });
        assert.deepEqual(
          warnings(h).map((w) => [w.fields?.unconfirmed, w.fields?.reason]),
          [['non_hec_reply', 'HTTP 200: <html>OK</html>']],
        );
        assert.deepEqual(h.deadLetter.records, []);
      });
    });
  }

  void it('every request carries one channel GUID, ack off too: a token with useACK on accepts them', async () => {
    // The sink does not use ack, but the token has it on: without a channel HEC answers code 10.
    await withHarness({ ack: 'off', receiver: { ack: true } }, async (h) => {
      await h.run(10);
      assert.deepEqual(storedIds(h.receiver), expectedIds(10));
      const channels = new Set(h.eventRequests().map((r) => r.headers['x-splunk-request-channel']));
      assert.equal(channels.size, 1);
      assert.match(String([...channels][0]), GUID);
      assert.deepEqual(polls(h), []);
      assert.equal(h.sink.delivered, 10);
      assert.deepEqual(h.sink.unconfirmed, {}, 'ack not asked for: nothing unconfirmed');
      assert.deepEqual(warnings(h), []);
    });
  });
});
