/**
 * Loki's ingestion rules for the test receiver, as its distributor applies them to a decoded push
 * (docs/receivers.md §1; grafana/loki pkg/distributor/distributor.go, pkg/distributor/validator.go,
 * pkg/validation/validate.go): entry by entry, refusing an entry with Loki's exact message and
 * keeping the others; then the tenant rate limiter, which drops the whole push with a 429 when its
 * valid entries exceed the burst; and Loki's store, which silently skips an entry equal in stream,
 * timestamp, line and structured metadata to one it holds.
 *
 * Simplifications: only the limits below exist (a test turns them on); the store de-duplicates
 * against everything it holds, where Loki does so for the stream's head block (what a resend within
 * minutes meets).
 */
import type { LokiEntry, LokiStream } from './loki-receiver.js';

export interface LokiLimits {
  /** limits_config.allow_structured_metadata (Loki 2.9: false; 3.x: true). Default true. */
  readonly allowStructuredMetadata?: boolean;
  /** max_line_size, bytes. Default: no limit. */
  readonly maxLineBytes?: number;
  /** reject_old_samples: entries before this instant (ns since the epoch) are refused. */
  readonly oldestAcceptableNs?: bigint;
  /** ingestion_burst_size_mb, in bytes: more valid entry bytes in one push → 429, nothing stored. */
  readonly burstBytes?: number;
  /** ingestion_rate_mb in bytes/s, as the 429 message quotes it. Default: burstBytes. */
  readonly rateBytes?: number;
}

/** Loki's labels.Labels String(): sorted, `, ` between pairs, values quoted. */
export function lokiStreamText(labels: Readonly<Record<string, string>>): string {
  const pairs = Object.keys(labels)
    .sort()
    .map((name) => `${name}=${JSON.stringify(labels[name])}`);
  return `{${pairs.join(', ')}}`;
}

/** Go's time.RFC3339 for an entry timestamp (UTC, whole seconds). */
function rfc3339(ns: bigint): string {
  const ms = Number(ns / 1_000_000n);
  return new Date(ms).toISOString().replace(/\.\d{3}Z$/, 'Z');
}

const entryBytes = (e: LokiEntry): number =>
  Buffer.byteLength(e.line) +
  Object.entries(e.metadata).reduce((n, [k, v]) => n + Buffer.byteLength(k) + Buffer.byteLength(v), 0);

/** Why Loki's validator refuses `entry`, in Loki's words, or undefined. Checks in Loki's order. */
export function refusalOf(entry: LokiEntry, limits: LokiLimits): string | undefined {
  const stream = lokiStreamText(entry.labels);
  if (limits.oldestAcceptableNs !== undefined && entry.timestampNs < limits.oldestAcceptableNs) {
    return `entry for stream '${stream}' has timestamp too old: ${rfc3339(entry.timestampNs)}, oldest acceptable timestamp is: ${rfc3339(limits.oldestAcceptableNs)}`;
  }
  const lineBytes = Buffer.byteLength(entry.line);
  if (limits.maxLineBytes !== undefined && lineBytes > limits.maxLineBytes) {
    return `Max entry size '${limits.maxLineBytes}' bytes exceeded for stream '${stream}' while adding an entry with length '${lineBytes}' bytes`;
  }
  if (limits.allowStructuredMetadata === false && Object.keys(entry.metadata).length > 0) {
    return `stream '${stream}' includes structured metadata, but this feature is disallowed. Please see \`limits_config.allow_structured_metadata\` or contact your Loki administrator to enable it.`;
  }
  return undefined;
}

/** Loki's util.GroupedErrors: "N errors like: <message>" per distinct message, joined by "; ". */
export function groupedErrors(messages: readonly string[]): string {
  const counts = new Map<string, number>();
  for (const m of messages) counts.set(m, (counts.get(m) ?? 0) + 1);
  return [...counts].map(([m, n]) => (counts.size > 1 || n > 1 ? `${n} errors like: ${m}` : m)).join('; ');
}

export interface Validated {
  /** Streams with their valid entries only (streams left empty are dropped). */
  readonly valid: LokiStream[];
  /** Loki's message for each refused entry, in push order. */
  readonly refusals: string[];
  /** Set when the rate limiter drops the push: Loki's 429 message. */
  readonly rateLimited?: string;
}

export function validatePush(
  streams: readonly LokiStream[],
  tenant: string | undefined,
  limits: LokiLimits,
): Validated {
  const refusals: string[] = [];
  const valid: LokiStream[] = [];
  for (const s of streams) {
    const entries = s.entries.filter((e) => {
      const why = refusalOf(e, limits);
      if (why !== undefined) refusals.push(why);
      return why === undefined;
    });
    if (entries.length > 0) valid.push({ ...s, entries });
  }
  const lines = valid.reduce((n, s) => n + s.entries.length, 0);
  const bytes = valid.reduce((n, s) => n + s.entries.reduce((m, e) => m + entryBytes(e), 0), 0);
  if (lines > 0 && limits.burstBytes !== undefined && bytes > limits.burstBytes) {
    const rate = limits.rateBytes ?? limits.burstBytes;
    const rateLimited = `Ingestion rate limit exceeded for user ${tenant ?? 'fake'} (limit: ${rate} bytes/sec) while attempting to ingest '${lines}' lines totaling '${bytes}' bytes, reduce log volume or contact your Loki administrator to see if the limit can be increased`;
    return { valid, refusals, rateLimited };
  }
  return { valid, refusals };
}

/** What Loki holds: each distinct (tenant, stream, timestamp, line, metadata) once. */
export interface LokiStore {
  /** Stores the entries; returns how many were new. */
  add(streams: readonly LokiStream[]): number;
  readonly entries: LokiEntry[];
  /** Entries skipped because the store already held an identical one. */
  readonly duplicates: number;
}

export function createLokiStore(): LokiStore {
  const keys = new Set<string>();
  const entries: LokiEntry[] = [];
  let duplicates = 0;
  return {
    entries,
    get duplicates() {
      return duplicates;
    },
    add(streams) {
      let added = 0;
      for (const s of streams) {
        for (const e of s.entries) {
          const metadata = Object.keys(e.metadata)
            .sort()
            .map((k) => [k, e.metadata[k]]);
          const key = JSON.stringify([
            e.tenant ?? '',
            lokiStreamText(e.labels),
            String(e.timestampNs),
            e.line,
            metadata,
          ]);
          if (keys.has(key)) {
            duplicates++;
            continue;
          }
          keys.add(key);
          entries.push(e);
          added++;
        }
      }
      return added;
    },
  };
}
