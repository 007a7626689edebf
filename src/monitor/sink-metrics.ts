/**
 * The per-sink half of /metrics (monitor/metrics.ts holds the rest). Every series of every
 * configured sink exists from the first scrape, each label value at 0 until it happens: the
 * reasons of retries and rejections, the status classes of requests, the request-duration
 * histogram of each status class.
 */
import { Counter, Gauge, Histogram, type Registry } from 'prom-client';
import {
  REJECT_REASONS,
  REPLY_CLASSES,
  RETRY_REASONS,
  sinkStats,
  UNCONFIRMED_REASONS,
  type ReplyClass,
  type SinkStats,
  type Stats,
} from '../observe/stats.js';

/** Cursor lag per sink: events not yet final, and the age of the oldest one. */
export type LagSource = () => ReadonlyMap<string, { events: number; oldestReceivedAtMs?: number }>;

export interface SinkMetricSources {
  readonly stats: Stats;
  readonly sinks: readonly string[];
  readonly lag?: LagSource;
  readonly now: () => number;
}

export function registerSinkMetrics(
  registry: Registry,
  sources: SinkMetricSources,
): { observeRequest: (sink: string, seconds: number, statusClass: ReplyClass) => void } {
  const { stats } = sources;
  // The configured sinks exist before their workers start, so the first scrape lists them.
  for (const name of sources.sinks) sinkStats(stats, name);

  const counter = (name: string, help: string, value: (s: SinkStats) => number) =>
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
  /** A counter by sink and one more label, every value of which is listed at 0 until it happens. */
  const byLabel = <K extends string>(
    name: string,
    help: string,
    label: string,
    values: readonly K[],
    counts: (s: SinkStats) => Partial<Record<K, number>>,
  ) =>
    new Counter({
      name,
      help,
      labelNames: ['sink', label],
      registers: [registry],
      collect() {
        this.reset();
        for (const [sink, s] of stats.sinks) {
          const c = counts(s);
          for (const value of values) this.labels(sink, value).inc(c[value] ?? 0);
        }
      },
    });
  const gauge = (name: string, help: string, value: (s: SinkStats, sink: string) => number) =>
    new Gauge({
      name,
      help,
      labelNames: ['sink'],
      registers: [registry],
      collect() {
        for (const [sink, s] of stats.sinks) this.labels(sink).set(value(s, sink));
      },
    });

  counter('wirety_ship_sink_delivered_total', 'Events delivered, per sink.', (s) => s.delivered);
  byLabel(
    'wirety_ship_sink_rejected_total',
    'Events the receiver refused for good (dead-lettered), per sink and reason: too_large (413 alone) or refused.',
    'reason',
    REJECT_REASONS,
    (s) => s.rejectedByReason,
  );
  counter(
    'wirety_ship_sink_encode_failed_total',
    'Events the sink could not encode, even alone (dead-lettered as encode_failed), per sink.',
    (s) => s.encodeFailed,
  );
  counter(
    'wirety_ship_sink_values_omitted_total',
    'Field values left out of index data (Loki structured metadata, HEC indexed fields); the line keeps them.',
    (s) => s.valuesOmitted,
  );
  counter(
    'wirety_ship_sink_abandoned_total',
    'Events never to be delivered because the reader went away (stdout sink only, e.g. `| head`); not dead-lettered.',
    (s) => s.abandoned,
  );
  counter(
    'wirety_ship_sink_lost_damaged_total',
    'Journaled events this sink will never get because the journal segment holding them is damaged (bit rot, tampering).',
    (s) => s.lostDamaged,
  );
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
      for (const [sink, s] of stats.sinks) {
        // The known reasons at 0 from the start, and any other code a sink reports.
        const reasons = new Set<string>([...UNCONFIRMED_REASONS, ...Object.keys(s.unconfirmed)]);
        for (const reason of reasons) this.labels(sink, reason).inc(s.unconfirmed[reason] ?? 0);
      }
    },
  });
  byLabel(
    'wirety_ship_sink_retries_total',
    'Attempts that will be repeated, per sink and reason.',
    'reason',
    RETRY_REASONS,
    (s) => s.retries,
  );
  byLabel(
    'wirety_ship_sink_requests_total',
    'Requests that got an answer, per sink and status class (2xx…5xx, network_error, timeout).',
    'status_class',
    REPLY_CLASSES,
    (s) => s.replies,
  );
  counter(
    'wirety_ship_sink_sent_bytes_total',
    'Request body bytes sent, per sink: retries included, before gzip.',
    (s) => s.sentBytes,
  );
  gauge('wirety_ship_sink_in_flight', 'Requests in flight, per sink.', (s) => s.inFlight);
  gauge(
    'wirety_ship_sink_blocked',
    '1 while a sink is refused as configured (401/403, bad token): events are kept and retried.',
    (s) => (s.blockedSinceMs === undefined ? 0 : 1),
  );
  if (sources.lag) {
    const lag = sources.lag;
    new Gauge({
      name: 'wirety_ship_sink_pending',
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
    help: 'Request duration per sink and status class.',
    labelNames: ['sink', 'status_class'],
    buckets: [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30],
    registers: [registry],
  });
  for (const sink of sources.sinks)
    for (const statusClass of REPLY_CLASSES) duration.zero({ sink, status_class: statusClass });

  return {
    observeRequest: (sink, seconds, statusClass) => duration.labels(sink, statusClass).observe(seconds),
  };
}
