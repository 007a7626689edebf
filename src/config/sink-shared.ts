/**
 * The settings every sink shares (batch, retry, max_in_flight) and every HTTP sink shares (url,
 * timeout, gzip, tls, headers), declared once: the `defaults:` block and each sink type's block
 * (src/sinks/<kind>/config.ts, via sink-kinds.ts) are built from these. A sink's own keys live
 * beside the sink.
 */
import type { Static } from '@sinclair/typebox';
import { block, bool, duration, integer, path, section, size, text, textMap } from './declare.js';

export const batch = section(
  {
    max_events: integer({ min: 1, doc: 'events per request', defaultText: 'per type', filled: true }),
    max_bytes: size({ min: 1, doc: 'request body size', defaultText: 'per type', filled: true }),
    max_wait: duration({ doc: 'how long a partial batch waits', defaultText: 'per type', filled: true }),
  },
  'how events are grouped into requests',
);

export const retry = section({
  initial_backoff: duration({
    min: 1,
    default: '500ms',
    doc: "first backoff; doubles with each failed attempt of a batch, full jitter. Connection failures and the receiver's own errors count apart, and the doubling starts again after a wait set by `Retry-After`. Retries never give up: events wait in the journal",
  }),
  max_backoff: duration({ min: 1, default: '5m', doc: 'backoff cap' }),
  max_retry_after: duration({ default: '5m', doc: 'a longer `Retry-After` is cut to this' }),
  max_network_backoff: duration({
    min: 1,
    default: '10s',
    doc: 'backoff cap after a connection-level failure (refused, reset, DNS, TLS): a receiver back from an outage of any length gets its first attempt within this. The smaller of this and `max_backoff` applies',
  }),
});

export const maxInFlight = integer({
  min: 1,
  doc: 'requests in flight at once per sink',
  defaultText: 'per type',
  filled: true,
});

export const tls = section({
  ca_file: path({
    doc: 'PEM CAs to trust instead',
    defaultText: 'system roots',
    cli: {
      flag: 'ca-file',
      arg: '<file>',
      env: 'WIRETY_SHIP_CA_FILE',
      help: 'PEM file of CAs to trust (all HTTP sinks)',
      order: 30,
    },
  }),
  cert_file: path({ doc: 'client certificate (mutual TLS), with `key_file`' }),
  key_file: path({ doc: "the client certificate's unencrypted PEM key, with `cert_file`" }),
  insecure_skip_verify: bool({
    default: false,
    doc: 'do not verify certificates (warned at startup and by `--check-config`)',
    cli: {
      flag: 'insecure-skip-verify',
      help: 'DANGEROUS: do not verify TLS certificates (all HTTP sinks)',
      order: 20,
    },
  }),
  server_name: text({ doc: 'certificate name to expect', defaultText: 'URL host' }),
});

export const timeout = duration({ min: 1, default: '30s', doc: 'per HTTP request' });
export const gzip = bool({
  default: false,
  doc: 'gzip request bodies',
  cli: { flag: 'gzip', env: 'WIRETY_SHIP_GZIP', help: 'gzip request bodies (all HTTP sinks)', order: 10 },
});

/** Settings every sink has. */
export const sinkCommon = { batch, retry, max_in_flight: maxInFlight };

/** Settings every HTTP sink has (all but stdout), besides its own `auth`. */
export const httpCommon = {
  ...sinkCommon,
  // Always a string in the Config: "" when unset, which check-sink.ts reports as required.
  url: text({ doc: 'base URL of the receiver', typeText: 'URL', defaultText: 'required', filled: true }),
  timeout,
  gzip,
  tls,
  headers: textMap({
    doc: 'extra request headers (values are never logged)',
    defaultText: 'none',
    filled: true,
  }),
};

const basic = {
  username: text({ doc: 'basic auth user (with `password` or `password_file`)' }),
  password: text({ secret: true, doc: 'basic auth password (secret)' }),
  password_file: path({ doc: 'file holding the basic auth password' }),
};
const bearer = {
  bearer_token: text({ secret: true, doc: 'bearer token (secret)' }),
  bearer_token_file: path({ doc: 'file holding a bearer token; re-read on 401' }),
};
const apiKey = {
  api_key: text({ secret: true, doc: 'API key, base64 `id:key` (secret)' }),
  api_key_file: path({ doc: 'file holding an API key' }),
};

/** The `auth` blocks sinks choose from: basic and bearer (Loki), plus an API key (Elasticsearch). */
export const basicOrBearerAuth = section({ ...basic, ...bearer });
export const anyAuth = section({ ...basic, ...bearer, ...apiKey });

/** Everything a sink's shared settings are built from (auth included: {} when the type has none). */
export const sharedForNormalize = block({ ...httpCommon, auth: anyAuth });

/** The shape of a validated sink block, as far as the shared settings go. */
export type RawSink = Static<typeof sharedForNormalize> & { readonly type: string } & Readonly<
    Record<string, unknown>
  >;

/** The `defaults:` block: the shared settings any sink block may override. */
export const sinkDefaults = section(
  { batch, retry, timeout, max_in_flight: maxInFlight, gzip, tls },
  'shared sink settings',
);
