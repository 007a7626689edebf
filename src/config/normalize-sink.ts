/**
 * One validated `sinks.<name>` block → its SinkConfig. Each shared setting resolves key by key:
 * the sink's block, then the file's `defaults:`, then the sink type's defaults (defaults.ts).
 * Unset optional settings are left out of the result rather than set to undefined.
 */
import {
  DEFAULTS,
  ELASTICSEARCH_DEFAULTS,
  LOKI_DEFAULTS,
  SINK_TYPE_DEFAULTS,
  SPLUNK_DEFAULTS,
} from './defaults.js';
import type { RawConfig, RawSink } from './file-schema.js';
import { layered, type Resolver } from './resolve-values.js';
import type { AuthConfig, HttpSinkCommon, SinkCommon, SinkConfig, TlsConfig } from './types.js';

/** Drops undefined-valued keys, so optional settings are absent, not present-but-undefined. */
function defined<T extends object>(value: T): T {
  return Object.fromEntries(Object.entries(value).filter(([, v]) => v !== undefined)) as T;
}

export interface SinkContext {
  readonly resolve: Resolver;
  readonly hostname: string;
}

function common(name: string, raw: RawSink, defaults: RawConfig['defaults'], ctx: SinkContext): SinkCommon {
  const layers = [
    [['sinks', name], raw],
    [['defaults'], defaults],
  ] as const;
  const get = (...key: string[]) => layered(layers, key);
  const type = SINK_TYPE_DEFAULTS[raw.type];
  const { duration, size } = ctx.resolve;
  const events = get('batch', 'max_events')[1] as number | undefined;
  const inFlight = get('max_in_flight')[1] as number | undefined;
  return {
    name,
    batch: {
      max_events: events ?? type.batch.max_events,
      max_bytes: size(...get('batch', 'max_bytes'), type.batch.max_bytes, 1),
      max_wait_ms: duration(...get('batch', 'max_wait'), type.batch.max_wait_ms),
    },
    retry: {
      initial_backoff_ms: duration(...get('retry', 'initial_backoff'), DEFAULTS.retry.initial_backoff_ms, 1),
      max_backoff_ms: duration(...get('retry', 'max_backoff'), DEFAULTS.retry.max_backoff_ms, 1),
      max_retry_after_ms: duration(...get('retry', 'max_retry_after'), DEFAULTS.retry.max_retry_after_ms),
      max_network_backoff_ms: duration(
        ...get('retry', 'max_network_backoff'),
        DEFAULTS.retry.max_network_backoff_ms,
        1,
      ),
    },
    max_in_flight: inFlight ?? type.max_in_flight,
  };
}

function http(name: string, raw: RawSink, defaults: RawConfig['defaults'], ctx: SinkContext): HttpSinkCommon {
  const layers = [
    [['sinks', name], raw],
    [['defaults'], defaults],
  ] as const;
  const value = <T>(...key: string[]) => layered(layers, key)[1] as T | undefined;
  const { file, optionalFile } = ctx.resolve;
  const tls: TlsConfig = defined({
    ca_file: optionalFile(value<string>('tls', 'ca_file')),
    cert_file: optionalFile(value<string>('tls', 'cert_file')),
    key_file: optionalFile(value<string>('tls', 'key_file')),
    insecure_skip_verify: value<boolean>('tls', 'insecure_skip_verify') ?? false,
    server_name: value<string>('tls', 'server_name'),
  });
  const a = raw.auth ?? {};
  const auth: AuthConfig = defined({
    username: a.username,
    password: a.password,
    password_file: a.password_file === undefined ? undefined : file(a.password_file),
    bearer_token: a.bearer_token,
    bearer_token_file: a.bearer_token_file === undefined ? undefined : file(a.bearer_token_file),
    api_key: a.api_key,
    api_key_file: a.api_key_file === undefined ? undefined : file(a.api_key_file),
  });
  return {
    ...common(name, raw, defaults, ctx),
    // Trailing slashes go so sinks can append their paths ("/loki/api/v1/push") without "//".
    url: (raw.url ?? '').replace(/\/+$/, ''),
    timeout_ms: ctx.resolve.duration(...layered(layers, ['timeout']), DEFAULTS.timeout_ms, 1),
    gzip: value<boolean>('gzip') ?? DEFAULTS.gzip,
    tls,
    auth,
    headers: { ...raw.headers },
  };
}

export function normalizeSink(
  name: string,
  raw: RawSink,
  defaults: RawConfig['defaults'],
  ctx: SinkContext,
): SinkConfig {
  const base = ['sinks', name];
  switch (raw.type) {
    case 'stdout':
      return { type: 'stdout', ...common(name, raw, defaults, ctx) };
    case 'loki':
      return defined({
        type: 'loki',
        ...http(name, raw, defaults, ctx),
        tenant: raw.tenant,
        labels: { ...(raw.labels ?? LOKI_DEFAULTS.labels) },
        label_fields: [...(raw.label_fields ?? LOKI_DEFAULTS.label_fields)],
        structured_metadata: raw.structured_metadata ?? LOKI_DEFAULTS.structured_metadata,
        structured_metadata_fields: [
          ...(raw.structured_metadata_fields ?? LOKI_DEFAULTS.structured_metadata_fields),
        ],
        timestamp: raw.timestamp ?? LOKI_DEFAULTS.timestamp,
      });
    case 'elasticsearch':
      return defined({
        type: 'elasticsearch',
        ...http(name, raw, defaults, ctx),
        index: raw.index ?? ELASTICSEARCH_DEFAULTS.index,
        data_stream: raw.data_stream,
        op: raw.op ?? ELASTICSEARCH_DEFAULTS.op,
        pipeline: raw.pipeline,
        startup_check: raw.startup_check ?? ELASTICSEARCH_DEFAULTS.startup_check,
      });
    case 'splunk_hec':
      return defined({
        type: 'splunk_hec',
        ...http(name, raw, defaults, ctx),
        token: raw.token,
        token_file: raw.token_file === undefined ? undefined : ctx.resolve.file(raw.token_file),
        sourcetype: raw.sourcetype ?? SPLUNK_DEFAULTS.sourcetype,
        source: raw.source ?? SPLUNK_DEFAULTS.source,
        host: raw.host ?? ctx.hostname,
        index: raw.index,
        indexed_fields: [...(raw.indexed_fields ?? SPLUNK_DEFAULTS.indexed_fields)],
        ack: {
          enabled: raw.ack?.enabled ?? SPLUNK_DEFAULTS.ack.enabled,
          poll_interval_ms: ctx.resolve.duration(
            [...base, 'ack', 'poll_interval'],
            raw.ack?.poll_interval,
            SPLUNK_DEFAULTS.ack.poll_interval_ms,
            1,
          ),
          timeout_ms: ctx.resolve.duration(
            [...base, 'ack', 'timeout'],
            raw.ack?.timeout,
            SPLUNK_DEFAULTS.ack.timeout_ms,
            1,
          ),
          required: raw.ack?.required ?? SPLUNK_DEFAULTS.ack.required,
        },
      });
  }
}
