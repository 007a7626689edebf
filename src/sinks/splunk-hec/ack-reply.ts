/**
 * The `/services/collector/ack` request and the meaning of its reply. Pure. Only an explicit
 * `true` in `acks` confirms an ackId: a missing id, `false`, or any unreadable reply confirms nothing.
 */
import type { HttpReply } from '../../deliver/outcome.js';
import { readBoth, WITHHELD } from '../../deliver/scrubbed-reply.js';
import type { SinkRequest } from '../sink.js';
import { parseHecReplyBody } from './classify.js';
import { CHANNEL_HEADER } from './encode.js';

export const HEC_ACK_PATH = '/services/collector/ack';

/** Token, channel and "ACK is disabled" codes: polling cannot succeed until the config changes. */
const BLOCKED_CODES = new Set([1, 2, 3, 4, 10, 11, 14, 16]);

export type AckPollResult =
  | { readonly kind: 'acks'; readonly indexed: readonly number[] }
  /** Network trouble, 5xx, busy, unreadable: try again next interval. */
  | { readonly kind: 'failed'; readonly reason: string }
  /** The receiver refuses the poll as configured (401/403, code 14 "ACK is disabled", …). */
  | { readonly kind: 'blocked'; readonly reason: string };

export function ackRequest(channel: string, ackIds: readonly number[]): SinkRequest {
  return {
    path: HEC_ACK_PATH,
    method: 'POST',
    headers: { 'content-type': 'application/json', [CHANNEL_HEADER]: channel },
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
  if (status === 401 || status === 403 || status === 404) return { kind: 'blocked', reason };
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
  let parsed: unknown;
  try {
    parsed = JSON.parse(body);
  } catch {
    return undefined;
  }
  if (typeof parsed !== 'object' || parsed === null) return undefined;
  const acks = (parsed as { acks?: unknown }).acks;
  if (typeof acks !== 'object' || acks === null || Array.isArray(acks)) return undefined;
  const out: number[] = [];
  for (const [key, value] of Object.entries(acks as Record<string, unknown>)) {
    const id = Number(key);
    if (value === true && Number.isSafeInteger(id) && String(id) === key) out.push(id);
  }
  return out;
}
