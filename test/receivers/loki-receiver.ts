/**
 * A Loki push endpoint for tests: the scripted receiver plus Loki's body handling. Every push is
 * fully decoded (snappy block → PushRequest protobuf → label strings parsed); a body Loki would
 * refuse gets Loki's answer (plain-text 400, or 422 for zero streams), so encoding bugs show up as
 * failures instead of passing silently.
 *
 * `pushes` holds the pushes answered 2xx other than 260, each with all its entries. Replies queued
 * with script() answer valid pushes in order; an invalid body is answered 400/422 without using up
 * the queue (Loki parses the body before it applies limits). Every request, accepted or not, stays
 * in `requests`; decodeLokiPush() reads one.
 *
 * With `limits` (loki-limits.ts) the receiver validates like Loki before the queue: refused entries
 * get Loki's 400 (the valid ones of that push are stored all the same, and the queue is not used),
 * a push over the burst gets Loki's 429. `stored()` is what Loki holds: every entry it accepted,
 * from 2xx and partial-400 pushes alike, identical entries once (Loki's de-duplication).
 *
 * Around the push, as Loki and its usual gateway answer: `GET /ready` ("ready", or 503 after
 * setReady(false)); `GET /loki/api/v1/status/buildinfo` (`version`); with `authorization`, a
 * gateway's 401 for any request without exactly that Authorization header; with `requireTenant`
 * (Loki's auth_enabled), 401 "no org id" for an API request without X-Scope-OrgID. With `tls`,
 * it serves https.
 */
import { uncompress } from 'snappyjs';
import type { LokiSinkConfig } from '../../src/config/types.js';
import { decodePushRequest } from '../../src/sinks/loki/push-proto.js';
import { createLokiStore, groupedErrors, validatePush, type LokiLimits } from './loki-limits.js';
import {
  startScriptedReceiver,
  type ReceivedRequest,
  type ReplyFn,
  type ScriptedReceiver,
  type ScriptedReceiverOptions,
  type ScriptedReply,
} from './scripted-receiver.js';

export interface LokiEntry {
  readonly labels: Readonly<Record<string, string>>;
  readonly timestampNs: bigint;
  readonly line: string;
  readonly metadata: Readonly<Record<string, string>>;
  readonly tenant?: string;
}

export interface LokiStream {
  /** The label string exactly as sent. */
  readonly labelString: string;
  readonly labels: Readonly<Record<string, string>>;
  readonly entries: readonly LokiEntry[];
}

export interface LokiPush {
  readonly tenant?: string;
  readonly streams: readonly LokiStream[];
  readonly request: ReceivedRequest;
}

export interface LokiReceiver extends ScriptedReceiver {
  /**
   * Accepted pushes in arrival order: answered 2xx other than 260. A gated reply counts as soon as the
   * push arrives (Loki stores before it answers), so a client that times out may still be stored.
   */
  readonly pushes: LokiPush[];
  /** Entries of all accepted pushes, flattened in arrival order. */
  entries(): LokiEntry[];
  /** Resolves once accepted pushes hold at least `count` entries (rejects after timeoutMs). */
  waitForEntries(count: number, timeoutMs?: number): Promise<void>;
  /** A complete Loki sink config aimed at this receiver. */
  sinkConfig(overrides?: Partial<LokiSinkConfig>): LokiSinkConfig;
  /** Loki's limits from now on (see loki-limits.ts); {} turns them all off. */
  setLimits(limits: LokiLimits): void;
  /** false: `GET /ready` answers 503 as a Loki still starting does. */
  setReady(on: boolean): void;
  /** What Loki holds, in arrival order: each distinct entry once. */
  stored(): LokiEntry[];
  /** Entries Loki skipped as identical to one it already held. */
  duplicatesSkipped(): number;
}

/** A complete Loki sink config with the documented defaults, for tests and benches. */
export function lokiSinkConfig(url: string, overrides: Partial<LokiSinkConfig> = {}): LokiSinkConfig {
  return {
    type: 'loki',
    name: 'loki',
    url,
    timeout_ms: 5_000,
    gzip: false,
    tls: { insecure_skip_verify: false },
    auth: {},
    headers: {},
    batch: { max_events: 10_000, max_bytes: 1 << 20, max_wait_ms: 1_000 },
    retry: {
      initial_backoff_ms: 500,
      max_backoff_ms: 300_000,
      max_retry_after_ms: 300_000,
      max_network_backoff_ms: 10_000,
    },
    max_in_flight: 1,
    labels: { job: 'wirety' },
    label_fields: [],
    structured_metadata: true,
    structured_metadata_fields: [],
    metadata_labels: ['namespace', 'container', 'container_name'],
    metadata_structured: ['pod', 'pod_uid', 'node', 'container_id', 'tag'],
    timestamp: 'event',
    ...overrides,
  };
}

/** Loki's own limit on a decompressed push is far above this; a test never needs more. */
const MAX_DECOMPRESSED = 100 * 1024 * 1024;
const NAME = /[a-zA-Z_][a-zA-Z0-9_]*/y;
const UNESCAPE: Readonly<Record<string, string>> = { n: '\n', r: '\r', t: '\t', '\\': '\\', '"': '"' };
/** Loki's default limits (validation/limits.go): label value bytes, structured metadata bytes and pairs per entry. */
export const LOKI_MAX_LABEL_VALUE_BYTES = 2048;
export const LOKI_MAX_METADATA_BYTES = 64 * 1024;
export const LOKI_MAX_METADATA_PAIRS = 128;

/**
 * Parses `{a="x",b="y"}` as Loki's selector parser would (equality matchers only). Throws if
 * malformed. Like Prometheus' lexer (which Loki uses), it refuses U+FFFD in a value, even a valid
 * one ("invalid UTF-8 rune": a 400 for the whole push), and accepts the escape \uXXXX instead.
 */
export function parseLokiLabels(text: string): Record<string, string> {
  const labels: Record<string, string> = {};
  let i = 0;
  const fail = (why: string): never => {
    throw new Error(`error parsing labels ${JSON.stringify(text)}: ${why} at offset ${i}`);
  };
  const skipSpace = () => {
    while (text[i] === ' ') i++;
  };
  skipSpace();
  if (text[i++] !== '{') fail('expected "{"');
  skipSpace();
  while (text[i] !== '}') {
    NAME.lastIndex = i;
    const name = NAME.exec(text)?.[0] ?? fail('expected a label name');
    i += name.length;
    skipSpace();
    if (text[i++] !== '=' || text[i++] !== '"') fail('expected ="');
    let value = '';
    for (;;) {
      const c = text[i++] ?? fail('unterminated value');
      if (c === '"') break;
      if (c === '\n') fail('raw newline in value');
      if (c === '\uFFFD') fail('parse error: invalid UTF-8 rune');
      if (c === '\\' && text[i] === 'u') {
        const hex = text.slice(i + 1, i + 5);
        if (!/^[0-9a-fA-F]{4}$/.test(hex)) fail('invalid \\u escape');
        value += String.fromCharCode(parseInt(hex, 16));
        i += 5;
      } else if (c === '\\') value += UNESCAPE[text[i++] ?? ''] ?? fail('unknown escape');
      else value += c;
    }
    // Real Loki refuses only this stream's entries (a partial 400); refusing the push is stricter.
    if (Buffer.byteLength(value) > LOKI_MAX_LABEL_VALUE_BYTES)
      fail(`label value too long: '${value.slice(0, 40)}…'`);
    if (Object.hasOwn(labels, name)) fail(`duplicate label name ${name}`);
    labels[name] = value;
    skipSpace();
    if (text[i] === ',') i++;
    else if (text[i] !== '}') fail('expected "," or "}"');
    skipSpace();
  }
  if (text.slice(i + 1).trim() !== '') fail('trailing text');
  if (Object.keys(labels).length === 0) fail('at least one label pair is required per stream');
  return labels;
}

/** Decodes one push body (after Content-Encoding). Throws with Loki-like text when it is not valid. */
export function decodeLokiPush(body: Buffer, tenant?: string): LokiStream[] {
  let raw: Buffer;
  try {
    raw = uncompress(body, MAX_DECOMPRESSED);
  } catch (error) {
    throw new Error(`snappy: corrupt input (${(error as Error).message})`);
  }
  const request = decodePushRequest(raw);
  return request.streams.map((s) => {
    const labels = parseLokiLabels(s.labels);
    return {
      labelString: s.labels,
      labels,
      entries: s.entries.map((e) => {
        const { seconds, nanos } = e.timestamp;
        if (nanos < 0 || nanos > 999_999_999) throw new Error(`timestamp nanos out of range: ${nanos}`);
        const metadata: Record<string, string> = {};
        let metadataBytes = 0;
        for (const p of e.structuredMetadata) {
          metadata[p.name] = p.value;
          metadataBytes += Buffer.byteLength(p.name) + Buffer.byteLength(p.value);
        }
        // Real Loki refuses only this entry (a partial 400); refusing the push is stricter.
        if (metadataBytes > LOKI_MAX_METADATA_BYTES) {
          throw new Error(
            `stream '${s.labels}' has structured metadata too large: '${metadataBytes}' bytes, limit: '${LOKI_MAX_METADATA_BYTES}' bytes`,
          );
        }
        if (e.structuredMetadata.length > LOKI_MAX_METADATA_PAIRS) {
          throw new Error(
            `stream '${s.labels}' has too many structured metadata labels: '${e.structuredMetadata.length}', limit: '${LOKI_MAX_METADATA_PAIRS}'`,
          );
        }
        const entry = {
          labels,
          timestampNs: seconds * 1_000_000_000n + BigInt(nanos),
          line: e.line,
          metadata,
        };
        return tenant === undefined ? entry : { ...entry, tenant };
      }),
    };
  });
}

const plain = (status: number, text: string): ScriptedReply => ({
  status,
  headers: { 'content-type': 'text/plain; charset=utf-8' },
  body: `${text}\n`,
});

/** The status a reply finally answers with, looking through gates; undefined for reset/hang. */
function finalStatus(reply: ScriptedReply): number | undefined {
  if ('gate' in reply) return finalStatus(reply.then);
  return 'status' in reply ? reply.status : undefined;
}

export interface LokiReceiverOptions {
  readonly limits?: LokiLimits;
  /** A gateway in front: requests without exactly this Authorization header get its 401. */
  readonly authorization?: string;
  /** Loki's auth_enabled: API requests without X-Scope-OrgID get 401 "no org id". */
  readonly requireTenant?: boolean;
  /** What `/loki/api/v1/status/buildinfo` reports; default 3.4.2. */
  readonly version?: string;
  readonly tls?: ScriptedReceiverOptions['tls'];
}

export async function startLokiReceiver(options: LokiReceiverOptions = {}): Promise<LokiReceiver> {
  const pushes: LokiPush[] = [];
  const store = createLokiStore();
  let limits = options.limits ?? {};
  const queue: ScriptedReply[] = [];
  let fallback: ReplyFn = () => ({ status: 204 });
  let entryCount = 0;
  let waiters: { count: number; resolve: () => void }[] = [];
  let ready = true;

  const handle: ReplyFn = (request, index) => {
    const path = request.url.split('?')[0];
    if (options.authorization !== undefined && request.headers.authorization !== options.authorization) {
      return {
        status: 401,
        headers: { 'content-type': 'text/html', 'www-authenticate': 'Basic realm="loki"' },
        body: '<html><head><title>401 Authorization Required</title></head><body><center><h1>401 Authorization Required</h1></center><hr><center>nginx</center></body></html>\n',
      };
    }
    if (request.method === 'GET' && path === '/ready') {
      return ready
        ? plain(200, 'ready')
        : plain(503, 'Ingester not ready: waiting for 15s after being ready');
    }
    if (options.requireTenant && path?.startsWith('/loki/api/') && !request.headers['x-scope-orgid']) {
      return plain(401, 'no org id');
    }
    if (request.method === 'GET' && path === '/loki/api/v1/status/buildinfo') {
      const version = options.version ?? '3.4.2';
      return {
        status: 200,
        headers: { 'content-type': 'application/json' },
        body: {
          version,
          revision: '0123abcd',
          branch: 'HEAD',
          buildUser: 'root@build',
          buildDate: '2025-02-14T00:00:00Z',
          goVersion: 'go1.23.6',
        },
      };
    }
    if (request.method !== 'POST' || path !== '/loki/api/v1/push') {
      return plain(404, '404 page not found');
    }
    if (String(request.headers['content-type'] ?? '').startsWith('application/json')) {
      return plain(400, 'this test receiver only decodes protobuf pushes');
    }
    const tenantHeader = request.headers['x-scope-orgid'];
    const tenant = Array.isArray(tenantHeader) ? tenantHeader[0] : tenantHeader;
    let streams: LokiStream[];
    try {
      streams = decodeLokiPush(request.body, tenant);
    } catch (error) {
      return plain(400, (error as Error).message);
    }
    // validation.MissingStreamsErrorMsg, before any entry is looked at: nothing is stored.
    if (streams.length === 0) return plain(422, 'error at least one valid stream is required for ingestion');
    const { valid, refusals, rateLimited } = validatePush(streams, tenant, limits);
    if (rateLimited !== undefined) return plain(429, rateLimited);
    if (refusals.length > 0) {
      store.add(valid);
      return plain(400, groupedErrors(refusals));
    }
    const accept = (reply: ScriptedReply): ScriptedReply => {
      const status = finalStatus(reply);
      if (status !== undefined && status >= 200 && status < 300 && status !== 260) {
        store.add(streams);
        pushes.push(tenant === undefined ? { streams, request } : { tenant, streams, request });
        for (const s of streams) entryCount += s.entries.length;
        const ready = waiters.filter((w) => entryCount >= w.count);
        waiters = waiters.filter((w) => entryCount < w.count);
        for (const w of ready) w.resolve();
      }
      return reply;
    };
    const scripted = queue.shift();
    return scripted ? accept(scripted) : Promise.resolve(fallback(request, index)).then(accept);
  };

  const base = await startScriptedReceiver(handle, options.tls ? { tls: options.tls } : {});
  return {
    ...base,
    requests: base.requests,
    pushes,
    script: (...replies) => {
      queue.push(...replies);
    },
    setDefaultReply: (reply) => {
      fallback = reply;
    },
    sinkConfig: (overrides) => lokiSinkConfig(base.url, overrides),
    setLimits: (next) => {
      limits = next;
    },
    setReady: (on) => {
      ready = on;
    },
    stored: () => [...store.entries],
    duplicatesSkipped: () => store.duplicates,
    entries: () => pushes.flatMap((p) => p.streams.flatMap((s) => s.entries)),
    waitForEntries: (count, timeoutMs = 30_000) =>
      new Promise<void>((resolve, reject) => {
        if (entryCount >= count) return resolve();
        const timer = setTimeout(
          () => reject(new Error(`Loki receiver has ${entryCount} entries, expected ${count}`)),
          timeoutMs,
        );
        waiters.push({
          count,
          resolve: () => {
            clearTimeout(timer);
            resolve();
          },
        });
      }),
  };
}
