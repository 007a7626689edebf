/**
 * The `/services/collector/ack` request and the meaning of its reply. Pure. Only an explicit
 * `true` in `acks` confirms an ackId: a missing id, `false`, or any unreadable reply confirms nothing.
 */
import type { HttpReply } from '../../contract/outcome.js';
import { readBoth, WITHHELD } from '../../transport/scrubbed-reply.js';
import { replyObject } from '../reply-json.js';
import type { SinkRequest } from '../../contract/sink.js';
import { parseHecReplyBody } from './classify.js';
import { CHANNEL_HEADER } from './encode.js';

export const HEC_ACK_PATH = '/services/collector/ack';

/** Token codes: the token itself is refused, so event posts fail too and block the sink there. */
const BLOCKED_CODES = new Set([1, 2, 3, 4, 16, 21, 22]);
/** "ACK is disabled" (14), channel missing / invalid (10, 11): polling cannot work as set up. */
const UNSUPPORTED_CODES = new Set([10, 11, 14]);
/** A proxy or router that does not pass the ack endpoint on. */
const UNSUPPORTED_STATUSES = new Set([404, 405]);

export type AckPollResult =
  | { readonly kind: 'acks'; readonly indexed: readonly number[] }
  /** Network trouble, 5xx, busy, unreadable: try again next interval. */
  | { readonly kind: 'failed'; readonly reason: string }
  /** The receiver refuses the poll's credentials (401/403, token codes). */
  | { readonly kind: 'blocked'; readonly reason: string }
  /**
   * Polling cannot work with this token or proxy (code 14 "ACK is disabled", 10/11, 404/405):
   * no ack will ever be confirmed, so the requests stand on HEC's 200 (ack-fallback.ts).
   */
  | { readonly kind: 'unsupported'; readonly reason: string };

/**
 * `cookie`: the Cookie header that routed the batches being asked about to their indexer (behind a
 * load balancer ackIds are only meaningful there); omitted, the transport's cookie jar applies.
 */
export function ackRequest(channel: string, ackIds: readonly number[], cookie?: string): SinkRequest {
  const headers: Record<string, string> = { 'content-type': 'application/json', [CHANNEL_HEADER]: channel };
  if (cookie) headers.cookie = cookie;
  return {
    path: HEC_ACK_PATH,
    method: 'POST',
    headers,
    body: Buffer.from(JSON.stringify({ acks: ackIds }), 'utf8'),
  };
}

export function parseAckReply(reply: HttpReply): AckPollResult {
  if (reply.kind === 'network_error') return { kind: 'failed', reason: `network error ${reply.code}` };
  if (reply.kind === 'timeout') return { kind: 'failed', reason: `no reply within ${reply.afterMs} ms` };
  const { status } = reply;
  if (status === 200) {
    const indexed = indexedIds(reply.body);
    if (indexed !== undefined) return { kind: 'acks', indexed };
  }
  const hec = parseHecReplyBody(reply.body);
  const reason = hec ? `HEC code ${hec.code}: ${hec.text} (HTTP ${status})` : `HTTP ${status}`;
  if (hec && BLOCKED_CODES.has(hec.code)) return { kind: 'blocked', reason };
  if (hec && UNSUPPORTED_CODES.has(hec.code)) return { kind: 'unsupported', reason };
  if (UNSUPPORTED_STATUSES.has(status)) return { kind: 'unsupported', reason };
  if (status === 401 || status === 403) return { kind: 'blocked', reason };
  return { kind: 'failed', reason: status === 200 ? `unreadable ack reply (${reason})` : reason };
}

/**
 * parseAckReply of a transport's reply: which ids are indexed is read from the exact reply (a token
 * that happens to equal an ack id must not hide it), the words from the scrubbed one.
 */
export function readAckReply(reply: HttpReply): AckPollResult {
  const { decided, described } = readBoth(reply, parseAckReply);
  if (decided.kind === 'acks' || decided === described) return decided;
  return { ...decided, reason: described?.kind === decided.kind ? described.reason : WITHHELD };
}

/** Ids whose status is exactly `true`, or undefined when the body is not `{"acks":{…}}`. */
function indexedIds(body: string): number[] | undefined {
  const acks = replyObject(body)?.acks;
  if (typeof acks !== 'object' || acks === null || Array.isArray(acks)) return undefined;
  const out: number[] = [];
  for (const [key, value] of Object.entries(acks as Record<string, unknown>)) {
    const id = Number(key);
    if (value === true && Number.isSafeInteger(id) && String(id) === key) out.push(id);
  }
  return out;
}
