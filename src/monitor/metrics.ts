/**
 * Prometheus metrics. The pipeline keeps plain counters (observe/stats.ts) on its hot path; this
 * module reads them at scrape time through prom-client `collect` callbacks, so a scrape costs the
 * pipeline nothing between scrapes. Request durations are observed per request (not per event).
 *
 * Invariants:
 * - wirety-ship's own series start with `wirety_ship_`, and each counter's name is the word the
 *   summary and the JSON logs use for it (`journaled` → wirety_ship_journaled_total): one name per
 *   number everywhere (docs/metrics.md). Process and runtime metrics keep their standard names
 *   (`process_*`, `nodejs_*`) so the usual dashboards and alerts work unchanged.
 * - Every labelled series exists from the first scrape, at 0: a rate() or an alert over a label
 *   value that has not happened yet sees 0, not "no data".
 * - Nothing here carries a secret: labels are sink names, verdicts, reasons and status classes.
 */
import { collectDefaultMetrics, Counter, Gauge, Registry } from 'prom-client';
import type { EventLog } from '../journal/event-log.js';
import { registerInputMetrics } from './input-metrics.js';
import { registerSinkMetrics, type LagSource } from './sink-metrics.js';
import { DEAD_LETTER_REASONS, type ReplyClass, type Stats } from '../observe/stats.js';

export interface Metrics {
  readonly registry: Registry;
  /** Seconds one request to a sink took (network time, not retry waits), by what came back. */
  readonly observeRequest: (sink: string, seconds: number, statusClass: ReplyClass) => void;
}

export interface MetricsSources {
  readonly stats: Stats;
  /** The configured sinks: their series exist from the start. */
  readonly sinks: readonly string[];
  /** wirety-ship's version, for wirety_ship_build_info. */
  readonly version: string;
  readonly log?: EventLog;
  /** buffer.max_bytes, exported so "journal nearly full" can be alerted on. */
  readonly journalMaxBytes?: number;
  readonly lag?: LagSource;
  readonly now: () => number;
  /** Integrity on: checkpoints made and checkpoint-file writes that failed (live counters). */
  readonly checkpoints?: { readonly made: number; readonly fileFailed: number };
}

export function createMetrics(sources: MetricsSources): Metrics {
  const registry = new Registry();
  const { stats } = sources;

  // RSS, CPU, open fds, start time… under their standard names (no prefix): see docs/metrics.md.
  collectDefaultMetrics({ register: registry });
  new Gauge({
    name: 'wirety_ship_build_info',
    help: 'Always 1; the labels say which wirety-ship and which Node.js are running.',
    labelNames: ['version', 'node'],
    registers: [registry],
  })
    .labels(sources.version, process.version)
    .set(1);

  const counter = (name: string, help: string, value: () => number) =>
    new Counter({
      name,
      help,
      registers: [registry],
      collect() {
        this.reset();
        this.inc(value());
      },
    });
  const labelled = (name: string, help: string, label: string, values: () => Iterable<[string, number]>) =>
    new Counter({
      name,
      help,
      labelNames: [label],
      registers: [registry],
      collect() {
        this.reset();
        for (const [value, n] of values()) this.labels(value).inc(n);
      },
    });

  counter('wirety_ship_lines_read_total', 'Input lines read.', () => stats.linesRead);
  labelled(
    'wirety_ship_lines_total',
    'Input lines by verdict (valid, not_audit, not_json, empty, invalid); they add up to lines read.',
    'verdict',
    () => Object.entries(stats.verdicts),
  );
  counter(
    'wirety_ship_input_bytes_total',
    'Bytes read from the input, line terminators included.',
    () => stats.inputBytes,
  );
  counter(
    'wirety_ship_unknown_actions_total',
    'Audit lines whose action is not in the catalogue (also counted under their verdict).',
    () => stats.unknownActions,
  );
  counter('wirety_ship_journaled_total', 'Valid audit events stored in the journal.', () => stats.journaled);
  // Checkpoint records are never audit events: their own series, not in journaled or delivered.
  // Exported at 0 without integrity, like every other series, so dashboards need no special case.
  const checkpoints = sources.checkpoints;
  counter(
    'wirety_ship_checkpoints_total',
    'Signed integrity checkpoints made (each journaled for every sink and appended to the checkpoint file).',
    () => checkpoints?.made ?? 0,
  );
  counter(
    'wirety_ship_checkpoint_file_failures_total',
    'Checkpoints that could not be appended to the checkpoint file (they still went to every sink).',
    () => checkpoints?.fileFailed ?? 0,
  );
  counter(
    'wirety_ship_dropped_full_total',
    'Valid events dropped because the journal was full (when_full: drop_newest).',
    () => stats.droppedFull,
  );
  counter(
    'wirety_ship_unjournaled_total',
    'Valid events read but not journaled because a shutdown came while the journal was full (dead-lettered, or left to a file or Forward input to read again / be re-sent).',
    () => stats.unjournaled,
  );
  counter(
    'wirety_ship_already_journaled_total',
    'Integrity on, after a crash: valid lines read again (or re-sent) that the journal already held under the same id; not journaled twice.',
    () => stats.alreadyJournaled,
  );

  labelled(
    'wirety_ship_dead_lettered_total',
    'Records written to the dead-letter file, by reason.',
    'reason',
    () => DEAD_LETTER_REASONS.map((r) => [r, stats.deadLetteredByReason[r] ?? 0]),
  );
  counter(
    'wirety_ship_dead_letter_failed_total',
    'Records that could not be written to the dead-letter file before shutdown (lost; exit code 74).',
    () => stats.deadLetterFailed,
  );

  registerInputMetrics(registry, stats);
  if (sources.log) registerJournalMetrics(registry, sources.log, sources.journalMaxBytes);
  const { observeRequest } = registerSinkMetrics(registry, {
    stats,
    sinks: sources.sinks,
    ...(sources.lag ? { lag: sources.lag } : {}),
    now: sources.now,
  });
  return { registry, observeRequest };
}

function registerJournalMetrics(registry: Registry, log: EventLog, maxBytes: number | undefined): void {
  const gauge = (name: string, help: string, value: () => number) =>
    new Gauge({
      name,
      help,
      registers: [registry],
      collect() {
        this.set(value());
      },
    });
  gauge(
    'wirety_ship_journal_records',
    'Events held in the journal (not yet final for every sink).',
    () => log.stats().records,
  );
  gauge('wirety_ship_journal_bytes', 'Bytes held by the journal.', () => log.stats().bytes);
  if (maxBytes !== undefined)
    gauge(
      'wirety_ship_journal_max_bytes',
      'The journal size at which it is full (buffer.max_bytes).',
      () => maxBytes,
    );
  gauge(
    'wirety_ship_journal_segments',
    'Journal segment files on disk (0 with buffer: memory).',
    () => log.stats().segments ?? 0,
  );
  gauge(
    'wirety_ship_journal_full',
    '1 while the journal is full (input paused under when_full: block).',
    () => (log.stats().full ? 1 : 0),
  );
}
