/**
 * Reading the CLI's HTTP endpoints from an end-to-end test: the bound address from the
 * "metrics and health endpoints listening" log line, plain GETs, and a small parser of the
 * Prometheus text format (enough for counters, gauges and histograms with quoted labels).
 */
import http from 'node:http';
import type { CliProcess } from './run-cli.js';
import { logLines } from './e2e-corpus.js';

/**
 * Keeps everything `cli` prints on stderr. Call it right after startCli(), before any await, so
 * nothing printed is missed.
 */
export function captureStderr(cli: CliProcess): () => string {
  let text = '';
  cli.child.stderr.on('data', (d: Buffer) => (text += d.toString()));
  return () => text;
}

/** Waits for the listening log line and returns its `address` (host:port). */
export async function metricsAddressOf(cli: CliProcess, stderr: () => string): Promise<string> {
  await cli.waitForStderr(/metrics and health endpoints listening/);
  const line = logLines(stderr()).find((l) => l.msg === 'metrics and health endpoints listening');
  const address = line?.address;
  if (typeof address !== 'string') throw new Error(`no address in the listening line:\n${stderr()}`);
  return address;
}

export interface HttpAnswer {
  readonly status: number;
  readonly headers: http.IncomingHttpHeaders;
  readonly body: string;
}

export function get(address: string, path: string, timeoutMs = 5_000): Promise<HttpAnswer> {
  return new Promise((resolve, reject) => {
    const req = http.get(`http://${address}${path}`, { timeout: timeoutMs }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('end', () =>
        resolve({
          status: res.statusCode ?? 0,
          headers: res.headers,
          body: Buffer.concat(chunks).toString(),
        }),
      );
      res.on('error', reject);
    });
    req.on('timeout', () => req.destroy(new Error(`GET ${path} timed out`)));
    req.on('error', reject);
  });
}

export interface Sample {
  readonly name: string;
  readonly labels: Readonly<Record<string, string>>;
  readonly value: number;
}

const SAMPLE = /^([a-zA-Z_:][a-zA-Z0-9_:]*)(?:\{(.*)\})?\s+(\S+)(?:\s+\d+)?$/;
const LABEL = /([a-zA-Z_][a-zA-Z0-9_]*)="((?:[^"\\]|\\.)*)"\s*,?\s*/gy;

/** Parses Prometheus text exposition; throws on a line it cannot read. */
export function parseMetrics(text: string): Sample[] {
  const samples: Sample[] = [];
  for (const line of text.split('\n')) {
    if (line === '' || line.startsWith('#')) continue;
    const m = SAMPLE.exec(line);
    if (!m) throw new Error(`not a Prometheus sample line: ${line}`);
    const labels: Record<string, string> = {};
    if (m[2]) {
      LABEL.lastIndex = 0;
      let consumed = 0;
      for (let l = LABEL.exec(m[2]); l; l = LABEL.exec(m[2])) {
        labels[l[1]!] = l[2]!.replace(/\\(.)/g, (_, c: string) => (c === 'n' ? '\n' : c));
        consumed = LABEL.lastIndex;
      }
      if (consumed !== m[2].length) throw new Error(`bad labels in: ${line}`);
    }
    const raw = m[3]!;
    const value = raw === '+Inf' ? Infinity : raw === '-Inf' ? -Infinity : Number(raw);
    // prom-client writes NaN as "Nan"; Prometheus reads it case-insensitively (Go's ParseFloat).
    if (Number.isNaN(value) && raw.toLowerCase() !== 'nan') throw new Error(`bad value in: ${line}`);
    samples.push({ name: m[1]!, labels, value });
  }
  return samples;
}

/**
 * The value of the one sample named `name` whose labels include `labels`; undefined if none.
 * Throws if several match (the test asked an ambiguous question).
 */
export function valueOf(
  samples: readonly Sample[],
  name: string,
  labels: Readonly<Record<string, string>> = {},
): number | undefined {
  const found = samples.filter(
    (s) => s.name === name && Object.entries(labels).every(([k, v]) => s.labels[k] === v),
  );
  if (found.length > 1) throw new Error(`${found.length} samples match ${name} ${JSON.stringify(labels)}`);
  return found[0]?.value;
}

/** Sum of every sample named `name` whose labels include `labels`. */
export function sumOf(
  samples: readonly Sample[],
  name: string,
  labels: Readonly<Record<string, string>> = {},
): number {
  return samples
    .filter((s) => s.name === name && Object.entries(labels).every(([k, v]) => s.labels[k] === v))
    .reduce((a, s) => a + s.value, 0);
}

export async function scrape(address: string): Promise<{ text: string; samples: Sample[] }> {
  const answer = await get(address, '/metrics');
  if (answer.status !== 200) throw new Error(`/metrics answered ${answer.status}: ${answer.body}`);
  return { text: answer.body, samples: parseMetrics(answer.body) };
}
