/**
 * Built-in defaults (durations in ms, sizes in bytes), the lowest layer of the configuration.
 * docs/config.md and config/wirety-ship.example.yaml repeat every value here; change all three.
 *
 * Sink settings resolve per key: the sink's own block, then the file's `defaults:` block, then the
 * sink type's defaults below (which differ because the receivers' limits differ).
 */
import { isAbsolute, join } from 'node:path';
import { DEFAULT_MAX_DEPTH } from '../audit/nesting.js';
import type { Env } from './interpolate.js';
import type { BatchConfig, SinkConfig } from './types.js';

const KiB = 1024;
const MiB = 1024 * KiB;
const GiB = 1024 * MiB;
const SECOND = 1000;
const MINUTE = 60 * SECOND;

export const DEFAULTS = {
  input: { type: 'stdin', max_line_bytes: 256 * KiB, max_depth: DEFAULT_MAX_DEPTH, passthrough: false },
  audit: { unknown_actions: 'forward', not_json: 'dead_letter' },
  // The default path is `dead-letter.ndjson` in the state directory (stateDirectory below).
  dead_letter: { file_name: 'dead-letter.ndjson', max_bytes: 100 * MiB, max_files: 0 },
  buffer: {
    type: 'disk',
    // The default data_dir is `journal` in the state directory (stateDirectory below).
    dir_name: 'journal',
    fsync: 'interval',
    fsync_interval_ms: SECOND,
    max_bytes: GiB,
    // buffer: memory holds parsed events on the heap (several times their line size), so its
    // default cap is small: backpressure keeps RSS flat instead of buffering an outage in RAM.
    memory_max_bytes: 16 * MiB,
    segment_bytes: 64 * MiB,
    when_full: 'block',
    new_sink_start: 'head',
  },
  // Below Kubernetes' default 30 s termination grace period, so we exit before SIGKILL.
  shutdown_timeout_ms: 20 * SECOND,
  log: { level: 'info', format: 'auto', progress_interval_ms: 10 * SECOND },
  metrics: { auth_failure_unready_ms: 5 * MINUTE },
  // A refused connection costs the receiver nothing, so probe often: a receiver back from an
  // outage gets its first attempt within 10 s, however long the outage was.
  retry: {
    initial_backoff_ms: 500,
    max_backoff_ms: 5 * MINUTE,
    max_retry_after_ms: 5 * MINUTE,
    max_network_backoff_ms: 10 * SECOND,
  },
  timeout_ms: 30 * SECOND,
  gzip: false,
} as const;

/** Per sink type: what applies when neither the sink block nor `defaults:` says. */
export const SINK_TYPE_DEFAULTS: Readonly<
  Record<SinkConfig['type'], { readonly batch: BatchConfig; readonly max_in_flight: number }>
> = {
  // Promtail/Alloy's 1 MiB / 1 s; one request in flight keeps each stream's entries in order,
  // which Loki needs (out-of-order entries older than the stream's newest − 1 h are refused).
  loki: { batch: { max_events: 10_000, max_bytes: MiB, max_wait_ms: SECOND }, max_in_flight: 1 },
  elasticsearch: { batch: { max_events: 5000, max_bytes: 5 * MiB, max_wait_ms: SECOND }, max_in_flight: 2 },
  // 1 MiB: the request cap of older Splunk versions, and the safe size for HEC behind proxies.
  splunk_hec: { batch: { max_events: 5000, max_bytes: MiB, max_wait_ms: SECOND }, max_in_flight: 2 },
  stdout: { batch: { max_events: 1000, max_bytes: MiB, max_wait_ms: 200 }, max_in_flight: 1 },
};

export const LOKI_DEFAULTS = {
  labels: { job: 'wirety' },
  label_fields: [] as readonly string[],
  structured_metadata: true,
  structured_metadata_fields: ['network_id', 'peer_id', 'actor_id'] as readonly string[],
  timestamp: 'event',
} as const;

export const ELASTICSEARCH_DEFAULTS = {
  index: 'wirety-audit-%Y.%m.%d',
  op: 'create',
  startup_check: true,
} as const;

export const SPLUNK_DEFAULTS = {
  sourcetype: 'wirety:audit',
  source: 'wirety',
  indexed_fields: ['action', 'network_id', 'peer_id', 'actor_id'] as readonly string[],
  // 2 s, not Vector's 10 s: a batch's cursor advances only once its ack is true, so the poll
  // interval adds directly to delivery latency and, with 2 batches in flight, caps throughput at
  // 2 batches per interval. One small POST every 2 s per sink is negligible load for the indexer.
  // The 5 min timeout equals Vector's 30 polls × 10 s before a batch is resent.
  // required: false, as Vector: a token without ack still delivers (counted on HEC's 200, warned).
  ack: { enabled: false, poll_interval_ms: 2 * SECOND, timeout_ms: 5 * MINUTE, required: false },
} as const;

/**
 * Where the journal and the dead-letter file go when the configuration does not say: one absolute
 * place per user, so the journal a run resumes never depends on the directory a command was typed
 * in, and two runs on one machine meet at the journal lock instead of silently keeping two
 * journals. `$XDG_STATE_HOME/wirety-ship` when that is set (absolute, as the XDG spec requires; the
 * Docker image sets it to /var/lib), else `/var/lib/wirety-ship` for root, else
 * `~/.local/state/wirety-ship` (the XDG default).
 */
export function stateDirectory(
  env: Env,
  user: { readonly uid?: number; readonly home: string },
): {
  readonly dir: string;
  readonly why: string;
} {
  const xdg = env.XDG_STATE_HOME;
  if (xdg !== undefined && isAbsolute(xdg))
    return { dir: join(xdg, 'wirety-ship'), why: 'from XDG_STATE_HOME' };
  if (user.uid === 0) return { dir: '/var/lib/wirety-ship', why: 'running as root' };
  return { dir: join(user.home, '.local', 'state', 'wirety-ship'), why: "this user's ~/.local/state" };
}

/** The sink used when no sink is configured at all (and passthrough is off). */
export const DEFAULT_SINK_NAME = 'stdout';
