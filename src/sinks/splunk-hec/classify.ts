/**
 * A HEC reply → Outcome, per PROTOCOLS.md §3. Pure. The HEC `code` in the JSON body decides when
 * there is one; the HTTP status decides otherwise. A 2xx is never taken as success without
 * `code: 0`, and with indexer acknowledgement on, success is only ever `awaiting_ack`.
 */
import type { HttpReply, Outcome, RetryClass } from '../../deliver/outcome.js';

/** How a reply body is quoted in reasons: enough to diagnose, bounded for logs and dead-letters. */
const MAX_DETAIL = 200;

/** Codes that mean "this sink is misconfigured": token (1–4), channel/ack (10, 11, 14), query-string auth (16). */
const BLOCKED_CODES = new Set([1, 2, 3, 4, 10, 11, 14, 16]);
/** Codes that mean "this data will never be accepted as sent". */
const REJECTED_CODES = new Set([5, 6, 7, 12, 13, 15]);
const RETRY_CODES: ReadonlyMap<number, RetryClass> = new Map<number, RetryClass>([
  [8, 'server_error'],
  [9, 'rate_limited'],
  [18, 'server_error'],
  [19, 'server_error'],
  [20, 'server_error'],
]);

export interface HecReplyBody {
  readonly code: number;
  readonly text: string;
  readonly ackId?: unknown;
}

export function classifyHecReply(reply: HttpReply, ackEnabled: boolean): Outcome {
  if (reply.kind === 'network_error') {
    return { kind: 'retry', class: 'network', reason: `network error ${reply.code}: ${reply.message}` };
  }
  if (reply.kind === 'timeout') {
    return { kind: 'retry', class: 'timeout', reason: `no reply within ${reply.afterMs} ms` };
  }

  const { status } = reply;
  const retryAfter = header(reply.headers['retry-after']);
  // A body cap is the one refusal that is about the request, not the events: halve and resend.
  if (status === 413) return { kind: 'split', reason: `HTTP 413: ${detail(reply.body)}` };

  const body = parseHecReplyBody(reply.body);
  if (body !== undefined) {
    const { code } = body;
    const hec = `HEC code ${code}: ${body.text}`;
    if (code === 0 && status >= 200 && status < 300) return success(body, ackEnabled);
    const retryClass = RETRY_CODES.get(code);
    if (retryClass !== undefined) return retry(retryClass, `${hec} (HTTP ${status})`, retryAfter);
    if (BLOCKED_CODES.has(code)) return { kind: 'blocked', reason: hec };
    if (REJECTED_CODES.has(code)) return { kind: 'rejected', reason: hec };
    // Unknown codes (e.g. 17 "healthy" from the wrong endpoint, or 404 from Splunk's router) fall
    // through to the status, which never turns them into a success.
  }
  return byStatus(status, retryAfter, reply.body);
}

function success(body: HecReplyBody, ackEnabled: boolean): Outcome {
  if (!ackEnabled) return { kind: 'delivered' };
  const { ackId } = body;
  if (typeof ackId === 'number' && Number.isSafeInteger(ackId) && ackId >= 0) {
    return { kind: 'awaiting_ack', ackId };
  }
  // Without an ackId nothing can confirm indexing, so the only safe reading is "not yet delivered".
  return retry('server_error', 'HEC accepted the request but sent no ackId although acknowledgement is on');
}

function byStatus(status: number, retryAfter: string | undefined, text: string): Outcome {
  const reason = `HTTP ${status}: ${detail(text)}`;
  if (status >= 200 && status < 300)
    return retry('server_error', `unrecognised HEC reply to a 2xx: ${reason}`);
  if (status === 429) return retry('rate_limited', reason, retryAfter);
  if (status === 408) return retry('timeout', reason, retryAfter);
  if (status >= 500) return retry('server_error', reason, retryAfter);
  // 401/403: credentials; 404 and 3xx: the URL is wrong. Configuration, not data: keep the events.
  if (status === 401 || status === 403 || status === 404 || (status >= 300 && status < 400)) {
    return { kind: 'blocked', reason };
  }
  if (status >= 400) return { kind: 'rejected', reason };
  return retry('server_error', `unexpected ${reason}`);
}

function retry(cls: RetryClass, reason: string, retryAfter?: string): Outcome {
  return retryAfter === undefined
    ? { kind: 'retry', class: cls, reason }
    : { kind: 'retry', class: cls, reason, retryAfter };
}

/** The `{text, code, ackId?}` object HEC answers with, or undefined for anything else. */
export function parseHecReplyBody(text: string): HecReplyBody | undefined {
  if (text.length === 0 || text.length > 65_536) return undefined;
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch {
    return undefined;
  }
  if (typeof parsed !== 'object' || parsed === null) return undefined;
  const { code, text: message, ackId } = parsed as Record<string, unknown>;
  if (typeof code !== 'number' || !Number.isInteger(code)) return undefined;
  return { code, text: typeof message === 'string' ? detail(message) : '', ackId };
}

function header(value: string | readonly string[] | undefined): string | undefined {
  return typeof value === 'string' ? value : value?.[0];
}

function detail(text: string): string {
  const flat = text.replace(/\s+/g, ' ').trim();
  return flat.length > MAX_DETAIL ? flat.slice(0, MAX_DETAIL) + '…' : flat || '(empty body)';
}
