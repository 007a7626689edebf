/**
 * What a Loki reply means for the batch (docs/receivers.md §1). Pure: no I/O, no clock.
 *
 * Loki answers for a whole push, never per entry. A 400 is partial (Loki stored the valid entries)
 * unless Loki provably stored nothing (bad-request.ts): a partial one is bisected, relying on
 * Loki's de-duplication of resent entries, so only the refused entries are dead-lettered, each with
 * the message its own request got. A 400 because structured metadata is disallowed is a
 * configuration fault: blocked, never dead-lettered. A 429 is retried; after a few in a row the
 * batch is split, since a push larger than the tenant's burst gets 429 every time.
 */
import type { HttpReply, Outcome } from '../../contract/outcome.js';
import { defaultStatusOutcome, retryAfterOf, statusStep } from '../status-ladder.js';
import { readBadRequest, type PushShape } from './bad-request.js';

export type { PushShape } from './bad-request.js';

const MAX_MESSAGE_CHARS = 1024;
/** Consecutive 429s after which a batch is split: Loki refuses a push over the burst every time. */
export const SPLIT_AFTER_429S = 3;
/** A request whose shape is not known: read as many entries in many streams. */
const UNKNOWN_SHAPE: PushShape = { entries: Infinity, streams: () => Infinity };

/** Loki's plain-text error, cut to a size fit for a log line and a dead-letter reason. */
function lokiMessage(body: string): string {
  const text = body.length > MAX_MESSAGE_CHARS * 2 ? body.slice(0, MAX_MESSAGE_CHARS * 2) : body;
  const trimmed = text.trim().replace(/\s+/g, ' ');
  if (trimmed === '') return '(empty body)';
  return trimmed.length > MAX_MESSAGE_CHARS ? `${trimmed.slice(0, MAX_MESSAGE_CHARS)}…` : trimmed;
}

export function classifyLokiReply(reply: HttpReply, shape: PushShape = UNKNOWN_SHAPE): Outcome {
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
  const retryAfter = retryAfterOf(reply);
  if (status === 260) {
    return {
      kind: 'rejected',
      reason: `Loki ingestion blocked for this tenant (HTTP 260): Loki dropped the data. ${lokiMessage(body)}`,
    };
  }
  // 405 is a wrong push path too (a URL that names another Loki endpoint).
  const step = status === 405 ? 'not_found' : statusStep(status);
  switch (step) {
    case 'success':
      return { kind: 'delivered' };
    case 'too_large':
      return defaultStatusOutcome(step, `Loki refused the request size (HTTP 413): ${lokiMessage(body)}`);
    case 'rate_limited':
      return {
        kind: 'retry',
        class: 'rate_limited',
        reason: `Loki rate limit (HTTP 429): ${lokiMessage(body)}`,
        splitAfter: SPLIT_AFTER_429S,
        ...(retryAfter === undefined ? {} : { retryAfter }),
      };
    case 'bad_request':
      return classifyBadRequest(body, shape);
    case 'server_error':
      return defaultStatusOutcome(
        step,
        `Loki server error (HTTP ${status}): ${lokiMessage(body)}`,
        retryAfter,
      );
    case 'request_timeout':
      return defaultStatusOutcome(step, `request timeout (HTTP 408): ${lokiMessage(body)}`, retryAfter);
    case 'unauthorized':
      return { kind: 'blocked', reason: unauthorizedReason(status, body) };
    case 'not_found':
      return defaultStatusOutcome(
        step,
        `Loki answered HTTP ${status} for the push path: ${lokiMessage(body)} — check the sink url (the base URL, without /loki/api/v1/push)`,
      );
    case 'redirect':
      // The Location is left out of the reason: redirect targets can carry tokens in their query.
      return defaultStatusOutcome(
        step,
        `Loki answered a redirect (HTTP ${status}): set the sink url to the final address`,
      );
    case 'client_error':
      // 422 (no streams) and any other 4xx: Loki stored nothing it would accept on a resend.
      return defaultStatusOutcome(step, `Loki rejected the push (HTTP ${status}): ${lokiMessage(body)}`);
    case 'unexpected':
      return defaultStatusOutcome(step, `unexpected HTTP status ${status} from Loki`, retryAfter);
  }
}

function unauthorizedReason(status: number, body: string): string {
  if (status === 403)
    return `Loki refused access (HTTP 403): ${lokiMessage(body)} — check credentials and tenant`;
  const hint = /no org id/i.test(body)
    ? ' — Loki runs multi-tenant and needs a tenant: set `tenant` (sent as X-Scope-OrgID) on this sink'
    : ' — check the sink credentials';
  return `Loki refused authentication (HTTP 401): ${lokiMessage(body)}${hint}`;
}

function classifyBadRequest(body: string, shape: PushShape): Outcome {
  const message = lokiMessage(body);
  switch (readBadRequest(body, shape)) {
    case 'metadata_disallowed':
      return {
        kind: 'blocked',
        reason:
          'Loki refuses structured metadata (HTTP 400; allow_structured_metadata is off: Loki 2.9, or Loki 3 ' +
          'with a schema before v13): set `structured_metadata: false` on this sink ' +
          "(--loki-structured-metadata false), or allow it in Loki's limits_config. Events are kept. " +
          `Loki said: ${message}`,
      };
    case 'all_refused':
      return { kind: 'rejected', reason: `Loki refused the entries (HTTP 400): ${message}` };
    case 'partial':
      return { kind: 'bisect', reason: `Loki refused the entries (HTTP 400): ${message}` };
  }
}
