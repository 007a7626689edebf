/**
 * What a Loki reply means for the batch (PROTOCOLS.md §1). Pure: no I/O, no clock.
 *
 * Loki answers for a whole push, never per entry, so the outcome is all-or-nothing. A 400 is never
 * turned into a resend of the whole batch: Loki may already have stored some of its entries, and
 * resending would not make the refused ones acceptable. Rejected batches are dead-lettered by the
 * delivery loop with the reason built here, so nothing Loki refuses vanishes.
 */
import type { HttpReply, Outcome } from '../../deliver/outcome.js';

const MAX_MESSAGE_CHARS = 1024;

/** Loki's plain-text error, cut to a size fit for a log line and a dead-letter reason. */
function lokiMessage(body: string): string {
  const text = body.length > MAX_MESSAGE_CHARS * 2 ? body.slice(0, MAX_MESSAGE_CHARS * 2) : body;
  const trimmed = text.trim().replace(/\s+/g, ' ');
  if (trimmed === '') return '(empty body)';
  return trimmed.length > MAX_MESSAGE_CHARS ? `${trimmed.slice(0, MAX_MESSAGE_CHARS)}…` : trimmed;
}

function header(
  headers: Readonly<Record<string, string | string[] | undefined>>,
  name: string,
): string | undefined {
  const value = headers[name];
  return Array.isArray(value) ? value[0] : value;
}

export function classifyLokiReply(reply: HttpReply): Outcome {
  if (reply.kind === 'network_error') {
    return {
      kind: 'retry',
      class: 'network',
      reason: `Loki unreachable: ${reply.code} ${reply.message}`.trim(),
    };
  }
  if (reply.kind === 'timeout') {
    return { kind: 'retry', class: 'timeout', reason: `Loki did not answer within ${reply.afterMs} ms` };
  }

  const { status, body } = reply;
  const retryAfter = header(reply.headers, 'retry-after');
  const withRetryAfter = retryAfter === undefined ? {} : { retryAfter };

  if (status === 260) {
    return {
      kind: 'rejected',
      reason: `Loki ingestion blocked for this tenant (HTTP 260): Loki dropped the data. ${lokiMessage(body)}`,
    };
  }
  if (status >= 200 && status < 300) return { kind: 'delivered' };

  if (status === 429) {
    return {
      kind: 'retry',
      class: 'rate_limited',
      reason: `Loki rate limit (HTTP 429): ${lokiMessage(body)}`,
      ...withRetryAfter,
    };
  }
  if (status >= 500) {
    return {
      kind: 'retry',
      class: 'server_error',
      reason: `Loki server error (HTTP ${status}): ${lokiMessage(body)}`,
      ...withRetryAfter,
    };
  }
  // A proxy in front of Loki gave up waiting for our body: nothing was stored, so send it again.
  if (status === 408) {
    return {
      kind: 'retry',
      class: 'timeout',
      reason: `request timeout (HTTP 408): ${lokiMessage(body)}`,
      ...withRetryAfter,
    };
  }
  if (status === 413) {
    return { kind: 'split', reason: `Loki refused the request size (HTTP 413): ${lokiMessage(body)}` };
  }
  if (status === 401) {
    const hint = /no org id/i.test(body)
      ? ' — Loki runs multi-tenant and needs a tenant: set `tenant` (sent as X-Scope-OrgID) on this sink'
      : ' — check the sink credentials';
    return { kind: 'blocked', reason: `Loki refused authentication (HTTP 401): ${lokiMessage(body)}${hint}` };
  }
  if (status === 403) {
    return {
      kind: 'blocked',
      reason: `Loki refused access (HTTP 403): ${lokiMessage(body)} — check credentials and tenant`,
    };
  }
  if (status === 404 || status === 405) {
    return {
      kind: 'blocked',
      reason: `Loki answered HTTP ${status} for the push path: ${lokiMessage(body)} — check the sink url (the base URL, without /loki/api/v1/push)`,
    };
  }
  if (status >= 300 && status < 400) {
    // The Location is left out of the reason: redirect targets can carry tokens in their query.
    return {
      kind: 'blocked',
      reason: `Loki answered a redirect (HTTP ${status}): set the sink url to the final address`,
    };
  }
  // 400 (bad labels, too old, line too long…), 422 (no streams) and any other 4xx.
  if (status >= 400) {
    return { kind: 'rejected', reason: `Loki rejected the push (HTTP ${status}): ${lokiMessage(body)}` };
  }
  // 1xx or an out-of-range status: not an answer we understand, so nothing is known to be stored.
  return {
    kind: 'retry',
    class: 'server_error',
    reason: `unexpected HTTP status ${status} from Loki`,
    ...withRetryAfter,
  };
}
