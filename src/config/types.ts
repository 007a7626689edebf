/**
 * The one frozen Config every module reads. config/load.ts builds it from (in rising priority)
 * built-in defaults, the YAML file, WIRETY_SHIP_* environment variables and command-line flags.
 * Durations are milliseconds and sizes are bytes here; the file accepts "1s", "500ms", "1MiB".
 * Every key is documented with its default in docs/config.md.
 *
 * Where the types come from, and the line drawn:
 * - Derived from the declarations (normalized-type.ts: `x` duration → `x_ms: number`, sizes →
 *   bytes, keys with a default or `filled` → required): every global block and top-level key
 *   (file-schema.ts) and the settings every sink shares (sink-shared.ts: batch, retry, tls, auth,
 *   url, timeout, gzip, headers, max_in_flight). Adding a key there adds it here; its doc is
 *   the declaration's `doc`.
 * - Written by hand: each sink type's own keys (LokiSinkConfig…) and the parts of the Config that
 *   are not keys of the file (`inputs`, `sinks`, `name`, `origin`). A sink's own keys are
 *   declared in src/sinks/<kind>/config.ts, which config/ never imports (not even for a type:
 *   the layering runs sinks → config), and that file is itself typed by its SinkConfig
 *   (`defineSinkKind<'loki'>` checks `check` and `describe` against it). Each sink type extends
 *   the derived shared part, so only its own keys are written twice.
 */
import type { audit, buffer, deadLetter, fileSchema, input, log, metrics } from './file-schema.js';
import type { Normalized, NormalizedBlock } from './normalized-type.js';
import type { anyAuth, batch, httpCommon, retry, sinkCommon, tls } from './sink-shared.js';

export type TlsConfig = NormalizedBlock<typeof tls>;
/** At most one way of authenticating per sink; the config loader enforces that. */
export type AuthConfig = NormalizedBlock<typeof anyAuth>;
export type BatchConfig = NormalizedBlock<typeof batch>;
export type RetryConfig = NormalizedBlock<typeof retry>;

/** Settings every sink has; per-sink blocks override the global `defaults`. */
export interface SinkCommon extends Normalized<typeof sinkCommon> {
  /** The key under `sinks:`; also the name of the sink's cursor in the journal. */
  readonly name: string;
}

export interface HttpSinkCommon extends SinkCommon, Normalized<typeof httpCommon> {
  /** Each HTTP sink declares which ways of authenticating it accepts; the Config has them all. */
  readonly auth: AuthConfig;
}

export interface LokiSinkConfig extends HttpSinkCommon {
  readonly type: 'loki';
  /** X-Scope-OrgID. */
  readonly tenant?: string;
  /** Static labels, default { job: "wirety" }. */
  readonly labels: Readonly<Record<string, string>>;
  /** Event fields turned into labels (low-cardinality only: action, level, actor_type…). */
  readonly label_fields: readonly string[];
  /**
   * Send structured metadata (`event_id` and the fields below) with each entry. false for Loki 2.9
   * or Loki 3 on a schema before v13, which refuse it: then only the line (byte-for-byte) is sent.
   */
  readonly structured_metadata: boolean;
  /** Event fields sent as structured metadata (the event id is always sent as `event_id`). */
  readonly structured_metadata_fields: readonly string[];
  /** Input metadata names (contract/metadata.ts) turned into stream labels (low-cardinality only). */
  readonly metadata_labels: readonly string[];
  /** Input metadata names sent as structured metadata (nowhere with structured_metadata: false). */
  readonly metadata_structured: readonly string[];
  /** Entry timestamp: the event's `time` (default) or when wirety-ship read the line. */
  readonly timestamp: 'event' | 'received';
}

export interface ElasticsearchSinkConfig extends HttpSinkCommon {
  readonly type: 'elasticsearch';
  /** Index name; strftime-style %Y %m %d %H from the event's time in UTC. Ignored with data_stream. */
  readonly index: string;
  /** Data stream name (e.g. logs-wirety.audit-default); forces op "create". */
  readonly data_stream?: string;
  /** "create" (default, idempotent with the event id as _id) or "index". */
  readonly op: 'create' | 'index';
  /** Ingest pipeline to run, if any. */
  readonly pipeline?: string;
  /** Index (pattern) of integrity checkpoint records; the loader fills wirety-ship-checkpoints. */
  readonly checkpoint_index?: string;
  /** GET / at startup: log the cluster version, warn on auth failure, never block. */
  readonly startup_check: boolean;
}

export interface SplunkAckConfig {
  readonly enabled: boolean;
  readonly poll_interval_ms: number;
  /** After this long without `true`, the batch is sent again (at-least-once). */
  readonly timeout_ms: number;
  /**
   * When HEC cannot confirm acks (token with ack off, ack endpoint refused): block the sink
   * instead of counting the batch delivered on HEC's 200. Needs `enabled`.
   */
  readonly required: boolean;
}

export interface SplunkHecSinkConfig extends HttpSinkCommon {
  readonly type: 'splunk_hec';
  /** HEC token (from env/config interpolation) or token_file; never a command-line value. */
  readonly token?: string;
  readonly token_file?: string;
  readonly sourcetype: string;
  readonly source: string;
  /** Defaults to the machine's hostname. */
  readonly host: string;
  readonly index?: string;
  /** Event fields copied into HEC indexed `fields` (as strings). */
  readonly indexed_fields: readonly string[];
  /** Input metadata names (contract/metadata.ts) copied into HEC indexed `fields`. */
  readonly metadata_fields: readonly string[];
  readonly ack: SplunkAckConfig;
}

export interface StdoutSinkConfig extends SinkCommon {
  readonly type: 'stdout';
}

export type SinkConfig = LokiSinkConfig | ElasticsearchSinkConfig | SplunkHecSinkConfig | StdoutSinkConfig;

/** One entry of `inputs:`; each type's own keys are declared in src/sources/<kind>/config.ts. */
export type InputSpec = StdinInputSpec | FileInputSpec | ForwardInputSpec;

interface InputCommon {
  /** The key under `inputs:`; "stdin" for the input used when `inputs:` is not set. Names its positions file. */
  readonly name: string;
}

export interface StdinInputSpec extends InputCommon {
  readonly type: 'stdin';
}

/** Container log files (CRI, Docker json-file) or plain NDJSON files, followed across rotations. */
export interface FileInputSpec extends InputCommon {
  readonly type: 'file';
  readonly include: readonly string[];
  /** Added to `**\/*.gz` and `**\/*.tmp`, which are never read. */
  readonly exclude: readonly string[];
  readonly format: 'auto' | 'raw' | 'cri' | 'docker';
  readonly streams: readonly ('stdout' | 'stderr')[];
  readonly read_from: 'beginning' | 'end';
  readonly max_open_files: number;
  readonly glob_interval_ms: number;
}

/** A Fluent Forward listener (Docker's fluentd log driver). */
export interface ForwardInputSpec extends InputCommon {
  readonly type: 'forward';
  /** host:port or unix:///path. */
  readonly address: string;
  /** TLS is on when cert_file (and key_file) are set. */
  readonly tls: { readonly cert_file?: string; readonly key_file?: string; readonly client_ca_file?: string };
  /** Enables the shared-key handshake; the key is read from this file (never logged). */
  readonly shared_key_file?: string;
  /** The key itself, from WIRETY_SHIP_FORWARD_SHARED_KEY (never a flag, never logged). */
  readonly shared_key?: string;
  readonly self_hostname: string;
  readonly streams: readonly string[];
  readonly line_key: string;
  readonly max_request_bytes: number;
  readonly max_connections: number;
  readonly idle_timeout_ms: number;
  readonly partial_timeout_ms: number;
}

/** Settings every input shares. */
export type InputConfig = NormalizedBlock<typeof input>;
export type AuditConfig = NormalizedBlock<typeof audit>;
export type DeadLetterConfig = NormalizedBlock<typeof deadLetter>;
export type BufferConfig = NormalizedBlock<typeof buffer>;
export type LogConfig = NormalizedBlock<typeof log>;
export type MetricsConfig = NormalizedBlock<typeof metrics>;

/** The file's global keys: everything but the named maps and the sinks' `defaults:`. */
type GlobalKeys = Omit<(typeof fileSchema)['properties'], 'inputs' | 'sinks' | 'defaults'>;

export interface Config extends Normalized<GlobalKeys> {
  /** `key_id` is set by the loader once the key has been read and checked (never the key itself). */
  readonly integrity: Normalized<GlobalKeys>['integrity'] & { readonly key_id?: string };
  /** Where audit lines are read from; one stdin input when the file names none. */
  readonly inputs: readonly InputSpec[];
  /** Keyed by sink name; insertion order is the order sinks are started. */
  readonly sinks: readonly SinkConfig[];
  /** Where the config came from, for error messages ("flags and environment" or a path). */
  readonly origin: string;
}
