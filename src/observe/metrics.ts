/**
 * Prometheus metrics. The pipeline keeps plain counters (observe/stats.ts) on its hot path; this
 * module reads them at scrape time through prom-client `collect` callbacks, so a scrape costs the
 * pipeline nothing between scrapes. Request durations are observed per request (not per event).
 *
 * Every name starts with `wirety_ship_`. Nothing here carries a secret: labels are sink names,
 * verdicts and retry reasons only.
 */
import { Counter, Gauge, Histogram, Registry } from 'prom-client';
import type { EventLog } from '../journal/event-log.js';
import type { Stats } from './stats.js';

export interface Metrics {
  readonly registry: Registry;
  /** Seconds one request to a sink took (network time, not retry waits). */
  readonly observeRequest: (sink: string, seconds: number, outcome: string) => void;
}

export interface MetricsSources {
  readonly stats: Stats;
  readonly log?: EventLog;
  /** Cursor lag per sink: events not yet final, and the age of the oldest one. */
  readonly lag?: () => ReadonlyMap<string, { events: number; oldestReceivedAtMs?: number }>;
  readonly now: () => number;
}

export function createMetrics(sources: MetricsSources): Metrics {
  const registry = new Registry();
  const { stats } = sources;
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

  counter('wirety_ship_lines_read_total', 'Input lines read.', () => stats.linesRead);
  new Counter({
    name: 'wirety_ship_lines_total',
    help: 'Input lines by verdict (not_json, not_audit, invalid, valid); they add up to lines read.',
    labelNames: ['verdict'],
    registers: [registry],
    collect() {
      this.reset();
      for (const [verdict, n] of Object.entries(stats.verdicts)) this.labels(verdict).inc(n);
    },
  });
  counter(
    'wirety_ship_unknown_actions_total',
    'Audit lines whose action is not in the catalogue.',
    () => stats.unknownActions,
  );
  counter(
    'wirety_ship_events_journaled_total',
    'Valid audit events stored in the journal.',
    () => stats.journaled,
  );
  counter(
    'wirety_ship_events_dropped_full_total',
    'Events dropped because the journal was full (when_full: drop_newest).',
    () => stats.droppedFull,
  );
  counter(
    'wirety_ship_events_unjournaled_total',
    'Valid events read but not journaled because shutdown came while the journal was full (dead-lettered).',
    () => stats.unjournaled,
  );
  counter(
    'wirety_ship_dead_lettered_total',
    'Records written to the dead-letter file.',
    () => stats.deadLettered,
  );
  counter(
    'wirety_ship_dead_letter_failed_total',
    'Records that could not be written to the dead-letter file before shutdown (lost; exit code 74).',
    () => stats.deadLetterFailed,
  );

  if (sources.log) {
    const log = sources.log;
    new Gauge({
      name: 'wirety_ship_journal_records',
      help: 'Events held in the journal (not yet final for every sink).',
      registers: [registry],
      collect() {
        this.set(log.stats().records);
      },
    });
    new Gauge({
      name: 'wirety_ship_journal_bytes',
      help: 'Bytes held by the journal.',
      registers: [registry],
      collect() {
        this.set(log.stats().bytes);
      },
    });
    new Gauge({
      name: 'wirety_ship_journal_segments',
      help: 'Journal segment files on disk (0 with buffer: memory).',
      registers: [registry],
      collect() {
        this.set(log.stats().segments ?? 0);
      },
    });
    new Gauge({
      name: 'wirety_ship_journal_full',
      help: '1 while the journal is full (input paused under when_full: block).',
      registers: [registry],
      collect() {
        this.set(log.stats().full ? 1 : 0);
      },
    });
  }

  const perSink = (
    name: string,
    help: string,
    value: (s: Stats['sinks'] extends Map<string, infer V> ? V : never) => number,
  ) =>
    new Counter({
      name,
      help,
      labelNames: ['sink'],
      registers: [registry],
      collect() {
        this.reset();
        for (const [sink, s] of stats.sinks) this.labels(sink).inc(value(s));
      },
    });
  perSink('wirety_ship_sink_delivered_total', 'Events delivered, per sink.', (s) => s.delivered);
  perSink(
    'wirety_ship_sink_rejected_total',
    'Events the receiver refused for good (dead-lettered), per sink.',
    (s) => s.rejected,
  );
  perSink(
    'wirety_ship_sink_encode_failed_total',
    'Events the sink could not encode, even alone (dead-lettered as encode_failed), per sink.',
    (s) => s.encodeFailed,
  );
  perSink(
    'wirety_ship_sink_values_omitted_total',
    'Field values left out of index data (Loki structured metadata, HEC indexed fields); the line keeps them.',
    (s) => s.valuesOmitted,
  );
  perSink('wirety_ship_sink_requests_total', 'Requests sent, per sink.', (s) => s.requests);
  new Counter({
    name: 'wirety_ship_sink_retries_total',
    help: 'Attempts that will be repeated, per sink and reason.',
    labelNames: ['sink', 'reason'],
    registers: [registry],
    collect() {
      this.reset();
      for (const [sink, s] of stats.sinks)
        for (const [reason, n] of Object.entries(s.retries)) this.labels(sink, reason).inc(n);
    },
  });
  new Counter({
    name: 'wirety_ship_sink_unconfirmed_total',
    help:
      "Events counted delivered on the receiver's reply alone although end-to-end confirmation was " +
      'asked for or the reply was not recognised (e.g. reason="ack_off": the Splunk HEC token has ' +
      'indexer acknowledgement off); included in delivered_total.',
    labelNames: ['sink', 'reason'],
    registers: [registry],
    collect() {
      this.reset();
      for (const [sink, s] of stats.sinks)
        for (const [reason, n] of Object.entries(s.unconfirmed)) this.labels(sink, reason).inc(n);
    },
  });
  new Gauge({
    name: 'wirety_ship_sink_in_flight',
    help: 'Requests in flight, per sink.',
    labelNames: ['sink'],
    registers: [registry],
    collect() {
      for (const [sink, s] of stats.sinks) this.labels(sink).set(s.inFlight);
    },
  });
  new Gauge({
    name: 'wirety_ship_sink_blocked',
    help: '1 while a sink is refused as configured (401/403, bad token): events are kept and retried.',
    labelNames: ['sink'],
    registers: [registry],
    collect() {
      for (const [sink, s] of stats.sinks) this.labels(sink).set(s.blockedSinceMs === undefined ? 0 : 1);
    },
  });
  if (sources.lag) {
    const lag = sources.lag;
    new Gauge({
      name: 'wirety_ship_sink_lag_events',
      help: 'Journaled events not yet final for this sink.',
      labelNames: ['sink'],
      registers: [registry],
      collect() {
        for (const [sink, l] of lag()) this.labels(sink).set(l.events);
      },
    });
    new Gauge({
      name: 'wirety_ship_sink_lag_seconds',
      help: 'Age of the oldest event not yet final for this sink (0 when caught up).',
      labelNames: ['sink'],
      registers: [registry],
      collect() {
        const now = sources.now();
        for (const [sink, l] of lag()) {
          this.labels(sink).set(
            l.oldestReceivedAtMs === undefined ? 0 : Math.max(0, (now - l.oldestReceivedAtMs) / 1000),
          );
        }
      },
    });
  }

  const duration = new Histogram({
    name: 'wirety_ship_sink_request_duration_seconds',
    help: 'Request duration per sink and outcome.',
    labelNames: ['sink', 'outcome'],
    buckets: [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30],
    registers: [registry],
  });

  return {
    registry,
    observeRequest: (sink, seconds, outcome) => duration.labels(sink, outcome).observe(seconds),
  };
}
