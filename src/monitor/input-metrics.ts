/**
 * Per-input series (label `input`: the name under `inputs:`), read from stats.inputs at scrape
 * time: lines each input handed over, a Forward listener's connections, requests, acks and
 * protocol errors, a file input's open files. Totals over all inputs stay in metrics.ts under
 * their summary names (lines_read, input_bytes…).
 */
import { Counter, Gauge, type Registry } from 'prom-client';
import type { InputStats, Stats } from '../observe/stats.js';

type ForwardCounts = ReturnType<NonNullable<InputStats['forward']>>;

const FORWARD: readonly [keyof ForwardCounts, string, string][] = [
  ['connections', 'wirety_ship_forward_connections_total', 'Forward connections accepted.'],
  ['requests', 'wirety_ship_forward_requests_total', 'Forward requests received (heartbeats excluded).'],
  ['acks', 'wirety_ship_forward_acks_total', 'Forward acks written, each once its events were journaled.'],
  [
    'protocol_errors',
    'wirety_ship_forward_protocol_errors_total',
    'Forward connections closed for a protocol error (malformed msgpack, a bad handshake, a request too large…).',
  ],
];

export function registerInputMetrics(registry: Registry, stats: Stats): void {
  const each = function* <T>(pick: (s: InputStats) => T | undefined): Generator<[string, T]> {
    for (const [name, s] of stats.inputs) {
      const value = pick(s);
      if (value !== undefined) yield [name, value];
    }
  };
  new Counter({
    name: 'wirety_ship_input_lines_read_total',
    help: 'Lines read, by input; they add up to wirety_ship_lines_read_total.',
    labelNames: ['input', 'type'],
    registers: [registry],
    collect() {
      this.reset();
      for (const [name, s] of stats.inputs) this.labels(name, s.type).inc(s.linesRead);
    },
  });
  for (const [key, name, help] of FORWARD) {
    new Counter({
      name,
      help,
      labelNames: ['input'],
      registers: [registry],
      collect() {
        this.reset();
        for (const [input, counts] of each((s) => s.forward?.())) this.labels(input).inc(counts[key]);
      },
    });
  }
  new Gauge({
    name: 'wirety_ship_file_open_files',
    help: 'Files a file input has open now.',
    labelNames: ['input'],
    registers: [registry],
    collect() {
      this.reset();
      for (const [input, open] of each((s) => s.openFiles?.())) this.labels(input).set(open);
    },
  });
}
