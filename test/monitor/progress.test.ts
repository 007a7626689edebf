/**
 * Progress lines: structured fields in JSON mode, the summary text otherwise, and only when
 * something changed since the last one: an idle process says nothing.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createMemoryLogger } from '../../src/observe/logger.js';
import { createProgressReporter } from '../../src/monitor/progress.js';
import { createStats, sinkStats } from '../../src/observe/stats.js';

function setup(format: 'text' | 'json') {
  const stats = createStats();
  const loki = sinkStats(stats, 'loki');
  let pending = 0;
  const logger = createMemoryLogger();
  const reporter = createProgressReporter({
    stats,
    sinks: () => [{ name: 'loki', pending }],
    logger,
    format,
  });
  return { stats, loki, logger, reporter, setPending: (n: number) => (pending = n) };
}

test('JSON mode: a progress entry carries the summary as fields, written only when something changed', () => {
  const { stats, loki, logger, reporter, setPending } = setup('json');
  reporter.report();
  reporter.report();
  assert.equal(logger.entries.length, 0, 'nothing happened since start: no progress line');

  stats.linesRead = 10;
  stats.verdicts.valid = 9;
  stats.verdicts.empty = 1;
  stats.journaled = 9;
  setPending(9);
  reporter.report();
  assert.equal(logger.entries.length, 1);
  const entry = logger.entries[0]!;
  assert.equal(entry.message, 'progress');
  assert.equal(entry.fields?.lines_read, 10);
  assert.equal(entry.fields?.empty, 1);
  assert.deepEqual((entry.fields?.sinks as Record<string, unknown>).loki, {
    delivered: 0,
    rejected: 0,
    retries: {},
    pending: 9,
  });

  for (let i = 0; i < 5; i++) reporter.report();
  assert.equal(logger.entries.length, 1, 'idle: no repeated lines');

  loki.delivered = 9;
  setPending(0);
  reporter.report();
  reporter.report();
  assert.equal(logger.entries.length, 2, 'one more line after the sink delivered, then quiet again');

  loki.failingSinceMs = Date.UTC(2026, 0, 1);
  loki.lastError = 'HTTP 503';
  reporter.report();
  assert.equal(logger.entries.length, 3, 'a sink starting to fail is a change');
  assert.equal(
    (logger.entries[2]!.fields?.sinks as Record<string, Record<string, unknown>>).loki!.last_error,
    'HTTP 503',
  );
});

test('text mode: the progress line is the summary text, also only when something changed', () => {
  const { stats, logger, reporter } = setup('text');
  reporter.report();
  assert.equal(logger.entries.length, 0);
  stats.linesRead = 3;
  stats.verdicts.not_audit = 3;
  reporter.report();
  reporter.report();
  assert.equal(logger.entries.length, 1);
  assert.match(
    logger.entries[0]!.message,
    /^progress: lines_read=3 valid=0 not_audit=3 .* \| loki: delivered=0 /,
  );
  assert.equal(logger.entries[0]!.fields, undefined);
});
