/**
 * The one table of command-line flags and WIRETY_SHIP_* environment variables: flags.ts builds
 * the parser and the help from it, overlay.ts applies it, docs/config.md lists it.
 *
 * Secrets (passwords, tokens, API keys) have an environment variable and a *_file flag but never a
 * flag of their own: command lines are visible to every user of the machine (ps, /proc).
 */
import type { SinkConfig } from './types.js';

export type SinkTarget = 'loki' | 'elasticsearch' | 'splunk' | 'stdout';

/** A flag sink creates or completes the sink with this name; a file sink of another name is untouched. */
export const SINK_TARGETS: Readonly<
  Record<SinkTarget, { readonly type: SinkConfig['type']; readonly urlFlag?: string }>
> = {
  loki: { type: 'loki', urlFlag: '--loki <url> or WIRETY_SHIP_LOKI_URL' },
  elasticsearch: { type: 'elasticsearch', urlFlag: '--elasticsearch <url> or WIRETY_SHIP_ES_URL' },
  splunk: { type: 'splunk_hec', urlFlag: '--splunk-hec <url> or WIRETY_SHIP_SPLUNK_URL' },
  stdout: { type: 'stdout' },
};

export interface Setting {
  /** Long flag without dashes; absent for environment-only secrets. */
  readonly flag?: string;
  readonly short?: string;
  /** Placeholder of the value, e.g. "<url>"; absent for a switch. */
  readonly arg?: string;
  readonly env?: string;
  readonly description: string;
  /** value: one string; switch: on/off; list: repeatable, added to the file's list; labels: name=value. */
  readonly kind: 'value' | 'switch' | 'list' | 'labels';
  /** Key path inside the sink (when `sink` is set) or from the root; absent for control settings. */
  readonly path?: readonly string[];
  readonly sink?: SinkTarget;
  /** Applied to every HTTP sink (loki, elasticsearch, splunk_hec). */
  readonly allHttp?: boolean;
  /** Environment only; `refused` is the flag people try, `file` the flag to use instead. */
  readonly secret?: { readonly refused: string; readonly file: string };
}

const s = (setting: Setting): Setting => setting;

// One row per setting, kept on one line each so the table reads as a table.
// prettier-ignore
export const SETTINGS: readonly Setting[] = [
  s({ flag: 'config', short: 'c', arg: '<file>', env: 'WIRETY_SHIP_CONFIG', kind: 'value', description: 'YAML config file' }),
  s({ flag: 'check-config', kind: 'switch', description: 'validate the configuration, print a summary (secrets redacted) and exit' }),
  s({ flag: 'online', kind: 'switch', description: 'with --check-config: also ask each sink\'s receiver, with requests that store nothing, whether a run would work (exit 69 if not)' }),

  s({ flag: 'loki', arg: '<url>', env: 'WIRETY_SHIP_LOKI_URL', kind: 'value', sink: 'loki', path: ['url'], description: 'ship to Grafana Loki at this base URL (sink "loki")' }),
  s({ flag: 'loki-tenant', arg: '<id>', env: 'WIRETY_SHIP_LOKI_TENANT', kind: 'value', sink: 'loki', path: ['tenant'], description: 'Loki tenant (X-Scope-OrgID)' }),
  s({ flag: 'loki-username', arg: '<user>', env: 'WIRETY_SHIP_LOKI_USERNAME', kind: 'value', sink: 'loki', path: ['auth', 'username'], description: 'Loki basic-auth user (password: WIRETY_SHIP_LOKI_PASSWORD)' }),
  s({ env: 'WIRETY_SHIP_LOKI_PASSWORD', kind: 'value', sink: 'loki', path: ['auth', 'password'], secret: { refused: 'loki-password', file: 'loki-password-file' }, description: 'Loki basic-auth password' }),
  s({ flag: 'loki-password-file', arg: '<file>', env: 'WIRETY_SHIP_LOKI_PASSWORD_FILE', kind: 'value', sink: 'loki', path: ['auth', 'password_file'], description: 'file holding the Loki basic-auth password' }),
  s({ env: 'WIRETY_SHIP_LOKI_BEARER_TOKEN', kind: 'value', sink: 'loki', path: ['auth', 'bearer_token'], secret: { refused: 'loki-bearer-token', file: 'loki-bearer-token-file' }, description: 'Loki bearer token' }),
  s({ flag: 'loki-bearer-token-file', arg: '<file>', env: 'WIRETY_SHIP_LOKI_BEARER_TOKEN_FILE', kind: 'value', sink: 'loki', path: ['auth', 'bearer_token_file'], description: 'file holding a Loki bearer token (re-read on 401)' }),
  s({ flag: 'loki-label', arg: '<name=value>', env: 'WIRETY_SHIP_LOKI_LABELS', kind: 'labels', sink: 'loki', path: ['labels'], description: 'static Loki label, repeatable' }),
  s({ flag: 'loki-label-field', arg: '<field>', env: 'WIRETY_SHIP_LOKI_LABEL_FIELDS', kind: 'list', sink: 'loki', path: ['label_fields'], description: 'event field to use as a Loki label, repeatable' }),
  s({ flag: 'loki-structured-metadata-field', arg: '<field>', env: 'WIRETY_SHIP_LOKI_STRUCTURED_METADATA_FIELDS', kind: 'list', sink: 'loki', path: ['structured_metadata_fields'], description: 'event field to send as Loki structured metadata, repeatable (adds to the default list)' }),
  s({ flag: 'loki-structured-metadata', arg: '<true|false>', env: 'WIRETY_SHIP_LOKI_STRUCTURED_METADATA', kind: 'value', sink: 'loki', path: ['structured_metadata'], description: 'false: send no structured metadata (Loki 2.9, or Loki 3 with a schema before v13)' }),

  s({ flag: 'elasticsearch', arg: '<url>', env: 'WIRETY_SHIP_ES_URL', kind: 'value', sink: 'elasticsearch', path: ['url'], description: 'ship to Elasticsearch/OpenSearch at this base URL (sink "elasticsearch")' }),
  s({ flag: 'es-index', arg: '<pattern>', env: 'WIRETY_SHIP_ES_INDEX', kind: 'value', sink: 'elasticsearch', path: ['index'], description: 'index name pattern (%Y %m %d %H from the event time, UTC)' }),
  s({ flag: 'es-data-stream', arg: '<name>', env: 'WIRETY_SHIP_ES_DATA_STREAM', kind: 'value', sink: 'elasticsearch', path: ['data_stream'], description: 'write to this data stream instead of an index' }),
  s({ flag: 'es-username', arg: '<user>', env: 'WIRETY_SHIP_ES_USERNAME', kind: 'value', sink: 'elasticsearch', path: ['auth', 'username'], description: 'Elasticsearch basic-auth user (password: WIRETY_SHIP_ES_PASSWORD)' }),
  s({ env: 'WIRETY_SHIP_ES_PASSWORD', kind: 'value', sink: 'elasticsearch', path: ['auth', 'password'], secret: { refused: 'es-password', file: 'es-password-file' }, description: 'Elasticsearch basic-auth password' }),
  s({ flag: 'es-password-file', arg: '<file>', env: 'WIRETY_SHIP_ES_PASSWORD_FILE', kind: 'value', sink: 'elasticsearch', path: ['auth', 'password_file'], description: 'file holding the Elasticsearch password' }),
  s({ env: 'WIRETY_SHIP_ES_API_KEY', kind: 'value', sink: 'elasticsearch', path: ['auth', 'api_key'], secret: { refused: 'es-api-key', file: 'es-api-key-file' }, description: 'Elasticsearch API key (base64 id:key)' }),
  s({ flag: 'es-api-key-file', arg: '<file>', env: 'WIRETY_SHIP_ES_API_KEY_FILE', kind: 'value', sink: 'elasticsearch', path: ['auth', 'api_key_file'], description: 'file holding an Elasticsearch API key' }),

  s({ flag: 'splunk-hec', arg: '<url>', env: 'WIRETY_SHIP_SPLUNK_URL', kind: 'value', sink: 'splunk', path: ['url'], description: 'ship to Splunk HEC at this base URL (sink "splunk"; token: WIRETY_SHIP_SPLUNK_TOKEN)' }),
  s({ env: 'WIRETY_SHIP_SPLUNK_TOKEN', kind: 'value', sink: 'splunk', path: ['token'], secret: { refused: 'splunk-token', file: 'splunk-token-file' }, description: 'Splunk HEC token' }),
  s({ flag: 'splunk-token-file', arg: '<file>', env: 'WIRETY_SHIP_SPLUNK_TOKEN_FILE', kind: 'value', sink: 'splunk', path: ['token_file'], description: 'file holding the Splunk HEC token' }),
  s({ flag: 'splunk-ack', env: 'WIRETY_SHIP_SPLUNK_ACK', kind: 'switch', sink: 'splunk', path: ['ack', 'enabled'], description: 'count events delivered only once Splunk confirms indexing' }),
  s({ flag: 'splunk-index', arg: '<index>', env: 'WIRETY_SHIP_SPLUNK_INDEX', kind: 'value', sink: 'splunk', path: ['index'], description: 'Splunk index' }),

  s({ flag: 'stdout', env: 'WIRETY_SHIP_STDOUT', kind: 'switch', sink: 'stdout', path: [], description: 'also write events to stdout as NDJSON (sink "stdout")' }),
  s({ flag: 'gzip', env: 'WIRETY_SHIP_GZIP', kind: 'switch', allHttp: true, path: ['gzip'], description: 'gzip request bodies (all HTTP sinks)' }),
  s({ flag: 'insecure-skip-verify', kind: 'switch', allHttp: true, path: ['tls', 'insecure_skip_verify'], description: 'DANGEROUS: do not verify TLS certificates (all HTTP sinks)' }),
  s({ flag: 'ca-file', arg: '<file>', env: 'WIRETY_SHIP_CA_FILE', kind: 'value', allHttp: true, path: ['tls', 'ca_file'], description: 'PEM file of CAs to trust (all HTTP sinks)' }),

  s({ flag: 'passthrough', env: 'WIRETY_SHIP_PASSTHROUGH', kind: 'switch', path: ['input', 'passthrough'], description: 'copy every input line unchanged to stdout' }),
  s({ flag: 'max-line-bytes', arg: '<size>', env: 'WIRETY_SHIP_MAX_LINE_BYTES', kind: 'value', path: ['input', 'max_line_bytes'], description: 'longer lines are dead-lettered (default 256KiB)' }),
  s({ flag: 'unknown-actions', arg: '<forward|dead_letter>', env: 'WIRETY_SHIP_UNKNOWN_ACTIONS', kind: 'value', path: ['audit', 'unknown_actions'], description: 'events with an action not in the catalogue' }),
  s({ flag: 'dead-letter', arg: '<path>', env: 'WIRETY_SHIP_DEAD_LETTER', kind: 'value', path: ['dead_letter', 'path'], description: 'dead-letter file (default: dead-letter.ndjson in the state directory)' }),
  s({ flag: 'buffer', arg: '<disk|memory>', env: 'WIRETY_SHIP_BUFFER', kind: 'value', path: ['buffer', 'type'], description: 'journal on disk (default; survives crashes) or in memory' }),
  s({ flag: 'data-dir', arg: '<dir>', env: 'WIRETY_SHIP_DATA_DIR', kind: 'value', path: ['buffer', 'data_dir'], description: 'journal directory, one wirety-ship each (default: journal/ in the state directory)' }),
  s({ flag: 'fsync', arg: '<always|interval|never>', env: 'WIRETY_SHIP_FSYNC', kind: 'value', path: ['buffer', 'fsync'], description: 'when the journal is flushed to disk (default interval)' }),
  s({ flag: 'shutdown-timeout', arg: '<duration>', env: 'WIRETY_SHIP_SHUTDOWN_TIMEOUT', kind: 'value', path: ['shutdown_timeout'], description: 'time to flush on SIGTERM (default 20s)' }),
  s({ flag: 'metrics-addr', arg: '<host:port>', env: 'WIRETY_SHIP_METRICS_ADDR', kind: 'value', path: ['metrics', 'address'], description: 'serve /metrics, /healthz, /readyz here' }),
  s({ flag: 'log-level', arg: '<level>', env: 'WIRETY_SHIP_LOG_LEVEL', kind: 'value', path: ['log', 'level'], description: 'debug, info, warn or error (default info)' }),
  s({ flag: 'log-format', arg: '<auto|json|text>', env: 'WIRETY_SHIP_LOG_FORMAT', kind: 'value', path: ['log', 'format'], description: 'operational log format on stderr (default auto)' }),
];

/** Variables that are not ours although they start with WIRETY_SHIP_: Kubernetes and Docker link
 * variables for a Service or container named "wirety-ship". */
export const FOREIGN_ENV =
  /^WIRETY_SHIP_(SERVICE_HOST|SERVICE_PORT(_\w+)?|PORT(_\d+_(TCP|UDP|SCTP)(_\w+)?)?|NAME|ENV_\w+)$/;
