/**
 * A Loki push endpoint for tests: the scripted receiver plus Loki's body handling. Every push is
 * fully decoded (snappy block → PushRequest protobuf → label strings parsed); a body Loki would
 * refuse gets Loki's answer (plain-text 400, or 422 for zero streams), so encoding bugs show up as
 * failures instead of passing silently.
 *
 * `pushes` holds what Loki would have stored: pushes answered 2xx other than 260. Replies queued
 * with script() answer valid pushes in order; an invalid body is answered 400/422 without using up
 * the queue (Loki parses the body before it applies limits). Every request, accepted or not, stays
 * in `requests`; decodeLokiPush() reads one.
 */
import { uncompress } from 'snappyjs';
import type { LokiSinkConfig } from '../../src/config/types.js';
import { decodePushRequest } from '../../src/sinks/loki/push-proto.js';
import {
  startScriptedReceiver,
  type ReceivedRequest,
  type ReplyFn,
  type ScriptedReceiver,
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
    structured_metadata_fields: [],
    timestamp: 'event',
    ...overrides,
  };
}

/** Loki's own limit on a decompressed push is far above this; a test never needs more. */
const MAX_DECOMPRESSED = 100 * 1024 * 1024;
const NAME = /[a-zA-Z_][a-zA-Z0-9_]*/y;
const UNESCAPE: Readonly<Record<string, string>> = { n: '\n', r: '\r', t: '\t', '\\': '\\', '"': '"' };

/** Parses `{a="x",b="y"}` as Loki's selector parser would (equality matchers only). Throws if malformed. */
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
      if (c === '\\') value += UNESCAPE[text[i++] ?? ''] ?? fail('unknown escape');
      else value += c;
    }
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
        for (const p of e.structuredMetadata) metadata[p.name] = p.value;
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

export async function startLokiReceiver(): Promise<LokiReceiver> {
  const pushes: LokiPush[] = [];
  const queue: ScriptedReply[] = [];
  let fallback: ReplyFn = () => ({ status: 204 });
  let entryCount = 0;
  let waiters: { count: number; resolve: () => void }[] = [];

  const handle: ReplyFn = (request, index) => {
    if (request.method !== 'POST' || request.url.split('?')[0] !== '/loki/api/v1/push') {
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
    if (streams.length === 0) return plain(422, 'push request has no streams');
    const accept = (reply: ScriptedReply): ScriptedReply => {
      const status = finalStatus(reply);
      if (status !== undefined && status >= 200 && status < 300 && status !== 260) {
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

  const base = await startScriptedReceiver(handle);
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
    entries: () => pushes.flatMap((p) => p.streams.flatMap((s) => s.entries)),
    waitForEntries: (count, timeoutMs = 10_000) =>
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
