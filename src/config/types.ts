/**
 * The one frozen Config every module reads. config/load.ts builds it from (in rising priority)
 * built-in defaults, the YAML file, WIRETY_SHIP_* environment variables and command-line flags.
 * Durations are milliseconds and sizes are bytes here; the file accepts "1s", "500ms", "1MiB".
 * Every key is documented with its default in docs/config.md.
 */

export interface TlsConfig {
  /** PEM file of CAs to trust instead of the system roots. */
  readonly ca_file?: string;
  /** Client certificate and key (PEM) for mutual TLS. */
  readonly cert_file?: string;
  readonly key_file?: string;
  /** Off by default. Turning it on is logged as a warning at startup. */
  readonly insecure_skip_verify: boolean;
  /** SNI / certificate name to expect, when it differs from the URL's host. */
  readonly server_name?: string;
}

/** At most one way of authenticating per sink; the config loader enforces that. */
export interface AuthConfig {
  readonly username?: string;
  readonly password?: string;
  readonly password_file?: string;
  readonly bearer_token?: string;
  /** Re-read when the receiver answers 401, so rotated tokens are picked up. */
  readonly bearer_token_file?: string;
  /** Elasticsearch API key, the base64 "id:key" form sent as `Authorization: ApiKey …`. */
  readonly api_key?: string;
  readonly api_key_file?: string;
}

export interface BatchConfig {
  readonly max_events: number;
  readonly max_bytes: number;
  readonly max_wait_ms: number;
}

export interface RetryConfig {
  /** First backoff; doubles each attempt, full jitter. */
  readonly initial_backoff_ms: number;
  readonly max_backoff_ms: number;
  /** A Retry-After longer than this is cut to it. */
  readonly max_retry_after_ms: number;
  /**
   * Backoff cap after a connection-level failure (refused, reset, DNS, TLS): the longest a receiver
   * that is back can wait for its first attempt. The smaller of this and max_backoff_ms applies.
   */
  readonly max_network_backoff_ms: number;
}

/** Settings every sink has; per-sink blocks override the global `defaults`. */
export interface SinkCommon {
  /** The key under `sinks:`; also the name of the sink's cursor in the journal. */
  readonly name: string;
  readonly batch: BatchConfig;
  readonly retry: RetryConfig;
  /** Requests in flight at once for this sink. */
  readonly max_in_flight: number;
}

export interface HttpSinkCommon extends SinkCommon {
  /** Base URL, e.g. http://loki:3100 (no trailing path for Loki/ES/HEC). */
  readonly url: string;
  readonly timeout_ms: number;
  readonly gzip: boolean;
  readonly tls: TlsConfig;
  readonly auth: AuthConfig;
  /** Extra request headers (never logged). */
  readonly headers: Readonly<Record<string, string>>;
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
export interface InputConfig {
  readonly type: 'stdin';
  /** Longer lines are dead-lettered (prefix + real length), never held whole. Default 256 KiB. */
  readonly max_line_bytes: number;
  /**
   * Audit lines nesting objects/arrays deeper than this (the event itself is level 1) are
   * dead-lettered as too_deep: wirety's events are flat, and no encoder could ship them. Default 64.
   */
  readonly max_depth: number;
  /** Copy every input line unchanged to stdout (the stdout sink is then not allowed). */
  readonly passthrough: boolean;
}

export interface AuditConfig {
  /** An action not in the catalogue: forwarded (default) or dead-lettered; counted and warned once either way. */
  readonly unknown_actions: 'forward' | 'dead_letter';
  /** Lines that are not JSON: dead-lettered (default) or only counted. */
  readonly not_json: 'dead_letter' | 'count';
}

export interface DeadLetterConfig {
  readonly path: string;
  /** Rotated to `<path>.1` … when larger than this. */
  readonly max_bytes: number;
  readonly max_files: number;
}

export interface BufferConfig {
  /** disk: the durable journal (default); memory: lost on crash, for users who accept that. */
  readonly type: 'disk' | 'memory';
  readonly data_dir: string;
  readonly fsync: 'always' | 'interval' | 'never';
  readonly fsync_interval_ms: number;
  readonly max_bytes: number;
  readonly segment_bytes: number;
  readonly when_full: 'block' | 'drop_newest';
  /** Where a sink that the journal has never seen starts. */
  readonly new_sink_start: 'head' | 'oldest';
}

export interface LogConfig {
  readonly level: 'debug' | 'info' | 'warn' | 'error';
  /** auto: JSON when stderr is not a TTY, text otherwise. */
  readonly format: 'auto' | 'json' | 'text';
  /** Progress line on stderr every N ms (0 = only the final summary). */
  readonly progress_interval_ms: number;
}

export interface MetricsConfig {
  /** host:port for /metrics, /healthz, /readyz; absent = no server. */
  readonly address?: string;
  /** /readyz fails once a sink has been stuck on 401/403 this long. */
  readonly auth_failure_unready_ms: number;
}

export interface Config {
  /** Where audit lines are read from; one stdin input when the file names none. */
  readonly inputs: readonly InputSpec[];
  readonly input: InputConfig;
  readonly audit: AuditConfig;
  readonly dead_letter: DeadLetterConfig;
  readonly buffer: BufferConfig;
  readonly shutdown_timeout_ms: number;
  readonly log: LogConfig;
  readonly metrics: MetricsConfig;
  /** Keyed by sink name; insertion order is the order sinks are started. */
  readonly sinks: readonly SinkConfig[];
  /** Where the config came from, for error messages ("flags and environment" or a path). */
  readonly origin: string;
}
