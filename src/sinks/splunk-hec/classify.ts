/**
 * A HEC reply → Outcome, per docs/receivers.md §3. Pure. The HEC `code` in the JSON body decides when
 * there is one; the HTTP status decides otherwise.
 *
 * Invariants:
 * - Data HEC accepted is never sent again: a 2xx counts as delivered, on its `code: 0` or, for a
 *   2xx that is not a HEC reply, on the status alone (with a warning, as Vector and OTel do).
 * - With indexer acknowledgement on, success is `awaiting_ack`; a success without an `ackId` (the
 *   token has ack off) is delivered on the 200, or blocked under `ack.required` (ack-fallback.ts).
 * - Configuration faults (token, channel, index, ack set-up) keep the events: blocked.
 * - A data error dead-letters only the event HEC names, or bisects to find it (refused-events.ts).
 */
import type { HttpReply, Outcome, RetryClass } from '../../contract/outcome.js';
import { replyObject } from '../reply-json.js';
import { defaultStatusOutcome, retryAfterOf, retryOutcome, statusStep } from '../status-ladder.js';
import { ackUnavailable, type HecAckMode } from './ack-fallback.js';
import { DATA_ERROR_CODES, refusedEvents } from './refused-events.js';

/** How a reply body is quoted in reasons: enough to diagnose, bounded for logs and dead-letters. */
const MAX_DETAIL = 200;

/**
 * Codes that mean "this sink is misconfigured": token (1–4, 21, 22), index not allowed for the
 * token (7), channel/ack (10, 11, 14), query-string auth (16).
 */
const BLOCKED_CODES = new Set([1, 2, 3, 4, 7, 10, 11, 14, 16, 21, 22]);
const RETRY_CODES: ReadonlyMap<number, RetryClass> = new Map<number, RetryClass>([
  [8, 'server_error'],
  [9, 'rate_limited'],
  [18, 'server_error'],
  [19, 'server_error'],
  [20, 'server_error'],
]);
/** What to change, for blocked codes whose text alone does not say. */
const HINTS: ReadonlyMap<number, string> = new Map([
  [
    7,
    "the token may not write to the configured index: fix the sink's `index` or the token's allowed indexes",
  ],
]);

export interface HecReplyBody {
  readonly code: number;
  readonly text: string;
  readonly ackId?: unknown;
  readonly invalidEventNumber?: unknown;
}

/** `count` is the number of envelopes in the request the reply answers. */
export function classifyHecReply(reply: HttpReply, count: number, ack: HecAckMode): Outcome {
  if (reply.kind === 'network_error') {
    return { kind: 'retry', class: 'network', reason: `network error ${reply.code}: ${reply.message}` };
  }
  if (reply.kind === 'timeout') {
    return { kind: 'retry', class: 'timeout', reason: `no reply within ${reply.afterMs} ms` };
  }

  const { status } = reply;
  const retryAfter = retryAfterOf(reply);
  // A body cap is the one refusal that is about the request, not the events: halve and resend.
  if (status === 413) return { kind: 'split', reason: `HTTP 413: ${detail(reply.body)}` };

  const body = parseHecReplyBody(reply.body);
  if (body !== undefined) {
    const { code } = body;
    const hec = `HEC code ${code}: ${body.text}`;
    if (code === 0 && status >= 200 && status < 300) return success(body, ack, `${hec} (HTTP ${status})`);
    const retryClass = RETRY_CODES.get(code);
    if (retryClass !== undefined) return retryOutcome(retryClass, `${hec} (HTTP ${status})`, retryAfter);
    if (BLOCKED_CODES.has(code)) {
      const hint = HINTS.get(code);
      return { kind: 'blocked', reason: hint ? `${hec} (${hint})` : hec };
    }
    if (DATA_ERROR_CODES.has(code)) return refusedEvents(hec, body.invalidEventNumber, count);
    // Unknown codes (e.g. 404 from Splunk's router) fall through to the status.
  }
  return byStatus(status, retryAfter, reply.body, ack);
}

/** A usable ackId of a success reply, or undefined. */
export function ackIdOf(body: HecReplyBody): number | undefined {
  const { ackId } = body;
  return typeof ackId === 'number' && Number.isSafeInteger(ackId) && ackId >= 0 ? ackId : undefined;
}

function success(body: HecReplyBody, ack: HecAckMode, reply: string): Outcome {
  if (ack === 'off') return { kind: 'delivered' };
  const ackId = ackIdOf(body);
  if (ackId !== undefined) return { kind: 'awaiting_ack', ackId };
  // HEC accepted and will index the events; no ackId means the token has ack off, so nothing will
  // ever confirm them, and a resend would be indexed again.
  return ackUnavailable('ack_off', `${reply} without an ackId`, ack);
}

function byStatus(status: number, retryAfter: string | undefined, text: string, ack: HecAckMode): Outcome {
  const reason = `HTTP ${status}: ${detail(text)}`;
  const step = statusStep(status);
  switch (step) {
    case 'success':
      return ackUnavailable('non_hec_reply', reason, ack);
    case 'unexpected':
      return retryOutcome('server_error', `unexpected ${reason}`);
    default:
      // 401/403: credentials; 404 and 3xx: the URL is wrong. Configuration, not data: keep the events.
      return defaultStatusOutcome(step, reason, retryAfter);
  }
}

/** The `{text, code, ackId?}` object HEC answers with, or undefined for anything else. */
export function parseHecReplyBody(text: string): HecReplyBody | undefined {
  if (text.length === 0 || text.length > 65_536) return undefined;
  const fields = replyObject(text);
  if (!fields) return undefined;
  const { code, text: message, ackId } = fields;
  if (typeof code !== 'number' || !Number.isInteger(code)) return undefined;
  const invalidEventNumber = fields['invalid-event-number'];
  return { code, text: typeof message === 'string' ? detail(message) : '', ackId, invalidEventNumber };
}

function detail(text: string): string {
  const flat = text.replace(/\s+/g, ' ').trim();
  return flat.length > MAX_DETAIL ? flat.slice(0, MAX_DETAIL) + '…' : flat || '(empty body)';
}
