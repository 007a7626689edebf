/**
 * The JSON Schema of the config file (after ${VAR} substitution, before env and flags are folded
 * in), and the TypeScript shape of a tree that passed it.
 *
 * Invariants: `additionalProperties: false` on every block, so any unknown key is reported (with a
 * suggestion drawn from `properties`); a sink's block is checked against the schema of its `type`
 * (ajv discriminator), so keys of another sink type are unknown keys too. Durations and sizes are
 * only type-checked here (`title` marks them for messages); units.ts parses them.
 */
import type { SchemaObject } from 'ajv';

const str = { type: 'string' };
const bool = { type: 'boolean' };
const count = { type: 'integer', minimum: 1 };
const countOrZero = { type: 'integer', minimum: 0 };
const duration = { title: 'duration', type: ['string', 'integer'] };
const size = { title: 'size', type: ['string', 'integer'] };
const strings = { type: 'array', items: str };
const stringMap = { type: 'object', additionalProperties: str };
const block = (properties: Record<string, unknown>): SchemaObject => ({
  type: 'object',
  additionalProperties: false,
  properties,
});

const batch = block({ max_events: count, max_bytes: size, max_wait: duration });
const retry = block({
  initial_backoff: duration,
  max_backoff: duration,
  max_retry_after: duration,
  max_network_backoff: duration,
});
const tls = block({
  ca_file: str,
  cert_file: str,
  key_file: str,
  insecure_skip_verify: bool,
  server_name: str,
});
const basicAndBearer = {
  username: str,
  password: str,
  password_file: str,
  bearer_token: str,
  bearer_token_file: str,
};

const common = { batch, retry, max_in_flight: count };
const http = { ...common, url: str, timeout: duration, gzip: bool, tls, headers: stringMap };
const sinkType = (type: string) => ({ type: 'string', const: type });

export const SINK_TYPES = ['loki', 'elasticsearch', 'splunk_hec', 'stdout'] as const;

const sinkSchemas: Record<(typeof SINK_TYPES)[number], SchemaObject> = {
  loki: block({
    type: sinkType('loki'),
    ...http,
    tenant: str,
    auth: block(basicAndBearer),
    labels: stringMap,
    label_fields: strings,
    structured_metadata: bool,
    structured_metadata_fields: strings,
    timestamp: { type: 'string', enum: ['event', 'received'] },
  }),
  elasticsearch: block({
    type: sinkType('elasticsearch'),
    ...http,
    index: str,
    data_stream: str,
    op: { type: 'string', enum: ['create', 'index'] },
    pipeline: str,
    auth: block({ ...basicAndBearer, api_key: str, api_key_file: str }),
    startup_check: bool,
  }),
  splunk_hec: block({
    type: sinkType('splunk_hec'),
    ...http,
    token: str,
    token_file: str,
    sourcetype: str,
    source: str,
    host: str,
    index: str,
    indexed_fields: strings,
    ack: block({ enabled: bool, poll_interval: duration, timeout: duration, required: bool }),
  }),
  stdout: block({ type: sinkType('stdout'), ...common }),
};

/** Which sink types have a given key, for "index is a setting of elasticsearch sinks" hints. */
export function sinkTypesWithKey(key: string): string[] {
  return SINK_TYPES.filter((type) => Object.hasOwn(sinkSchemas[type].properties as object, key));
}

export const fileSchema: SchemaObject = block({
  input: block({
    type: { type: 'string', enum: ['stdin'] },
    max_line_bytes: size,
    // Up to 1000: deeper values come close to overflowing the stack of the sinks' encoders.
    max_depth: { type: 'integer', minimum: 1, maximum: 1000 },
    passthrough: bool,
  }),
  audit: block({
    unknown_actions: { type: 'string', enum: ['forward', 'dead_letter'] },
    not_json: { type: 'string', enum: ['dead_letter', 'count'] },
  }),
  dead_letter: block({ path: str, max_bytes: size, max_files: countOrZero }),
  buffer: block({
    type: { type: 'string', enum: ['disk', 'memory'] },
    data_dir: str,
    fsync: { type: 'string', enum: ['always', 'interval', 'never'] },
    fsync_interval: duration,
    max_bytes: size,
    segment_bytes: size,
    when_full: { type: 'string', enum: ['block', 'drop_newest'] },
    new_sink_start: { type: 'string', enum: ['head', 'oldest'] },
  }),
  shutdown_timeout: duration,
  log: block({
    level: { type: 'string', enum: ['debug', 'info', 'warn', 'error'] },
    format: { type: 'string', enum: ['auto', 'json', 'text'] },
    progress_interval: duration,
  }),
  metrics: block({ address: str, auth_failure_unready: duration }),
  defaults: block({ batch, retry, timeout: duration, max_in_flight: count, gzip: bool, tls }),
  sinks: {
    type: 'object',
    propertyNames: { pattern: '^[a-z0-9_-]+$' },
    additionalProperties: {
      type: 'object',
      required: ['type'],
      properties: { type: { type: 'string' } },
      discriminator: { propertyName: 'type' },
      oneOf: SINK_TYPES.map((type) => sinkSchemas[type]),
    },
  },
});

// The shape of a tree that passed fileSchema (sizes and durations still as written).
export type RawDuration = string | number;
export type RawSize = string | number;
export interface RawBatch {
  readonly max_events?: number;
  readonly max_bytes?: RawSize;
  readonly max_wait?: RawDuration;
}
export interface RawRetry {
  readonly initial_backoff?: RawDuration;
  readonly max_backoff?: RawDuration;
  readonly max_retry_after?: RawDuration;
  readonly max_network_backoff?: RawDuration;
}
export interface RawTls {
  readonly ca_file?: string;
  readonly cert_file?: string;
  readonly key_file?: string;
  readonly insecure_skip_verify?: boolean;
  readonly server_name?: string;
}
export interface RawAuth {
  readonly username?: string;
  readonly password?: string;
  readonly password_file?: string;
  readonly bearer_token?: string;
  readonly bearer_token_file?: string;
  readonly api_key?: string;
  readonly api_key_file?: string;
}
export interface RawSink {
  readonly type: (typeof SINK_TYPES)[number];
  readonly batch?: RawBatch;
  readonly retry?: RawRetry;
  readonly max_in_flight?: number;
  readonly url?: string;
  readonly timeout?: RawDuration;
  readonly gzip?: boolean;
  readonly tls?: RawTls;
  readonly headers?: Readonly<Record<string, string>>;
  readonly auth?: RawAuth;
  readonly tenant?: string;
  readonly labels?: Readonly<Record<string, string>>;
  readonly label_fields?: readonly string[];
  readonly structured_metadata?: boolean;
  readonly structured_metadata_fields?: readonly string[];
  readonly timestamp?: 'event' | 'received';
  readonly index?: string;
  readonly data_stream?: string;
  readonly op?: 'create' | 'index';
  readonly pipeline?: string;
  readonly startup_check?: boolean;
  readonly token?: string;
  readonly token_file?: string;
  readonly sourcetype?: string;
  readonly source?: string;
  readonly host?: string;
  readonly indexed_fields?: readonly string[];
  readonly ack?: {
    readonly enabled?: boolean;
    readonly poll_interval?: RawDuration;
    readonly timeout?: RawDuration;
    readonly required?: boolean;
  };
}
export interface RawConfig {
  readonly input?: {
    readonly type?: 'stdin';
    readonly max_line_bytes?: RawSize;
    readonly max_depth?: number;
    readonly passthrough?: boolean;
  };
  readonly audit?: {
    readonly unknown_actions?: 'forward' | 'dead_letter';
    readonly not_json?: 'dead_letter' | 'count';
  };
  readonly dead_letter?: {
    readonly path?: string;
    readonly max_bytes?: RawSize;
    readonly max_files?: number;
  };
  readonly buffer?: {
    readonly type?: 'disk' | 'memory';
    readonly data_dir?: string;
    readonly fsync?: 'always' | 'interval' | 'never';
    readonly fsync_interval?: RawDuration;
    readonly max_bytes?: RawSize;
    readonly segment_bytes?: RawSize;
    readonly when_full?: 'block' | 'drop_newest';
    readonly new_sink_start?: 'head' | 'oldest';
  };
  readonly shutdown_timeout?: RawDuration;
  readonly log?: {
    readonly level?: 'debug' | 'info' | 'warn' | 'error';
    readonly format?: 'auto' | 'json' | 'text';
    readonly progress_interval?: RawDuration;
  };
  readonly metrics?: { readonly address?: string; readonly auth_failure_unready?: RawDuration };
  readonly defaults?: {
    readonly batch?: RawBatch;
    readonly retry?: RawRetry;
    readonly timeout?: RawDuration;
    readonly max_in_flight?: number;
    readonly gzip?: boolean;
    readonly tls?: RawTls;
  };
  readonly sinks?: Readonly<Record<string, RawSink>>;
}
