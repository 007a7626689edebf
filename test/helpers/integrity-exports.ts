/**
 * What a test receiver stored, turned into the export format an auditor gets from the real sink
 * (docs/verify.md, docs/integrity-sinks.md), so `wirety-ship verify --from … --format …` can be run
 * on what the shipper really sent. One converter per sink; each returns the export's lines (no
 * trailing newline) so a test can tamper with them before writing the file.
 *
 * - Elasticsearch: `_search` hits as NDJSON (`{"_index","_id","_source"}`), one per stored document
 *   (the bulk receiver stores each `_index`/`_id` once, as ES does), checkpoints' index included.
 * - Loki: `logcli query --output=jsonl` lines `{labels, line, timestamp}`, with the structured
 *   metadata merged into `labels` (Loki's default answer) and the timestamp in RFC 3339 with
 *   nanoseconds, as logcli prints it.
 * - Splunk: `search/jobs/export` with `output_mode=json`: `{"preview":false,"result":{…}}` with
 *   `_raw` = the envelope's event text, `_time`, `sourcetype`, and the indexed fields as result
 *   fields (their values strings, as Splunk returns them).
 */
import { randomBytes } from 'node:crypto';
import { writeFile } from 'node:fs/promises';
import { runCli } from './run-cli.js';
import type { BulkReceiver } from '../receivers/bulk-receiver.js';
import type { HecEnvelope } from '../receivers/hec-receiver.js';
import type { LokiEntry } from '../receivers/loki-receiver.js';

/** One `_search` hit per document the receiver holds, in the order they were first stored. */
export function elasticsearchExport(receiver: BulkReceiver): string[] {
  return [...receiver.documents.entries()].map(([key, source]) => {
    const slash = key.indexOf('/');
    return JSON.stringify({
      _index: key.slice(0, slash),
      _id: key.slice(slash + 1),
      _score: null,
      _source: source,
    });
  });
}

/** RFC 3339 with nanoseconds, UTC: how logcli prints an entry's timestamp. */
export function rfc3339Nano(ns: bigint): string {
  const ms = Number(ns / 1_000_000n);
  const fraction = (ns % 1_000_000_000n).toString().padStart(9, '0');
  return new Date(ms).toISOString().replace(/\.\d{3}Z$/, `.${fraction}Z`);
}

/**
 * logcli jsonl lines for `entries` (pass `receiver.stored()` for what Loki keeps, or
 * `receiver.entries()` for every copy pushed, duplicates included).
 */
export function lokiExport(entries: readonly LokiEntry[]): string[] {
  return entries.map((e) =>
    JSON.stringify({
      labels: { ...e.labels, ...e.metadata },
      line: e.line,
      timestamp: rfc3339Nano(e.timestampNs),
    }),
  );
}

/** Splunk export lines for the envelopes HEC accepted (every copy: Splunk does not de-duplicate). */
export function splunkExport(events: readonly HecEnvelope[]): string[] {
  return events.map((envelope) => {
    const fields: Record<string, string | readonly string[]> = { ...envelope.fields };
    const time = Number(envelope.time);
    return JSON.stringify({
      preview: false,
      result: {
        _raw: typeof envelope.event === 'string' ? envelope.event : JSON.stringify(envelope.event),
        _time: Number.isFinite(time) ? new Date(time * 1000).toISOString() : undefined,
        ...(envelope.host !== undefined ? { host: envelope.host } : {}),
        ...(envelope.source !== undefined ? { source: envelope.source } : {}),
        sourcetype: envelope.sourcetype,
        ...(envelope.index !== undefined ? { index: envelope.index } : {}),
        ...fields,
      },
    });
  });
}

/** Writes export lines as a file (NDJSON, newline-terminated). */
export async function writeExport(file: string, lines: readonly string[]): Promise<string> {
  await writeFile(file, lines.length === 0 ? '' : lines.join('\n') + '\n');
  return file;
}

/** `_source` with its keys (recursively) in reverse order: what a synthetic `_source` may hand back. */
export function reorderedKeys(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(reorderedKeys);
  if (typeof value !== 'object' || value === null) return value;
  return Object.fromEntries(
    Object.keys(value)
      .reverse()
      .map((k) => [k, reorderedKeys((value as Record<string, unknown>)[k])]),
  );
}

/** A fresh integrity key (what `openssl rand -hex 32` makes), written to `file` with a newline. */
export async function writeKeyFile(file: string): Promise<string> {
  await writeFile(file, randomBytes(32).toString('hex') + '\n', { mode: 0o600 });
  return file;
}

/** A config file turning on frequent checkpoints (the flags cannot set `checkpoint_every`). */
export async function writeIntegrityConfig(file: string, checkpointEvery: number): Promise<string> {
  await writeFile(file, `integrity:\n  checkpoint_every: ${checkpointEvery}\n`);
  return file;
}

/** A finding line of `verify --json`. */
export type VerifyFinding = Record<string, unknown> & { kind: string };

export interface VerifyRun {
  readonly code: number | null;
  readonly stdout: string;
  readonly stderr: string;
  /** Every `--json` line but the journal summaries and the result. */
  readonly findings: VerifyFinding[];
  readonly summaries: Record<string, unknown>[];
  readonly result: Record<string, unknown> | undefined;
}

/** `wirety-ship verify` through the built CLI; `json` adds `--json` and parses the lines. */
export async function runVerify(args: readonly string[], json = true): Promise<VerifyRun> {
  const r = await runCli(['verify', ...args, ...(json ? ['--json'] : [])], '', { timeoutMs: 60_000 });
  const stdout = r.stdout.toString('utf8');
  const lines = json
    ? stdout
        .split('\n')
        .filter((l) => l.startsWith('{'))
        .map((l) => JSON.parse(l) as VerifyFinding)
    : [];
  return {
    code: r.code,
    stdout,
    stderr: r.stderr,
    findings: lines.filter((l) => l.kind !== 'journal' && l.kind !== 'result'),
    summaries: lines.filter((l) => l.kind === 'journal').map((l) => l.summary as Record<string, unknown>),
    result: lines.find((l) => l.kind === 'result'),
  };
}

/** The essentials of findings, for exact comparisons (times and neighbours left out). */
export function essentials(findings: readonly VerifyFinding[]): Record<string, unknown>[] {
  return findings.map((f) => {
    switch (f.kind) {
      case 'missing':
        return { kind: f.kind, from: f.from, to: f.to, ...(f.checkpoint ? { tail: true } : {}) };
      case 'altered':
      case 'forged':
        return { kind: f.kind, seq: f.seq, eventId: f.eventId };
      case 'explained':
        return { kind: f.kind, seq: f.seq, eventId: f.eventId, sink: f.sink, reason: f.reason };
      default:
        return f;
    }
  });
}
