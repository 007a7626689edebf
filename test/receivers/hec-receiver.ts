/**
 * A Splunk HTTP Event Collector on a real socket, faithful where wirety-ship depends on it:
 * - `Authorization: Splunk <token>`: missing → 401 code 2, not "Splunk …" → 401 code 3, wrong
 *   token → 403 code 4. The accepted token can change at runtime (setToken), like a rotation.
 * - Channel: `X-Splunk-Request-Channel` (or `?channel=`) must be a GUID (else code 11) and is
 *   required when acknowledgement is on (else code 10).
 * - Body: JSON envelopes concatenated with no separator, split by a string-aware bracket scanner
 *   (a `}{` inside a string stays inside its event). Empty → code 5; unparseable → code 6;
 *   no/null `event` → 12; blank event → 13; `fields` values that are not strings or arrays of
 *   strings → 15; an index outside `indexes` (when given) → 7; `setEventCheck` may refuse more.
 *   A bad event N is answered with `invalid-event-number: N` and the events before it are stored
 *   (indexed), as Splunk is observed to do; with `invalidEventNumber: false`, without the field
 *   and storing nothing (the strict reading). An error reply never has an ackId.
 * - Acknowledgement: each accepted request gets the next ackId of its channel (from 0);
 *   `/services/collector/ack` answers `{"acks":{"<id>":bool}}` as `setAckDecider` decides per id
 *   and poll; an id reported true is released (later polls say false), like Splunk. Ack off → 14.
 * - `indexers: n` puts n indexers behind a balancer that routes by a sticky cookie
 *   (sticky-balancer.ts): each has its own ackIds per channel, as in Splunk, so a poll that
 *   reaches the wrong indexer can "confirm" another indexer's batch. `confirmations` records who
 *   said true to which id.
 * - `replyNext(9, …)` answers the next event requests with those HEC codes (or raw scripted
 *   replies); `replyNextPoll(…)` does the same for the next ack polls, and `refusePolls(…)` for
 *   every poll until cleared (an ack endpoint that refuses: code 14, 10, 11, a proxy's 404/405).
 * - `/services/collector/health` answers code 17 "HEC is healthy", or the code given to setHealth
 *   (18–20: 503 unhealthy).
 */
import { startScriptedReceiver } from './scripted-receiver.js';
import { checkEnvelope, scanConcatenatedJson, type HecEnvelope } from './hec-body.js';
import { createStickyBalancer, type StickyBalancer } from './sticky-balancer.js';

export { splitConcatenatedJson, type HecEnvelope } from './hec-body.js';
import type { ReceivedRequest, ScriptedReceiver, ScriptedReply } from './scripted-receiver.js';

export const HEC_CODES: Readonly<Record<number, { readonly status: number; readonly text: string }>> = {
  0: { status: 200, text: 'Success' },
  1: { status: 403, text: 'Token disabled' },
  2: { status: 401, text: 'Token is required' },
  3: { status: 401, text: 'Invalid authorization' },
  4: { status: 403, text: 'Invalid token' },
  5: { status: 400, text: 'No data' },
  6: { status: 400, text: 'Invalid data format' },
  7: { status: 400, text: 'Incorrect index' },
  8: { status: 500, text: 'Internal server error' },
  9: { status: 503, text: 'Server is busy' },
  10: { status: 400, text: 'Data channel is missing' },
  11: { status: 400, text: 'Invalid data channel' },
  12: { status: 400, text: 'Event field is required' },
  13: { status: 400, text: 'Event field cannot be blank' },
  14: { status: 400, text: 'ACK is disabled' },
  15: { status: 400, text: 'Error in handling indexed fields' },
  16: { status: 400, text: 'Query string authorization is not enabled' },
  17: { status: 200, text: 'HEC is healthy' },
  18: { status: 503, text: 'HEC is unhealthy, queues are full' },
  19: { status: 503, text: 'HEC is unhealthy, ack service unavailable' },
  20: { status: 503, text: 'HEC is unhealthy, queues are full, ack service unavailable' },
  21: { status: 400, text: 'Invalid token' },
  22: { status: 400, text: 'Token disabled' },
};

/** Whether `ackId` is indexed yet, at the `poll`-th poll (1-based) that asks about it, on `indexer`. */
export type AckDecider = (ackId: number, poll: number, indexer: number) => boolean;
/** A HEC data-error code for an envelope that is otherwise fine, or undefined to accept it. */
export type EventCheck = (envelope: HecEnvelope) => number | undefined;
/** A HEC code to answer with (status and text as Splunk), or any raw scripted reply. */
export type HecScript = number | ScriptedReply;

export interface HecReceiver {
  readonly url: string;
  readonly port: number;
  /** Every request, any path, as received (body un-gzipped). */
  readonly requests: ReceivedRequest[];
  /** Envelopes of accepted event requests, in arrival order. */
  readonly events: HecEnvelope[];
  /** The ids asked about by each ack poll, in order. */
  readonly acksPolled: number[][];
  /** Every `true` an ack poll answered: which indexer said it, for which channel and id. */
  readonly confirmations: { readonly indexer: number; readonly channel: string; readonly ackId: number }[];
  /** The indexer each event post and ack poll reached, in arrival order. */
  readonly routed: { readonly path: string; readonly indexer: number }[];
  /** With `indexers`: the balancer (its cookie values, to look for them in logs). */
  readonly balancer?: StickyBalancer;
  setToken(token: string): void;
  /** The HEC code `/services/collector/health` answers (17 healthy, 18–20 unhealthy). */
  setHealth(code: number): void;
  /** Turns indexer acknowledgement on the token on or off (as an admin would). */
  setAck(on: boolean): void;
  setAckDecider(decide: AckDecider): void;
  setEventCheck(check: EventCheck | undefined): void;
  replyNext(...replies: HecScript[]): void;
  replyNextPoll(...replies: HecScript[]): void;
  /** Answer every ack poll with this until called with undefined. */
  refusePolls(reply: HecScript | undefined): void;
  waitForEvents(count: number, timeoutMs?: number): Promise<void>;
  waitForRequests(count: number, timeoutMs?: number): Promise<void>;
  down(): Promise<void>;
  up(): Promise<void>;
  close(): Promise<void>;
}

export interface HecReceiverOptions {
  readonly ack?: boolean;
  readonly token?: string;
  /** Indexes the token may write to; an envelope naming another gets code 7. Default: any. */
  readonly indexes?: readonly string[];
  /** Default true: a bad event's reply names it, and the events before it are stored. */
  readonly invalidEventNumber?: boolean;
  /** Indexers behind a sticky-cookie balancer; default 1 (no balancer). */
  readonly indexers?: number;
  /** Max-Age of the balancer's cookie, in seconds; default none (a session cookie). */
  readonly stickyMaxAgeSeconds?: number;
}

type ChannelAcks = { next: number; polls: Map<number, number> };

const GUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
const EVENT_PATHS = new Set([
  '/services/collector',
  '/services/collector/event',
  '/services/collector/event/1.0',
]);

export async function startHecReceiver(options: HecReceiverOptions = {}): Promise<HecReceiver> {
  let ack = options.ack ?? false;
  const namesBadEvent = options.invalidEventNumber ?? true;
  let token = options.token ?? 'hec-test-token';
  let decide: AckDecider = () => true;
  let eventCheck: EventCheck | undefined;
  let pollRefusal: HecScript | undefined;
  let health = 17;
  const events: HecEnvelope[] = [];
  const acksPolled: number[][] = [];
  const confirmations: HecReceiver['confirmations'] = [];
  const routed: HecReceiver['routed'] = [];
  const scripted: HecScript[] = [];
  const scriptedPolls: HecScript[] = [];
  const balancer =
    (options.indexers ?? 1) > 1
      ? createStickyBalancer(options.indexers!, options.stickyMaxAgeSeconds)
      : undefined;
  /** Per indexer, per channel: the next ackId, and how often each outstanding id has been polled. */
  const indexers = Array.from({ length: options.indexers ?? 1 }, () => new Map<string, ChannelAcks>());
  let eventWaiters: { count: number; resolve: () => void }[] = [];

  const store = (envelopes: readonly HecEnvelope[]): void => {
    events.push(...envelopes);
    const ready = eventWaiters.filter((w) => events.length >= w.count);
    eventWaiters = eventWaiters.filter((w) => events.length < w.count);
    for (const w of ready) w.resolve();
  };

  const handle = (request: ReceivedRequest): ScriptedReply => {
    const url = new URL(request.url, 'http://hec.invalid');
    if (url.pathname === '/services/collector/health') return hec(health);
    const isEvent = EVENT_PATHS.has(url.pathname);
    if (!isEvent && url.pathname !== '/services/collector/ack') {
      return { status: 404, body: { text: 'The requested URL was not found on this server.', code: 404 } };
    }
    const route = balancer?.route(request.headers) ?? { backend: 0 };
    routed.push({ path: url.pathname, indexer: route.backend });
    const reply = answer(request, url, isEvent, route.backend);
    if (route.setCookie === undefined || !('status' in reply)) return reply;
    return { ...reply, headers: { ...reply.headers, 'set-cookie': route.setCookie } };
  };

  const answer = (request: ReceivedRequest, url: URL, isEvent: boolean, indexer: number): ScriptedReply => {
    const next = isEvent ? scripted.shift() : (scriptedPolls.shift() ?? pollRefusal);
    if (next !== undefined) return typeof next === 'number' ? hec(next) : next;
    const auth = request.headers.authorization;
    if (auth === undefined) return hec(2);
    const match = /^Splunk (.+)$/.exec(auth);
    if (!match) return hec(3);
    if (match[1] !== token) return hec(4);
    const header = request.headers['x-splunk-request-channel'];
    const channel =
      (typeof header === 'string' ? header : undefined) ?? url.searchParams.get('channel') ?? undefined;
    if (channel !== undefined && !GUID.test(channel)) return hec(11);
    if (!isEvent && !ack) return hec(14);
    if (ack && channel === undefined) return hec(10);
    return isEvent
      ? acceptEvents(request.body.toString('utf8'), channel, indexer)
      : answerAckPoll(request, channel!, indexer);
  };

  /** The events before a bad one are indexed; the reply names the bad one (or not, strict). */
  const refuse = (code: number, good: readonly HecEnvelope[]): ScriptedReply => {
    if (!namesBadEvent) return hec(code);
    store(good);
    return hec(code, { 'invalid-event-number': good.length });
  };

  const acceptEvents = (text: string, channel: string | undefined, indexer: number): ScriptedReply => {
    const { parts, malformed } = scanConcatenatedJson(text);
    if (parts.length === 0 && !malformed) return hec(5);
    const decoded: HecEnvelope[] = [];
    for (const raw of parts) {
      const verdict = checkEnvelope(raw, options.indexes);
      if (typeof verdict === 'number') return refuse(verdict, decoded);
      const envelope = { ...verdict, raw, indexer, ...(channel === undefined ? {} : { channel }) };
      const refused = eventCheck?.(envelope);
      if (refused !== undefined) return refuse(refused, decoded);
      decoded.push(envelope);
    }
    if (malformed) return refuse(6, decoded);
    let ackId: number | undefined;
    if (ack && channel !== undefined) {
      const acks = indexers[indexer]!;
      const state = acks.get(channel) ?? { next: 0, polls: new Map<number, number>() };
      acks.set(channel, state);
      ackId = state.next++;
      state.polls.set(ackId, 0);
    }
    store(ackId === undefined ? decoded : decoded.map((e) => ({ ...e, ackId })));
    return ackId === undefined ? hec(0) : hec(0, { ackId });
  };

  const answerAckPoll = (request: ReceivedRequest, channel: string, indexer: number): ScriptedReply => {
    let ids: unknown;
    try {
      ids = (JSON.parse(request.body.toString('utf8')) as { acks?: unknown }).acks;
    } catch {
      return hec(6);
    }
    if (!Array.isArray(ids) || !ids.every((id) => Number.isSafeInteger(id))) return hec(6);
    acksPolled.push(ids as number[]);
    const polls = indexers[indexer]!.get(channel)?.polls;
    const acks: Record<string, boolean> = {};
    for (const id of ids as number[]) {
      const seen = polls?.get(id);
      if (polls === undefined || seen === undefined) {
        acks[id] = false;
        continue;
      }
      polls.set(id, seen + 1);
      acks[id] = decide(id, seen + 1, indexer);
      if (acks[id]) {
        polls.delete(id);
        confirmations.push({ indexer, channel, ackId: id });
      }
    }
    return { status: 200, body: { acks } };
  };

  const base: ScriptedReceiver = await startScriptedReceiver((request) => handle(request));

  return {
    url: base.url,
    port: base.port,
    requests: base.requests,
    events,
    acksPolled,
    confirmations,
    routed,
    ...(balancer ? { balancer } : {}),
    setToken: (next) => {
      token = next;
    },
    setHealth: (code) => {
      health = code;
    },
    setAck: (on) => {
      ack = on;
    },
    setAckDecider: (next) => {
      decide = next;
    },
    setEventCheck: (next) => {
      eventCheck = next;
    },
    replyNext: (...replies) => scripted.push(...replies),
    replyNextPoll: (...replies) => scriptedPolls.push(...replies),
    refusePolls: (reply) => {
      pollRefusal = reply;
    },
    waitForEvents: (count, timeoutMs = 30_000) =>
      new Promise<void>((resolve, reject) => {
        if (events.length >= count) return resolve();
        const timer = setTimeout(
          () => reject(new Error(`HEC receiver got ${events.length} events, expected ${count}`)),
          timeoutMs,
        );
        eventWaiters.push({
          count,
          resolve: () => {
            clearTimeout(timer);
            resolve();
          },
        });
      }),
    waitForRequests: (count, timeoutMs) => base.waitForRequests(count, timeoutMs),
    down: () => base.down(),
    up: () => base.up(),
    close: () => base.close(),
  };
}

function hec(code: number, extra: Record<string, unknown> = {}): ScriptedReply {
  const known = HEC_CODES[code] ?? { status: 400, text: `code ${code}` };
  return { status: known.status, body: { text: known.text, code, ...extra } };
}
