/**
 * The operator's own numbers: the text summary, the JSON summary and /metrics use one name per
 * counter and agree on every value; the buckets add up visibly; a failing sink says since when and
 * why.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createMetrics } from '../../src/monitor/metrics.js';
import { createStats, sinkStats, type Stats } from '../../src/observe/stats.js';
import { formatSummary, summaryFields } from '../../src/monitor/summary.js';
import { parseMetrics, valueOf } from '../helpers/e2e-metrics.js';

function busyStats(): Stats {
  const stats = createStats();
  stats.linesRead = 100;
  stats.verdicts = { valid: 80, not_audit: 9, not_json: 4, empty: 3, invalid: 4 };
  stats.inputBytes = 23_456;
  stats.unknownActions = 2;
  stats.journaled = 77;
  stats.droppedFull = 2;
  stats.unjournaled = 1;
  stats.deadLettered = 12;
  stats.deadLetteredByReason = { not_json: 4, invalid: 4, rejected: 3, encode_failed: 1 };
  const loki = sinkStats(stats, 'loki');
  Object.assign(loki, {
    delivered: 70,
    rejected: 3,
    rejectedByReason: { refused: 2, too_large: 1 },
    encodeFailed: 1,
    valuesOmitted: 5,
    lostDamaged: 2,
    retries: { server_error: 4, split: 1 },
  });
  return stats;
}

/** key=value pairs of the text summary: top level, and per sink after "| name:". */
function textPairs(text: string): { top: Map<string, string>; sinks: Map<string, Map<string, string>> } {
  const [head, ...sinkParts] = text.split(' | ');
  const pairs = (s: string) =>
    new Map([...s.matchAll(/(\w+)=("(?:[^"\\]|\\.)*"|\S+)/g)].map((m) => [m[1]!, m[2]!]));
  return {
    top: pairs(head!),
    sinks: new Map(
      sinkParts.map((part) => {
        const name = part.slice(0, part.indexOf(':'));
        return [name, pairs(part.slice(name.length + 1))];
      }),
    ),
  };
}

test('one name per counter: every text-summary key is the JSON key and the /metrics name, with the same value', async () => {
  const stats = busyStats();
  const sinks = [{ name: 'loki', pending: 6 }];
  const text = formatSummary(stats, sinks);
  const json = summaryFields(stats, sinks) as Record<string, unknown> & {
    sinks: Record<string, Record<string, unknown>>;
  };
  const metrics = createMetrics({
    stats,
    sinks: ['loki'],
    version: '1.2.3',
    lag: () => new Map([['loki', { events: 6 }]]),
    now: () => 0,
  });
  const samples = parseMetrics(await metrics.registry.metrics());
  const { top, sinks: sinkPairs } = textPairs(text);

  assert.ok(top.size >= 11, `the text summary has its counters: ${text}`);
  for (const [key, value] of top) {
    assert.equal(String(json[key]), value, `text ${key}= is JSON "${key}"`);
    // A verdict is a label value of lines_total; every other counter is wirety_ship_<key>_total.
    const metric =
      key in stats.verdicts
        ? valueOf(samples, 'wirety_ship_lines_total', { verdict: key })
        : key === 'dead_lettered'
          ? samples
              .filter((s) => s.name === 'wirety_ship_dead_lettered_total')
              .reduce((a, s) => a + s.value, 0)
          : valueOf(samples, `wirety_ship_${key}_total`);
    assert.equal(metric, Number(value), `${key} in /metrics`);
  }
  const loki = sinkPairs.get('loki')!;
  assert.deepEqual(
    [...loki.keys()],
    ['delivered', 'rejected', 'encode_failed', 'values_omitted', 'lost_damaged', 'retries', 'pending'],
  );
  for (const [key, value] of loki) {
    const jsonValue = json.sinks.loki![key];
    // retries is an object by reason in JSON; the text prints their sum.
    const asNumber =
      typeof jsonValue === 'object'
        ? Object.values(jsonValue as Record<string, number>).reduce((a, b) => a + b, 0)
        : (jsonValue as number);
    assert.equal(String(asNumber), value, `sink text ${key}= is JSON sinks.loki.${key}`);
    const metric =
      key === 'pending'
        ? valueOf(samples, 'wirety_ship_sink_pending', { sink: 'loki' })
        : samples
            .filter((s) => s.name === `wirety_ship_sink_${key}_total` && s.labels.sink === 'loki')
            .reduce((a, s) => a + s.value, 0);
    assert.equal(metric, Number(value), `sink ${key} in /metrics`);
  }
  assert.equal(json.input_bytes, 23_456);
  assert.equal(valueOf(samples, 'wirety_ship_input_bytes_total'), 23_456);
});

test('the buckets add up visibly: lines_read is the sum of the five verdicts printed, empty included', () => {
  const stats = busyStats();
  const { top } = textPairs(formatSummary(stats, []));
  assert.equal(top.get('empty'), '3');
  const buckets = ['valid', 'not_audit', 'not_json', 'empty', 'invalid'].map((k) => Number(top.get(k)));
  assert.equal(
    buckets.reduce((a, b) => a + b, 0),
    Number(top.get('lines_read')),
  );
  assert.equal(
    Number(top.get('journaled')) + Number(top.get('dropped_full')) + Number(top.get('unjournaled')),
    Number(top.get('valid')),
    'valid = journaled + dropped_full + unjournaled',
  );
});

test('a failing sink shows since when it fails and its last error; a recovered one shows neither', () => {
  const stats = busyStats();
  const loki = sinkStats(stats, 'loki');
  loki.failingSinceMs = Date.UTC(2026, 10, 25, 10, 0, 0);
  loki.lastError = 'Loki unreachable: ECONNREFUSED connect ECONNREFUSED 127.0.0.1:3100';
  const sinks = [{ name: 'loki', pending: 6 }];
  const text = formatSummary(stats, sinks);
  assert.match(
    text,
    /\| loki: .* failing_since=2026-11-25T10:00:00\.000Z last_error="Loki unreachable: ECONNREFUSED connect ECONNREFUSED 127\.0\.0\.1:3100"$/,
  );
  const json = summaryFields(stats, sinks) as { sinks: Record<string, Record<string, unknown>> };
  assert.equal(json.sinks.loki!.failing_since, '2026-11-25T10:00:00.000Z');
  assert.equal(json.sinks.loki!.last_error, loki.lastError);

  loki.lastError = 'x'.repeat(5000);
  assert.ok(
    (summaryFields(stats, sinks) as { sinks: Record<string, { last_error: string }> }).sinks.loki!.last_error
      .length < 400,
    'a long error is cut',
  );

  loki.failingSinceMs = undefined;
  loki.lastError = undefined;
  assert.doesNotMatch(formatSummary(stats, sinks), /failing_since|last_error/);
  assert.deepEqual(
    Object.keys((summaryFields(stats, sinks) as { sinks: Record<string, object> }).sinks.loki!),
    ['delivered', 'rejected', 'encode_failed', 'values_omitted', 'lost_damaged', 'retries', 'pending'],
  );
});
